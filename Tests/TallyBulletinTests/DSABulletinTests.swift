import Foundation
import Testing
import TallyCore
import TallyStore
import TallyTables
import TallyTestSupport
@testable import TallyMetrics
@testable import TallyBulletin
import TallyPublication

/// The regulator's DSA bulletin (`Charts/dsa-bulletin.yaml`) on a store loaded from the real
/// DSA fixtures, March 2024: written in English and Korean (PDF and HTML), verified from the
/// figure SQL, its text holding the citation, licence and the figures worked by hand from the
/// fixtures (DecisionFigureTests.marchByHand, python3), every manifest id catalogued.
@Suite(.serialized) struct DSABulletinTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func dsaBulletinWrittenVerifiedAndCited() throws {
        let box = Sandbox()
        let store = try box.store()
        let dsa = Self.root.appendingPathComponent("Tests/TallyStoreTests/Fixtures/dsa")
        _ = try store.ingest(["00000-00000", "00000-00001", "00001-00001"].map { dsa.appendingPathComponent("sor-global-2024-03-14-full-\($0).csv").path })
        let tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table,
                                  decisions: try store.table(.decisions, useCache: false).table)
        let settings = try Settings.load(Self.root.appendingPathComponent("Data/settings.yaml").path)
        let spec = try BulletinSpec.load(Self.root.appendingPathComponent("Charts/dsa-bulletin.yaml").path)
        let out = box.dir.path + "/out"
        var results: [Language: BulletinResult] = [:]
        for lang in [Language.en, .ko] {
            var input = BulletinInput(tables: tables, period: try Period.parse("2024-03"), asOf: nil, settings: settings, fines: nil,
                                      provenance: try store.provenance(), spec: spec, lang: lang, outDir: out, sourceDateEpoch: 1_712_000_000)
            input.vintage = try store.vintage(nil)
            input.format = .both
            results[lang] = try Bulletin.write(input)
        }

        // verify recomputes every printed figure from the catalogue's SQL, and checks the files.
        let v = try Verification.run(manifestPath: out + "/manifest.json", store: store)
        #expect(v.passed, "\(v.lines.filter { !$0.matches }.map(\.id)) \(v.fileProblems) \(v.inputNotes)")
        #expect(v.lines.count > 60)
        #expect(v.lines.contains { $0.id == "decision_platforms.Pinterest.sexual_abuse" })

        // The manifest: every id catalogued and defined; the list and min_decisions it was computed with.
        let top = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        let figures = top["figures"] as! [[String: Any]]
        let ids = figures.map { $0["id"] as! String }
        #expect(ids.filter { !FigureCatalogue.contains($0) }.isEmpty, "\(ids.filter { !FigureCatalogue.contains($0) })")
        #expect(figures.allSatisfy { ($0["definition"] as? String)?.isEmpty == false })
        for id in ["decisions.total", "decisions.total.prev", "decisions.sexual_abuse", "decisions.automated_decision_share",
                   "decisions.moderation_delay_median_days", "decisions.disclosure_delay_p90_hours", "decision_platforms.TikTok.rank"] {
            #expect(ids.contains(id), "\(id) not in the manifest")
        }
        let value = { (id: String) in figures.first { $0["id"] as? String == id }?["value"] }
        #expect((value("decisions.total") as? NSNumber)?.intValue == 111)
        #expect((value("decisions.total.prev") as? NSNumber)?.intValue == 38)
        #expect((value("decisions.sexual_abuse") as? NSNumber)?.intValue == 19)
        #expect((value("decision_platforms.Pinterest.sexual_abuse") as? NSNumber)?.intValue == 11)
        let sm = top["settings"] as! [String: Any]
        #expect((sm["min_decisions"] as? NSNumber)?.intValue == 100)
        #expect(((sm["dsa_sexual_abuse"] as? [String: Any])?["categories"] as? [String])?.contains("STATEMENT_CATEGORY_PROTECTION_OF_MINORS") == true)
        #expect((top["charts"] as! [String]).contains("charts/dsa-disclosure-delay-en.svg"))
        #expect((top["documents"] as! [[String: Any]]).count == 4)

        // The PDF's text: the citation and licence, the headline figures as printed, the sections.
        for (lang, r) in results {
            let text = try BulletinTests.tool("pdftotext", [r.pdf, "-"]).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            // pdftotext breaks the line inside the DOI: compared without spaces.
            #expect(text.replacingOccurrences(of: " ", with: "").contains("doi:10.2906/134353607485211"), "\(lang): citation")
            #expect(text.contains("CC BY 4.0") && text.contains("European Commission, DG CONNECT"), "\(lang): licence")
            for printed in ["111", "19", "87.4%", "24.1 h", "+192.1%", "36.0 d", "1283.0 d", "192.1 h"] {
                #expect(text.contains(printed), "\(lang): \(printed) missing from the PDF")
            }
            let info = try BulletinTests.tool("pdfinfo", [r.pdf])
            #expect(info.contains("Tagged:") && info.contains("yes"), "\(lang): tagged PDF")
        }
        let en = try BulletinTests.tool("pdftotext", [results[.en]!.pdf, "-"]).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for s in ["Decisions on sexual-abuse content", "Moderation and disclosure delays", "Platform league table",
                  "no time of the notice", "inverted", "Sexual-abuse decisions by platform", "Disclosure delay (log scale)"] {
            #expect(en.contains(s), "English PDF lacks \(s)")
        }
        let ko = try BulletinTests.tool("pdftotext", [results[.ko]!.pdf, "-"])
        #expect(ko.contains("플랫폼 순위") && ko.contains("보고 지연"))

        // A record changed behind the bulletin's back (one of Pinterest's decisions deleted, no
        // new batch): verify recomputes from the store and reports the decisions figures it moved.
        try store.db.execute("DELETE FROM decisions WHERE rowid = (SELECT min(rowid) FROM decisions WHERE platform_name = 'Pinterest' AND application_date >= '2024-03-01')")
        let tampered = try Verification.run(manifestPath: out + "/manifest.json", store: store)
        let differing = Set(tampered.lines.filter { !$0.matches }.map(\.id))
        #expect(!tampered.passed)
        #expect(differing.isSuperset(of: ["decisions.total", "decision_platforms.Pinterest.total"]), "\(differing.sorted())")
        #expect(!differing.contains("decision_platforms.TikTok.total"))

        // The HTML page: the log histogram's description and its data table in days.
        let html = try String(contentsOfFile: out + "/index-en.html", encoding: .utf8)
        #expect(html.contains("on a log scale"))
        #expect(html.contains("doi:10.2906/134353607485211"))
    }

    /// A DSA store's stats: no bulletin for a month without decisions (nothing written).
    @Test func monthWithoutDecisionsWritesNothing() throws {
        let box = Sandbox()
        let store = try box.store()
        let dsa = Self.root.appendingPathComponent("Tests/TallyStoreTests/Fixtures/dsa")
        _ = try store.ingest([dsa.appendingPathComponent("sor-global-2024-03-14-full-00000-00000.csv").path])
        let tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table,
                                  decisions: try store.table(.decisions, useCache: false).table)
        let spec = try BulletinSpec.load(Self.root.appendingPathComponent("Charts/dsa-bulletin.yaml").path)
        let input = BulletinInput(tables: tables, period: try Period.parse("2019-01"), asOf: nil, settings: Settings(), fines: nil,
                                  provenance: try store.provenance(), spec: spec, lang: .en, outDir: box.dir.path + "/none", sourceDateEpoch: 0)
        #expect(throws: BulletinError.self) { try Bulletin.write(input) }
        #expect(!FileManager.default.fileExists(atPath: box.dir.path + "/none/manifest.json"))
    }
}
