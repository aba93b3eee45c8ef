import Foundation
import TallyCharts
import TallyCore
import TallyFiles
import TallyMetrics
import TallyTime

/// How to reach Spark: the master, the `spark-submit` program, and where quarantined rows go.
public struct SparkOptions: Sendable {
    /// `local[*]`, `spark://host:7077`, `yarn`, `k8s://https://host:443`, …
    public var master = "local[*]"
    /// The `spark-submit` to run: `--spark-submit`, else `$SPARK_HOME/bin/spark-submit`, else
    /// `spark-submit` on the PATH.
    public var submit: String?
    /// Where Spark writes the quarantined rows (JSON lines); default: beside the first input.
    public var quarantineOut: String?
    /// Extra `--conf key=value` for spark-submit.
    public var conf: [String] = []
    /// Keep the job's folder (driver, job JSON, Spark's log) here instead of a temporary one.
    public var keepDir: String?
    public init() {}
}

/// One file as the Spark engine read it, with the ingest's counts.
public struct SparkFileReport: Sendable, Equatable {
    public var path: String
    public var kind: String?
    public var status: String
    public var rowsRead = 0, loaded = 0, updated = 0, duplicates = 0, quarantined = 0
    public var error: String?
    public var unknownColumns: [String] = []
    /// The file's SHA-256 and size, read by the driver through Hadoop's file system (a
    /// bulletin's job asks for them: its provenance names every input by name and hash).
    public var sha256: String?
    public var bytes: Int?
    /// Decisions applied before their content's date (valid rows; loaded and reported, as
    /// `tally ingest` reports them); nil for other kinds.
    public var applicationBeforeContent: Int?
    /// (reason, rows), most frequent first.
    public var quarantineReasons: [(reason: String, rows: Int)] = []

    public static func == (a: SparkFileReport, b: SparkFileReport) -> Bool {
        a.path == b.path && a.kind == b.kind && a.status == b.status && a.rowsRead == b.rowsRead && a.loaded == b.loaded
            && a.updated == b.updated && a.duplicates == b.duplicates && a.quarantined == b.quarantined && a.error == b.error
    }

    /// The file's name without its folders (as published outputs name files).
    public var name: String { String(path.split(separator: "/").last ?? Substring(path)) }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("file", .string(name)), ("kind", kind.map(JSONValue.string) ?? .null), ("status", .string(status)),
            ("rows_read", .integer(rowsRead)), ("loaded", .integer(loaded)), ("updated", .integer(updated)),
            ("duplicates", .integer(duplicates)), ("quarantined", .integer(quarantined)),
            ("error", error.map(JSONValue.string) ?? .null),
        ]
        if let n = applicationBeforeContent { pairs.append(("application_before_content", .integer(n))) }
        pairs.append(("quarantine_reasons", .array(quarantineReasons.map { .object([("reason", .string($0.reason)), ("rows", .integer($0.rows))]) })))
        return .object(pairs)
    }
}

/// What a Spark run answered: the engine, the files' counts, and the figures' source.
public struct SparkRun: Sendable {
    public var sparkVersion: String
    public var master: String
    public var seconds: Double
    public var files: [SparkFileReport]
    public var quarantineOut: String?
    /// The as-of time the figures were computed at (given, or the latest takedown time).
    public var asOf: Int64
    /// Each figure query's rows (or its error), by `SparkJob.key`.
    public var answers: [String: Result<[[FigureSQLValue]], SparkError>]
    /// The number of records of each kind after de-duplication.
    public var records: [RecordKind: Int] = [:]

    /// Whether any input held decisions (their figures are then in the report, as in a
    /// store that holds decisions).
    public var holdsDecisions: Bool { (records[.decisions] ?? 0) > 0 }
}

/// An error of the Spark engine, one line.
public struct SparkError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Builds the job for Tally's fixed driver, runs it with `spark-submit`, reads its answers.
public struct SparkJob {
    public var inputs: [String]
    public var kind: RecordKind?
    public var period: Period
    public var settings: Settings
    public var asOf: Int64?
    public var fines: FineSchedule?
    public var registry: PlatformRegistry?
    public var options: SparkOptions
    public var nowMicros: Int64
    /// The charts a bulletin draws (`tally bulletin --engine spark`): the job then also computes
    /// the figures of the months their monthly charts show, the record kinds' date ranges and
    /// the distributions histograms bin, as (group, value, count) rows (`SparkChartSource`).
    public var charts: [ChartSpec]?

    public init(inputs: [String], kind: RecordKind?, period: Period, settings: Settings, asOf: Int64?, fines: FineSchedule?,
                registry: PlatformRegistry?, options: SparkOptions, nowMicros: Int64) {
        (self.inputs, self.kind, self.period, self.settings, self.asOf, self.fines, self.registry, self.options, self.nowMicros)
            = (inputs, kind, period, settings, asOf, fines, registry, options, nowMicros)
    }

    /// The figure queries `FigureSQL.recompute` runs for this report, in Spark SQL, with their
    /// parameters: found by letting it run once against a runner that only records what it is
    /// asked (the as-of time is a parameter the driver computes, so it is left out of the key).
    public func figureQueries() throws -> [(key: String, sql: String, parameters: [(name: String, value: FigureSQLValue)])] {
        final class Recorder: FigureSQLRunner {
            var asked: [(key: String, sql: String, parameters: [(name: String, value: FigureSQLValue)])] = []
            func rows(_ sql: String, _ parameters: [(name: String, value: FigureSQLValue)]) throws -> [[FigureSQLValue]] {
                let spark = SparkDialect.adapt(sql)
                let k = SparkJob.key(spark, parameters)
                if !asked.contains(where: { $0.key == k }) { asked.append((k, spark, parameters.filter { $0.name != "as_of" })) }
                return []
            }
        }
        let r = Recorder()
        _ = try FigureSQL.recompute(parameters(asOf: 0), fines: fines, suppress: true, runner: r, dialect: SparkDialect(),
                                    decisions: Self.readsDecisions)
        for (month, queries) in monthQueries() {
            _ = try FigureSQL.recompute(parameters(asOf: 0).with(month), fines: fines, suppress: true, runner: r, dialect: SparkDialect(),
                                        only: queries, comparisons: false, decisions: Self.readsDecisions)
        }
        return r.asked
    }

    /// Whether the Spark path reads decisions (their figure queries are then asked too; they
    /// count nothing when no input holds decisions).
    static var readsDecisions: Bool { RecordSQL.kinds.contains(.decisions) }

    /// The months the bulletin's monthly charts show (other than the period itself, whose
    /// report is computed whole), each with the queries of the figures drawn.
    func monthQueries() -> [(Period, Set<String>)] {
        var out: [(Period, Set<String>)] = []
        for spec in charts ?? [] {
            let (shown, before) = ChartBuilder.monthsRead(spec, period)
            var queries = Set<String>()
            for s in spec.series {
                for (_, id) in s.terms {
                    guard let c = FigureCatalogue.lookup(id)?.entry.computation else { continue }
                    queries.insert(c.query)
                    if c == .rank { queries.insert("platforms.hours") }
                    if c == .decisionRank { queries.insert("decision_platforms.counts") }
                }
            }
            for m in shown + before where m != period && !queries.isEmpty {
                if let i = out.firstIndex(where: { $0.0 == m }) { out[i].1.formUnion(queries) } else { out.append((m, queries)) }
            }
        }
        return out
    }

    /// The statements a bulletin's charts need besides figure queries, by name: the record
    /// kinds' date ranges, and the populations of the histograms as (group, value, count)
    /// rows — the catalogue's own `removals` and `decision_flags`, aggregated by Spark.
    func chartStatements() -> [(key: String, sql: String, parameters: [(name: String, value: FigureSQLValue)])] {
        guard charts != nil else { return [] }
        let bindings = parameters(asOf: 0).bindings.filter { $0.name != "as_of" }
        func render(_ q: FigureQuery) -> String { SparkDialect.adapt(FigureSQL.render(q, settings: settings, dialect: SparkDialect())) }
        var out: [(key: String, sql: String, parameters: [(name: String, value: FigureSQLValue)])] = [
            ("charts.ranges", """
                SELECT (SELECT min(contacted_on) FROM victims), (SELECT max(contacted_on) FROM victims),
                  (SELECT min(arrested_on) FROM arrests), (SELECT max(arrested_on) FROM arrests),
                  (SELECT min(requested_at) FROM takedowns), (SELECT max(requested_at) FROM takedowns)
                """, []),
            ("charts.removals", render(FigureQuery("charts.removals", uses: ["removals"], select: """
                SELECT platform, CAST(hours AS DOUBLE) AS value, count(*) AS n FROM removals GROUP BY platform, hours
                """)), bindings),
        ]
        if Self.readsDecisions {
            out.append(("charts.decision_delays", render(FigureQuery(
                "charts.decision_delays", uses: ["decision_flags"], lists: ["dsa_abuse_categories", "dsa_abuse_keywords", "removed_visibilities"],
                select: """
                SELECT 'moderation' AS k, CAST(moderation_days AS DOUBLE) AS value, count(*) AS n FROM decision_flags
                  WHERE moderation_days IS NOT NULL GROUP BY moderation_days
                UNION ALL SELECT 'disclosure', CAST(disclosure_hours AS DOUBLE), count(*) FROM decision_flags
                  WHERE disclosure_hours IS NOT NULL GROUP BY disclosure_hours
                """)), bindings))
        }
        return out
    }

    func parameters(asOf: Int64) -> FigureSQL.Parameters {
        FigureSQL.Parameters(vintage: 1, period: period, asOf: asOf, settings: settings)
    }

    /// What identifies a query's answer: its SQL and its parameters other than the as-of time.
    static func key(_ sql: String, _ parameters: [(name: String, value: FigureSQLValue)]) -> String {
        sql + "\u{0}" + parameters.filter { $0.name != "as_of" }.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{0}")
    }

    static func json(_ v: FigureSQLValue) -> JSONValue {
        switch v {
        case .null: return .null
        case .int(let x): return .int(x)
        case .double(let d): return .double(d)
        case .text(let t): return .string(t)
        }
    }

    /// The job description the driver reads (JSON), with `result` the local file it writes.
    public func description(result: String) throws -> JSONValue {
        let record = RecordSQL(zone: settings.zone, nowMicros: nowMicros).statements()
        let figures = try figureQueries() + chartStatements()
        var platforms: [(String, JSONValue)] = []
        if let r = registry {
            var seen = Set<String>()
            for p in r.platforms {
                for n in [p.name] + p.aliases {
                    let key = PlatformRegistry.normalise(n)
                    if seen.insert(key).inserted { platforms.append((key, .string(p.name))) }
                }
            }
        }
        let kinds: [(String, JSONValue)] = RecordSQL.kinds.map { k in
            (k.rawValue, .object([
                ("key", .string(k.schema.key)),
                // All of them in a header tell the kind (decisions: uuid, platform_name, application_date).
                ("detect", .array(k.schema.detectionColumns.map(JSONValue.string))),
                // Read (free text is not: it is stored only by `tally ingest --keep-text`).
                ("columns", .array(k.schema.columns.filter { !$0.freeText }.map { .string($0.name) })),
                ("required", .array(k.schema.columns.filter(\.required).map { .string($0.name) })),
                // Known and not kept: neither read nor listed as unknown.
                ("ignored", .array((k.schema.ignoredColumns.union(k.schema.columns.filter(\.freeText).map(\.name))).sorted().map(JSONValue.string))),
                ("platform", k.schema.platformColumn.map(JSONValue.string) ?? .null),
            ]))
        }
        // The default as-of time (metrics.md): the latest requested_at or resolved_at, else the
        // end of the period (no takedowns: decisions alone); computed by Spark before the
        // figures, and bound as :as_of (`greatest` skips nulls, and is null when all are).
        let asOfSQL = asOf.map { "SELECT \($0)L AS as_of" }
            ?? "SELECT coalesce(greatest(max(requested_at), max(resolved_at)), \(AsOf.endOfDay(period.last, zone: settings.zone))L) AS as_of FROM takedowns"
        return .object([
            ("time_zone", .string(settings.timeZone)),
            ("inputs", .array(inputs.map(JSONValue.string))),
            ("kind", kind.map { .string($0.rawValue) } ?? .null),
            ("kinds", .object(kinds)),
            ("platforms", .object(platforms)),
            ("invisible", .array(PlatformRegistry.invisibleCodePoints.map { .integer(Int($0)) })),
            ("prepare", .array(record.map { .object([("name", .string($0.name)), ("sql", .string($0.sql)), ("persist", .bool($0.persist))]) })),
            ("computed_parameters", .array([.object([("name", .string("as_of")), ("sql", .string(asOfSQL))])])),
            ("statements", .array(figures.enumerated().map { i, q in
                .object([("name", .string("q\(i)")), ("sql", .string(q.sql)),
                         ("args", .object(q.parameters.map { ($0.name, Self.json($0.value)) }))])
            })),
            ("quarantine_out", .string(quarantineOut)),
            ("hash_inputs", .bool(charts != nil)),
            ("result", .string(result)),
        ])
    }

    /// Where quarantined rows go: `--spark-quarantine`, else `tally-quarantine` beside the
    /// first input (its folder, on whatever file system it is).
    public var quarantineOut: String {
        if let q = options.quarantineOut { return q }
        let first = inputs.first ?? "."
        guard let slash = first.lastIndex(of: "/") else { return "tally-quarantine" }
        var dir = String(first[..<slash])
        while dir.contains("*") || dir.contains("?") || dir.contains("[") || dir.contains("{") {
            guard let s = dir.lastIndex(of: "/") else { dir = "."; break }
            dir = String(dir[..<s])
        }
        return (dir.isEmpty ? "" : dir) + "/tally-quarantine"
    }

    /// The `spark-submit` program.
    public func submitProgram() throws -> String {
        if let s = options.submit { return s }
        if let home = ProcessInfo.processInfo.environment["SPARK_HOME"], !home.isEmpty {
            return home + "/bin/spark-submit"
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/spark-submit"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw SparkError("spark-submit not found: install Spark (e.g. `pip install pyspark`), set SPARK_HOME, or give --spark-submit PATH")
    }

    /// The `java` spark-submit will run (as its scripts find it: `$JAVA_HOME/bin/java`, else
    /// `java` on the PATH), or why there is none.
    public static func java() -> Result<String, SparkError> {
        let env = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        if let home = env["JAVA_HOME"], !home.isEmpty {
            let j = home + "/bin/java"
            return fm.isExecutableFile(atPath: j) ? .success(j)
                : .failure(SparkError("Java not found: JAVA_HOME is \(home) but \(j) is not there; Spark needs Java 17 (Debian: openjdk-17-jre-headless)"))
        }
        for dir in (env["PATH"] ?? "").split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/java") {
            return .success("\(dir)/java")
        }
        return .failure(SparkError("Java not found on the PATH: Spark needs Java 17 (Debian: openjdk-17-jre-headless), or set JAVA_HOME"))
    }

    /// Runs the job; throws with Spark's last error line when it fails.
    public func run() throws -> SparkRun {
        if case .failure(let e) = Self.java() { throw e }
        let fm = FileManager.default
        let dir: String
        if let keep = options.keepDir {
            try fm.createDirectory(atPath: keep, withIntermediateDirectories: true)
            dir = keep
        } else {
            dir = NSTemporaryDirectory() + "tally-spark-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        defer { if options.keepDir == nil { try? fm.removeItem(atPath: dir) } }
        let driver = dir + "/tally_spark_driver.py", jobFile = dir + "/job.json", result = dir + "/result.json", log = dir + "/spark.log"
        try Data(SparkDriver.source.utf8).write(to: URL(fileURLWithPath: driver))
        let figures = try figureQueries() + chartStatements()
        try Data(description(result: result).rendered().utf8).write(to: URL(fileURLWithPath: jobFile))

        let p = Process()
        p.executableURL = URL(fileURLWithPath: try submitProgram())
        var args = ["--master", options.master, "--name", "tally", "--conf", "spark.log.level=WARN"]
        // On one machine Spark's default of 200 shuffle partitions makes every small aggregate
        // 200 tasks; a cluster's own setting is left alone.
        if options.master.hasPrefix("local"), !options.conf.contains(where: { $0.hasPrefix("spark.sql.shuffle.partitions=") }) {
            args += ["--conf", "spark.sql.shuffle.partitions=8"]
        }
        for c in options.conf { args += ["--conf", c] }
        p.arguments = args + [driver, jobFile]
        guard fm.createFile(atPath: log, contents: nil), let logHandle = FileHandle(forWritingAtPath: log) else {
            throw SparkError("cannot write \(log)")
        }
        p.standardOutput = logHandle
        p.standardError = logHandle
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw SparkError("cannot run \(p.executableURL!.path): \(error.localizedDescription)") }
        p.waitUntilExit()
        try? logHandle.close()
        guard p.terminationStatus == 0, fm.fileExists(atPath: result) else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw SparkError("Spark job failed (exit status \(p.terminationStatus)): " + Self.lastError(text))
        }
        return try Self.parse(Data(contentsOf: URL(fileURLWithPath: result)), queries: figures.map(\.key))
    }

    /// The report: every figure recomputed from the catalogue's SQL answered by Spark, then
    /// shares' intervals, fines, ranks, comparisons and disclosure control in Swift, as
    /// `tally verify` does.
    public func report(_ run: SparkRun, suppress: Bool) throws -> StatsReport {
        let replay = Replay(answers: run.answers)
        let r = try FigureSQL.recompute(parameters(asOf: run.asOf), fines: fines, suppress: suppress,
                                        runner: replay, dialect: SparkDialect(), decisions: run.holdsDecisions)
        return StatsReport(recomputed: r, period: period, asOf: run.asOf, settings: settings, fines: fines, suppress: suppress)
    }

    /// The report of one month a chart shows: only the queries of the figures it draws, no
    /// comparisons (as `figureQueries` asked them); nil for a month the job did not compute.
    func monthReport(_ run: SparkRun, _ month: Period) throws -> StatsReport? {
        guard let queries = monthQueries().first(where: { $0.0 == month })?.1 else { return nil }
        let r = try FigureSQL.recompute(parameters(asOf: run.asOf).with(month), fines: fines, suppress: true,
                                        runner: Replay(answers: run.answers), dialect: SparkDialect(),
                                        only: queries, comparisons: false, decisions: run.holdsDecisions)
        return StatsReport(recomputed: r, period: month, asOf: run.asOf, settings: settings, fines: fines, suppress: true)
    }

    /// The line of Spark's log that says what went wrong: the driver's own message, else the
    /// first exception line, else the last line.
    static func lastError(_ log: String) -> String {
        let lines = log.split(separator: "\n").map(String.init)
        if let own = lines.last(where: { $0.hasPrefix("tally-spark-driver: ") }) { return String(own.dropFirst(20)) }
        if let e = lines.first(where: { $0.contains("Exception: ") || $0.contains("Error: ") }) {
            return e.trimmingCharacters(in: .whitespaces)
        }
        return lines.last ?? "(no output)"
    }

    // MARK: Results

    /// The driver's answers: the files' reports and each figure query's rows.
    public static func parse(_ data: Data, queries: [String]) throws -> SparkRun {
        guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = top["results"] as? [String: [String: Any]] else {
            throw SparkError("the Spark driver's result is not the expected JSON")
        }
        func int(_ v: Any?) -> Int { (v as? NSNumber)?.intValue ?? 0 }
        func text(_ v: Any?) -> String { (v as? String) ?? "" }
        /// A cell: doubles come as {"d": text} (Python's shortest round-trip repr), parsed
        /// exactly here; booleans as 0/1.
        func value(_ v: Any) -> FigureSQLValue {
            if v is NSNull { return .null }
            if let d = v as? [String: Any], let t = d["d"] as? String, let x = Double(t) { return .double(x) }
            if let s = v as? String { return .text(s) }
            if let n = v as? NSNumber { return .int(n.int64Value) }
            return .text("\(v)")
        }
        var answers: [String: Result<[[FigureSQLValue]], SparkError>] = [:]
        for (i, key) in queries.enumerated() {
            guard let r = results["q\(i)"] else { throw SparkError("the Spark driver's result lacks query q\(i)") }
            if let e = r["error"] as? String {
                answers[key] = .failure(SparkError(e))
            } else {
                answers[key] = .success((r["rows"] as? [[Any]] ?? []).map { $0.map(value) })
            }
        }
        guard let asOf = (top["parameters"] as? [String: Any])?["as_of"] as? NSNumber else {
            throw SparkError("the Spark driver's result lacks the as-of time")
        }
        var files: [SparkFileReport] = []
        for f in top["files"] as? [[String: Any]] ?? [] {
            var r = SparkFileReport(path: text(f["path"]), kind: f["kind"] as? String, status: text(f["status"]))
            r.rowsRead = int(f["rows_read"]); r.loaded = int(f["loaded"]); r.updated = int(f["updated"])
            r.duplicates = int(f["duplicates"]); r.quarantined = int(f["quarantined"])
            r.error = f["error"] as? String
            r.unknownColumns = f["unknown_columns"] as? [String] ?? []
            r.sha256 = f["sha256"] as? String
            r.bytes = (f["bytes"] as? NSNumber)?.intValue
            if r.kind == RecordKind.decisions.rawValue, r.status == "read" {
                r.applicationBeforeContent = (f["application_before_content"] as? NSNumber)?.intValue ?? 0
            }
            r.quarantineReasons = (f["quarantine_reasons"] as? [[Any]] ?? []).map { (text($0.first), int($0.last)) }
            files.append(r)
        }
        var run = SparkRun(sparkVersion: text(top["spark_version"]), master: text(top["master"]),
                           seconds: (top["seconds"] as? NSNumber)?.doubleValue ?? 0, files: files,
                           quarantineOut: top["quarantine_out"] as? String, asOf: asOf.int64Value, answers: answers)
        for k in RecordSQL.kinds {
            run.records[k] = files.filter { $0.kind == k.rawValue }.reduce(0) { $0 + $1.loaded + $1.updated }
        }
        return run
    }
}

/// Answers recorded from Spark, looked up by query and parameters.
struct Replay: FigureSQLRunner {
    let answers: [String: Result<[[FigureSQLValue]], SparkError>]
    func rows(_ sql: String, _ parameters: [(name: String, value: FigureSQLValue)]) throws -> [[FigureSQLValue]] {
        guard let a = answers[SparkJob.key(SparkDialect.adapt(sql), parameters)] else {
            throw SparkError("no answer from Spark for a figure query (\(sql.prefix(60))…)")
        }
        return try a.get()
    }
}

extension SparkRun {
    /// The inputs as a bulletin publishes them: the files Spark read, by name, with the
    /// SHA-256 the driver computed and the ingest's counts, as one batch (the Spark engine
    /// reads files, not a store's history). Rejected files are not among them, as `tally
    /// ingest` loads nothing from them.
    public var provenance: Provenance {
        Provenance(files: files.filter { $0.status == "read" }.map { f in
            Provenance.File(batch: 1, path: f.path, sha256: f.sha256 ?? "", kind: f.kind ?? "", rowsRead: f.rowsRead,
                            loaded: f.loaded, duplicates: f.duplicates, updated: f.updated, quarantined: f.quarantined)
        }, batches: 1, toolVersions: [])
    }
}
