import Foundation
import TallyCore
import TallyTime

/// The record contract as Spark SQL, generated from `RecordSchema` (the one definition of the
/// columns, kinds, ranges and allowed values) with `RowValidator`'s reasons: the same row is
/// quarantined for the same reason, in the same words, as `tally ingest` gives.
///
/// The driver provides `raw_<kind>` (file_id, file, line, nfields, header_fields, open_quote, and every
/// schema column as trimmed text, NULL when empty or absent) and `platform_map` (each platform
/// name as written → its canonical name). The statements define, in order:
/// `checked_<kind>` (typed values and the row's problem), `valid_<kind>`, `versions_<kind>`
/// (each row against the row before it with the same key: new, duplicate, update or conflict),
/// the record views `arrests`, `victims`, `takedowns` (the store's columns: dates as DATE,
/// timestamps as UTC microseconds, booleans, enumerations in lower case, sets as their items
/// in schema order joined by `;`), `row_outcomes` and `quarantine`.
public struct RecordSQL {
    public let zone: ZoneOffsets
    /// Timestamps after `now` plus one day, dates after the day after `now`'s local date, are
    /// "in the future", as in `tally ingest`.
    public let nowMicros: Int64
    /// Longest field accepted, in bytes (`--max-field-bytes`).
    public let maxFieldBytes: Int

    public init(zone: ZoneOffsets, nowMicros: Int64, maxFieldBytes: Int = 65_536) {
        self.zone = zone
        self.nowMicros = nowMicros
        self.maxFieldBytes = maxFieldBytes
    }

    public struct Statement: Sendable, Equatable {
        public var name: String
        public var sql: String
        /// Kept in memory by Spark: read by several later statements.
        public var persist = false
    }

    /// Every statement, in the order they must run.
    /// The kinds the Spark engine reads: the three of records.md and the DSA decisions.
    public static let kinds: [RecordKind] = RecordKind.recordsKinds + [.decisions]

    public func statements() -> [Statement] {
        var out: [Statement] = []
        for kind in Self.kinds {
            out.append(Statement(name: "checked_\(kind.rawValue)", sql: checked(kind.schema)))
            out.append(Statement(name: "valid_\(kind.rawValue)", sql: valid(kind.schema)))
            out.append(Statement(name: "versions_\(kind.rawValue)", sql: versions(kind.schema), persist: true))
            out.append(Statement(name: kind.rawValue, sql: records(kind.schema), persist: true))
        }
        out.append(Statement(name: "row_outcomes", sql: Self.kinds.map {
            "SELECT file_id, version_outcome AS outcome FROM versions_\($0.rawValue)"
        }.joined(separator: "\nUNION ALL\n")))
        // Per-file counts the ingest reports besides its outcomes, as (file_id, note, rows): the
        // valid decisions applied before their content's date (loaded, and reported).
        out.append(Statement(name: "file_notes", sql: """
            SELECT file_id, 'application_before_content' AS note,
              count(CASE WHEN problem IS NULL AND content_date IS NOT NULL AND application_date < content_date THEN 1 END) AS n
            FROM checked_decisions GROUP BY file_id
            """))
        out.append(Statement(name: "quarantine", sql: Self.kinds.flatMap { k in [
            "SELECT file_id, file, line, problem.column AS column, problem.value AS value, problem.reason AS reason FROM checked_\(k.rawValue) WHERE problem IS NOT NULL",
            "SELECT file_id, file, line, \(SQL.lit(k.schema.key)) AS column, \(SQL.name(k.schema.key)) AS value, conflict AS reason FROM versions_\(k.rawValue) WHERE version_outcome = 'conflict'",
        ] }.joined(separator: "\nUNION ALL\n")))
        return out
    }

    // MARK: Validation

    var reasons: (timestamp: String, date: String, latestMicros: Int64, latestDay: Int64) {
        let v = RowValidator(schema: .takedowns, header: [], zone: zone)
        v.rejectFuture(now: nowMicros)
        return (v.futureTimestampReason, v.futureDateReason, v.latestTimestamp, v.latestDate)
    }

    /// Typed values and the first problem of each row (`problem`: column, value, reason; with
    /// "and N more: …" as the ingest writes it), or NULL for a valid row.
    func checked(_ s: RecordSchema) -> String {
        let future = reasons
        // Level 1: shapes; level 2: parts and typed values; level 3: problems per column.
        var parts: [String] = []
        var typed: [String] = []
        var problems: [String] = []
        for c in s.columns {
            let v = SQL.name(c.name)
            let n = c.name
            func part(_ suffix: String) -> String { SQL.name("\(n)__\(suffix)") }
            func expected(_ reason: String? = nil) -> String {
                "named_struct('column', \(SQL.lit(n)), 'value', \(SQL.shortened(v)), 'reason', \(SQL.lit(reason ?? "expected \(c.kind.expectation)")))"
            }
            let missing = c.required
                ? "WHEN \(v) IS NULL THEN named_struct('column', \(SQL.lit(n)), 'value', '', 'reason', 'required value is missing')"
                : "WHEN \(v) IS NULL THEN NULL"
            switch c.kind {
            // Free text is not read (stored only by `tally ingest --keep-text`).
            case _ where c.freeText:
                typed.append("CAST(NULL AS STRING) AS \(part("t"))")
                problems.append("CAST(NULL AS STRUCT<column: STRING, value: STRING, reason: STRING>) AS \(part("p"))")
            case .string:
                typed.append("\(v) AS \(part("t"))")
                problems.append("CASE \(missing) END AS \(part("p"))")
            case .jsonSet(let prefix):
                // A JSON array of identifiers (JSONSets.parse): Spark's JSON parser reads it as a
                // VARIANT, so that a member that is not a string is told from one that is; the
                // first bad member (in the array's order) is named; the canonical text is the
                // members sorted by their bytes, each once, without spaces; [] is the empty set.
                parts.append("try_parse_json(\(v)) AS \(part("j"))")
                parts.append("try_variant_get(try_parse_json(\(v)), '$', 'array<variant>') AS \(part("a"))")
                let str = "variant_get(x, '$', 'string')"
                let (pattern, what) = prefix.map { ("^\($0)[A-Z0-9_]+$", "a \($0)* value") } ?? ("^[A-Z]{2}$", "a two-letter country code")
                let firstBad = "try_element_at(filter(transform(\(part("a")), x -> CASE WHEN schema_of_variant(x) <> 'STRING' "
                    + "THEN \(SQL.lit("a member of the JSON array is not a string; expected " + c.kind.expectation)) "
                    + "WHEN NOT (\(str) RLIKE \(SQL.lit(pattern))) THEN concat('member \\'', left(\(str), 60), "
                    + "\(SQL.lit("' is not \(what); expected " + c.kind.expectation))) END), r -> r IS NOT NULL), 1)"
                typed.append("\(firstBad) AS \(part("r"))")
                let items = "array_sort(array_distinct(transform(\(part("a")), x -> variant_get(x, '$', 'string'))))"
                typed.append("CASE WHEN size(\(part("a"))) > 0 THEN concat('[', array_join(transform(\(items), x -> concat('\"', x, '\"')), ','), ']') END AS \(part("t"))")
                problems.append("CASE \(missing) WHEN \(part("a")) IS NULL THEN \(expected("not a JSON array; expected " + c.kind.expectation)) "
                                + "WHEN \(part("r")) IS NOT NULL THEN named_struct('column', \(SQL.lit(n)), 'value', \(SQL.shortened(v)), 'reason', \(part("r"))) END AS \(part("p"))")
            case .date:
                // `YYYY-MM-DD 00:00:00` (the DSA dump): the date alone, after checking the time.
                let midnight = c.format == .dateAtMidnight
                let dv = midnight ? "CASE WHEN char_length(\(v)) = 19 AND substr(\(v), 11) = ' 00:00:00' THEN substr(\(v), 1, 10) END" : v
                parts.append("\(dv) RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AS \(part("m"))")
                let y = "CAST(substr(\(v), 1, 4) AS INT)", mo = "CAST(substr(\(v), 6, 2) AS INT)", d = "CAST(substr(\(v), 9, 2) AS INT)"
                typed.append("""
                    CASE WHEN \(part("m")) THEN CASE WHEN \(y) >= 1 AND \(mo) BETWEEN 1 AND 12 THEN \
                    CASE WHEN \(d) BETWEEN 1 AND day(last_day(make_date(\(y), \(mo), 1))) THEN make_date(\(y), \(mo), \(d)) END END END AS \(part("t"))
                    """)
                let shape = midnight ? "WHEN NOT (char_length(\(v)) = 19 AND substr(\(v), 11) = ' 00:00:00') THEN \(expected("expected a date written YYYY-MM-DD 00:00:00")) " : ""
                problems.append("CASE \(missing) \(shape)WHEN \(part("t")) IS NULL THEN \(expected()) "
                                + "WHEN unix_date(\(part("t"))) > \(future.latestDay) THEN \(expected(future.date)) END AS \(part("p"))")
            case .timestamp:
                parts.append("\(v) RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$' AS \(part("m"))")
                let y = "CAST(substr(\(v), 1, 4) AS INT)", mo = "CAST(substr(\(v), 6, 2) AS INT)", d = "CAST(substr(\(v), 9, 2) AS INT)"
                let h = "CAST(substr(\(v), 12, 2) AS INT)", mi = "CAST(substr(\(v), 15, 2) AS INT)"
                let sec = "CASE WHEN substr(\(v), 17, 1) = ':' THEN CAST(substr(\(v), 18, 2) AS INT) ELSE 0 END"
                let frac = "regexp_extract(\(v), '^.{19}[.]([0-9]+)', 1)"
                let micros = "CASE WHEN \(frac) = '' THEN 0 ELSE CAST(rpad(\(frac), 6, '0') AS BIGINT) END"
                let off = "regexp_extract(\(v), '([Zz]|[+-][0-9]{2}:[0-9]{2})$', 1)"
                let oh = "CAST(substr(\(off), 2, 2) AS INT)", om = "CAST(substr(\(off), 5, 2) AS INT)"
                let okFields = "\(y) >= 1 AND \(mo) BETWEEN 1 AND 12 AND \(h) <= 23 AND \(mi) <= 59 AND \(sec) <= 59 "
                    + "AND (\(off) IN ('', 'Z', 'z') OR (\(oh) <= 18 AND \(om) <= 59))"
                let okDay = "\(d) BETWEEN 1 AND day(last_day(make_date(\(y), \(mo), 1)))"
                // The DSA dump writes UTC without an offset (`--tz` does not apply).
                let tsZone = c.format == .utcTimestamp ? "UTC" : zone.identifier
                let localTS = "make_timestamp(\(y), \(mo), \(d), \(h), \(mi), \(sec), \(SQL.lit(tsZone)))"
                let seconds = "(CAST(unix_date(make_date(\(y), \(mo), \(d))) AS BIGINT) * 86400 + \(h) * 3600 + \(mi) * 60 + \(sec))"
                let offset = "CASE WHEN \(off) IN ('Z', 'z') THEN 0 WHEN substr(\(off), 1, 1) = '+' THEN \(oh) * 3600 + \(om) * 60 ELSE -(\(oh) * 3600 + \(om) * 60) END"
                // 1: a valid instant; 2: a local time skipped by a daylight-saving change (`hour` and
                // `minute` read in the session's zone, the reporting zone). UTC has no gaps.
                let local = c.format == .utcTimestamp
                    ? "named_struct('s', 1, 'us', \(seconds) * 1000000 + \(micros))"
                    : "CASE WHEN hour(\(localTS)) = \(h) AND minute(\(localTS)) = \(mi) THEN named_struct('s', 1, 'us', unix_micros(\(localTS)) + \(micros)) "
                        + "ELSE named_struct('s', 2, 'us', CAST(NULL AS BIGINT)) END"
                typed.append("""
                    CASE WHEN \(part("m")) THEN CASE WHEN \(okFields) THEN CASE WHEN \(okDay) THEN \
                    CASE WHEN \(off) = '' THEN \(local) \
                    ELSE named_struct('s', 1, 'us', (\(seconds) - \(offset)) * 1000000 + \(micros)) END END END END AS \(part("x"))
                    """)
                typed.append("\(part("x")).us AS \(part("t"))")
                let gap = "local time does not exist in \(tsZone) (skipped by a daylight-saving change); give an offset"
                problems.append("CASE \(missing) WHEN \(part("x")).s = 2 THEN \(expected(gap)) WHEN \(part("t")) IS NULL THEN \(expected()) "
                                + "WHEN \(part("t")) > \(future.latestMicros) THEN \(expected(future.timestamp)) END AS \(part("p"))")
            case .bool:
                let l = SQL.asciiLower(v)
                typed.append("CASE WHEN \(l) IN ('true', '1', 'yes', 'y') THEN true WHEN \(l) IN ('false', '0', 'no', 'n') THEN false END AS \(part("t"))")
                problems.append("CASE \(missing) WHEN \(part("t")) IS NULL THEN \(expected()) END AS \(part("p"))")
            case let .int(lo, hi):
                parts.append("\(v) RLIKE '^-?[0-9]{1,18}$' AS \(part("m"))")
                let range = [lo.map { "CAST(\(v) AS BIGINT) >= \($0)" }, hi.map { "CAST(\(v) AS BIGINT) <= \($0)" }].compactMap { $0 }
                let ok = range.isEmpty ? "true" : range.joined(separator: " AND ")
                typed.append("CASE WHEN \(part("m")) THEN CASE WHEN \(ok) THEN CAST(\(v) AS BIGINT) END END AS \(part("t"))")
                problems.append("CASE \(missing) WHEN \(part("t")) IS NULL THEN \(expected()) END AS \(part("p"))")
            case .enumeration(let values):
                let l = SQL.asciiLower(v)
                // Matched ignoring ASCII letter case, stored as the contract lists it.
                typed.append("CASE \(l) " + values.map { "WHEN \(SQL.lit($0.lowercased())) THEN \(SQL.lit($0))" }.joined(separator: " ") + " END AS \(part("t"))")
                problems.append("CASE \(missing) WHEN \(part("t")) IS NULL THEN \(expected()) END AS \(part("p"))")
            case .set(let values):
                // Items trimmed of spaces and tabs, empty ones ignored; the first unknown one named.
                parts.append("filter(transform(split(\(v), ';', -1), x -> regexp_replace(x, '^[ \\t]+|[ \\t]+$', '')), x -> x <> '') AS \(part("i"))")
                let allowed = "array(\(values.map(SQL.lit).joined(separator: ", ")))"
                typed.append("filter(\(part("i")), x -> NOT array_contains(\(allowed), \(SQL.asciiLower("x")))) AS \(part("u"))")
                typed.append("CASE WHEN \(v) IS NOT NULL THEN nullif(array_join(filter(\(allowed), a -> exists(\(part("i")), x -> \(SQL.asciiLower("x")) = a)), ';'), '') END AS \(part("t"))")
                let unknown = "try_element_at(\(part("u")), 1)"
                problems.append("CASE \(missing) WHEN size(\(part("u"))) > 0 THEN named_struct('column', \(SQL.lit(n)), 'value', \(SQL.shortened(v)), "
                                + "'reason', concat('unknown value \\'', \(SQL.shortened(unknown)), '\\'; expected ', \(SQL.lit(c.kind.expectation)))) END AS \(part("p"))")
            }
        }
        // Whole-row problems come first, as in the ingest: a field longer than the limit (of the
        // schema's columns), then a wrong number of fields.
        let tooLong = "the field is longer than the limit of \(maxFieldBytes) bytes (tally ingest --max-field-bytes)"
        let longField = SQL.cases(s.columns.filter { !$0.freeText }.map { c in
            ("octet_length(\(SQL.name(c.name))) > \(maxFieldBytes)",
             "named_struct('column', \(SQL.lit(c.name)), 'value', \(SQL.shortened(SQL.name(c.name))), 'reason', \(SQL.lit(tooLong)))")
        })
        // A line that ends inside a quoted field (libcsv's reading, one record per line).
        let openQuote = "CASE WHEN open_quote THEN named_struct('column', CAST(NULL AS STRING), 'value', '', 'reason', "
            + SQL.lit("a quoted field is still open at the end of the line (the row's quoting is broken, "
                      + "as a \\\" written by the exporter breaks it); the row is skipped, the next line read as the next row") + ") END"
        let fieldCount = "CASE WHEN nfields <> header_fields THEN named_struct('column', CAST(NULL AS STRING), 'value', '', "
            + "'reason', concat('the row has ', nfields, ' fields, the header has ', header_fields)) END"
        let list = "filter(array(\(s.columns.map { SQL.name("\($0.name)__p") }.joined(separator: ", "))), p -> p IS NOT NULL)"
        var cross = "CAST(NULL AS STRUCT<column: STRING, value: STRING, reason: STRING>)"
        if s.kind == .takedowns {
            let req = SQL.name("requested_at__t"), res = SQL.name("resolved_at__t"), out = SQL.name("outcome__t")
            cross = SQL.cases([
                ("\(res) IS NOT NULL AND \(res) < \(req)",
                 "named_struct('column', 'resolved_at', 'value', \(SQL.shortened("resolved_at")), 'reason', concat('resolved_at is before requested_at (', \(SQL.shortened("requested_at")), ')'))"),
                ("\(out) = 'pending' AND \(res) IS NOT NULL",
                 "named_struct('column', 'resolved_at', 'value', \(SQL.shortened("resolved_at")), 'reason', 'a pending request must not have resolved_at')"),
                ("\(out) IN ('removed', 'blocked') AND \(res) IS NULL",
                 "named_struct('column', 'resolved_at', 'value', '', 'reason', concat('outcome ', \(out), ' requires resolved_at'))"),
            ], else: cross)
        }
        if s.kind == .decisions {
            // As the ingest writes it: the application date without its ` 00:00:00`.
            cross = SQL.cases([
                ("\(SQL.name("created_at__t")) < CAST(unix_date(\(SQL.name("application_date__t"))) AS BIGINT) * 86400000000",
                 "named_struct('column', 'created_at', 'value', \(SQL.shortened("created_at")), 'reason', concat('created_at is before application_date (', substr(application_date, 1, 10), ')'))"),
            ], else: cross)
        }
        let first = "try_element_at(problems, 1)"
        let columnProblem = """
            CASE WHEN size(problems) = 0 THEN \(cross) WHEN size(problems) = 1 THEN \(first) \
            ELSE named_struct('column', \(first).column, 'value', \(first).value, 'reason', concat(\(first).reason, ' (and ', size(problems) - 1, ' more: ', \
            array_join(transform(slice(problems, 2, size(problems) - 1), p -> p.column), ', '), ')')) END
            """
        let values = s.columns.map { c -> String in
            let t = SQL.name("\(c.name)__t")
            if let d = c.defaultBool { return "coalesce(\(t), \(d)) AS \(SQL.name(c.name))" }
            return "\(t) AS \(SQL.name(c.name))"
        }
        return """
            SELECT file_id, file, line, \(values.joined(separator: ", ")),
              coalesce(open_quote_problem, long_field, field_count, \(columnProblem)) AS problem
            FROM (SELECT *, \(list) AS problems FROM (
              SELECT *, \(openQuote) AS open_quote_problem, \(longField) AS long_field, \(fieldCount) AS field_count, \(problems.joined(separator: ", ")) FROM (
                SELECT *, \(typed.isEmpty ? "1 AS __none" : typed.joined(separator: ", ")) FROM (
                  SELECT *\(parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")) FROM raw_\(s.kind.rawValue)))))
            """
    }

    /// Valid rows, takedowns under their platform's canonical name.
    func valid(_ s: RecordSchema) -> String {
        let cols = s.columns.map { c in
            c.name == s.platformColumn ? "coalesce(m.canonical, r.\(SQL.name(c.name))) AS \(SQL.name(c.name))" : "r.\(SQL.name(c.name))"
        }
        let join = s.platformColumn.map { " LEFT JOIN platform_map m ON m.written = r.\(SQL.name($0))" } ?? ""
        return "SELECT r.file_id, r.file, r.line, \(cols.joined(separator: ", ")) FROM checked_\(s.kind.rawValue) r\(join) WHERE r.problem IS NULL"
    }

    // MARK: Keys

    /// Each valid row against the row before it with the same key (in file order, then line):
    /// `loaded` (the first), `duplicate` (the same values), `updated` (only fills nulls, adds
    /// set items, or resolves a pending takedown), else `conflict`, with the ingest's reason
    /// naming the fields that differ (changed ones first, then filled ones, each in schema order).
    func versions(_ s: RecordSchema) -> String {
        let key = SQL.name(s.key)
        let others = s.columns.filter { $0.name != s.key }
        let prev = "named_struct(\((["file_id", "file", "line"] + others.map(\.name)).map { "\(SQL.lit($0)), \(SQL.name($0))" }.joined(separator: ", ")))"
        func state(_ c: ColumnSpec) -> String {
            let now = SQL.name(c.name), was = "prev.\(SQL.name(c.name))"
            var update = "false"
            if case .set = c.kind { update = "size(array_except(split(\(was), ';'), split(\(now), ';'))) = 0" }
            if case .jsonSet = c.kind { update = "size(array_except(from_json(\(was), 'array<string>'), from_json(\(now), 'array<string>'))) = 0" }
            if s.kind == .takedowns && c.name == "outcome" { update = "\(was) = 'pending'" }
            return "CASE WHEN \(was) IS NULL AND \(now) IS NULL THEN 0 WHEN \(was) IS NULL THEN 1 WHEN \(now) IS NULL THEN 2 "
                + "WHEN \(was) = \(now) THEN 0 WHEN \(update) THEN 1 ELSE 2 END"
        }
        let states = "array(\(others.map { "named_struct('c', \(SQL.lit($0.name)), 's', \(state($0)))" }.joined(separator: ", ")))"
        let changed = "transform(filter(states, x -> x.s = 2), x -> x.c)", filled = "transform(filter(states, x -> x.s = 1), x -> x.c)"
        // The stored version a conflict names is the last row loaded or updated before it (a
        // duplicate leaves it where it was), as the ingest names the row the store holds.
        let origin = "CASE WHEN stored.file_id = file_id THEN concat('line ', stored.line, ' of this file') ELSE concat(stored.file, ' line ', stored.line) END"
        return """
            SELECT *, concat('conflict: ', \(SQL.lit(s.key)), ' \\'', \(key), '\\' was loaded from ', \(origin), ' with other values of ',
                array_join(concat(\(changed), \(filled)), ', '), '; a correction needs `tally ingest --revise --reason TEXT`') AS conflict
            FROM (SELECT *, last(CASE WHEN version_outcome IN ('loaded', 'updated') THEN named_struct('file_id', file_id, 'file', file, 'line', line) END, true)
                OVER (PARTITION BY \(key) ORDER BY file_id, line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS stored
              FROM (SELECT *, CASE WHEN prev IS NULL THEN 'loaded' WHEN size(\(changed)) = 0 AND size(\(filled)) = 0 THEN 'duplicate'
                  WHEN size(\(changed)) = 0 THEN 'updated' ELSE 'conflict' END AS version_outcome
                FROM (SELECT *, \(states) AS states FROM (
                  SELECT *, lag(\(prev)) OVER (PARTITION BY \(key) ORDER BY file_id, line) AS prev FROM valid_\(s.kind.rawValue)))))
            """
    }

    /// The records: each key's last row that was loaded or updated, in the store's column
    /// types (what the catalogue's figure SQL reads): dates as `YYYY-MM-DD` text, booleans as
    /// 0/1, timestamps as UTC microseconds, sets as their items in schema order joined by `;`.
    func records(_ s: RecordSchema) -> String {
        let cols = s.columns.map { SQL.name($0.name) }.joined(separator: ", ")
        let stored = s.columns.map { c -> String in
            let n = SQL.name(c.name)
            switch c.kind {
            case .date: return "CAST(\(n) AS STRING) AS \(n)"
            case .bool: return "CAST(\(n) AS INT) AS \(n)"
            default: return n
            }
        }.joined(separator: ", ")
        return """
            SELECT \(stored) FROM (
              SELECT \(cols), row_number() OVER (PARTITION BY \(SQL.name(s.key)) ORDER BY file_id DESC, line DESC) AS k
              FROM versions_\(s.kind.rawValue) WHERE version_outcome IN ('loaded', 'updated')) WHERE k = 1
            """
    }
}
