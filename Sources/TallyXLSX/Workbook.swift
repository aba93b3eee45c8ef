import Foundation

/// A sheet of a workbook, as `xl/workbook.xml` lists it.
public struct SheetInfo: Sendable, Equatable {
    /// The name on the sheet's tab.
    public var name: String
    /// 1-based position in the workbook's order of tabs.
    public var index: Int
    /// The sheet's part in the package (`xl/worksheets/sheet1.xml`).
    public var part: String
}

/// An .xlsx workbook opened for reading: its sheets, its date system, its shared strings and
/// its cell formats; sheets are read by streaming (`SheetReader`).
///
/// Opening reads `_rels/.rels` (where the workbook part is), the workbook part (sheets in tab
/// order, `date1904`) and its relationships (each sheet's part, the shared strings' and the
/// styles' parts). The shared strings and styles are read when a sheet is first read: the
/// shared string table is held in memory (in one byte buffer and an offset per string), since
/// a sheet's cells refer to it in any order.
public final class Workbook {
    public let sheets: [SheetInfo]
    /// The 1904 date system (serial 0 = 1904-01-01) instead of the 1900 one.
    public let date1904: Bool
    let package: Package
    let sharedStringsPart: String?
    let stylesPart: String?
    private var strings: SharedStrings?
    private var styles: Styles?

    /// Opens the workbook in `data` (the .xlsx file's bytes).
    public init(data: Data) throws {
        package = Package(data)
        let names = try package.partNames()
        let lower = Set(names.map { $0.lowercased() })
        // Where the workbook part is: the package's officeDocument relationship.
        var workbookPart = "xl/workbook.xml"
        let root = Relationships()
        if try package.parse("_rels/.rels", root), let target = root.target(ofType: "officeDocument") {
            workbookPart = Package.resolve(target, base: "")
        }
        if workbookPart.lowercased().hasSuffix(".bin") || lower.contains("xl/workbook.bin") { throw WorkbookError.binaryWorkbook }
        guard lower.contains(workbookPart.lowercased()) else { throw WorkbookError.missingPart(workbookPart) }
        let folder = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
        let fileName = workbookPart.split(separator: "/").last.map(String.init) ?? workbookPart
        let relsPart = (folder.isEmpty ? "" : folder + "/") + "_rels/" + fileName + ".rels"

        let list = WorkbookPart()
        try package.parse(workbookPart, list)
        let rels = Relationships()
        guard try package.parse(relsPart, rels) else { throw WorkbookError.missingPart(relsPart) }

        var sheets: [SheetInfo] = []
        for (i, s) in list.sheets.enumerated() {
            guard let target = rels.targets[s.relationship] else {
                throw WorkbookError.invalid(part: relsPart, message: "no relationship \(s.relationship) for sheet '\(s.name)'")
            }
            let part = Package.resolve(target, base: folder)
            guard lower.contains(part.lowercased()) else { throw WorkbookError.missingPart(part) }
            sheets.append(SheetInfo(name: s.name, index: i + 1, part: part))
        }
        if sheets.isEmpty { throw WorkbookError.noSheets }
        self.sheets = sheets
        date1904 = list.date1904
        sharedStringsPart = rels.target(ofType: "sharedStrings").map { Package.resolve($0, base: folder) }
        stylesPart = rels.target(ofType: "styles").map { Package.resolve($0, base: folder) }
    }

    /// Whether `bytes` are a zip holding a workbook (not told by a file's name).
    public static func isWorkbook(_ bytes: UnsafeRawBufferPointer) -> Bool { Package.isWorkbook(bytes) }

    /// The sheet a `--sheet` selector names: a sheet of that name (exactly, else ignoring case);
    /// else, for a number N, the Nth sheet in tab order; nil: the first sheet.
    public func sheet(_ selector: String?) throws -> SheetInfo {
        guard let selector else { return sheets[0] }
        if let s = sheets.first(where: { $0.name == selector }) { return s }
        if let s = sheets.first(where: { $0.name.lowercased() == selector.lowercased() }) { return s }
        if let n = Int(selector), n >= 1, n <= sheets.count { return sheets[n - 1] }
        throw WorkbookError.noSuchSheet(selector, sheets.map(\.name))
    }

    /// A reader of one sheet (reads the shared strings and styles first, once).
    public func reader(for sheet: SheetInfo) throws -> SheetReader {
        if strings == nil {
            let s = SharedStrings()
            if let part = sharedStringsPart, try !package.parse(part, s) { throw WorkbookError.missingPart(part) }
            strings = s
        }
        if styles == nil {
            let s = Styles()
            if let part = stylesPart, try !package.parse(part, s) { throw WorkbookError.missingPart(part) }
            styles = s
        }
        return SheetReader(package: package, sheet: sheet, strings: strings!, styles: styles!, date1904: date1904)
    }
}

/// `xl/workbook.xml`: the sheets in tab order and the date system.
final class WorkbookPart: XMLEvents {
    var sheets: [(name: String, relationship: String)] = []
    var date1904 = false

    override func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {
        if XMLName.equals(name, "sheet") {
            sheets.append((attributes.string("name") ?? "", attributes.string("id") ?? ""))
        } else if XMLName.equals(name, "workbookPr") {
            let v = attributes.string("date1904")?.lowercased()
            date1904 = v == "1" || v == "true"
        }
    }
    override func end(_ name: UnsafePointer<UInt8>) throws {}
    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

/// A `.rels` part: relationship id → target, and targets by type.
final class Relationships: XMLEvents {
    var targets: [String: String] = [:]
    var byType: [(type: String, target: String)] = []

    override func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {
        guard XMLName.equals(name, "Relationship"), attributes.string("TargetMode") != "External",
              let target = attributes.string("Target") else { return }
        if let id = attributes.string("Id") { targets[id] = target }
        byType.append((attributes.string("Type") ?? "", target))
    }
    override func end(_ name: UnsafePointer<UInt8>) throws {}
    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {}

    /// The target of the first relationship whose type ends in `/suffix` (transitional and
    /// strict OOXML differ only in the namespace before it).
    func target(ofType suffix: String) -> String? {
        byType.first { $0.type.hasSuffix("/" + suffix) }?.target
    }
}
