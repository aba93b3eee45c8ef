import Foundation

/// Streams one sheet's rows: the sheet's XML part is inflated by libarchive (on a thread of its
/// own, a few chunks ahead) and parsed by libxml2 chunk by chunk, and each row is handed on as soon as its end tag is read, so memory
/// stays bounded whatever the number of rows (a row, the shared strings, a 256 KiB chunk).
///
/// Cell values (`<c t=… s=…><v>…</v></c>`): shared strings (`t="s"`) and inline strings
/// (`t="inlineStr"`, rich-text runs concatenated, phonetic runs left out, `_xHHHH_` escapes of
/// control characters decoded) as their text;
/// formula strings (`t="str"`) and every formula's cached `<v>` as their value; booleans as
/// `TRUE`/`FALSE`; errors (`t="e"`) as their text with kind `.error`; numbers as their shortest
/// exact decimal text, or as ISO 8601 dates and times when their number format shows a date;
/// a formula with no cached value as kind `.uncomputed`. Cells without a reference follow the
/// one before; rows without a number follow the one before.
public final class SheetReader {
    public let sheet: SheetInfo
    let package: Package
    let strings: SharedStrings
    let styles: Styles
    let date1904: Bool
    /// The sheet's used range as its `dimension` element states it (before the rows), once read.
    public internal(set) var dimension: CellRange?

    init(package: Package, sheet: SheetInfo, strings: SharedStrings, styles: Styles, date1904: Bool) {
        self.package = package
        self.sheet = sheet
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
    }

    /// Calls `body` with every row the sheet holds, in order (blank rows too: a row of
    /// formatted, empty cells). `progress` gets the bytes of XML read and the part's size.
    public func forEachRow(progress: ((Int, Int64?) -> Void)? = nil, _ body: (SheetRow) throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            let events = SheetEvents(reader: self, body: body)
            guard try package.parse(sheet.part, events, ahead: true, progress: progress) else { throw WorkbookError.missingPart(sheet.part) }
        }
    }

    /// The sheet's merged ranges (`mergeCells`, which follow all the rows in the sheet's XML):
    /// a pass over the whole part of its own, paid only by the caller who asks.
    public func mergedRanges() throws -> [CellRange] {
        let events = MergeEvents()
        guard try package.parse(sheet.part, events, ahead: true) else { throw WorkbookError.missingPart(sheet.part) }
        return events.ranges
    }
}

/// The merged ranges of a sheet part.
final class MergeEvents: XMLEvents {
    var ranges: [CellRange] = []
    override func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {
        if name[0] == UInt8(ascii: "m"), XMLName.equals(name, "mergeCell"), let ref = attributes.string("ref"),
           let range = CellRange(ref) {
            ranges.append(range)
        }
    }
    override func end(_ name: UnsafePointer<UInt8>) throws {}
    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

/// The per-event work of reading a sheet: the hot loop of an .xlsx load.
final class SheetEvents: XMLEvents {
    enum CellType { case number, shared, inline, formulaString, bool, error, isoDate }

    let reader: SheetReader
    let body: (SheetRow) throws -> Void
    let row = SheetRow()
    let part: String
    var inSheetData = false
    var inRow = false
    var rowNumber = 0
    var column = -1
    var type = CellType.number
    var style = 0
    var hasFormula = false
    var inInline = false
    var phonetic = 0
    var collecting = false
    /// The text of the current `<v>` or inline string.
    var scratch: UnsafeMutablePointer<UInt8>
    var scratchUsed = 0
    var scratchCapacity = 1 << 12

    init(reader: SheetReader, body: @escaping (SheetRow) throws -> Void) {
        self.reader = reader
        self.body = body
        part = reader.sheet.part
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    override func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            guard inRow else { return }
            var ref: UnsafeBufferPointer<UInt8>?
            type = .number
            style = 0
            hasFormula = false
            scratchUsed = 0
            if let base = attributes.base {
                for i in 0..<attributes.count {
                    let a = base + 5 * i
                    guard let local = a[0], local[1] == 0, let start = a[3], let end = a[4] else { continue }
                    let value = UnsafeBufferPointer(start: start, count: end - start)
                    switch local[0] {
                    case UInt8(ascii: "r"): ref = value
                    case UInt8(ascii: "s"): style = Self.integer(value) ?? 0
                    case UInt8(ascii: "t"): type = Self.cellType(value)
                    default: break
                    }
                }
            }
            if let ref {
                guard let r = CellReference.parse(ref) else {
                    throw WorkbookError.invalid(part: part, message: "row \(rowNumber): '\(String(decoding: ref, as: UTF8.self))' is not a cell reference")
                }
                column = r.column
            } else {
                column += 1
            }
        case UInt8(ascii: "v") where name[1] == 0:
            collecting = inRow
        case UInt8(ascii: "t") where name[1] == 0:
            collecting = inInline && phonetic == 0
        case UInt8(ascii: "f") where name[1] == 0:
            hasFormula = true
        case UInt8(ascii: "i") where XMLName.equals(name, "is"):
            inInline = true
        case UInt8(ascii: "r"):
            if XMLName.equals(name, "row") {
                guard inSheetData else { return }
                if let r = attributes.value("r") {
                    guard let n = Self.integer(r), n > 0 else {
                        throw WorkbookError.invalid(part: part, message: "'\(String(decoding: r, as: UTF8.self))' is not a row number")
                    }
                    rowNumber = n
                } else {
                    rowNumber += 1
                }
                inRow = true
                column = -1
                row.reset(number: rowNumber)
            } else if XMLName.equals(name, "rPh") {
                phonetic += 1
            }
        case UInt8(ascii: "s") where XMLName.equals(name, "sheetData"):
            inSheetData = true
        case UInt8(ascii: "d") where XMLName.equals(name, "dimension"):
            reader.dimension = attributes.string("ref").flatMap { CellRange($0) }
        default:
            break
        }
    }

    override func end(_ name: UnsafePointer<UInt8>) throws {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            if inRow { try finishCell() }
        case UInt8(ascii: "v") where name[1] == 0, UInt8(ascii: "t") where name[1] == 0:
            collecting = false
        case UInt8(ascii: "i") where XMLName.equals(name, "is"):
            inInline = false
        case UInt8(ascii: "r"):
            if XMLName.equals(name, "row") {
                guard inRow else { return }
                inRow = false
                if row.unordered { row.sortCells() }
                try body(row)
            } else if XMLName.equals(name, "rPh") {
                phonetic -= 1
            }
        case UInt8(ascii: "s") where XMLName.equals(name, "sheetData"):
            // The rest of the part (merges, print settings) is not needed for the rows.
            inSheetData = false
            throw StopParsing()
        default:
            break
        }
    }

    @inline(__always)
    override func text(_ b: UnsafeBufferPointer<UInt8>) {
        guard collecting, let base = b.baseAddress else { return }
        if scratchUsed + b.count + 1 > scratchCapacity {
            var c = scratchCapacity
            while c < scratchUsed + b.count + 1 { c *= 2 }
            let s = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
            s.update(from: scratch, count: scratchUsed)
            scratch.deallocate()
            scratch = s
            scratchCapacity = c
        }
        (scratch + scratchUsed).update(from: base, count: b.count)
        scratchUsed += b.count
    }

    var value: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: scratch, count: scratchUsed) }

    func finishCell() throws {
        let v = value
        switch type {
        case .shared:
            let strings = reader.strings
            guard let i = Self.integer(trimmed(v)), i < strings.count else {
                throw WorkbookError.invalid(part: part, message: "cell \(CellReference.name(column: column, row: rowNumber)) "
                    + "refers to shared string '\(String(decoding: v, as: UTF8.self))' of \(strings.count)")
            }
            strings.bytes.withUnsafeBufferPointer { b in
                row.append(column: column, kind: .string, UnsafeBufferPointer(rebasing: b[strings.offsets[i]..<strings.offsets[i + 1]]))
            }
        case .inline, .formulaString:
            if let decoded = EscapedText.decode(v) {
                decoded.withUnsafeBufferPointer { row.append(column: column, kind: .string, $0) }
            } else if v.count > 0 || hasFormula {
                row.append(column: column, kind: .string, v)
            }
        case .isoDate:
            if v.count > 0 || hasFormula { row.append(column: column, kind: .string, v) }
        case .bool:
            let t = trimmed(v)
            if t.count == 0 { if hasFormula { row.append(column: column, kind: .uncomputed, "") }; return }
            let truth = t.count == 1 ? t[0] == UInt8(ascii: "1") : t.count == 4 && (t[0] | 0x20) == UInt8(ascii: "t")
            row.append(column: column, kind: .bool, truth ? "TRUE" : "FALSE")
        case .error:
            row.append(column: column, kind: .error, trimmed(v))
        case .number:
            let t = trimmed(v)
            if t.count == 0 {
                if hasFormula { row.append(column: column, kind: .uncomputed, "") }
                return
            }
            let format = reader.styles.kind(style)
            if format != .number, let serial = Double(String(decoding: t, as: UTF8.self)),
               let date = ExcelDate.text(serial, date1904: reader.date1904, kind: format) {
                row.append(column: column, kind: .date, date)
            } else if NumberText.isPlain(t) {
                row.append(column: column, kind: .number, t)
            } else if let n = NumberText.shortest(t) {
                row.append(column: column, kind: .number, n)
            } else {
                throw WorkbookError.invalid(part: part, message: "cell \(CellReference.name(column: column, row: rowNumber)) "
                    + "holds '\(String(decoding: t.prefix(40), as: UTF8.self))', not a number")
            }
        }
    }

    @inline(__always)
    func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var s = 0, e = b.count
        while s < e && (b[s] == 0x20 || b[s] == 0x0A || b[s] == 0x0D || b[s] == 0x09) { s += 1 }
        while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x0A || b[e - 1] == 0x0D || b[e - 1] == 0x09) { e -= 1 }
        return UnsafeBufferPointer(rebasing: b[s..<e])
    }

    @inline(__always)
    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        if b.count == 0 || b.count > 18 { return nil }
        var n = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }

    static func cellType(_ b: UnsafeBufferPointer<UInt8>) -> CellType {
        switch b.count {
        case 1:
            switch b[0] {
            case UInt8(ascii: "s"): return .shared
            case UInt8(ascii: "b"): return .bool
            case UInt8(ascii: "e"): return .error
            case UInt8(ascii: "d"): return .isoDate
            default: return .number
            }
        case 3: return b[0] == UInt8(ascii: "s") ? .formulaString : .number
        case 9: return .inline
        default: return .number
        }
    }
}

/// Thrown by an event handler to end a parse early, without an error.
struct StopParsing: Error {}
