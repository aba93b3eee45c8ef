import Foundation
import TallyCore
import TallyYAML

/// How one agency's export maps onto a record kind of the contract: where its header is, what
/// its columns are called, what its labels and date forms mean, which rows are not records.
///
/// Read from `Data/sources/NAME.yaml` (documented in `Data/sources/README.md`), checked key by
/// key. A profile is a pure transformation of rows of strings (a header, then data rows) into
/// contract rows (contract column names, contract value text): it does not care whether the
/// rows came from a CSV file or a spreadsheet. Bind it to a header with `bind(header:)`.
public struct SourceProfile: Sendable {
    /// The file's name without `.yaml`: what `--source NAME` takes.
    public let name: String
    public let file: String
    public let kind: RecordKind
    public let title: String?
    /// 1-based row of the header, when fixed; else the first row within `headerWithin` that
    /// holds a header for every required column.
    public let headerRow: Int?
    public let headerWithin: Int
    /// One rule per contract column the source has, in the contract's order.
    public let columns: [ColumnRule]
    /// A row whose first non-empty cell is one of these (spaces ignored) is a totals row.
    public let totals: [String]
    /// A row whose first non-empty cell starts with one of these is a note.
    public let notes: [String]
    /// Contract column → contract value for every row (the column is not in the source).
    public let constants: [String: String]
    /// Contract column → contract value when the source's cell is empty or the column absent.
    public let defaults: [String: String]
    public let excelSystem: ExcelSerial.System
    /// Zone of the source's local times, written into each timestamp as its offset; nil: the
    /// load's `--tz` applies.
    public let timeZone: ZoneOffsets?

    public static let defaultDirectory = "Data/sources"
    public static let defaultHeaderWithin = 10

    /// How one contract column is read from the source.
    public struct ColumnRule: Sendable {
        public let column: String
        public let spec: ColumnSpec
        /// Spellings of the source's header, as written in the profile (the first is the main one).
        public let headers: [String]
        /// Source label → contract value (for enums, bools and set items; any column).
        public let labels: [(label: String, value: String)]
        /// Values not among the labels: kept as written (`other: keep`) or quarantined.
        public let keepOther: Bool
        /// Separator of a set's items in the source (default `,`; `;` is always one too).
        public let separator: String
        /// For dates and timestamps: the forms tried in order.
        public let formats: [DateForm]
        /// For whole numbers: the thousands separator allowed.
        public let thousands: String?
    }

    /// One accepted form of a date or timestamp.
    public enum DateForm: Sendable, CustomStringConvertible {
        /// The contract's own forms (`YYYY-MM-DD`, ISO date-times with or without offset).
        case iso
        /// An Excel serial number (the profile's `excel_date_system`).
        case excel
        case pattern(DateTimePattern)

        public var description: String {
            switch self {
            case .iso: return "iso"
            case .excel: return "excel"
            case .pattern(let p): return p.text
            }
        }
    }

    static let topKeys = ["kind", "title", "header", "columns", "skip", "constants", "defaults", "excel_date_system",
                          "time_zone", "note"]
    static let columnKeys = ["header", "labels", "other", "separator", "formats", "thousands"]

    /// Reads and checks a profile file; every mistake is a `YAMLError` naming the file and key.
    public static func load(_ path: String) throws -> SourceProfile {
        let doc = try YAMLDocument.read(path)
        let stem = (URL(fileURLWithPath: path).lastPathComponent as NSString).deletingPathExtension
        return try SourceProfile(doc, name: stem)
    }

    /// Every `*.yaml` of a folder, sorted by name.
    public static func loadDirectory(_ directory: String) throws -> [SourceProfile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
            try load(directory + "/" + $0)
        }
    }

    public init(_ doc: YAMLDocument, name: String) throws {
        self.name = name
        file = doc.file
        try doc.only(Self.topKeys)
        let kindText = try doc.require("kind", doc.string("kind"), "arrests, victims or takedowns")
        guard let kind = RecordKind(rawValue: kindText) else {
            throw doc.fail("kind", "arrests, victims or takedowns", got: kindText)
        }
        self.kind = kind
        title = try doc.string("title")
        _ = try doc.string("note")
        let schema = kind.schema

        if let header = try doc.mapping("header") {
            try header.only(["row", "within"])
            headerRow = try header.int("row", min: 1, max: 1000)
            headerWithin = try header.int("within", min: 1, max: 1000) ?? Self.defaultHeaderWithin
        } else {
            headerRow = nil
            headerWithin = Self.defaultHeaderWithin
        }

        switch try doc.string("excel_date_system") ?? "1900" {
        case "1900": excelSystem = .e1900
        case "1904": excelSystem = .e1904
        default: throw doc.fail("excel_date_system", "1900 or 1904", got: doc.map["excel_date_system"])
        }
        if let zone = try doc.string("time_zone") {
            guard let z = ZoneOffsets(identifier: zone) else {
                throw doc.fail("time_zone", "an IANA time zone such as Asia/Seoul", got: zone)
            }
            timeZone = z
        } else {
            timeZone = nil
        }

        func contractValue(_ key: String, _ column: ColumnSpec, _ value: String, in d: YAMLDocument) throws {
            switch column.kind {
            case .enumeration(let values) where !values.contains(value.lowercased()):
                throw d.fail(key, "one of " + values.joined(separator: ", "), got: value)
            case .set(let values):
                for item in value.split(separator: ";") where !values.contains(item.trimmedWhitespace.lowercased()) {
                    throw d.fail(key, "';'-separated values from " + values.joined(separator: ", "), got: value)
                }
            case .bool where !["true", "false"].contains(value):
                throw d.fail(key, "true or false", got: value)
            default: break
            }
        }
        func values(_ key: String) throws -> [String: String] {
            guard let m = try doc.mapping(key) else { return [:] }
            var out: [String: String] = [:]
            for k in m.map.keys.sorted() {
                guard let spec = schema.columns.first(where: { $0.name == k }) else {
                    throw YAMLError(file: doc.file, message: "unknown key '\(m.name(k))': not a column of \(kind.rawValue) ("
                        + schema.columns.map(\.name).joined(separator: ", ") + ")")
                }
                let v = try Self.scalarText(m, k)
                try contractValue(k, spec, v, in: m)
                out[k] = spec.kind.code == .enumeration ? v.lowercased() : v
            }
            return out
        }
        constants = try values("constants")
        defaults = try values("defaults")

        let columnsDoc = try doc.require("columns", doc.mapping("columns"), "a mapping of contract columns to their source columns")
        var rules: [ColumnRule] = []
        for k in columnsDoc.map.keys where schema.index(of: k) == nil {
            throw YAMLError(file: doc.file, message: "unknown key '\(columnsDoc.name(k))': not a column of \(kind.rawValue) ("
                + schema.columns.map(\.name).joined(separator: ", ") + ")")
        }
        for spec in schema.columns {
            guard columnsDoc.has(spec.name) else { continue }
            if constants[spec.name] != nil {
                throw YAMLError(file: doc.file, message: "key '\(columnsDoc.name(spec.name))': the column is also a constant; give one or the other")
            }
            // A column given as a header name alone, or as a list of spellings, or as a mapping.
            let c: YAMLDocument
            if columnsDoc.map[spec.name] is [String: Any] {
                c = try columnsDoc.mapping(spec.name)!
            } else {
                c = YAMLDocument(file: doc.file, path: columnsDoc.name(spec.name), map: ["header": columnsDoc.map[spec.name]!])
            }
            try c.only(Self.columnKeys)
            let headers = try c.require("header", c.strings("header"), "the source's name of the column, or a list of its spellings")
            guard !headers.isEmpty, headers.allSatisfy({ !Self.headerKey($0).isEmpty }) else {
                throw c.fail("header", "a non-empty name or list of names")
            }
            var labels: [(String, String)] = []
            if let m = try c.mapping("labels") {
                for label in m.map.keys.sorted() {
                    let v = try Self.scalarText(m, label)
                    try contractValue(label, spec, v, in: m)
                    labels.append((label, spec.kind.code == .enumeration ? v.lowercased() : v))
                }
            }
            var keepOther = false
            if let other = try c.string("other") {
                switch other {
                case "keep": keepOther = true
                case "quarantine": keepOther = false
                default: throw c.fail("other", "keep or quarantine", got: other)
                }
            }
            let separator = try c.string("separator") ?? ","
            if c.has("separator") && spec.kind.code != .set {
                throw YAMLError(file: doc.file, message: "key '\(c.name("separator"))': only a set column (services) has a separator")
            }
            var formats: [DateForm] = []
            if let list = try c.strings("formats") {
                guard spec.kind.code == .date || spec.kind.code == .timestamp else {
                    throw YAMLError(file: doc.file, message: "key '\(c.name("formats"))': only a date or timestamp column has formats")
                }
                for (i, f) in list.enumerated() {
                    switch f {
                    case "iso": formats.append(.iso)
                    case "excel": formats.append(.excel)
                    default:
                        do {
                            formats.append(.pattern(try DateTimePattern(f)))
                        } catch let e as DateTimePattern.PatternError {
                            throw YAMLError(file: doc.file, message: "key '\(c.name("formats"))[\(i + 1)]': '\(f)': \(e.description)")
                        }
                    }
                }
                if formats.isEmpty { throw c.fail("formats", "a non-empty list") }
            } else if spec.kind.code == .date || spec.kind.code == .timestamp {
                formats = [.iso]
            }
            let thousands = try c.string("thousands")
            if thousands != nil && spec.kind.code != .int {
                throw YAMLError(file: doc.file, message: "key '\(c.name("thousands"))': only a whole-number column has a thousands separator")
            }
            if let t = thousands, t.count != 1 || t.first!.isNumber {
                throw c.fail("thousands", "one character such as ','", got: t)
            }
            rules.append(ColumnRule(column: spec.name, spec: spec, headers: headers, labels: labels, keepOther: keepOther,
                                    separator: separator, formats: formats, thousands: thousands))
        }
        // Every required column must come from somewhere.
        for spec in schema.columns where spec.required {
            if !rules.contains(where: { $0.column == spec.name }) && constants[spec.name] == nil && defaults[spec.name] == nil {
                throw YAMLError(file: doc.file, message: "missing key 'columns.\(spec.name)': \(spec.name) is required for \(kind.rawValue) "
                    + "(give its source column, or a constant)")
            }
        }
        // Two columns claiming one header would make the header ambiguous.
        var claimed: [String: String] = [:]
        for rule in rules {
            for h in rule.headers {
                if let other = claimed[Self.headerKey(h)], other != rule.column {
                    throw YAMLError(file: doc.file, message: "key 'columns.\(rule.column).header': '\(h)' is also a header of \(other)")
                }
                claimed[Self.headerKey(h)] = rule.column
            }
        }
        columns = rules

        if let skip = try doc.mapping("skip") {
            try skip.only(["totals", "notes"])
            totals = try skip.strings("totals") ?? []
            notes = try skip.strings("notes") ?? []
        } else {
            totals = []
            notes = []
        }
    }

    /// A scalar as text: YAML reads `Y`/`N` and `예` as text, but `true`, `1` or `yes` as other types.
    static func scalarText(_ doc: YAMLDocument, _ key: String) throws -> String {
        switch doc.map[key] {
        case let s as String: return s
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        default: throw doc.fail(key, "a value as text", got: doc.map[key])
        }
    }

    /// A header cell compared without spaces, line breaks or ASCII letter case: Excel headers
    /// often break a long name over two lines (`요청\n일시`).
    public static func headerKey(_ s: String) -> String {
        String(s.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)).lowercased()
    }

    /// The columns whose header must be present for a row to be this profile's header.
    public var requiredRules: [ColumnRule] {
        columns.filter { $0.spec.required && defaults[$0.column] == nil }
    }

    /// Whether `row` is this profile's header: it names every required column.
    public func isHeader(_ row: [String]) -> Bool {
        let keys = Set(row.map(Self.headerKey))
        return requiredRules.allSatisfy { r in r.headers.contains { keys.contains(Self.headerKey($0)) } }
    }

    /// The required columns' headers that `row` lacks (for messages).
    public func missingHeaders(_ row: [String]) -> [String] {
        let keys = Set(row.map(Self.headerKey))
        return requiredRules.filter { r in !r.headers.contains { keys.contains(Self.headerKey($0)) } }.map { $0.headers[0] }
    }

    /// The profile bound to a header row: which field feeds which contract column.
    public func bind(header: [String]) -> ProfileBinding {
        ProfileBinding(profile: self, header: header)
    }
}
