import Foundation
import TallyBulletin
import TallyCore
import TallyMetrics
import TallyStore

/// The outcome of `tally verify`: each figure of a manifest recomputed from a store.
public struct Verification {
    public struct Line {
        public var id: String
        public var published: String
        public var recomputed: String
        public var matches: Bool
    }
    public var period: String
    public var asOf: String
    /// The batch the manifest's vintage names (nil for a manifest written before vintages).
    public var vintage: Int?
    public var lines: [Line]
    /// Input files whose SHA-256 in the manifest is not among the store's (or the other way).
    public var inputNotes: [String]
    /// The bulletin's files (PDFs, charts, tables) that are missing or differ from the
    /// SHA-256 the manifest recorded, one line each.
    public var fileProblems: [String]
    /// How many files the manifest lists, all checked.
    public var filesChecked: Int
    /// With `now`: the figures whose value at the latest vintage differs from the published.
    public var revised: [Line] = []
    /// The engine that computed the published figures when not Tally's own over a store
    /// (`Apache Spark 4.3.0, master local[2]`): they are recomputed here all the same, by
    /// figure SQL over the store, which must hold the same input files (a store loaded from
    /// them with `tally ingest`).
    public var engine: String?
    public var differences: Int { lines.filter { !$0.matches }.count }
    /// Whether every figure and every file is as published,
    /// and the store's history up to the vintage is the one the bulletin was made from.
    public var passed: Bool { differences == 0 && fileProblems.isEmpty && inputNotes.isEmpty }

    /// Reads a manifest and recomputes each figure from `store` with the manifest's period,
    /// as-of time, settings and fine schedule, at the manifest's vintage, by the figure
    /// catalogue's SQL (`FigureSQL`, no engine): a published
    /// bulletin verifies however much is loaded later. With `now`, also recomputes at the
    /// latest vintage and lists the figures later data revise (`revised`).
    public static func run(manifestPath: String, store: Store, now: Bool = false) throws -> Verification {
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw BulletinError("cannot read \(manifestPath)")
        }
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw BulletinError("\(manifestPath): not a JSON object")
        }
        func need<T>(_ key: String, _ m: [String: Any] = top) throws -> T {
            guard let v = m[key] as? T else { throw BulletinError("\(manifestPath): missing or malformed key '\(key)'") }
            return v
        }
        let fmt: String = try need("format")
        guard fmt == Manifest.format else { throw BulletinError("\(manifestPath): format '\(fmt)', expected \(Manifest.format)") }
        let periodText: String = try need("period")
        let period: Period
        do { period = try Period.parse(periodText) } catch { throw BulletinError("\(manifestPath): \(error)") }
        let asOf = (try need("as_of_micros") as NSNumber).int64Value
        let sm: [String: Any] = try need("settings")
        var settings = Settings()
        settings.minorAgeLimit = (try need("minor_age_limit", sm) as NSNumber).intValue
        settings.deadlineHours = (try need("deadline_hours", sm) as NSNumber).intValue
        settings.minDue = (try need("min_due", sm) as NSNumber).intValue
        settings.suppressBelow = (try need("suppress_below", sm) as NSNumber).intValue
        settings.timeZone = try need("time_zone", sm)
        settings.source = (sm["source"] as? String) ?? settings.source
        guard ZoneOffsets(identifier: settings.timeZone) != nil else { throw BulletinError("\(manifestPath): unknown time zone \(settings.timeZone)") }
        // Decisions' figures depend on min_decisions and the sexual-abuse list the bulletin was
        // made with, which its manifest carries (not today's settings file).
        settings.minDecisions = (sm["min_decisions"] as? NSNumber)?.intValue ?? settings.minDecisions
        if let l = sm["dsa_sexual_abuse"] as? [String: Any] {
            settings.sexualAbuse = SexualAbuseList(categories: l["categories"] as? [String] ?? [], keywords: l["keywords"] as? [String] ?? [],
                                                   source: l["source"] as? String ?? "(manifest)")
        }
        let suppress = (sm["suppression_applied"] as? Bool) ?? true
        var fines: FineSchedule?
        if let f = top["fine_schedule"] as? [String: Any] {
            fines = FineSchedule(deadlineHours: (try need("deadline_hours", f) as NSNumber).intValue,
                                 lateKRW: (try need("late_krw", f) as NSNumber).intValue,
                                 unresolvedKRW: (try need("unresolved_krw", f) as NSNumber).intValue,
                                 monthlyCapKRW: (f["monthly_cap_krw"] as? NSNumber)?.intValue,
                                 repeatMultiplier: (f["repeat_multiplier"] as? NSNumber)?.doubleValue,
                                 repeatAfterViolations: (f["repeat_after_violations"] as? NSNumber)?.intValue ?? 1,
                                 note: f["note"] as? String, source: (f["source"] as? String) ?? "(manifest)")
        }
        // The vintage published; a manifest without one (written before vintages) is checked
        // against the latest.
        var notes: [String] = []
        var vintageBatch: Int? = nil
        if let v = top["vintage"] as? [String: Any], let n = (v["batch"] as? NSNumber)?.intValue {
            guard let stored = try? store.vintage(String(n)) else {
                throw BulletinError("\(manifestPath): the store has no batch \(n), the vintage the bulletin was computed at: "
                    + "another store, or its history was changed")
            }
            if stored.finishedAt != v["finished_at"] as? String {
                notes.append("batch \(n) finished at \(stored.finishedAt ?? "(never)") in the store, at \(v["finished_at"] as? String ?? "(never)") in the manifest: the history differs")
            }
            vintageBatch = n
        }
        // Recompute from the catalogue's figure SQL over the store's record tables (not the
        // engine, not its cache), in one read snapshot: an independent computation of every
        // definition.
        // No vintage (a manifest from before vintages, or `--now`): the current records, which
        // are the records at a batch beyond every batch.
        func recompute(at vintage: Int?) throws -> RecomputedFigures {
            let batch = vintage ?? Int(Int64.max)
            let p = FigureSQL.Parameters(vintage: batch, period: period, asOf: asOf, settings: settings)
            do {
                return try store.db.read { try FigureSQL.recompute(p, fines: fines, suppress: suppress, runner: StoreFigureSQL(store)) }
            } catch let e as FigureSQLError {
                throw BulletinError("figure SQL: \(e.description)")
            }
        }
        let source = try recompute(at: vintageBatch)
        let figures: [[String: Any]] = try need("figures")
        var lines: [Line] = []
        for f in figures {
            let id: String = try need("id", f)
            let published = f["value"] ?? NSNull()
            let now = source.value(id)
            lines.append(Line(id: id, published: describe(published), recomputed: now.map { $0.rendered(pretty: false) } ?? "(no such figure)",
                              matches: now.map { same(published, $0) } ?? false))
        }
        // Inputs: the same files (by SHA-256) up to the vintage?
        let published = Set(((top["inputs"] as? [[String: Any]]) ?? []).compactMap { $0["sha256"] as? String })
        let current = try store.provenance(vintage: vintageBatch).files
        for f in current where !published.contains(f.sha256) { notes.append("the store has a file the manifest does not list: \(f.path) (\(f.sha256))") }
        let currentSet = Set(current.map(\.sha256))
        for h in published.sorted() where !currentSet.contains(h) { notes.append("the manifest lists a file the store does not hold: sha256 \(h)") }
        let (problems, checked) = try checkFiles(top, manifestPath: manifestPath)
        var revised: [Line] = []
        if now {
            let later = try recompute(at: nil)
            for line in lines {
                let value = later.value(line.id)
                guard let published = figures.first(where: { ($0["id"] as? String) == line.id })?["value"] else { continue }
                if !(value.map { same(published, $0) } ?? false) {
                    revised.append(Line(id: line.id, published: line.published,
                                        recomputed: value.map { $0.rendered(pretty: false) } ?? "(no such figure)", matches: false))
                }
            }
        }
        var v = Verification(period: period.label, asOf: (top["as_of"] as? String) ?? "", vintage: vintageBatch, lines: lines,
                             inputNotes: notes, fileProblems: problems, filesChecked: checked, revised: revised)
        if let e = top["engine"] as? [String: Any] {
            v.engine = (e["name"] as? String == "spark" ? "Apache Spark" : e["name"] as? String ?? "?") + " " + (e["version"] as? String ?? "")
                + ", master " + (e["master"] as? String ?? "?")
        }
        return v
    }

    /// Every file the manifest lists, hashed again; and every document, chart and table it
    /// names must be among them.
    static func checkFiles(_ top: [String: Any], manifestPath: String) throws -> (problems: [String], checked: Int) {
        guard let files = top["files"] as? [[String: Any]] else {
            throw BulletinError("\(manifestPath): no 'files' list with the SHA-256 of the bulletin's files "
                + "(written by an older tally: write the bulletin again)")
        }
        let dir = (manifestPath as NSString).deletingLastPathComponent
        var problems: [String] = []
        var listed = Set<String>()
        for f in files {
            guard let file = f["file"] as? String, let sha = f["sha256"] as? String else {
                throw BulletinError("\(manifestPath): malformed entry in 'files'")
            }
            listed.insert(file)
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                problems.append("\(file): not a path inside the bulletin's folder")
                continue
            }
            let path = dir.isEmpty ? file : dir + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append("\(file): missing")
                continue
            }
            let now = Manifest.sha256(data)
            if now != sha { problems.append("\(file): differs from the published file (sha256 \(now.prefix(16))…, published \(sha.prefix(16))…)") }
        }
        let named = ((top["documents"] as? [[String: Any]]) ?? []).compactMap { $0["file"] as? String }
            + ((top["charts"] as? [String]) ?? []) + ((top["tables"] as? [String]) ?? [])
        for file in named where !listed.contains(file) { problems.append("\(file): named by the manifest but has no SHA-256 in it") }
        return (problems, files.count)
    }

    static func describe(_ v: Any) -> String {
        if v is NSNull { return "null" }
        if let s = v as? String { return JSONValue.string(s).rendered(pretty: false) }
        if let a = v as? [Any] { return "[" + a.map(describe).joined(separator: ",") + "]" }
        if let n = v as? NSNumber {
            let d = n.doubleValue
            return JSONValue.double(d).rendered(pretty: false)
        }
        return "\(v)"
    }

    /// Whether a value read from the manifest equals a recomputed one (numbers as doubles).
    static func same(_ a: Any, _ b: JSONValue) -> Bool {
        switch b {
        case .null: return a is NSNull
        case .bool(let x): return (a as? Bool) == x
        case .int(let i): return (a as? NSNumber).map { $0.doubleValue == Double(i) } ?? false
        case .double(let d):
            // Foundation's JSON reader on Linux may round the last bits of a double (seen:
            // 0.9414294859563513 read as 0.9414294859563508, 5 units in the last place); a
            // relative difference below 1e-12 is the same figure (any change of a record moves
            // a figure by far more).
            guard let x = (a as? NSNumber)?.doubleValue else { return false }
            return x == d || abs(x - d) <= max(4 * max(x.ulp, d.ulp), 1e-12 * max(abs(x), abs(d)))
        case .string(let s): return (a as? String) == s
        case .array(let items):
            guard let arr = a as? [Any], arr.count == items.count else { return false }
            return zip(arr, items).allSatisfy { same($0, $1) }
        case .object: return false
        }
    }
}
