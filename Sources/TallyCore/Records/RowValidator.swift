/// Where a validator reads a row's fields from: the CSV reader's buffer, or a test's strings.
public protocol FieldSource {
    /// Number of fields in the row.
    var fieldCount: Int { get }
    /// Bytes of field `i`, trimmed; valid until the next row.
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8>
}

/// One problem with a row: the column, the offending value (shortened) and why.
public struct RowProblem: Error, Equatable, Sendable {
    public var column: String
    public var value: String
    public var reason: String

    public init(column: String, value: String, reason: String) {
        self.column = column
        self.value = value
        self.reason = reason
    }

    /// Longest value kept in a problem report, in characters.
    public static let maxValueLength = 60

    public static func shortened(_ b: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: b, as: UTF8.self)
        return s.count > maxValueLength ? String(s.prefix(maxValueLength)) + "…" : s
    }
}

/// A validated row in typed slots, one per schema column, reused from row to row.
///
/// `ints` holds the typed value: `int` as is, `bool` as 0/1, `date` as days since 1970-01-01,
/// `timestamp` as UTC microseconds, `enumeration` as the index of the value, `set` as a bit
/// mask of the listed values. `text` points at the field's bytes (strings, dates and the
/// original timestamp text) and is valid only while the source row is.
///
/// The slots are fixed-size buffers owned by this object (not arrays), so that the per-row
/// loop writes them without copy-on-write checks; read and write them by column index.
public final class ValidatedRow {
    public let columnCount: Int
    public let isNull: UnsafeMutablePointer<Bool>
    public let ints: UnsafeMutablePointer<Int64>
    public let text: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>

    public init(columnCount: Int) {
        self.columnCount = columnCount
        isNull = .allocate(capacity: columnCount)
        isNull.initialize(repeating: true, count: columnCount)
        ints = .allocate(capacity: columnCount)
        ints.initialize(repeating: 0, count: columnCount)
        text = .allocate(capacity: columnCount)
        text.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: columnCount)
    }

    deinit {
        isNull.deallocate()
        ints.deallocate()
        text.deallocate()
    }
}

/// Checks rows of one CSV file against a record schema, given the file's header.
///
/// A class, so that handing it from row to row costs no copy of its tables.
public final class RowValidator: @unchecked Sendable {
    public let schema: RecordSchema
    public let zone: ZoneOffsets
    /// For each schema column, the index of its field in the file, or -1 when the optional
    /// column is absent from the file.
    public let fieldIndex: [Int]
    /// Schema columns missing from the header that are required; non-empty means the
    /// file cannot be loaded.
    public let missingRequired: [String]
    /// Header names that are not schema columns (ignored, reported once).
    public let unknownColumns: [String]
    public let headerCount: Int
    let allowed: [[[UInt8]]]
    // Per column, as trivial values for the per-row loop.
    let codes: [KindCode]
    let required: [Bool]
    let defaults: [Int8]  // -1: none, else 0/1
    let lows: [Int64]
    let highs: [Int64]
    let takedownIndices: (requested: Int, resolved: Int, outcome: Int)?
    /// Decisions: the indices of `application_date` and `created_at`.
    let decisionIndices: (application: Int, created: Int)?
    let formats: [ColumnSpec.Format]
    let setPrefixes: [String?]
    /// The distinct JSON arrays of this file's `jsonSet` columns; rows hold ids into it.
    public let jsonSets: JSONSets
    /// Whether free-text columns are stored (`tally ingest --keep-text`); without it they
    /// are treated as absent from the file.
    public let keepText: Bool
    static let utc = ZoneOffsets(identifier: "UTC")!
    /// Timestamps after this (UTC microseconds) are "in the future": the ingest sets it to
    /// the load time plus one day. No limit by default.
    public private(set) var latestTimestamp = Int64.max
    /// Dates after this (days since 1970-01-01) are "in the future": the ingest sets it to
    /// the day after the load date in the ingest time zone.
    public private(set) var latestDate = Int64.max
    /// The reasons given for a timestamp or date in the future (set by `rejectFuture`).
    public private(set) var futureTimestampReason = "", futureDateReason = ""

    /// Refuses timestamps later than `now` plus one day, and dates later than the day after
    /// `now`'s local date in the validator's zone (a day of slack for clocks and zones).
    public func rejectFuture(now micros: Int64) {
        latestTimestamp = micros + 86_400_000_000
        let seconds = floorDiv(micros, 1_000_000)
        let today = floorDiv(seconds + zone.offset(atUTC: seconds), 86_400)
        latestDate = today + 1
        futureTimestampReason = "in the future: later than the load time plus one day (\(Timestamp.isoUTC(micros: latestTimestamp)))"
        futureDateReason = "in the future: later than the day after the load date (\(CivilDate.isoString(days: Int(latestDate))) in \(zone.identifier))"
    }

    public init(schema: RecordSchema, header: [String], zone: ZoneOffsets, keepText: Bool = false) {
        self.schema = schema
        self.zone = zone
        self.keepText = keepText
        let names = header.map { $0.trimmingSpaces }
        headerCount = names.count
        fieldIndex = schema.columns.map { c in (c.freeText && !keepText) ? -1 : (names.firstIndex(of: c.name) ?? -1) }
        missingRequired = zip(schema.columns, fieldIndex).filter { $0.0.required && $0.1 < 0 }.map { $0.0.name }
        let known = Set(schema.columns.map(\.name)).union(schema.ignoredColumns)
        unknownColumns = names.filter { !known.contains($0) }
        // Compared with the field's bytes folded to lower case (see `match`).
        allowed = schema.columns.map { c in
            switch c.kind {
            case .enumeration(let v), .set(let v): return v.map { Array($0.lowercased().utf8) }
            default: return []
            }
        }
        formats = schema.columns.map(\.format)
        setPrefixes = schema.columns.map { c in if case .jsonSet(let p) = c.kind { return p }; return nil }
        jsonSets = JSONSets(columns: schema.columns.count)
        if schema.kind == .decisions {
            decisionIndices = (schema.index(of: "application_date")!, schema.index(of: "created_at")!)
        } else {
            decisionIndices = nil
        }
        codes = schema.columns.map(\.kind.code)
        required = schema.columns.map(\.required)
        defaults = schema.columns.map { c in c.defaultBool.map { $0 ? 1 : 0 } ?? -1 }
        lows = schema.columns.map { c in if case let .int(lo, _) = c.kind { return lo ?? .min }; return .min }
        highs = schema.columns.map { c in if case let .int(_, hi) = c.kind { return hi ?? .max }; return .max }
        if schema.kind == .takedowns {
            takedownIndices = (schema.index(of: "requested_at")!, schema.index(of: "resolved_at")!,
                               schema.index(of: "outcome")!)
        } else {
            takedownIndices = nil
        }
    }

    /// Fills `row` from `source`; returns the problems (empty when the row is valid). The
    /// first problem is the one reported; the rest are counted in it.
    public func validate<S: FieldSource>(_ source: S, into row: ValidatedRow) -> [RowProblem] {
        var problems: [RowProblem] = []
        let n = source.fieldCount
        for c in 0..<codes.count {
            let fi = fieldIndex[c]
            let bytes = fi >= 0 && fi < n ? source.field(fi) : UnsafeBufferPointer(start: nil, count: 0)
            row.text[c] = bytes
            if bytes.count == 0 {
                row.isNull[c] = true
                row.ints[c] = 0
                if required[c] {
                    problems.append(RowProblem(column: schema.columns[c].name, value: "", reason: "required value is missing"))
                } else if defaults[c] >= 0 {
                    row.isNull[c] = false
                    row.ints[c] = Int64(defaults[c])
                }
                continue
            }
            row.isNull[c] = false
            if let problem = parse(bytes, column: c, into: row) {
                problems.append(problem)
            }
        }
        if problems.isEmpty, let t = takedownIndices, let p = crossCheckTakedown(row, t) {
            problems.append(p)
        }
        if problems.isEmpty, let d = decisionIndices, row.ints[d.created] < row.ints[d.application] * 86_400_000_000 {
            problems.append(RowProblem(column: "created_at", value: RowProblem.shortened(row.text[d.created]),
                                       reason: "created_at is before application_date (\(RowProblem.shortened(row.text[d.application])))"))
        }
        return problems
    }

    @inline(__always)
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, column c: Int, into row: ValidatedRow) -> RowProblem? {
        switch codes[c] {
        case .string:
            return nil
        case .date:
            var day = bytes
            if formats[c] == .dateAtMidnight {
                // `YYYY-MM-DD 00:00:00`: the date alone is kept (and stored, as for other dates).
                guard bytes.count == 19, Self.isMidnightSuffix(bytes) else {
                    return problem(c, bytes, "expected a date written YYYY-MM-DD 00:00:00")
                }
                day = UnsafeBufferPointer(rebasing: bytes[0..<10])
                row.text[c] = day
            }
            guard let d = FieldParser.date(day) else { return problem(c, bytes) }
            if d > latestDate { return problem(c, bytes, futureDateReason) }
            row.ints[c] = d
        case .timestamp:
            switch FieldParser.timestamp(bytes, zone: formats[c] == .utcTimestamp ? Self.utc : zone) {
            case .success(let us):
                if us > latestTimestamp { return problem(c, bytes, futureTimestampReason) }
                row.ints[c] = us
            case .failure(.malformed): return problem(c, bytes)
            case .failure(.nonexistentLocalTime):
                return problem(c, bytes, "local time does not exist in \(zone.identifier) (skipped by a daylight-saving change); give an offset")
            }
        case .bool:
            guard let v = FieldParser.bool(bytes) else { return problem(c, bytes) }
            row.ints[c] = v ? 1 : 0
        case .int:
            guard let v = FieldParser.int(bytes), v >= lows[c], v <= highs[c] else { return problem(c, bytes) }
            row.ints[c] = v
        case .enumeration:
            guard let k = Self.match(bytes, allowed[c]) else { return problem(c, bytes) }
            row.ints[c] = Int64(k)
        case .set:
            var mask: Int64 = 0
            var start = 0
            var i = 0
            while i <= bytes.count {
                if i == bytes.count || bytes[i] == 0x3B {
                    var s = start, e = i
                    while s < e, bytes[s] == 0x20 || bytes[s] == 0x09 { s += 1 }
                    while e > s, bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09 { e -= 1 }
                    if e > s {
                        let item = UnsafeBufferPointer(rebasing: bytes[s..<e])
                        guard let k = Self.match(item, allowed[c]) else {
                            return problem(c, bytes, "unknown value '\(RowProblem.shortened(item))'; expected \(schema.columns[c].kind.expectation)")
                        }
                        mask |= 1 << k
                    }
                    start = i + 1
                }
                i += 1
            }
            row.ints[c] = mask
            if mask == 0 { row.isNull[c] = true }
        case .jsonSet:
            switch jsonSets.intern(bytes, column: c, prefix: setPrefixes[c]) {
            case .empty:
                row.isNull[c] = true
                row.ints[c] = 0
            case .set(let id):
                row.ints[c] = Int64(id)
            case .invalid(let reason):
                return problem(c, bytes, reason + "; expected " + schema.columns[c].kind.expectation)
            }
        }
        return nil
    }

    /// Whether bytes 10..<19 are ` 00:00:00`.
    @inline(__always)
    static func isMidnightSuffix(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let suffix: StaticString = " 00:00:00"
        let p = suffix.utf8Start
        for k in 0..<9 where b[10 + k] != p[k] { return false }
        return true
    }

    /// The problem of column `c`: by default, that the value is not what the kind expects.
    func problem(_ c: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ reason: String? = nil) -> RowProblem {
        let spec = schema.columns[c]
        return RowProblem(column: spec.name, value: RowProblem.shortened(bytes),
                          reason: reason ?? "expected \(spec.kind.expectation)")
    }

    /// Index of the allowed value equal to `bytes` ignoring ASCII letter case.
    @inline(__always)
    static func match(_ bytes: UnsafeBufferPointer<UInt8>, _ values: [[UInt8]]) -> Int? {
        outer: for (k, v) in values.enumerated() where v.count == bytes.count {
            for j in 0..<v.count {
                var ch = bytes[j]
                if ch >= 0x41 && ch <= 0x5A { ch |= 0x20 }
                if ch != v[j] { continue outer }
            }
            return k
        }
        return nil
    }

    func crossCheckTakedown(_ row: ValidatedRow, _ t: (requested: Int, resolved: Int, outcome: Int)) -> RowProblem? {
        let outcome = row.ints[t.outcome]  // index into RecordSchema.outcomes
        let hasResolved = !row.isNull[t.resolved]
        if hasResolved && row.ints[t.resolved] < row.ints[t.requested] {
            return RowProblem(column: "resolved_at", value: RowProblem.shortened(row.text[t.resolved]),
                              reason: "resolved_at is before requested_at (\(RowProblem.shortened(row.text[t.requested])))")
        }
        if outcome == Self.pending && hasResolved {
            return RowProblem(column: "resolved_at", value: RowProblem.shortened(row.text[t.resolved]),
                              reason: "a pending request must not have resolved_at")
        }
        if (outcome == Self.removed || outcome == Self.blocked) && !hasResolved {
            return RowProblem(column: "resolved_at", value: "",
                              reason: "outcome \(RecordSchema.outcomes[Int(outcome)]) requires resolved_at")
        }
        return nil
    }

    static let removed = Int64(RecordSchema.outcomes.firstIndex(of: "removed")!)
    static let blocked = Int64(RecordSchema.outcomes.firstIndex(of: "blocked")!)
    static let pending = Int64(RecordSchema.outcomes.firstIndex(of: "pending")!)
}
