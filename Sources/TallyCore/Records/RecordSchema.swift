/// The three record kinds of `records.md` and their columns, as data.
///
/// Everything that validates, stores, exports or documents a record reads these tables;
/// nothing else spells out a column list.
public enum RecordKind: String, CaseIterable, Sendable, Codable {
    case arrests, victims, takedowns

    public var schema: RecordSchema {
        switch self {
        case .arrests: return .arrests
        case .victims: return .victims
        case .takedowns: return .takedowns
        }
    }
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
        }
    }
}

/// The kind of a column without its payload: a trivial value for per-row loops.
public enum KindCode: UInt8, Sendable {
    case string, date, timestamp, bool, int, enumeration, set
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
        }
    }
}

public struct ColumnSpec: Sendable {
    public let name: String
    public let kind: FieldKind
    public let required: Bool
    /// Value stored when a `bool` column is empty (the contract's "no (false)").
    public let defaultBool: Bool?

    public init(_ name: String, _ kind: FieldKind, required: Bool = false, defaultBool: Bool? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultBool = defaultBool
    }
}

public struct RecordSchema: Sendable {
    public let kind: RecordKind
    /// Name of the key column (`*_id`).
    public let key: String
    public let columns: [ColumnSpec]

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
    ])

    /// The kind whose key column appears in a header, if exactly one does.
    public static func detect(header: [String]) -> RecordKind? {
        let names = Set(header.map { $0.trimmingSpaces })
        let found = RecordKind.allCases.filter { names.contains($0.schema.key) }
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
