/// Why a workbook, or a sheet of it, cannot be read: one line naming the part of the package
/// (the file inside the .xlsx zip) where it went wrong.
public enum WorkbookError: Error, CustomStringConvertible, Equatable {
    /// The bytes are not a zip archive libarchive can read.
    case notZip(String)
    /// The bytes start as a zip archive, but libarchive cannot read it (cut short, say).
    case damagedZip(String)
    /// A part the workbook needs is not in the package.
    case missingPart(String)
    /// A part's compressed data cannot be read.
    case damagedPart(part: String, message: String)
    /// A part is not well-formed XML (libxml2's message and line).
    case malformed(part: String, line: Int, message: String)
    /// A part is well-formed but says something impossible (a shared string index out of range).
    case invalid(part: String, message: String)
    /// A binary workbook (.xlsb): its parts are not XML.
    case binaryWorkbook
    case noSheets
    /// `--sheet` names no sheet of the workbook; the sheets it has, in order.
    case noSuchSheet(String, [String])

    public var description: String {
        switch self {
        case .notZip(let m): return "not an Excel workbook: not a readable zip archive (\(m))"
        case .damagedZip(let m): return "damaged workbook: its zip archive cannot be read (\(m))"
        case .missingPart(let p): return "damaged workbook: the part \(p) is missing"
        case let .damagedPart(p, m): return "damaged workbook: the part \(p) cannot be read: \(m)"
        case let .malformed(p, l, m): return "damaged workbook: the part \(p) is not well-formed XML (line \(l)): \(m)"
        case let .invalid(p, m): return "damaged workbook: the part \(p): \(m)"
        case .binaryWorkbook: return "a binary workbook (.xlsb) cannot be read; save it as .xlsx"
        case .noSheets: return "the workbook has no sheets"
        case let .noSuchSheet(wanted, sheets):
            let list = sheets.enumerated().map { "\($0.offset + 1) '\($0.element)'" }.joined(separator: ", ")
            return "the workbook has no sheet '\(wanted)'; its sheets: \(list)"
        }
    }
}
