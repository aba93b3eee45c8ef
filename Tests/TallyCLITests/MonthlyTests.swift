import Foundation
import Testing

/// The sample year as monthly exports (Data/sample/monthly): replayed as the office does, it
/// must end where the one-shot load of the year files does, with the updates, corrections and
/// retraction the files contain, and every vintage of it must be what a replay up to that
/// batch gives.
enum MonthlySample {
    static let root = packageRoot.appendingPathComponent("Data/sample/monthly")

    /// One `tally` call, one batch.
    enum Step {
        case ingest([String])
        case revise([String], reason: String)
        case retract(file: String, reason: String)

        var arguments: [String] {
            switch self {
            case .ingest(let files): return ["ingest", "--format", "json"] + files
            case let .revise(files, reason): return ["ingest", "--format", "json", "--revise", "--reason", reason] + files
            case let .retract(file, reason): return ["retract", "--format", "json", "--file", file, "--reason", reason]
            }
        }
    }

    static func csvFiles(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }

    /// The months' folders in order, read as Data/sample/README.md describes the layout.
    static func steps() throws -> [Step] {
        let months = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("2024-") }.sorted()
        #expect(months == (1...12).map { String(format: "2024-%02d", $0) })
        var steps: [Step] = []
        for m in months {
            let dir = root.appendingPathComponent(m)
            steps.append(.ingest(try csvFiles(dir)))
            let corrections = dir.appendingPathComponent("corrections")
            if FileManager.default.fileExists(atPath: corrections.path) {
                let reason = try String(contentsOf: corrections.appendingPathComponent("reason.txt"), encoding: .utf8)
                steps.append(.revise(try csvFiles(corrections), reason: reason.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            let retractions = dir.appendingPathComponent("retractions.tsv")
            if FileManager.default.fileExists(atPath: retractions.path) {
                for line in try String(contentsOf: retractions, encoding: .utf8).split(separator: "\n") {
                    let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                    steps.append(.retract(file: parts[0], reason: parts[1]))
                }
            }
        }
        return steps
    }

    static func apply(_ step: Step, to db: String) throws {
        let r = try run(tallyBinary, step.arguments + ["--db", db])
        #expect(r.status == 0, "\(step.arguments.prefix(3)): \(r.stderr)")
    }

    /// Every month replayed into one store, shared by the tests (read only).
    final class Replay: @unchecked Sendable {
        let dir = TempDir()
        let db: String
        let steps: [Step]
        init() throws {
            db = dir.path("monthly.sqlite")
            steps = try MonthlySample.steps()
            for s in steps { try MonthlySample.apply(s, to: db) }
        }
    }
    nonisolated(unsafe) private static var shared: Replay?
    private static let lock = NSLock()
    static func replay() throws -> Replay {
        lock.lock(); defer { lock.unlock() }
        if let r = shared { return r }
        let r = try Replay()
        shared = r
        return r
    }

    /// Data rows of a CSV file (the sample quotes no field holding a comma or line break).
    static func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }
}

@Suite struct MonthlyTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func tallyOK(_ arguments: [String]) throws -> String {
        let r = try run(tallyBinary, arguments, cwd: packageRoot)
        #expect(r.status == 0, "\(arguments.prefix(2)): \(r.stderr)")
        return r.stdout
    }

    /// Sorted-keys JSON text of a value, to compare dictionaries as a whole.
    func canonical(_ v: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func latestVintageEqualsTheOneShotLoadAndThePublishedFigures() throws {
        let replay = try MonthlySample.replay()
        let dir = TempDir()
        let oneShot = dir.path("year.sqlite")
        _ = try tallyOK(["ingest", "--db", oneShot] + sampleFiles)
        // The same records: every export of the year equal, row for row.
        for kind in ["arrests", "victims", "takedowns"] {
            let a = try tallyOK(["export", "--db", replay.db, "--kind", kind, "--period", "2024"])
            let b = try tallyOK(["export", "--db", oneShot, "--kind", kind, "--period", "2024"])
            #expect(a.split(separator: "\n").count > 700)
            #expect(a == b, "\(kind): the replayed year differs from the year files")
        }
        // The same figures, and the published ones, counted independently by sqlite3 on the year files.
        let raw = dir.path("raw.sqlite")
        _ = try sqlite3(raw, ".import --csv \(sampleFiles[1]) v")
        _ = try sqlite3(raw, ".import --csv \(sampleFiles[0]) a")
        let victims = try sqlite3(raw, "SELECT count(*) || ',' || sum(CAST(age AS INTEGER) < 19) FROM v WHERE contacted_on BETWEEN '2024-01-01' AND '2024-08-31'")
        let arrests = try sqlite3(raw, "SELECT count(*) FROM a WHERE arrested_on BETWEEN '2024-01-01' AND '2024-09-30'")
        for (period, check) in [("2024-01..2024-08", "victims"), ("2024-01..2024-09", "arrests"), ("2024-08", ""), ("2024-12", "")] {
            let r = try json(try tallyOK(["stats", "--db", replay.db, "--period", period, "--format", "json"]))
            let o = try json(try tallyOK(["stats", "--db", oneShot, "--period", period, "--format", "json"]))
            let metrics = try #require(r["metrics"] as? [String: Any])
            #expect(try canonical(metrics) == (try canonical(try #require(o["metrics"]))), "\(period)")
            #expect(try canonical(try #require(r["platforms"])) == (try canonical(try #require(o["platforms"]))), "\(period)")
            #expect((r["vintage"] as? [String: Any])?["batch"] as? Int == replay.steps.count)
            if check == "victims" { #expect("\(metrics["victims.total"]!),\(metrics["victims.minors"]!)" == victims) }
            if check == "arrests" { #expect("\(metrics["arrests.total"]!)" == arrests) }
        }
    }

    /// The counts the files imply, found by reading them here (keys seen in an earlier export
    /// are later versions), against what the store reports and what the generator planned.
    @Test func updatesCorrectionsAndRetractionAreWhatTheFilesHold() throws {
        let replay = try MonthlySample.replay()
        var seen: Set<String> = [], updates: [String: Int] = [:], corrections = 0, retracted = 0
        for step in replay.steps {
            switch step {
            case .ingest(let files):
                var brought: Set<String> = []
                for f in files {
                    let kind = String(URL(fileURLWithPath: f).lastPathComponent.prefix { $0 != "-" })
                    for row in try MonthlySample.rows(f) {
                        if seen.contains(row[0]) { updates[kind, default: 0] += 1 }
                        brought.insert(row[0])
                    }
                }
                seen.formUnion(brought)
            case .revise(let files, _):
                for f in files { corrections += try MonthlySample.rows(f).filter { seen.contains($0[0]) }.count }
            case .retract(let file, _):
                let month = replay.steps.compactMap { s -> String? in
                    if case .ingest(let fs) = s { return fs.first { $0.hasSuffix("/" + file) } } else { return nil }
                }
                retracted += try MonthlySample.rows(try #require(month.first)).count
            }
        }
        #expect(corrections > 0 && retracted > 0 && updates.count == 3)

        let status = try json(try tallyOK(["status", "--db", replay.db, "--format", "json"]))
        #expect(status["updated"] as? Int == updates.values.reduce(0, +))
        #expect(status["corrected"] as? Int == corrections)
        #expect(status["retracted"] as? Int == retracted)
        #expect(status["quarantined"] as? Int == 0)
        #expect(status["duplicates"] as? Int == 0)
        #expect(status["files_loaded"] as? Int == replay.steps.reduce(0) { n, s in
            switch s { case .ingest(let f), .revise(let f, _): return n + f.count; case .retract: return n }
        })
        for kind in ["arrests", "victims", "takedowns"] {
            #expect(try sqlite3(replay.db, "SELECT count(*) FROM \(kind)_history WHERE superseded_as = 'update'") == "\(updates[kind] ?? 0)", "\(kind)")
        }
        #expect(try sqlite3(replay.db, "SELECT count(*) FROM arrests_history WHERE superseded_as = 'correction'") == "\(corrections)")
        #expect(try sqlite3(replay.db, "SELECT count(*) FROM victims_history WHERE superseded_as = 'retraction'") == "\(retracted)")
        #expect(try sqlite3(replay.db, "SELECT count(*) FROM batches") == "\(replay.steps.count)")

        // The generator's own plan, as it reports it.
        let dir = TempDir()
        let gen = try run(builtProgram("tally-sample"), ["--out", dir.path("")])
        #expect(gen.status == 0, "\(gen.stderr)")
        func planned(_ what: String) -> Int? {
            gen.stdout.split(separator: "\n").first { $0.contains(what + ":") }.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        }
        #expect(planned("takedowns resolved in a later export") == updates["takedowns"])
        #expect(planned("victims completed in a later export") == updates["victims"])
        #expect(planned("arrests completed in a later export") == updates["arrests"])
        #expect(planned("arrests corrected") == corrections)
        #expect(planned("victims in the retracted test file") == retracted)
    }

    @Test func historyExportIsEveryVersionInTheStore() throws {
        let replay = try MonthlySample.replay()
        for (kind, key, date, period, first, last) in [
            ("victims", "victim_id", "contacted_on", "2024-06", "2024-06-01", "2024-06-30"),
            ("arrests", "arrest_id", "arrested_on", "2024", "2024-01-01", "2024-12-31"),
        ] {
            let doc = try json(try tallyOK(["export", "--db", replay.db, "--kind", kind, "--period", period, "--history", "--format", "json"]))
            let versions = try #require(doc["versions"] as? [[String: Any]])
            func text(_ v: Any?) -> String { v.map { $0 is NSNull ? "" : "\($0)" } ?? "" }
            let got = versions.map { v in
                [key, "valid_from", "change", "changed_fields", "reason", "superseded_in", "superseded_as", "superseded_reason"]
                    .map { text(v[$0]) }.joined(separator: "|")
            }.sorted()
            // The same from the store's tables with sqlite3: current versions and history, with
            // the reasons of their batches, of every key with a version in the period.
            let expected = try sqlite3(replay.db, """
                WITH v AS (
                  SELECT \(key) AS k, \(date) AS d, coalesce(valid_from, (SELECT batch_id FROM files WHERE id = file_id)) AS vf,
                         change, changed_fields AS cf, NULL AS si, NULL AS sa FROM \(kind)
                  UNION ALL
                  SELECT \(key), \(date), valid_from, change, changed_fields, superseded_in, superseded_as FROM \(kind)_history)
                SELECT k || '|' || vf || '|' || change || '|' || coalesce(cf, '') || '|' || coalesce(b1.reason, '') || '|'
                       || coalesce(si, '') || '|' || coalesce(sa, '') || '|' || coalesce(b2.reason, '')
                FROM v LEFT JOIN batches b1 ON b1.id = vf LEFT JOIN batches b2 ON b2.id = si
                WHERE k IN (SELECT k FROM v WHERE d BETWEEN '\(first)' AND '\(last)')
                """).split(separator: "\n").map(String.init).sorted()
            #expect(got.count > 100)
            #expect(got == expected, "\(kind) \(period)")
            // Each key's versions in order: numbered 1…n, each superseded by the batch of the next.
            var byKey: [String: [[String: Any]]] = [:]
            for v in versions { byKey[text(v[key]), default: []].append(v) }
            var chained = 0
            for (k, vs) in byKey {
                #expect(vs.map { $0["version"] as? Int } == Array(1...vs.count).map(Optional.some), "\(k)")
                for (a, b) in zip(vs, vs.dropFirst()) {
                    #expect(text(a["superseded_in"]) == text(b["valid_from"]), "\(k)")
                    #expect(text(a["superseded_as"]) == text(b["change"]), "\(k)")
                    chained += 1
                }
                #expect(vs.dropLast().allSatisfy { !text($0["superseded_in"]).isEmpty }, "\(k)")
            }
            #expect(chained > 0)
            // CSV: the same versions, one row each, with the documented columns.
            let csv = try tallyOK(["export", "--db", replay.db, "--kind", kind, "--period", period, "--history"])
            let lines = csv.split(separator: "\n")
            let columns = try #require(doc["columns"] as? [[String: Any]]).map { $0["name"] as! String }
            #expect(lines.first.map(String.init) == columns.joined(separator: ","))
            #expect(lines.count == versions.count + 1)
        }
        // The retracted test victims are in June's history, withdrawn by the retraction.
        let june = try tallyOK(["export", "--db", replay.db, "--kind", "victims", "--period", "2024-06", "--history"])
        let test = june.split(separator: "\n").filter { $0.hasPrefix("V24-T") }
        #expect(!test.isEmpty && test.allSatisfy { $0.contains(",retraction,") })
    }

    @Test func historyExportRefusesWhatItCannotDo() throws {
        let replay = try MonthlySample.replay()
        let dir = TempDir()
        for (extra, says) in [(["--format", "sqlite", "--out", dir.path("x.sqlite")], "--history writes csv or json"),
                              (["--vintage", "3"], "it takes no --vintage")] {
            let r = try run(tallyBinary, ["export", "--db", replay.db, "--kind", "victims", "--period", "2024-06", "--history"] + extra)
            #expect(r.status == 64 && r.stderr.split(separator: "\n").first?.contains(says) == true, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("x.sqlite")))
        }
    }

    /// `export --vintage N` of the full replay equals the export of a store that received only
    /// the first N batches, in every format.
    @Test func vintageExportsEqualAReplayOfTheFirstBatches() throws {
        let replay = try MonthlySample.replay()
        let dir = TempDir()
        let partial = dir.path("partial.sqlite")
        var checked = 0
        for (i, step) in replay.steps.enumerated() {
            try MonthlySample.apply(step, to: partial)
            let n = i + 1
            for kind in ["arrests", "victims", "takedowns"] {
                for format in ["csv", "json"] where format == "csv" || kind != "takedowns" || n % 4 == 0 {
                    let old = try tallyOK(["export", "--db", replay.db, "--kind", kind, "--period", "2024", "--format", format, "--vintage", "\(n)"])
                    let now = try tallyOK(["export", "--db", partial, "--kind", kind, "--period", "2024", "--format", format])
                    #expect(old == now, "\(kind) \(format) at vintage \(n)")
                    checked += 1
                }
            }
            if n % 3 == 0 || n == replay.steps.count {
                let a = dir.path("old-\(n).sqlite"), b = dir.path("now-\(n).sqlite")
                _ = try tallyOK(["export", "--db", replay.db, "--period", "2024", "--format", "sqlite", "--out", a, "--vintage", "\(n)"])
                _ = try tallyOK(["export", "--db", partial, "--period", "2024", "--format", "sqlite", "--out", b])
                for table in ["arrests", "victims", "takedowns", "sources"] {
                    let q = "SELECT * FROM \(table) ORDER BY 1, 2"
                    #expect(try sqlite3(a, q) == (try sqlite3(b, q)), "\(table) at vintage \(n)")
                }
                #expect(try sqlite3(a, "SELECT value FROM about WHERE key = 'vintage_batch'") == "\(n)")
            }
        }
        #expect(checked >= replay.steps.count * 3)
        // A vintage before the retraction has the test victims; the latest has none.
        let retraction = try #require(replay.steps.firstIndex { if case .retract = $0 { return true } else { return false } })
        let before = try tallyOK(["export", "--db", replay.db, "--kind", "victims", "--period", "2024-06", "--vintage", "\(retraction)"])
        let after = try tallyOK(["export", "--db", replay.db, "--kind", "victims", "--period", "2024-06"])
        #expect(before.contains("\nV24-T") && !after.contains("V24-T"))
    }
}
