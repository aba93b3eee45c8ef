/// The record kinds — the three of `records.md` and the DSA statements of reasons of
/// `decisions.md` — and their columns, as data.
///
/// Everything that validates, stores, exports or documents a record reads these tables;
/// nothing else spells out a column list.
public enum RecordKind: String, CaseIterable, Sendable, Codable {
    case arrests, victims, takedowns, decisions

    public var schema: RecordSchema {
        switch self {
        case .arrests: return .arrests
        case .victims: return .victims
        case .takedowns: return .takedowns
        case .decisions: return .decisions
        }
    }

    /// The record kinds of `records.md` (Korean sources), which the bulletin, the charts and
    /// the figures of metrics.md are about; `decisions` has figures of its own.
    public static let recordsKinds: [RecordKind] = [.arrests, .victims, .takedowns]
}

public enum FieldKind: Sendable, Equatable {
    case string
    case date
    case timestamp
    case bool
    case int(min: Int64?, max: Int64?)
    case enumeration([String])
    /// A `;`-separated subset of the listed values.
    case set([String])
    /// A JSON array of strings (`["A","B"]`; `[]` or an empty cell is the empty set), each
    /// an upper-case identifier starting with `prefix` — or, when `prefix` is nil, a country
    /// code of two upper-case letters. Read with JSONSerialization; stored as its canonical
    /// JSON text (members sorted, each once, no spaces), the empty set as null.
    case jsonSet(prefix: String?)

    /// What a valid value looks like, for messages and docs.
    public var expectation: String {
        switch self {
        case .string: return "text"
        case .date: return "a date YYYY-MM-DD"
        case .timestamp:
            return "a timestamp YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z, ±HH:MM or nothing (local time)"
        case .bool: return "true/false, 1/0, yes/no or y/n"
        case let .int(lo, hi):
            let base = "a whole number (digits with an optional leading '-', no thousands separators)"
            switch (lo, hi) {
            case let (l?, h?): return "\(base) from \(l) to \(h)"
            case let (l?, nil): return "\(base) of \(l) or more"
            case let (nil, h?): return "\(base) of at most \(h)"
            default: return base
            }
        case .enumeration(let values): return "one of " + values.joined(separator: ", ")
        case .set(let values): return "';'-separated values from " + values.joined(separator: ", ")
        case .jsonSet(let prefix):
            return "a JSON array of " + (prefix.map { "\($0)* values" } ?? "two-letter country codes") + " such as "
                + (prefix.map { "[\"\($0)…\"]" } ?? "[\"AT\",\"BE\"]") + ", or [] or nothing"
        }
    }
}

/// The kind of a column without its payload: a trivial value for per-row loops.
public enum KindCode: UInt8, Sendable {
    case string, date, timestamp, bool, int, enumeration, set, jsonSet
}

extension FieldKind {
    public var code: KindCode {
        switch self {
        case .string: return .string
        case .date: return .date
        case .timestamp: return .timestamp
        case .bool: return .bool
        case .int: return .int
        case .enumeration: return .enumeration
        case .set: return .set
        case .jsonSet: return .jsonSet
        }
    }
}

public struct ColumnSpec: Sendable {
    public let name: String
    public let kind: FieldKind
    public let required: Bool
    /// Value stored when a `bool` column is empty (the contract's "no (false)").
    public let defaultBool: Bool?
    /// How the column is written in the file, where it differs from records.md.
    public let format: Format
    /// Long free text, stored only when asked (`tally ingest --keep-text`); never in the
    /// column engine.
    public let freeText: Bool
    /// Whether the column engine (`tally query`, the figures) gets the column: not for free
    /// text, nor for identifiers of which every row has its own (a dictionary as long as
    /// the table, of no use to any figure).
    public let inEngine: Bool

    public enum Format: Sendable, Equatable {
        case standard
        /// A date written `YYYY-MM-DD 00:00:00` (the DSA dumps): the time must be midnight;
        /// the date alone is stored.
        case dateAtMidnight
        /// A timestamp written without an offset that is UTC whatever `--tz` says.
        case utcTimestamp
    }

    public init(_ name: String, _ kind: FieldKind, required: Bool = false, defaultBool: Bool? = nil,
                format: Format = .standard, freeText: Bool = false, inEngine: Bool = true) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultBool = defaultBool
        self.format = format
        self.freeText = freeText
        self.inEngine = inEngine && !freeText
    }
}

public struct RecordSchema: Sendable {
    public let kind: RecordKind
    /// Name of the key column (`*_id`).
    public let key: String
    public let columns: [ColumnSpec]
    /// Columns whose presence (all of them) tells this kind from a header.
    public var detectionColumns: [String] = []
    /// Columns of the source that are known and deliberately not kept: read and ignored,
    /// without being listed as unknown.
    public var ignoredColumns: Set<String> = []
    /// The column naming a platform, mapped through the platform registry (its name as
    /// written kept in `platform_text`), if the kind has one.
    public var platformColumn: String?

    init(kind: RecordKind, key: String, columns: [ColumnSpec], detectionColumns: [String]? = nil,
         ignoredColumns: Set<String> = [], platformColumn: String? = nil) {
        self.kind = kind
        self.key = key
        self.columns = columns
        self.detectionColumns = detectionColumns ?? [key]
        self.ignoredColumns = ignoredColumns
        self.platformColumn = platformColumn
    }

    public var keyIndex: Int { columns.firstIndex { $0.name == key }! }

    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    public static let offenses = ["create", "distribute", "possess", "purchase", "store", "view", "blackmail", "coerce"]
    public static let genders = ["female", "male", "other", "unknown"]
    public static let channels = ["hotline", "website", "visit", "referral"]
    public static let services = ["deletion", "counseling", "legal", "medical", "investigation"]
    public static let origins = ["domestic", "overseas"]
    public static let contentKinds = ["image", "video", "link", "channel"]
    public static let requesters = ["regulator", "police", "support_centre", "victim"]
    public static let detectors = ["ai", "report", "monitoring"]
    public static let outcomes = ["removed", "blocked", "refused", "pending"]

    public static let arrests = RecordSchema(kind: .arrests, key: "arrest_id", columns: [
        ColumnSpec("arrest_id", .string, required: true),
        ColumnSpec("arrested_on", .date, required: true),
        ColumnSpec("agency", .string, required: true),
        ColumnSpec("offense", .enumeration(offenses), required: true),
        ColumnSpec("suspect_age", .int(min: 10, max: 120)),
        ColumnSpec("victim_minor", .bool),
        ColumnSpec("undercover", .bool, defaultBool: false),
        ColumnSpec("confessed", .bool),
        ColumnSpec("proceeds_seized_krw", .int(min: 0, max: nil)),
    ])

    public static let victims = RecordSchema(kind: .victims, key: "victim_id", columns: [
        ColumnSpec("victim_id", .string, required: true),
        ColumnSpec("contacted_on", .date, required: true),
        ColumnSpec("age", .int(min: 0, max: 120)),
        ColumnSpec("gender", .enumeration(genders)),
        ColumnSpec("channel", .enumeration(channels), required: true),
        ColumnSpec("services", .set(services)),
        ColumnSpec("region", .string),
    ])

    public static let takedowns = RecordSchema(kind: .takedowns, key: "request_id", columns: [
        ColumnSpec("request_id", .string, required: true),
        ColumnSpec("platform", .string, required: true),
        ColumnSpec("platform_origin", .enumeration(origins)),
        ColumnSpec("content_kind", .enumeration(contentKinds)),
        ColumnSpec("requested_by", .enumeration(requesters), required: true),
        ColumnSpec("detected_by", .enumeration(detectors)),
        ColumnSpec("requested_at", .timestamp, required: true),
        ColumnSpec("resolved_at", .timestamp),
        ColumnSpec("outcome", .enumeration(outcomes), required: true),
    ], platformColumn: "platform")

    /// The kind whose detection columns (the key; for decisions `uuid`, `platform_name` and
    /// `application_date`) all appear in a header, if exactly one kind's do.
    public static func detect(header: [String]) -> RecordKind? {
        let names = Set(header.map { $0.trimmingSpaces })
        let found = RecordKind.allCases.filter { $0.schema.detectionColumns.allSatisfy(names.contains) }
        return found.count == 1 ? found[0] : nil
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
