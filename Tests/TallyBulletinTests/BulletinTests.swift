import Foundation
import TallyTestSupport
import Testing
import TallyCharts
import TallyCore
import TallyMetrics
import TallyStore
@testable import TallyBulletin
import TallyPublication

/// The bulletin of the shipped sample, read back with poppler's tools (pdftotext, pdfinfo,
/// pdffonts), checked for reproducibility, and verified against the store.
@Suite(.serialized) struct BulletinTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let epoch: Int64 = 1_725_580_800   // 2024-09-06T00:00:00Z

    /// A temporary folder with the sample loaded into a store.
    final class Sample: @unchecked Sendable {
        let dir: String
        let storePath: String
        let store: Store
        let tables: RecordTables
        let spec: BulletinSpec
        init() throws {
            dir = NSTemporaryDirectory() + "tally-bulletin-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            storePath = dir + "/store.sqlite"
            store = try Store(path: storePath)
            _ = try store.ingest(["arrests", "victims", "takedowns"].map { BulletinTests.root.appendingPathComponent("Data/sample/\($0)-2024.csv").path })
            tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table)
            spec = try BulletinSpec.load(BulletinTests.root.appendingPathComponent("Charts/bulletin.yaml").path)
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        var settings: (Settings, FineSchedule) {
            let s = try! Settings.load(BulletinTests.root.appendingPathComponent("Data/settings.yaml").path)
            return (s, try! FineSchedule.load(s.finesFile!))
        }

        func bulletin(_ period: String, _ lang: Language, out: String, extras: Bool = false) throws -> BulletinResult {
            let (s, f) = settings
            var input = BulletinInput(tables: tables, period: try Period.parse(period), asOf: nil, settings: s, fines: f,
                                      provenance: try store.provenance(), spec: spec, lang: lang, outDir: dir + "/" + out,
                                      sourceDateEpoch: BulletinTests.epoch)
            input.extras = extras
            return try Bulletin.write(input)
        }

        func report(_ period: String) throws -> StatsReport {
            let (s, f) = settings
            return try StatsReport(tables: tables, period: try Period.parse(period), settings: s, fines: f)
        }
    }

    /// Built once, by the first test that asks (a static `let` is initialised exactly once,
    /// even when tests run in parallel).
    nonisolated(unsafe) static let shared = Result { try Sample() }
    static func sample() throws -> Sample { try shared.get() }

    static func tool(_ name: String, _ args: [String]) throws -> String {
        try runChild("/usr/bin/" + name, args).stdout
    }

    @Test func headlineFiguresInBothLanguages() throws {
        let s = try Self.sample()
        let r = try s.report("2024-08")
        let expected = ["victims.total", "victims.minors_share", "arrests.total", "takedowns.requests", "takedowns.compliance",
                        "victims.total.change_pct", "fines.total_krw"].map { FigureFormat.text($0, r.metrics[$0]!) }
        for lang in [Language.en, .ko] {
            let result = try s.bulletin("2024-08", lang, out: "text-\(lang.rawValue)")
            let text = try Self.tool("pdftotext", ["-layout", result.pdf, "-"])
            for e in expected { #expect(text.contains(e), "\(lang): \(e)") }
            #expect(text.contains(lang == .ko ? "디지털 성범죄 통계 월보" : "Digital Sex Crime Statistics Bulletin"))
            #expect(text.contains(lang == .ko ? "2024년 8월" : "August 2024"))
            #expect(text.contains(lang == .ko ? "주요 내용" : "Main points"))
            #expect(text.contains("<5"))                                  // suppressed cells of the region table
            #expect(text.contains(lang == .ko ? "(계속)" : "(continued)")) // a table split across pages
        }
    }

    @Test func publishedFiguresOfJanuaryToAugust() throws {
        let s = try Self.sample()
        let result = try s.bulletin("2024-01..2024-08", .en, out: "range")
        let text = try Self.tool("pdftotext", [result.pdf, "-"])
        for e in ["781", "288", "36.9%"] { #expect(text.contains(e), "\(e)") }
        let ko = try s.bulletin("2024-01..2024-08", .ko, out: "range-ko")
        let textKO = try Self.tool("pdftotext", [ko.pdf, "-"])
        for e in ["781", "288", "36.9%"] { #expect(textKO.contains(e), "\(e)") }
    }

    @Test func metadataPagesAndFonts() throws {
        let s = try Self.sample()
        let result = try s.bulletin("2024-08", .en, out: "info")
        let info = try Self.tool("pdfinfo", [result.pdf])
        #expect(info.contains("Title:           Digital Sex Crime Statistics Bulletin — August 2024"))
        #expect(info.contains("Author:          Tally statistics (sample data)"))
        #expect(info.contains("Keywords:        digital sex crime"))
        #expect(info.contains("Pages:           \(result.pages)"))
        #expect(info.contains("A4"))
        #expect(info.contains("Sep  6 00:00:00 2024 UTC"))
        #expect(result.pages >= 8)
        let fonts = try Self.tool("pdffonts", [result.pdf]).split(separator: "\n").dropFirst(2)
        #expect(!fonts.isEmpty)
        for line in fonts {
            #expect(line.contains("NotoSansCJK"))
            let cols = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(cols.count >= 5 && cols[cols.count - 5] == "yes", "not embedded: \(line)")
        }
        // Outline and internal links.
        let bytes = try String(decoding: Data(contentsOf: URL(fileURLWithPath: result.pdf)), as: UTF8.self)
        #expect(bytes.contains("/Outlines"))
        #expect(bytes.contains("/Subtype /Link"))
    }

    /// A manifest's text without the `files` entries of SVG charts (whose bytes, and so
    /// hashes, are reproducible across processes but not within one).
    static func withoutSVGHashes(_ path: String) throws -> String {
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        var out: [String] = []
        var i = 0
        while i < lines.count {
            // A files entry is pretty-printed as `{`, file, bytes, sha256, `}` lines.
            if lines[i].trimmingCharacters(in: .whitespaces) == "{", i + 4 < lines.count,
               lines[i + 1].contains("\"file\""), lines[i + 1].contains(".svg\""), lines[i + 3].contains("\"sha256\"") {
                i += 5
                continue
            }
            out.append(lines[i])
            i += 1
        }
        return out.joined(separator: "\n")
    }

    @Test func reproducible() throws {
        let s = try Self.sample()
        let a = try s.bulletin("2024-08", .ko, out: "repro-a", extras: true)
        let b = try s.bulletin("2024-08", .ko, out: "repro-b", extras: true)
        // Cairo numbers SVG ids with process-wide counters, so SVGs are compared across
        // processes only (the CLI's runs); everything else must match within a process too.
        // The manifest holds the SVGs' SHA-256, so it too is compared without those entries.
        for f in a.files where !f.hasSuffix(".svg") {
            let other = f.replacingOccurrences(of: "/repro-a/", with: "/repro-b/")
            if f.hasSuffix("manifest.json") {
                #expect(try Self.withoutSVGHashes(f) == Self.withoutSVGHashes(other))
            } else {
                #expect(FileManager.default.contents(atPath: f) == FileManager.default.contents(atPath: other), "\(f)")
            }
        }
        #expect(b.files.count == a.files.count)
    }

    @Test func manifestTablesAndVerify() throws {
        let s = try Self.sample()
        let result = try s.bulletin("2024-08", .en, out: "verify", extras: true)
        let dir = s.dir + "/verify"
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) as! [String: Any]
        #expect(manifest["tool_version"] as? String == Tally.version)
        #expect(manifest["period"] as? String == "2024-08")
        let figures = manifest["figures"] as! [[String: Any]]
        #expect(figures.count == result.figures)
        let total = figures.first { $0["id"] as? String == "victims.total" }!
        #expect((total["value"] as? NSNumber)?.intValue == 179)
        #expect((total["definition"] as? String)?.contains("contacted_on") == true)
        #expect(((manifest["inputs"] as! [[String: Any]]).first?["sha256"] as? String)?.count == 64)
        // Tables as spreadsheet-safe CSV, charts as PNG and SVG.
        let channel = try String(contentsOfFile: dir + "/tables/arrests.by_offense-en.csv", encoding: .utf8)
        #expect(channel.contains("'-25.0%"))
        #expect(FileManager.default.fileExists(atPath: dir + "/charts/platform-compliance-en.png"))
        #expect(FileManager.default.fileExists(atPath: dir + "/charts/hours-to-removal-en.svg"))

        let fresh = try Verification.run(manifestPath: dir + "/manifest.json", store: s.store)
        #expect(fresh.differences == 0)
        #expect(fresh.lines.count == result.figures)

        // Change one record in a copy of the store: verification must fail on it.
        let copy = s.dir + "/changed.sqlite"
        try FileManager.default.copyItem(atPath: s.storePath, toPath: copy)
        let changed = try Store(path: copy)
        try changed.db.execute("""
            UPDATE victims SET age = 10 WHERE victim_id = (SELECT victim_id FROM victims
              WHERE contacted_on BETWEEN '2024-08-01' AND '2024-08-31' AND age >= 19 ORDER BY victim_id LIMIT 1)
            """)
        let after = try Verification.run(manifestPath: dir + "/manifest.json", store: changed)
        #expect(after.differences > 0)
        #expect(after.lines.contains { $0.id == "victims.minors" && !$0.matches })
    }

    /// Korean and English into one folder: one manifest lists both PDFs and both languages'
    /// charts and tables, whichever ran first; a bulletin of another period replaces it.
    @Test func bothLanguagesShareOneManifest() throws {
        let s = try Self.sample()
        func manifest(_ out: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.dir + "/\(out)/manifest.json"))) as! [String: Any]
        }
        _ = try s.bulletin("2024-08", .ko, out: "both-a", extras: true)
        _ = try s.bulletin("2024-08", .en, out: "both-a", extras: true)
        _ = try s.bulletin("2024-08", .en, out: "both-b", extras: true)
        _ = try s.bulletin("2024-08", .ko, out: "both-b", extras: true)
        // Within one process Cairo's SVG ids differ from run to run, hence the SVGs' hashes.
        let a = try Self.withoutSVGHashes(s.dir + "/both-a/manifest.json")
        let b = try Self.withoutSVGHashes(s.dir + "/both-b/manifest.json")
        #expect(a == b, "the order of the runs does not matter")
        let docs = try manifest("both-a")["documents"] as! [[String: Any]]
        #expect(docs.map { $0["lang"] as? String } == ["en", "ko"])
        let charts = try manifest("both-a")["charts"] as! [String]
        #expect(charts.contains { $0.contains("-ko.") } && charts.contains { $0.contains("-en.") })
        _ = try s.bulletin("2024-07", .en, out: "both-a", extras: true)
        let july = try manifest("both-a")
        #expect((july["documents"] as! [[String: Any]]).map { $0["lang"] as? String } == ["en"])
        #expect(july["period"] as? String == "2024-07")
    }

    @Test func quarterAndEmptyPeriod() throws {
        let s = try Self.sample()
        let q = try s.bulletin("2024-Q3", .en, out: "q3")
        let text = try Self.tool("pdftotext", [q.pdf, "-"])
        let r = try s.report("2024-Q3")
        #expect(text.contains("Q3 2024"))
        #expect(text.contains(FigureFormat.text("victims.total", r.metrics["victims.total"]!)))
        #expect(throws: BulletinError.self) { try s.bulletin("2021-05", .en, out: "empty") }
        #expect(!FileManager.default.fileExists(atPath: s.dir + "/empty/bulletin-2021-05-en.pdf"))
    }

    @Test func csvCells() {
        #expect(CSV.cell("=SUM(A1)") == "'=SUM(A1)")
        #expect(CSV.cell("+1") == "'+1")
        #expect(CSV.cell("-25.0%") == "'-25.0%")
        #expect(CSV.cell("@x") == "'@x")
        #expect(CSV.cell("a,b") == "\"a,b\"")
        #expect(CSV.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.cell("1,234") == "\"1,234\"")
    }

    @Test func specErrorsNameTheKey() throws {
        func error(_ yaml: String) -> String {
            do { _ = try BulletinSpec(document: try YAMLDocument(file: "b.yaml", text: yaml)); return "" } catch { return "\(error)" }
        }
        let base = "title: T\nauthor: A\n"
        #expect(error(base + "sections:\n  - id: a\n    title: X\n    tabels: [headline]\n").contains("unknown key 'sections[1].tabels'"))
        #expect(error(base + "sections:\n  - id: a\n    title: X\n    tables: [nope]\n").contains("key 'sections[1].tables'"))
        #expect(error(base + "sections:\n  - id: a\n    title: X\n    points:\n      - {ko: '{victims.totl}', en: x}\n").contains("unknown placeholder '{victims.totl}'"))
        #expect(error(base + "sections:\n  - id: a\n    title: {ko: X}\n").contains("missing key 'sections[1].title.en'"))
        #expect(error("author: A\nsections: []\n").contains("missing key 'title'"))
        #expect(error(base + "sections:\n  - id: a\n    title: X\n  - id: a\n    title: Y\n").contains("not used by another section"))
    }
}
