import Foundation
import TallyCore
import TallyStore
import TallyCSV
import TallyEngine

/// Any CSV file as an engine table, for ad-hoc questions (`tally query --csv FILE`).
///
/// Every column is first read as dictionary-encoded text; then its type is inferred from its
/// distinct values, not from every row: int64 if all are whole numbers, else float64 if all
/// are numbers, else date (`YYYY-MM-DD`), else timestamp (the record contract's form, local
/// to `zone` without an offset), else bool, else string. Empty fields are null.
public enum CSVTable {
    public static func read(path: String, encoding: TextEncoding = .utf8, zone: ZoneOffsets) throws -> Table {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw CSVTableError(message: "\(path): cannot read the file: " + Store.readErrorReason(path))
        }
        let text: Data
        do { text = try Store.decodeText(data, encoding: encoding) } catch let r as FileRejection {
            throw CSVTableError(message: "\(path): \(r.message)")
        }
        var names: [String] = []
        var codes: [[UInt32]] = []
        var dictionaries: [StringDictionaryBuilder] = []
        var problem: String?
        let reader = CSVReader { row in
            if names.isEmpty {
                names = (0..<row.count).map { row.string($0).trimmingSpaces }
                var first: [String: Int] = [:]
                for (i, name) in names.enumerated() {
                    if let j = first.updateValue(i, forKey: name) {
                        throw CSVTableError(message: "\(path) line \(row.line): column name '\(name)' appears twice in the header (columns \(j + 1) and \(i + 1))")
                    }
                }
                codes = Array(repeating: [], count: names.count)
                dictionaries = Array(repeating: StringDictionaryBuilder(), count: names.count)
                // Code 0 stands for null in every column.
                for c in names.indices { _ = dictionaries[c].code(of: UnsafeRawBufferPointer(start: nil, count: 0)) }
                return
            }
            if row.count != names.count {
                problem = "\(path) line \(row.line): the row has \(row.count) fields, the header has \(names.count)"
                throw CSVTableError(message: problem!)
            }
            for c in 0..<names.count {
                codes[c].append(dictionaries[c].code(of: UnsafeRawBufferPointer(row.field(c))))
            }
        }
        try text.withUnsafeBytes { try reader.feed($0) }
        try reader.finish()
        guard !names.isEmpty else { throw CSVTableError(message: "\(path): no header: the file is empty") }
        return Table(names.indices.map { c in (names[c], column(codes[c], dictionaries[c].build(), zone)) })
    }

    static func column(_ codes: [UInt32], _ dictionary: StringDictionary, _ zone: ZoneOffsets) -> Column {
        let values = dictionary.strings  // values[0] is "" (null)
        func all<T>(_ parse: (String) -> T?) -> [T?]? {
            var out: [T?] = [nil]
            for s in values.dropFirst() {
                guard let v = parse(s) else { return nil }
                out.append(v)
            }
            return out
        }
        func build(_ type: DataType, _ perCode: [Value]) -> Column {
            var b = ColumnBuilder(type: type, capacity: codes.count)
            for code in codes { b.append(perCode[Int(code)]) }
            return b.build()
        }
        func bytes(_ s: String, _ f: (UnsafeBufferPointer<UInt8>) -> Int64?) -> Int64? {
            var copy = s
            return copy.withUTF8 { f($0) }
        }
        if values.count > 1 {
            if let v = all({ s in bytes(s) { FieldParser.int($0) } }) {
                return build(.int64, v.map { $0.map(Value.int) ?? .null })
            }
            if let v = all({ Double($0) }) {
                return build(.float64, v.map { $0.map(Value.double) ?? .null })
            }
            if let v = all({ s in bytes(s) { FieldParser.date($0) } }) {
                return build(.date, v.map { $0.map { Value.date(Int32($0)) } ?? .null })
            }
            if let v = all({ s in bytes(s) { try? FieldParser.timestamp($0, zone: zone).get() } }) {
                return build(.timestamp, v.map { $0.map(Value.timestamp) ?? .null })
            }
            if let v = all({ s in bytes(s) { FieldParser.bool($0).map { $0 ? 1 : 0 } } }) {
                return build(.bool, v.map { $0.map { Value.bool($0 == 1) } ?? .null })
            }
        }
        return build(.string, values.enumerated().map { $0.offset == 0 ? .null : .string($0.element) })
    }
}

public struct CSVTableError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
