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
        let none = try tally("rank", "--kind", "decisions", "--period", "2024-03", "--db", dir.path("empty.sqlite"))
        #expect(none.status != 0)
        #expect(!none.stderr.contains("Fatal error"))
    }
}
