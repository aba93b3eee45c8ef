import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TallyCharts
import TallyCore
import TallyMetrics
import TallyStore
@testable import TallyBulletin
import TallyPublication

/// The HTML bulletin (`index-<lang>.html`) of the sample, read back with an XML parser: the
/// structure screen readers rely on, the same content and order as the PDF, the manifest's
/// hash, reproducible bytes, and text from data escaped. Chromium and axe-core check the
/// rendered page in `make test` (Tests/browser).
@Suite(.serialized) struct HTMLTests {
    typealias Sample = BulletinTests.Sample
    /// A store of the sample year of its own: a store's connection serves one thread at a time,
    /// and BulletinTests and TaggedPDFTests read theirs while these tests run.
    nonisolated(unsafe) static let own = Result { try Sample() }
    static func sample() throws -> Sample { try own.get() }

    static func write(_ s: Sample, _ lang: Language, out: String, format: BulletinFormat = .both) throws -> BulletinResult {
        let (settings, fines) = s.settings
        var input = BulletinInput(tables: s.tables, period: try Period.parse("2024-08"), asOf: nil, settings: settings, fines: fines,
                                  provenance: try s.store.provenance(), spec: s.spec, lang: lang, outDir: s.dir + "/" + out,
                                  sourceDateEpoch: BulletinTests.epoch)
        input.format = format
        return try Bulletin.write(input)
    }

    static func xml(_ path: String) throws -> XMLDocument {
        try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: path)), options: [])
    }

    static func nodes(_ doc: XMLNode, _ xpath: String) throws -> [XMLElement] {
        try doc.nodes(forXPath: xpath).compactMap { $0 as? XMLElement }
    }

    /// Elements by local name (the page's elements are in the XHTML namespace).
    static func all(_ doc: XMLDocument, _ name: String) throws -> [XMLElement] {
        try nodes(doc, "//*[local-name()='\(name)']")
    }

    static func attr(_ e: XMLElement, _ name: String) -> String? {
        e.attributes?.first { $0.name == name || $0.localName == name }?.stringValue
    }

    @Test(arguments: [Language.en, .ko])
    func structureOfThePage(_ lang: Language) throws {
        let s = try Self.sample()
        // Both languages into one folder (each page links to the other), this one last.
        _ = try Self.write(s, lang == .ko ? .en : .ko, out: "html-\(lang.rawValue)")
        let result = try Self.write(s, lang, out: "html-\(lang.rawValue)")
        let path = try #require(result.html)
        #expect(path.hasSuffix("/index-\(lang.rawValue).html"))
        let doc = try Self.xml(path)
        let html = try #require(doc.rootElement())
        #expect(Self.attr(html, "lang") == lang.rawValue)
        // No script; nothing fetched from the network.
        #expect(try Self.all(doc, "script").isEmpty)
        for e in try Self.nodes(doc, "//*[@src or @href]") {
            let v = Self.attr(e, "src") ?? Self.attr(e, "href") ?? ""
            #expect(!v.contains("://"), "external reference \(v)")
        }
        // Ids unique; every in-page link has its target; the skip link comes first and goes to main.
        let ids = try Self.nodes(doc, "//*[@id]").compactMap { Self.attr($0, "id") }
        #expect(Set(ids).count == ids.count)
        let links = try Self.all(doc, "a")
        #expect(Self.attr(links[0], "href") == "#main")
        #expect(try Self.all(doc, "main").first.flatMap { Self.attr($0, "id") } == "main")
        for a in links {
            let href = Self.attr(a, "href") ?? ""
            if href.hasPrefix("#") { #expect(ids.contains(String(href.dropFirst())), "no target for \(href)") }
            else { #expect(FileManager.default.fileExists(atPath: s.dir + "/html-\(lang.rawValue)/" + href), "missing \(href)") }
        }
        // One h1; the sections as h2, in the layout's order (Charts/bulletin.yaml).
        #expect(try Self.all(doc, "h1").count == 1)
        let h2 = try Self.nodes(doc, "//*[local-name()='section']/*[local-name()='h2']").map { $0.stringValue ?? "" }
        let words = Words(lang: lang, report: try s.report("2024-08"), publicationDate: "")
        _ = words
        let expectedTitles = s.spec.sections.map { $0.title.text(lang) }
        #expect(Array(h2.prefix(expectedTitles.count)) == expectedTitles)
        // Tables: a caption, column headers with scope, one row header per row.
        let tables = try Self.all(doc, "table")
        #expect(tables.count >= 12)
        for t in tables {
            let caption = try Self.nodes(t, "*[local-name()='caption']").first?.stringValue ?? ""
            #expect(!caption.isEmpty)
            let heads = try Self.nodes(t, "*[local-name()='thead']//*[local-name()='th']")
            #expect(!heads.isEmpty && heads.allSatisfy { Self.attr($0, "scope") == "col" }, "\(caption)")
            for row in try Self.nodes(t, "*[local-name()='tbody']/*[local-name()='tr']") {
                let rowHeads = try Self.nodes(row, "*[local-name()='th']")
                #expect(rowHeads.count == 1 && Self.attr(rowHeads[0], "scope") == "row", "\(caption)")
                #expect(row.childCount == heads.count, "\(caption): cells per row")
            }
        }
        // Charts: role img, labelled by their title and description, with the data beside them.
        let svgs = try Self.all(doc, "svg")
        #expect(svgs.count == s.spec.sections.reduce(0) { $0 + $1.charts.count })
        for svg in svgs {
            #expect(Self.attr(svg, "role") == "img")
            let labelled = (Self.attr(svg, "aria-labelledby") ?? "").split(separator: " ").map(String.init)
            let title = try Self.nodes(svg, "*[local-name()='title']").first
            let desc = try Self.nodes(svg, "*[local-name()='desc']").first
            #expect(labelled == [title.flatMap { Self.attr($0, "id") } ?? "?", desc.flatMap { Self.attr($0, "id") } ?? "?"])
            #expect((desc?.stringValue ?? "").count > 40)
            let details = try Self.nodes(svg, "following-sibling::*[local-name()='details']//*[local-name()='table']")
            #expect(details.count == 1)
        }
        // Every table of the PDF has its CSV linked; the manifest covers the page.
        let csvs = links.compactMap { Self.attr($0, "href") }.filter { $0.hasSuffix(".csv") }
        #expect(Set(csvs).count == tables.count - svgs.count)
        let verification = try Verification.run(manifestPath: s.dir + "/html-\(lang.rawValue)/manifest.json", store: s.store)
        #expect(verification.fileProblems.isEmpty && verification.differences == 0)
        let manifest = try String(contentsOfFile: s.dir + "/html-\(lang.rawValue)/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"file\": \"index-\(lang.rawValue).html\""))
    }

    /// The page says what the PDF says, in the same order: the table captions and every
    /// figure tile, compared with pdftotext's reading of the PDF.
    @Test func sameContentAndOrderAsThePDF() throws {
        let s = try Self.sample()
        let result = try Self.write(s, .en, out: "html-order")
        let doc = try Self.xml(try #require(result.html))
        let captions = try Self.all(doc, "caption").filter { !(Self.attr($0, "id") ?? "").hasPrefix("f") }.map { $0.stringValue ?? "" }
        let pdf = try BulletinTests.tool("pdftotext", ["-raw", result.pdf, "-"]).replacingOccurrences(of: "\n", with: " ")
        var at = pdf.startIndex
        for c in captions {
            let r = try #require(pdf.range(of: c, range: at..<pdf.endIndex), "\(c) not found in the PDF after the previous table")
            at = r.upperBound
        }
        #expect(captions.count >= 10)
        let text = try String(contentsOfFile: result.html!, encoding: .utf8)
        let r = try s.report("2024-08")
        for id in ["victims.total", "victims.minors_share", "arrests.total", "takedowns.requests", "takedowns.compliance", "fines.total_krw"] {
            #expect(text.contains(FigureFormat.text(id, r.metrics[id]!)), "\(id)")
        }
    }

    /// The league chart's text alternative names the highest and lowest ranked platforms,
    /// worked out here from the report's platform rows.
    @Test func chartTextAlternativesComeFromTheFigures() throws {
        let s = try Self.sample()
        for lang in [Language.en, .ko] {
            let result = try Self.write(s, lang, out: "html-alt-\(lang.rawValue)")
            let doc = try Self.xml(try #require(result.html))
            let descs = try Self.all(doc, "desc").map { $0.stringValue ?? "" }
            let ranked = try s.report("2024-08").rankedPlatforms
            let hi = try #require(ranked.max { ($0.compliance ?? 0, $1.platform) < ($1.compliance ?? 0, $0.platform) })
            let lo = try #require(ranked.min { ($0.compliance ?? 0, $0.platform) < ($1.compliance ?? 0, $1.platform) })
            let pct = { (v: Double?) in FigureFormat.percent(v!) }
            let league = try #require(descs.first { $0.contains(hi.platform) && $0.contains(lo.platform) && $0.contains(pct(lo.compliance)) })
            #expect(league.contains(lang == .en ? "highest \(hi.platform) \(pct(hi.compliance))" : "가장 높은 곳 \(hi.platform) \(pct(hi.compliance))"))
            #expect(league.contains(lang == .en ? "lowest \(lo.platform) \(pct(lo.compliance))" : "가장 낮은 곳 \(lo.platform) \(pct(lo.compliance))"))
            #expect(league.contains(lang == .en ? "\(ranked.count) platforms ranked" : "\(ranked.count)개 플랫폼 순위"))
        }
    }

    /// Same inputs, the same bytes: the page and the standalone SVGs within one process too
    /// (ids are renumbered, not Cairo's process-wide counters).
    @Test func reproducibleWithinAProcess() throws {
        let s = try Self.sample()
        let a = try Self.write(s, .ko, out: "html-repro-a")
        let b = try Self.write(s, .ko, out: "html-repro-b")
        #expect(a.files.count == b.files.count)
        for f in a.files {
            let other = f.replacingOccurrences(of: "/html-repro-a/", with: "/html-repro-b/")
            #expect(FileManager.default.contents(atPath: f) == FileManager.default.contents(atPath: other), "\(f)")
        }
        let html = try #require(a.html)
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(!text.contains("glyph") && !text.contains("surface"), "Cairo's ids renumbered")
    }

    /// `--format html`: no PDF, and the manifest names the page only.
    @Test func htmlOnly() throws {
        let s = try Self.sample()
        let result = try Self.write(s, .en, out: "html-only", format: .html)
        #expect(result.pdf.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.dir + "/html-only/bulletin-2024-08-en.pdf"))
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.dir + "/html-only/manifest.json"))) as! [String: Any]
        let docs = m["documents"] as! [[String: Any]]
        #expect(docs.map { $0["file"] as? String } == ["index-en.html"])
        #expect(docs.first?["format"] as? String == "html")
        let doc = try Self.xml(try #require(result.html))
        #expect(!(try Self.all(doc, "a")).contains { (Self.attr($0, "href") ?? "").hasSuffix(".pdf") })
    }

    /// Text from data (platform names, labels) cannot add markup: it is escaped in the page,
    /// in the SVG's title and description and in the chart's data table.
    @Test func textFromDataIsEscaped() throws {
        let evil = "<script>alert(1)</script> & \"Naver\" <img src=x onerror=alert(2)>"
        let chart = Chart(kind: .rankedBars,
                          data: ChartData(categories: ["1. " + evil, "2. B"], series: [Series(label: "compliance", values: [0.9, 0.5])], format: .percent),
                          annotations: Annotations(title: "T " + evil), language: .en)
        let table = DataTable(id: "t<x>", title: "Table 1. " + evil, columns: [.init(header: evil, numeric: false), .init(header: "n", numeric: true)],
                              rows: [[evil, "1"]], note: evil)
        let page = HTMLPage(lang: .en, cover: .init(title: evil, subtitle: evil, author: evil, period: evil, lines: [evil], contentsTitle: evil,
                                                    entries: [(evil, "a")], footer: evil),
                            documentTitle: evil, description: evil, publicationDate: "2024-09-06", fileName: "index-en.html",
                            pdf: nil, csv: ["t<x>": "tables/t<x>-en.csv"], manifest: "manifest.json", newPageAnchors: [])
        let html = try page.render([.heading(evil, anchor: "a", newPage: false), .paragraph(evil), .bullets([evil]),
                                    .tiles([TileContent(label: evil, value: evil, detail: evil)]), .table(table), .chart(chart, name: "c")])
        let doc = try XMLDocument(data: Data(html.utf8), options: [])
        #expect(try Self.all(doc, "script").isEmpty)
        #expect(try Self.all(doc, "img").isEmpty)
        #expect(try Self.nodes(doc, "//@onerror").isEmpty)
        #expect(try Self.all(doc, "h1").first?.stringValue == evil)
        #expect(try Self.all(doc, "td").contains { $0.stringValue == evil } || Self.all(doc, "th").contains { $0.stringValue == evil })
        #expect(try Self.all(doc, "desc").first?.stringValue?.contains(evil) == true)
        #expect(try Self.all(doc, "title").contains { $0.stringValue == "T " + evil })
    }
}
