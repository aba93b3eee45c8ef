import Foundation
import Testing

/// `tally figures`: the catalogue as printed, the README's copy of it, and the SQL a
/// journalist prints, run through the sqlite3 program and compared with `tally stats`.
@Suite(.serialized) struct FiguresCLITests {
    final class Loaded: @unchecked Sendable {
        let dir = TempDir()
        let db: String
        init() throws {
            db = dir.path("t.sqlite")
            let files = ["arrests", "victims", "takedowns"].map { packageRoot.appendingPathComponent("Data/sample/\($0)-2024.csv").path }
            let r = try run(tallyBinary, ["ingest", "--db", db] + files)
            precondition(r.status == 0, r.stderr)
        }
    }
    /// Built once, by the first test that asks (a static `let` is initialised exactly once,
    /// even when tests run in parallel).
    nonisolated(unsafe) static let shared = Result { try Loaded() }
    static func loaded() throws -> Loaded { try shared.get() }

    /// `tally stats --format json` as id → value, platform columns as `platforms.NAME.COLUMN`.
    static func stats(_ db: String, _ period: String) throws -> [String: Any] {
        let r = try run(tallyBinary, ["stats", "--db", db, "--period", period, "--format", "json", "--no-suppress"], cwd: packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        let top = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        var out = top["metrics"] as! [String: Any]
        for row in top["platforms"] as! [[String: Any]] {
            let name = row["platform"] as! String
            for (k, v) in row where k != "platform" { out["platforms.\(name).\(k)"] = v }
        }
        return out
    }

    @Test(arguments: ["2024-08", "2024-Q1", "2024-02-10..2024-03-20"])
    func printedSQLRunsInSQLite3AndGivesTheFigures(period: String) throws {
        let l = try Self.loaded()
        let published = try Self.stats(l.db, period)
        let queries = ["victims.counts", "victims.by_channel", "victims.by_service", "victims.by_region", "victims.by_age_band",
                       "arrests.counts", "arrests.proceeds", "arrests.by_offense", "arrests.by_agency", "takedowns.counts",
                       "takedowns.hours", "platforms.counts", "platforms.hours"]
        var compared = 0
        for q in queries {
            let r = try run(tallyBinary, ["figures", "--sql", q, "--period", period, "--db", l.db], cwd: packageRoot)
            #expect(r.status == 0, "\(q): \(r.stderr)")
            #expect(r.stdout.contains(".parameter set :first_day"))
            let file = l.dir.path("\(q).sql")
            try r.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let rows = try run("/usr/bin/sqlite3", ["-batch", "-noheader", "-list", l.db, ".read \(file)"])
            #expect(rows.status == 0, "\(q): \(rows.stderr)")
            let lines = rows.stdout.split(separator: "\n").map(String.init)
            #expect(!lines.isEmpty, "\(q) returned no rows")
            for line in lines {
                guard let bar = line.firstIndex(of: "|") else { Issue.record("\(q): not id|value: \(line)"); continue }
                let id = String(line[..<bar]), value = String(line[line.index(after: bar)...])
                guard let p = published[id] else { Issue.record("\(q): \(id) is not in tally stats"); continue }
                compared += 1
                if value.isEmpty { #expect(p is NSNull, "\(id): sqlite3 null, stats \(p)"); continue }
                let x = Double(value)!, y = (p as? NSNumber)?.doubleValue ?? .nan
                // sqlite3 prints 15 significant digits.
                #expect(x == y || abs(x - y) <= 1e-12 * max(abs(x), abs(y)), "\(id): sqlite3 \(value), stats \(p)")
            }
        }
        #expect(compared > 80)
    }

    @Test func catalogueListsAndReadmeCarriesIt() throws {
        let text = try tally("figures")
        #expect(text.status == 0)
        for id in ["victims.total", "victims.by_channel.<channel>", "takedowns.p90_hours", "platforms.<platform>.rank"] {
            #expect(text.stdout.contains(id))
        }
        let ko = try tally("figures", "--lang", "ko")
        #expect(ko.stdout.contains("상담일(contacted_on)이 기간 안인 피해자 수"))
        let json = try tally("figures", "--format", "json")
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(entries.count > 40)
        #expect(entries.first { $0["id"] as? String == "takedowns.requests" }?["comparisons"] as? [String] == ["prev", "change_pct", "ytd"])

        // README.md's table is this output: regenerate it with Scripts/figure-catalogue.sh.
        let markdown = try tally("figures", "--format", "markdown").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let a = readme.range(of: "<!-- figure-catalogue:begin -->\n"), let b = readme.range(of: "\n<!-- figure-catalogue:end -->") else {
            Issue.record("README.md has no figure-catalogue markers"); return
        }
        #expect(String(readme[a.upperBound..<b.lowerBound]) == markdown,
                "README.md's figure catalogue has drifted: run Scripts/figure-catalogue.sh")
    }

    @Test func badIdAndMissingPeriodAreOneLine() throws {
        let l = try Self.loaded()
        let r = try run(tallyBinary, ["figures", "--sql", "victims.totals", "--period", "2024-08", "--db", l.db])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a figure id, family or query"))
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let p = try run(tallyBinary, ["figures", "--sql", "victims.total", "--db", l.db])
        #expect(p.status != 0 && p.stderr.contains("--sql needs --period"))
    }

    /// Every id `tally stats --format csv` prints is in the catalogue.
    @Test func statsCSVIdsAreCatalogued() throws {
        let l = try Self.loaded()
        let csv = try run(tallyBinary, ["stats", "--db", l.db, "--period", "2024-08", "--format", "csv"], cwd: packageRoot)
        #expect(csv.status == 0)
        let catalogue = try JSONSerialization.jsonObject(with: Data(try tally("figures", "--format", "json").stdout.utf8)) as! [[String: Any]]
        let patterns = catalogue.map { $0["id"] as! String }
        func known(_ id: String) -> Bool {
            var base = id
            for s in [".prev", ".change_pct", ".ytd"] where base.hasSuffix(s) { base = String(base.dropLast(s.count)) }
            return patterns.contains { p in
                guard let open = p.firstIndex(of: "<"), let close = p.firstIndex(of: ">") else { return p == base }
                let pre = p[..<open], post = p[p.index(after: close)...]
                return base.hasPrefix(pre) && base.hasSuffix(post) && base.count > pre.count + post.count
            }
        }
        var n = 0
        for line in csv.stdout.split(separator: "\n").dropFirst() {
            let id = String(line.prefix { $0 != "," })
            if ["period", "as_of", "time_zone", "vintage_batch", "vintage_finished_at"].contains(id) || id.hasPrefix("not_computable.") { continue }
            n += 1
            #expect(known(id), "stats CSV id \(id) is not in the figure catalogue")
        }
        #expect(n > 100)
    }
}
