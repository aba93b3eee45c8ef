import TallyTestSupport
import Foundation
import Testing
import TallyCore
@testable import TallyStore
@testable import TallyTables
import TallyEngine

@Suite struct PlatformNameTests {
    static func registry(naver: String = "Naver") throws -> PlatformRegistry {
        try PlatformRegistry([
            .init(name: naver, aliases: ["네이버"] + (naver == "Naver" ? [] : ["Naver"]), origin: "domestic"),
            .init(name: "X", aliases: ["트위터", "Twitter", "X(구 트위터)"], origin: "overseas"),
            .init(name: "Telegram", aliases: ["텔레그램"], origin: "overseas"),
        ])
    }

    static func options(_ registry: PlatformRegistry?, strict: Bool = false) -> IngestOptions {
        var o = IngestOptions()
        o.platforms = registry
        o.strictPlatforms = strict
        return o
    }

    static func row(_ id: String, _ platform: String) -> String {
        "\(id),\(platform),,image,regulator,ai,2024-08-01T10:00:00+09:00,,pending"
    }

    @Test func canonicalNameStoredAndTheSpellingKept() throws {
        let box = Sandbox()
        let path = box.write("t.csv", ([takedownHeader] + [Self.row("A1", "네이버"), Self.row("A2", "NAVER"), Self.row("A3", "Na\u{200B}ver"),
                                                           Self.row("A4", "X(구 트위터)"), Self.row("A5", "Weverse")]).joined(separator: "\n"))
        let store = try box.store()
        let report = try store.ingest([path], options: Self.options(try Self.registry()))
        #expect(report.files[0].loaded == 5)
        #expect(try box.rows(store, "SELECT request_id, platform, platform_text FROM takedowns ORDER BY request_id")
                == [["A1", "Naver", "네이버"], ["A2", "Naver", "NAVER"], ["A3", "Naver", "Na\u{200B}ver"],
                    ["A4", "X", "X(구 트위터)"], ["A5", "Weverse", "Weverse"]])
        #expect(report.files[0].unregisteredPlatforms == [UnregisteredPlatform(name: "Weverse", rows: 1, resembles: [])])
    }

    @Test func withoutARegistryNamesLoadAsWritten() throws {
        let box = Sandbox()
        let path = box.write("t.csv", [takedownHeader, Self.row("A1", "네이버"), Self.row("A2", "NAVER")].joined(separator: "\n"))
        let store = try box.store()
        let report = try store.ingest([path])
        #expect(report.files[0].unregisteredPlatforms.isEmpty)
        #expect(try box.rows(store, "SELECT platform, platform_text FROM takedowns ORDER BY request_id") == [["네이버", "네이버"], ["NAVER", "NAVER"]])
    }

    @Test func aLookAlikeIsReportedAsUnregisteredResemblingTheRegisteredName() throws {
        let box = Sandbox()
        let fake = "Telegr\u{0430}m"  // Cyrillic а
        let path = box.write("t.csv", [takedownHeader, Self.row("A1", fake), Self.row("A2", fake), Self.row("A3", "Telegram")]
            .joined(separator: "\n"))
        let store = try box.store()
        let report = try store.ingest([path], options: Self.options(try Self.registry()))
        #expect(report.files[0].loaded == 3)
        #expect(report.files[0].unregisteredPlatforms == [UnregisteredPlatform(name: fake, rows: 2, resembles: ["Telegram"])])
        #expect(report.files[0].unregisteredPlatforms[0].text == "'Telegr\\u{430}m' (2 rows; resembles Telegram)")
        // Loaded as written: two platforms, by an independent count.
        #expect(try box.rows(store, "SELECT platform, count(*) FROM takedowns GROUP BY platform ORDER BY platform")
                == [["Telegram", "1"], [fake, "2"]])
        #expect(try store.unregisteredPlatforms(try Self.registry()) == [UnregisteredPlatform(name: fake, rows: 2, resembles: ["Telegram"])])
    }

    @Test func strictPlatformsQuarantinesTheUnregistered() throws {
        let box = Sandbox()
        let fake = "Telegr\u{0430}m"
        let path = box.write("t.csv", [takedownHeader, Self.row("A1", fake), Self.row("A2", "텔레그램"), Self.row("A3", "Weverse")]
            .joined(separator: "\n"))
        let store = try box.store()
        let report = try store.ingest([path], options: Self.options(try Self.registry(), strict: true))
        #expect(report.files[0].loaded == 1 && report.files[0].quarantined == 2)
        let q = try store.quarantined()
        #expect(q.map(\.line) == [2, 4])
        #expect(q.map { $0.column ?? "-" } == ["platform", "platform"])
        #expect(q[0].value == fake)
        #expect(q[0].reason == "platform 'Telegr\\u{430}m' is not in the platform registry; it resembles Telegram "
                + "(--strict-platforms; add it as an alias in the registry, or correct the file)")
        #expect(q[1].reason.hasPrefix("platform 'Weverse' is not in the platform registry (--strict"))
        #expect(try box.rows(store, "SELECT request_id, platform FROM takedowns") == [["A2", "Telegram"]])
    }

    /// The same record under another spelling of its platform is a duplicate, not a conflict.
    @Test func anotherSpellingOfTheSamePlatformIsADuplicate() throws {
        let box = Sandbox()
        let store = try box.store()
        let o = Self.options(try Self.registry())
        _ = try store.ingest([box.write("a.csv", [takedownHeader, Self.row("A1", "네이버")].joined(separator: "\n"))], options: o)
        let r = try store.ingest([box.write("b.csv", [takedownHeader, Self.row("A1", "naver ")].joined(separator: "\n"))], options: o)
        #expect(r.files[0].duplicates == 1 && r.files[0].quarantined == 0)
        #expect(try box.rows(store, "SELECT platform, platform_text FROM takedowns") == [["Naver", "네이버"]])
    }

    /// A registry with another mapping re-maps loaded records in a batch of its own; the
    /// vintage before it keeps the old names; the same registry again changes nothing.
    @Test func aChangedRegistryRemapsInABatchAndOlderVintagesKeepTheirNames() throws {
        let box = Sandbox()
        let store = try box.store()
        let path = box.write("t.csv", [takedownHeader, Self.row("A1", "네이버"), Self.row("A2", "Naver"), Self.row("A3", "트위터")]
            .joined(separator: "\n"))
        let first = try store.ingest([path], options: Self.options(try Self.registry()))
        #expect(first.batch == 1 && first.platformRemap == nil)
        let renamed = try Self.registry(naver: "NAVER Corp")
        let second = try store.ingest([], options: Self.options(renamed))
        #expect(second.platformRemap == PlatformRemap(batch: 2, records: 2, fingerprint: renamed.fingerprint))
        #expect(try box.rows(store, "SELECT request_id, platform, platform_text, change, changed_fields, valid_from FROM takedowns ORDER BY request_id")
                == [["A1", "NAVER Corp", "네이버", "correction", "platform", "2"], ["A2", "NAVER Corp", "Naver", "correction", "platform", "2"],
                    ["A3", "X", "트위터", "new", "NULL", "NULL"]])
        #expect(try box.rows(store, "SELECT request_id, platform, valid_from, superseded_in, superseded_as FROM takedowns_history ORDER BY request_id")
                == [["A1", "Naver", "1", "2", "correction"], ["A2", "Naver", "1", "2", "correction"]])
        let before = try store.table(.takedowns, useCache: false, vintage: 1).table
        let now = try store.table(.takedowns, useCache: false, vintage: nil).table
        func names(_ t: Table) -> [String] {
            let c = t["platform"]
            return (0..<t.rowCount).compactMap { if case .string(let s) = c.value($0) { return s }; return nil }.sorted()
        }
        #expect(names(before) == ["Naver", "Naver", "X"])
        #expect(names(now) == ["NAVER Corp", "NAVER Corp", "X"])
        #expect(try store.ingest([], options: Self.options(renamed)).platformRemap == nil)
        #expect(try box.rows(store, "SELECT count(*) FROM batches") == [["2"]])
        #expect(try box.rows(store, "SELECT fingerprint, batch_id, remapped FROM platform_registries ORDER BY id")
                == [[try Self.registry().fingerprint, "NULL", "0"], [renamed.fingerprint, "2", "2"]])
    }

    /// A version moved into the history (by an update, a retraction) and restored keeps the
    /// spelling it was loaded with.
    @Test func theSpellingTravelsWithItsVersion() throws {
        let box = Sandbox()
        let store = try box.store()
        let o = Self.options(try Self.registry())
        _ = try store.ingest([box.write("a.csv", [takedownHeader, Self.row("A1", "트위터")].joined(separator: "\n"))], options: o)
        // An update (the pending request resolved) under another spelling.
        let resolved = "A1,Twitter,,image,regulator,ai,2024-08-01T10:00:00+09:00,2024-08-01T12:00:00+09:00,removed"
        let u = try store.ingest([box.write("b.csv", [takedownHeader, resolved].joined(separator: "\n"))], options: o)
        #expect(u.files[0].updated == 1)
        #expect(try box.rows(store, "SELECT platform, platform_text, outcome FROM takedowns") == [["X", "Twitter", "removed"]])
        #expect(try box.rows(store, "SELECT platform, platform_text, outcome FROM takedowns_history") == [["X", "트위터", "pending"]])
        _ = try store.retract(file: "b.csv", reason: "sent by mistake")
        #expect(try box.rows(store, "SELECT platform, platform_text, outcome, change FROM takedowns") == [["X", "트위터", "pending", "restored"]])
        #expect(try box.rows(store, "SELECT platform_text, superseded_as FROM takedowns_history ORDER BY superseded_in")
                == [["트위터", "update"], ["Twitter", "retraction"]])
    }

    /// A retraction that restores a version named under an earlier registry: the next load
    /// with the registry re-maps it.
    @Test func aVersionRestoredUnderAnOlderRegistryIsRemappedByTheNextLoad() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("a.csv", [takedownHeader, Self.row("A1", "네이버")].joined(separator: "\n"))],
                             options: Self.options(try Self.registry()))
        let resolved = "A1,네이버,,image,regulator,ai,2024-08-01T10:00:00+09:00,2024-08-01T12:00:00+09:00,removed"
        _ = try store.ingest([box.write("b.csv", [takedownHeader, resolved].joined(separator: "\n"))], options: Self.options(try Self.registry()))
        let renamed = try Self.registry(naver: "NAVER Corp")
        #expect(try store.ingest([], options: Self.options(renamed)).platformRemap?.records == 1)
        _ = try store.retract(file: "b.csv", reason: "sent by mistake")
        // The version of a.csv is back, with the name it had then.
        #expect(try box.rows(store, "SELECT platform, outcome, change FROM takedowns") == [["Naver", "pending", "restored"]])
        let again = try store.ingest([], options: Self.options(renamed))
        #expect(again.platformRemap == PlatformRemap(batch: 5, records: 1, fingerprint: renamed.fingerprint))
        #expect(try box.rows(store, "SELECT platform, platform_text, outcome, valid_from FROM takedowns") == [["NAVER Corp", "네이버", "pending", "5"]])
        #expect(try store.ingest([], options: Self.options(renamed)).platformRemap == nil)
    }
}
