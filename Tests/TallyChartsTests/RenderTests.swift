import Foundation
import TallyTestSupport
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TallyCharts

/// Rendering: each kind's PNG against a committed reference image (per-pixel tolerance),
/// the PDF's text read back with pdftotext (Hangul included), the SVG parsed and its bars
/// counted, and reproducible bytes.
///
/// `TALLY_UPDATE_REFERENCES=1 swift test --filter TallyChartsTests` rewrites the references
/// (look at them before committing); a missing reference fails the test otherwise.
@Suite(.serialized) struct RenderTests {
    static let references = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("References").path
    static let update = ProcessInfo.processInfo.environment["TALLY_UPDATE_REFERENCES"] == "1"
    /// A pixel differs when a channel is off by more than this (anti-aliasing, font versions).
    static let tolerance = 40
    /// Share of pixels allowed to differ.
    static let allowedShare = 0.002

    static func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tally-charts-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func pngMatchesReference(_ name: String) throws {
        let chart = Fixtures.all.first { $0.name == name }!.chart
        let image = chart.image(dpi: 72)
        #expect(image.width == Int(chart.theme.width) && image.height == Int(chart.theme.height))
        let path = Self.references + "/" + name + ".png"
        if Self.update {
            try FileManager.default.createDirectory(atPath: Self.references, withIntermediateDirectories: true)
            try image.writePNG(path)
            return
        }
        guard let reference = ImageSurface.readPNG(path) else {
            Issue.record("missing reference \(path); run with TALLY_UPDATE_REFERENCES=1 and look at it")
            return
        }
        let (pixels, maxDelta) = image.difference(reference, tolerance: Self.tolerance)
        let limit = Int(Double(image.width * image.height) * Self.allowedShare)
        if pixels > limit {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-actual.png").path
            try? image.writePNG(actual)
            Issue.record("\(name): \(pixels) pixels differ (limit \(limit), largest channel difference \(maxDelta)); see \(actual)")
        }
    }

    @Test func pngAtDPI() {
        let img = Fixtures.bars().image(dpi: 144)
        #expect(img.width == 1200 && img.height == 760)
        // The background is white and opaque.
        let p = img.pixel(2, 2)
        #expect(p.0 == 255 && p.1 == 255 && p.2 == 255 && p.3 == 255)
    }

    func pdfText(_ path: String) throws -> String {
        try runChild("/usr/bin/pdftotext", ["-enc", "UTF-8", path, "-"]).stdout
    }

    @Test func pdfTextHasLabelsAndHangul() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, chart) in Fixtures.all {
            let path = dir + "/" + name + ".pdf"
            try chart.write(to: path, format: .pdf)
            let text = try pdfText(path)
            #expect(text.contains(chart.annotations.title), "\(name): title in \(text)")
            #expect(text.contains(chart.annotations.note), "\(name): note")
            #expect(text.contains(chart.language == .ko ? "자료: " : "Source: "), "\(name): source line")
            switch name {
            case "bars": #expect(text.contains("1,179") && text.contains("1,200") && text.contains("Aug"))
            case "stacked-bars": #expect(text.contains("8월") && text.contains("191") && text.contains("미성년자 (19세 미만)") && text.contains("나이 모름"))
            case "lines": #expect(text.contains("1,602") && text.contains("2023") && text.contains("1,750"))
            case "ranked-bars":
                #expect(text.contains("98.8%") && text.contains("100%") && text.contains("6. Telegram"))
                // The ellipsis glyph stands for the text it hides (cairo's cluster mapping).
                #expect(text.contains("3. 아주 긴 이름을"))
            case "histogram": #expect(text.contains("24 h deadline") && text.contains("96 h") && text.contains("> 96 h"))
            case "small-multiples":
                #expect(text.contains("24시간 기한") && text.contains("> 96시간") && text.contains("96시간") && text.contains("80%"))
                #expect(text.contains("1. 네이버") && text.contains("98.8%") && text.contains("4. Telegram") && text.contains("자료 없음"))
                // The long name is cut to its panel (the "…" stands for the rest), its compliance kept.
                #expect(text.contains("2. 아주 긴") && text.contains("92.3%"))
            default: break
            }
            #expect(text.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) } == (chart.language == .ko), "\(name): Hangul")
        }
    }

    /// Counts the SVG's paths filled with `rgb` (cairo writes `fill:rgb(r%,g%,b%)`).
    final class PathCounter: NSObject, XMLParserDelegate {
        let fill: String
        var count = 0, elements = 0
        init(fill: String) { self.fill = fill }
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements += 1
            if name == "path", (attributes["style"] ?? "").contains("fill:" + fill) { count += 1 }
        }
    }

    static func cairoRGB(_ c: Color) -> String {
        func pct(_ v: Double) -> String {
            if v == 0 { return "0%" }
            if v == 1 { return "100%" }
            var s = String(format: "%.6f", v * 100)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s + "%"
        }
        return "rgb(\(pct(c.r)),\(pct(c.g)),\(pct(c.b)))"
    }

    @Test func svgIsWellFormedWithOneBarPerValue() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let theme = Theme()
        let cases: [(String, Chart, Color, Int)] = [
            ("bars", Fixtures.bars(), theme.color(0), 8),
            ("stacked-bars", Fixtures.stacked(), theme.unknown, 3 + 1),          // 3 non-zero segments + legend swatch
            ("ranked-bars", Fixtures.ranked(), theme.color(4), 6),
            ("histogram", Fixtures.histogram(), theme.color(4), 24),
            ("histogram-overflow", Fixtures.histogram(), theme.muted, 1),
            // One bar per non-empty bin; grey: the panels with overflow and the key's swatch.
            ("small-multiples", Fixtures.smallMultiples(), theme.color(4),
             Fixtures.multiplesCounts.map { $0.2.filter { $0 > 0 }.count }.reduce(0, +)),
            ("small-multiples-overflow", Fixtures.smallMultiples(), theme.muted,
             Fixtures.multiplesCounts.filter { $0.3 > 0 }.count + 1),
        ]
        for (name, chart, color, expected) in cases {
            let path = dir + "/" + name + ".svg"
            try chart.write(to: path, format: .svg)
            let parser = XMLParser(contentsOf: URL(fileURLWithPath: path))!
            let counter = PathCounter(fill: Self.cairoRGB(color))
            parser.delegate = counter
            #expect(parser.parse(), "\(name): well-formed SVG (\(String(describing: parser.parserError)))")
            #expect(counter.count == expected, "\(name): \(counter.count) paths filled \(Self.cairoRGB(color))")
        }
    }

    @Test func bytesAreReproducible() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for format in ChartFormat.allCases {
            let a = dir + "/a." + format.rawValue, b = dir + "/b." + format.rawValue
            try Fixtures.ranked().write(to: a, format: format, dpi: 72)
            try Fixtures.ranked().write(to: b, format: format, dpi: 72)
            var x = try Data(contentsOf: URL(fileURLWithPath: a)), y = try Data(contentsOf: URL(fileURLWithPath: b))
            if format == .svg {
                // Cairo numbers SVG surfaces with a process-wide counter (`<g id="surface12">`):
                // the same in a fresh process, not between two drawings in one.
                x = Self.normalizedSurfaceIDs(x)
                y = Self.normalizedSurfaceIDs(y)
            }
            #expect(x == y && x.count > 1000, "\(format)")
        }
        let pdf = try String(decoding: Data(contentsOf: URL(fileURLWithPath: dir + "/a.pdf")), as: UTF8.self)
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] == nil
        #expect(!epoch || pdf.contains("/CreationDate (19700101000000Z)"), "fixed creation date")
    }

    static func normalizedSurfaceIDs(_ d: Data) -> Data {
        let s = String(decoding: d, as: UTF8.self)
        let r = try! NSRegularExpression(pattern: "surface[0-9]+")
        return Data(r.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: "surface").utf8)
    }

    @Test func koreanWrapsAtSpacesAndLongTextIsEllipsized() {
        _ = Renderer.image(width: 200, height: 100, dpi: 72) { canvas in
            let style = Theme().label
            let korean = "아주 긴 이름을 가진 가상의 플랫폼 서비스 네트워크"
            let wrapped = canvas.text(korean, style, width: 90)
            let lines = canvas.lines(wrapped, korean)
            #expect(lines.count >= 2)
            // Every break is at a space: each line is whole words.
            let words = Set(korean.split(separator: " ").map(String.init))
            for l in lines { #expect(l.split(separator: " ").allSatisfy { words.contains(String($0)) }, "line '\(l)'") }
            let cut = canvas.text(korean + " 주식회사 온라인 커뮤니티 게시판 운영 본부", style, width: 90, maxLines: 2)
            #expect(cut.isEllipsized && cut.lineCount == 2 && cut.textWidth <= 90)
            let short = canvas.text("Naver", style, width: 90, maxLines: 2)
            #expect(!short.isEllipsized && short.lineCount == 1)
        }
    }

    /// Small multiples share one y scale: a bin of the same share is as tall in every panel,
    /// and the share is of the panel's values (overflow included).
    @Test func smallMultiplesShareScales() {
        let edges = [0.0, 12, 24]
        let a = Panel(title: "A", bins: Bins(edges: edges, counts: [50, 50], overflow: 0))     // 50%
        let b = Panel(title: "B", bins: Bins(edges: edges, counts: [5, 3], overflow: 2))       // 50%, 30%, 20%
        #expect(a.total == 100 && b.total == 10)
        var theme = Theme()
        theme.height = 300
        let chart = Chart(kind: .smallMultiples, data: ChartData(format: .hours, panels: [a, b], panelFormat: .percent),
                          annotations: Annotations(title: "T"), language: .en, theme: theme, tickStep: 12, columns: 2)
        let image = chart.image(dpi: 72)
        let blue = Theme().color(4)
        // The height of the first bar of each panel: scan the column at its middle.
        func barHeight(_ x: Int) -> Int {
            (0..<image.height).filter { y in
                let p = image.pixel(x, y)
                // (alpha, red, green, blue)
                return abs(Int(p.1) - Int(blue.r * 255)) < 8 && abs(Int(p.2) - Int(blue.g * 255)) < 8 && abs(Int(p.3) - Int(blue.b * 255)) < 8
            }.count
        }
        let heights = (0..<image.width).map(barHeight)
        // Two runs of columns with bars at 50%: the first bins of both panels are equally tall.
        let tallest = heights.max() ?? 0
        let runs = heights.enumerated().filter { $0.element == tallest }.map(\.offset)
        #expect(tallest > 20)
        #expect((runs.last ?? 0) - (runs.first ?? 0) > Int(theme.width) / 3, "bars of equal share in both panels: \(runs)")
    }

    @Test func formatFromPath() {
        #expect(ChartFormat(path: "out/a.PNG") == .png)
        #expect(ChartFormat(path: "a.svg") == .svg)
        #expect(ChartFormat(path: "a.pdf") == .pdf)
        #expect(ChartFormat(path: "a.jpeg") == nil)
        #expect(ChartFormat(path: "dir.png/file") == nil)
    }

    @Test func writeErrorsAreClear() {
        #expect(throws: RenderError.self) { try Fixtures.bars().write(to: "/nonexistent-dir/x.pdf", format: .pdf) }
        #expect(throws: RenderError.self) { try Fixtures.bars().write(to: "/nonexistent-dir/x.png", format: .png) }
    }
}
