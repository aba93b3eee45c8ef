import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TallyCharts

/// Charts on their own (`tally chart … .svg`) carry their title and a text alternative made
/// from their figures (`role="img"`, `<title>`, `<desc>`, `aria-labelledby`); their ids are
/// renumbered, so every reference resolves and the bytes do not depend on earlier drawings.
@Suite struct ChartAccessibilityTests {
    static func attr(_ e: XMLElement, _ name: String) -> String? {
        e.attributes?.first { $0.name == name || $0.localName == name }?.stringValue
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func standaloneSVGIsAnImageWithANameAndADescription(_ name: String) throws {
        let chart = Fixtures.all.first { $0.name == name }!.chart
        let dir = NSTemporaryDirectory() + "tally-a11y-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try chart.write(to: dir + "/a.svg", format: .svg)
        _ = try Fixtures.bars().image(dpi: 72)   // something else drawn in between
        try chart.write(to: dir + "/b.svg", format: .svg)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.svg"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: dir + "/b.svg"))), "same bytes within one process")

        let doc = try XMLDocument(data: a, options: [])
        let root = try #require(doc.rootElement())
        #expect(Self.attr(root, "role") == "img")
        #expect(Self.attr(root, "lang") == chart.language.rawValue)
        let title = try #require(try doc.nodes(forXPath: "/*/*[local-name()='title']").first as? XMLElement)
        let desc = try #require(try doc.nodes(forXPath: "/*/*[local-name()='desc']").first as? XMLElement)
        #expect(title.stringValue == chart.annotations.title)
        #expect(desc.stringValue == chart.textAlternative)
        #expect(Self.attr(root, "aria-labelledby") == "\(Self.attr(title, "id")!) \(Self.attr(desc, "id")!)")
        // Ids unique, every reference to one resolves.
        let ids = try doc.nodes(forXPath: "//*[@id]").compactMap { ($0 as? XMLElement).flatMap { Self.attr($0, "id") } }
        #expect(Set(ids).count == ids.count)
        let text = String(decoding: a, as: UTF8.self)
        for marker in ["href=\"#", "url(#"] {
            for part in text.components(separatedBy: marker).dropFirst() {
                let ref = String(part.prefix { $0 != "\"" && $0 != ")" })
                #expect(ids.contains(ref), "\(name): dangling reference #\(ref)")
            }
        }
    }

    /// The extremes named in the text alternative, found here from the fixtures' values.
    @Test func textAlternativesNameTheExtremes() {
        let bars = Fixtures.bars()
        let values = bars.data.series[0].values.map { $0! }
        let hi = values.indices.max { values[$0] < values[$1] }!, lo = values.indices.min { values[$0] < values[$1] }!
        #expect(bars.textAlternative.hasPrefix(bars.annotations.title + ": "))
        #expect(bars.summary.contains("highest \(Fixtures.monthsEN[hi]) 1,179"))
        #expect(bars.summary.contains("lowest \(Fixtures.monthsEN[lo]) 70"))
        // A missing value (April) is neither highest nor lowest nor latest.
        let lines = Fixtures.lines().summary
        #expect(lines.contains("2024 highest Aug 1,602") && lines.contains("lowest Feb 684") && !lines.contains("Apr"))
        // Ranked bars: names without their rank, the count of ranked platforms.
        let ranked = Fixtures.ranked().summary
        #expect(ranked == "가장 높은 곳 Naver 98.8%, 가장 낮은 곳 Telegram 16.7%; 6개 플랫폼 순위")
        // Histogram: the total is every bin and the overflow; the share by the deadline.
        let h = Fixtures.histogram()
        let total = h.data.bins!.counts.reduce(0, +) + h.data.bins!.overflow
        let within = h.data.bins!.counts.prefix(6).reduce(0, +)
        #expect(h.summary.contains("\(FigureFormatText.thousands(total)) removals"))
        #expect(h.summary.contains("\(FigureFormatText.thousands(within)) (\(ValueFormat.percent.label(Double(within) / Double(total), .en))) by the 24 h deadline"))
        #expect(h.summary.contains("192 after more than 96 h"))
    }

    @Test func dataTablesHoldEveryValue() {
        let lines = Fixtures.lines().dataTable
        #expect(lines.headers == ["Month", "2023", "2024"])
        #expect(lines.rows.count == 8 && lines.rows[3] == ["Apr", "720", "–"])
        let ranked = Fixtures.ranked().dataTable
        #expect(ranked.headers.count == 3 && ranked.rows.count == 6)
        #expect(ranked.rows[5] == ["6. Telegram", "16.7%", "13.0% – 21.0%"])
        let multiples = Fixtures.smallMultiples().dataTable
        #expect(multiples.rows.count == Fixtures.multiplesCounts.count)
        #expect(multiples.rows[3].last == "110")
        #expect(multiples.headers.count == 2 + 16 + 1)
    }
}

/// Thousands separators written out independently of the code under test.
enum FigureFormatText {
    static func thousands(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}
