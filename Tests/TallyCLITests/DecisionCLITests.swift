import Foundation
import Testing

/// `tally ingest`, `stats` and `rank --kind decisions` on the real DSA fixtures, through the
/// built binary. The expected ranking is worked by hand from the fixtures (2024-03, at least
/// 10 decisions: Pinterest's median disclosure delay 1.6 minutes, TikTok's 24.1 hours, Google
/// Shopping's 168 hours; AliExpress with 6 and Snapchat with 2 not ranked).
@Suite struct DecisionCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TallyStoreTests/Fixtures/dsa")

    @Test func ingestStatsAndRankDecisions() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".csv") }.sorted()
            .map { Self.fixtures.appendingPathComponent($0).path }
        let ingest = try run(tallyBinary, ["ingest", "--db", db] + files)
        #expect(ingest.status == 0)
        #expect(ingest.stdout.contains("decisions"))
        let rank = try tally("rank", "--kind", "decisions", "--period", "2024-03", "--min-decisions", "10", "--format", "csv", "--db", db)
        #expect(rank.status == 0)
        let lines = rank.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(3).joined(separator: ",") }
        #expect(lines == ["rank,platform,total", "1,Pinterest,13", "2,TikTok,48", "3,Google Shopping,42", ",AliExpress,6", ",Snapchat,2"])
        let stats = try tally("stats", "--period", "2024-03", "--format", "json", "--db", db)
        #expect(stats.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        let metrics = json?["metrics"] as? [String: Any]
        #expect((metrics?["decisions.total"] as? NSNumber)?.intValue == 111)
        #expect((json?["decision_platforms"] as? [Any])?.count == 5)
        // Every id of the stats CSV (decisions.*, decision_platforms.NAME.COLUMN) is in `tally figures`.
        let csv = try tally("stats", "--period", "2024-03", "--format", "csv", "--db", db)
        #expect(csv.status == 0)
        let catalogue = try JSONSerialization.jsonObject(with: Data(try tally("figures", "--format", "json").stdout.utf8)) as! [[String: Any]]
        let patterns = catalogue.map { $0["id"] as! String }
        #expect(patterns.contains("decision_platforms.<platform>.rank") && patterns.contains("decisions.by_category.<category>"))
        var ids = 0
        for line in csv.stdout.split(separator: "\n").dropFirst() {
            var id = String(line.prefix { $0 != "," })
            guard id.hasPrefix("decision") else { continue }
            if id.hasPrefix("\"") { id = String(id.dropFirst()) }
            for s in [".prev", ".change_pct", ".ytd"] where id.hasSuffix(s) { id = String(id.dropLast(s.count)) }
            ids += 1
            let known = patterns.contains { p in
                guard let open = p.firstIndex(of: "<"), let close = p.firstIndex(of: ">") else { return p == id }
                let pre = p[..<open], post = p[p.index(after: close)...]
                return id.hasPrefix(pre) && id.hasSuffix(post) && id.count > pre.count + post.count
            }
            #expect(known, "stats CSV id \(id) is not in the figure catalogue")
        }
        // 24 counts (total, 20 categories of v1 and v2, 2 grounds, sexual abuse) with 3 comparisons each,
        // 3 shares and 4 delays, 5 platforms × 10 columns.
        #expect(ids == 4 * 24 + 7 + 5 * 10)
        // The SQL `tally figures --sql` prints for each decisions query, run by the sqlite3
        // program, gives the figures of `tally stats` (and the platforms' columns of its JSON).
        var published = metrics ?? [:]
        for row in json?["decision_platforms"] as? [[String: Any]] ?? [] {
            for (k, v) in row where k != "platform" { published["decision_platforms.\(row["platform"] as! String).\(k)"] = v }
        }
        var compared = 0
        for q in ["decisions.counts", "decisions.by_category", "decisions.delays", "decision_platforms.counts", "decision_platforms.delays"] {
            let sql = try tally("figures", "--sql", q, "--period", "2024-03", "--db", db)
            #expect(sql.status == 0, "\(q): \(sql.stderr)")
            let file = dir.path("\(q).sql")
            try sql.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let rows = try run("/usr/bin/sqlite3", ["-batch", "-noheader", "-list", db, ".read \(file)"])
            #expect(rows.status == 0, "\(q): \(rows.stderr)")
            for line in rows.stdout.split(separator: "\n") {
                guard let bar = line.firstIndex(of: "|") else { Issue.record("\(q): not id|value: \(line)"); continue }
                let id = String(line[..<bar]), value = String(line[line.index(after: bar)...])
                guard let p = published[id] else { Issue.record("\(q): \(id) is not in tally stats"); continue }
                compared += 1
                if value.isEmpty { #expect(p is NSNull, "\(id): sqlite3 null, stats \(p)"); continue }
                let x = Double(value)!, y = (p as! NSNumber).doubleValue
                // sqlite3 prints 15 significant digits.
                #expect(x == y || abs(x - y) <= 1e-12 * max(abs(x), abs(y)), "\(id): sqlite3 \(value), stats \(p)")
            }
        }
        #expect(compared == 7 + 20 + 4 + 5 * 5 + 5 * 4)   // counts and shares, categories, delays, platforms' columns
        let none = try tally("rank", "--kind", "decisions", "--period", "2024-03", "--db", dir.path("empty.sqlite"))
        #expect(none.status != 0)
        #expect(!none.stderr.contains("Fatal error"))
    }
}
