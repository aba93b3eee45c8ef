import Foundation
import Testing
import TallyCore
import TallyTestSupport
import TallyStore
import TallyTables
@testable import TallyMetrics

@Suite struct PlatformRegistryFileTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func parse(_ text: String) throws -> PlatformRegistry {
        try PlatformRegistry.parse(YAMLDocument(file: "p.yaml", text: text))
    }

    func message(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }

    /// The shipped registry loads, and every platform name of the sample is a canonical name
    /// of it (so the sample's figures keep their names), read from the CSV independently.
    @Test func theShippedRegistryCoversTheSample() throws {
        let registry = try PlatformRegistry.load(root.appendingPathComponent("Data/platforms.yaml").path)
        let csv = try String(contentsOfFile: root.appendingPathComponent("Data/sample/takedowns-2024.csv").path, encoding: .utf8)
        let names = Set(csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[1]) })
        #expect(names.count == 12)
        for name in names { #expect(registry.canonical(for: name) == name, "\(name)") }
        for (alias, canonical) in [("네이버", "Naver"), ("카카오", "Kakao"), ("트위터", "X"), ("X(구 트위터)", "X"), ("Twitter", "X"),
                                   ("텔레그램", "Telegram"), ("유튜브", "YouTube"), ("인스타그램", "Instagram"), ("디스코드", "Discord"),
                                   ("페이스북", "Facebook"), ("틱톡", "TikTok"), ("다음", "Daum")] {
            #expect(registry.canonical(for: alias) == canonical, "\(alias)")
        }
    }

    @Test func errorsNameTheFileTheKeyAndTheValue() {
        #expect(message("platforms:\n  - name: X\n    origin: abroad\n")
                == "p.yaml: key 'platforms[1].origin': expected domestic or overseas, not 'abroad'")
        #expect(message("platforms:\n  - name: X\n    origin: overseas\n    alias: [Twitter]\n")
                == "p.yaml: unknown key 'platforms[1].alias'; expected one of: name, aliases, origin")
        #expect(message("platform: []\n") == "p.yaml: unknown key 'platform'; expected one of: note, platforms")
        #expect(message("platforms:\n  - origin: overseas\n") == "p.yaml: missing key 'platforms[1].name' (the canonical name)")
        #expect(message("platforms:\n  - name: X\n    aliases: [Twitter]\n    origin: overseas\n"
                        + "  - name: Twitter Inc\n    aliases: ['TWITTER ']\n    origin: overseas\n")
                == "p.yaml: key 'platforms[2]': the name 'TWITTER ' is claimed by both 'X' (platforms[1]) and 'Twitter Inc' "
                + "(names are compared after normalisation: case, spaces, invisible characters)")
        #expect(message("platforms:\n  - name: X\n    aliases: {a: b}\n    origin: overseas\n")
                == "p.yaml: key 'platforms[1].aliases': expected a list of texts")
        #expect(message("note: x\n") == "p.yaml: missing key 'platforms' (a list of platforms, each with name, aliases and origin)")
    }

    /// Six requests under six spellings of two platforms count as two platforms. Expected
    /// counts worked by hand at 2024-08-10 12:00 Seoul (deadline 24 h):
    /// Naver: A1 within (10 h), A2 late (48 h), A3 pending past its deadline → 3 due, 1 within.
    /// X: A4 within (1 h), A5 refused, A6 within (23 h) → 3 due, 2 within, 1 refused.
    @Test func aliasesCountAsOnePlatform() throws {
        let box = Sandbox()
        let path = box.write("t.csv", """
        \(takedownHeader)
        A1,네이버,domestic,image,regulator,ai,2024-08-01T10:00:00+09:00,2024-08-01T20:00:00+09:00,removed
        A2,NAVER,domestic,image,regulator,ai,2024-08-01T10:00:00+09:00,2024-08-03T10:00:00+09:00,removed
        A3,Na\u{200B}ver,domestic,image,regulator,ai,2024-08-01T10:00:00+09:00,,pending
        A4,X(구 트위터),overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,2024-08-02T11:00:00+09:00,removed
        A5,트위터,overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,2024-08-02T12:00:00+09:00,refused
        A6,twitter,overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,2024-08-03T09:00:00+09:00,removed

        """)
        let store = try box.store()
        var options = IngestOptions()
        options.platforms = try PlatformRegistry.load(root.appendingPathComponent("Data/platforms.yaml").path)
        #expect(try store.ingest([path], options: options).files[0].loaded == 6)
        let tables = RecordTables(arrests: try store.table(.arrests).table, victims: try store.table(.victims).table,
                                  takedowns: try store.table(.takedowns).table)
        let asOf = Int64(CivilDate.days(year: 2024, month: 8, day: 10)) * 86_400_000_000 + 3 * 3_600_000_000
        let r = try StatsReport(tables: tables, period: try Period.parse("2024-08"), asOf: asOf, settings: Settings(), fines: nil)
        #expect(r.platforms.map(\.platform).sorted() == ["Naver", "X"])
        let naver = try #require(r.platforms.first { $0.platform == "Naver" })
        let nc: [Int] = [naver.counts.requests, naver.counts.due, naver.counts.within, naver.counts.late]
        #expect(nc == [3, 3, 1, 1])
        let x = try #require(r.platforms.first { $0.platform == "X" })
        let xc: [Int] = [x.counts.requests, x.counts.due, x.counts.within, x.counts.refused]
        #expect(xc == [3, 3, 2, 1])
    }
}
