import TallyCore
import TallyEngine

/// The engine columns of one file's valid rows, built by the parsing thread while the file
/// loads (it holds every value already, and has time to spare: the SQLite thread is the
/// slower half), so that the first query after a load need not read the rows back from SQLite.
///
/// Each value is what SQLite will hold and `Store.readTable` would read back: strings as
/// written, enums by their lower-case name, sets as their canonical `;`-separated text, JSON
/// arrays as their canonical text, the platform by its canonical name in the registry, dates
/// as days, timestamps as microseconds, booleans and integers as they are. Which valid rows
/// become current versions is only known on the SQLite thread (`SegmentRows`); the segment
/// is cut to them when the file is done (`finish`).
final class SegmentBuilder: @unchecked Sendable {
    let kind: RecordKind
    private let columns: [Int]
    private let codes: [KindCode]
    private var builders: [ColumnBuilder]
    /// Per engine column: an enum value's code (UInt32.max: not seen yet).
    private var enumCodes: [[UInt32]]
    private let enumNames: [[[UInt8]]]
    /// Per engine column: a set's mask (or a JSON array's id) → code, and the last one.
    private var setCodes: [[Int64: UInt32]]
    private var last: [(key: Int64, code: UInt32)]
    /// The platform column (engine index), whose rows hold the canonical name: each raw
    /// spelling's code in `rawPlatforms`, mapped once to the canonical name's code.
    private let platform: Int?
    private let registry: PlatformRegistry?
    private var rawPlatforms = StringDictionaryBuilder()
    private var canonicalCode: [UInt32] = []
    private(set) var rows = 0

    init(kind: RecordKind, registry: PlatformRegistry?, capacity: Int) {
        self.kind = kind
        self.registry = registry
        let schema = kind.schema
        let engine = Set(Store.engineColumns(of: kind).map(\.name))
        let columns = schema.columns.indices.filter { engine.contains(schema.columns[$0].name) }
        self.columns = columns
        codes = columns.map { schema.columns[$0].kind.code }
        let types = Store.engineColumns(of: kind).map(\.type)
        builders = types.map { ColumnBuilder(type: $0, capacity: capacity) }
        let names = columns.map { c -> [[UInt8]] in
            switch schema.columns[c].kind {
            case .enumeration(let values), .set(let values): return values.map { Array($0.utf8) }
            default: return []
            }
        }
        enumNames = names
        enumCodes = names.map { [UInt32](repeating: .max, count: $0.count) }
        setCodes = columns.map { _ in [:] }
        last = columns.map { _ in (-1, 0) }
        platform = schema.platformColumn.flatMap { name in columns.firstIndex { schema.columns[$0].name == name } }
    }

    /// Appends the batch's valid rows (in order).
    func append(_ batch: RowBatch) {
        for i in 0..<batch.count where batch.problemIndex[i] < 0 {
            let o = i * batch.columns
            for (e, c) in columns.enumerated() {
                if batch.isNull[o + c] {
                    builders[e].appendNull()
                    continue
                }
                let value = batch.ints[o + c]
                switch codes[e] {
                case .string:
                    let text = UnsafeRawBufferPointer(batch.text(i, c))
                    if e == platform {
                        builders[e].append(code: canonical(text))
                    } else {
                        builders[e].append(utf8: text)
                    }
                case .enumeration:
                    var code = enumCodes[e][Int(value)]
                    if code == .max {
                        code = enumNames[e][Int(value)].withUnsafeBytes { builders[e].code(of: $0) }
                        enumCodes[e][Int(value)] = code
                    }
                    builders[e].append(code: code)
                case .set, .jsonSet:
                    builders[e].append(code: setCode(e, value, batch))
                case .date:
                    builders[e].append(days: Int32(truncatingIfNeeded: value))
                case .timestamp, .int:
                    builders[e].append(value)
                case .bool:
                    builders[e].append(value != 0)
                }
            }
            rows += 1
        }
    }

    /// The code of the canonical name of a platform spelled `text`.
    @inline(__always)
    private func canonical(_ text: UnsafeRawBufferPointer) -> UInt32 {
        let e = platform!
        let raw = Int(rawPlatforms.code(of: text))
        if raw == canonicalCode.count {
            let written = String(decoding: text, as: UTF8.self)
            var name = registry?.canonical(for: written) ?? written
            canonicalCode.append(name.withUTF8 { builders[e].code(of: UnsafeRawBufferPointer($0)) })
        }
        return canonicalCode[raw]
    }

    /// The code of a set's canonical text (members in the contract's order, `;`-separated),
    /// or of a JSON array's canonical text.
    @inline(__always)
    private func setCode(_ e: Int, _ value: Int64, _ batch: RowBatch) -> UInt32 {
        if last[e].key == value { return last[e].code }
        let code: UInt32
        if let known = setCodes[e][value] {
            code = known
        } else {
            if codes[e] == .jsonSet {
                let t = batch.jsonSets!.text(value)
                code = builders[e].code(of: UnsafeRawBufferPointer(start: t.pointer, count: Int(t.length)))
            } else {
                var text: [UInt8] = []
                var first = true
                for (k, name) in enumNames[e].enumerated() where value & (1 << k) != 0 {
                    if !first { text.append(UInt8(ascii: ";")) }
                    first = false
                    text += name
                }
                code = text.withUnsafeBytes { builders[e].code(of: $0) }
            }
            setCodes[e][value] = code
        }
        last[e] = (value, code)
        return code
    }

    /// The engine columns of the valid rows appended, as a table (every row; `SegmentRows`
    /// says which to keep).
    func build() -> Table {
        Table(zip(Store.engineColumns(of: kind).map(\.name), builders).map { ($0.0, $0.1.build()) })
    }
}

/// The SQLite thread's half of a segment: for each valid row of the file, in order, whether
/// it became a current version (inserted, updated, corrected) or not (a duplicate, a
/// conflict), and the current versions this file superseded (tombstones, by their row
/// identity `file_id << 32 | line`). Used by one thread at a time: the SQLite thread, then the
/// thread that writes the segment.
final class SegmentRows: @unchecked Sendable {
    let fileID: Int64
    private(set) var lines: [Int] = []
    private(set) var keep: [Bool] = []
    private(set) var kept = 0
    private(set) var tombstones: [Int64] = []
    /// False when the rows cannot be named exactly by (file, line): lines not increasing, or
    /// beyond the identity's range. The file's segment is then not written.
    private(set) var exact = true

    init(fileID: Int64) { self.fileID = fileID }

    /// The next valid row, at `line`, and whether it is now current.
    @inline(__always)
    func add(line: Int, current: Bool) {
        if let previous = lines.last, line <= previous { exact = false }
        if Store.rowIdentity(file: fileID, line: line) == nil { exact = false }
        lines.append(line)
        keep.append(current)
        if current { kept += 1 }
    }

    /// The current version that the last row added replaced (it moved to the history).
    func superseded(file: Int64, line: Int) {
        if file == fileID, exact, let k = index(ofLine: line), keep[k] {
            keep[k] = false
            kept -= 1
        } else if let id = Store.rowIdentity(file: file, line: line) {
            tombstones.append(id)
        } else {
            exact = false
        }
    }

    private func index(ofLine line: Int) -> Int? {
        var lo = 0, hi = lines.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lines[mid] < line { lo = mid + 1 } else { hi = mid }
        }
        return lo < lines.count && lines[lo] == line ? lo : nil
    }

    /// The segment: the rows kept of `table` (the builder's, one row per valid row), with
    /// their row identity.
    func segment(of table: Table) -> Table {
        precondition(table.rowCount == lines.count, "a segment has a row per valid row")
        var ids = ColumnBuilder(type: .int64, capacity: kept)
        for (k, line) in lines.enumerated() where keep[k] { ids.append(fileID << 32 | Int64(line)) }
        let rows = kept == lines.count ? table : table.gather(keep.indices.filter { keep[$0] })
        return rows.adding(Store.rowIdentity, ids.build())
    }
}
