import CCairo
import TallyFiles
import TallyMetrics

/// What a chart shows, in words and as a table, generated from its data in the chart's
/// language: the text alternative of the chart in SVG (`<title>`, `<desc>`), in the HTML
/// bulletin and in the tagged PDF (`/Alt`), and the data table beside it in the HTML.
extension Chart {
    private func t(_ en: String, _ ko: String) -> String { language == .ko ? ko : en }

    /// `Compliance by platform, August 2024: highest Naver 98.8%, lowest Telegram 16.7%; 10 platforms ranked.`
    public var textAlternative: String {
        let s = summary
        return s.isEmpty ? annotations.title : annotations.title + ": " + s
    }

    /// A platform's name without the rank ranked bars put before it (`2. Telegram` → `Telegram`).
    static func withoutRank(_ label: String) -> (name: String, ranked: Bool) {
        guard let dot = label.firstIndex(of: "."), dot > label.startIndex,
              label[..<dot].allSatisfy(\.isNumber), label[dot...].hasPrefix(". ") else { return (label, false) }
        return (String(label[label.index(dot, offsetBy: 2)...]), true)
    }

    /// The sentence after the title: extremes and counts, from the figures.
    public var summary: String {
        let f = data.format
        switch kind {
        case .rankedBars:
            guard let series = data.series.first else { return "" }
            let known = data.categories.indices.compactMap { i in series.values[i].map { (Self.withoutRank(data.categories[i]).name, $0) } }
            let ranked = data.categories.filter { Self.withoutRank($0).ranked }.count
            let count = t("\(ranked) platform\(ranked == 1 ? "" : "s") ranked", "\(ranked)개 플랫폼 순위")
            guard let hi = known.max(by: { $0.1 < $1.1 }), let lo = known.min(by: { $0.1 < $1.1 }) else { return count }
            return t("highest \(hi.0) \(f.label(hi.1, language)), lowest \(lo.0) \(f.label(lo.1, language)); ",
                     "가장 높은 곳 \(hi.0) \(f.label(hi.1, language)), 가장 낮은 곳 \(lo.0) \(f.label(lo.1, language)); ") + count
        case .bars, .stackedBars, .lines, .revisions:
            var parts: [String] = []
            let first = data.categories.first ?? "", last = data.categories.last ?? ""
            for s in data.series {
                let known = data.categories.indices.compactMap { i in i < s.values.count ? s.values[i].map { (data.categories[i], $0) } : nil }
                guard let hi = known.max(by: { $0.1 < $1.1 }), let lo = known.min(by: { $0.1 < $1.1 }), let latest = known.last else { continue }
                let name = data.series.count > 1 ? s.label + " " : ""
                if hi.1 == lo.1 {
                    parts.append(t("\(name)\(f.label(hi.1, language)) every month", "\(name)매월 \(f.label(hi.1, language))"))
                    continue
                }
                parts.append(t("\(name)highest \(hi.0) \(f.label(hi.1, language)), lowest \(lo.0) \(f.label(lo.1, language)), latest \(latest.0) \(f.label(latest.1, language))",
                               "\(name)최고 \(hi.0) \(f.label(hi.1, language)), 최저 \(lo.0) \(f.label(lo.1, language)), 최근 \(latest.0) \(f.label(latest.1, language))"))
            }
            let span = data.categories.count > 1 ? t("\(data.categories.count) months, \(first) to \(last)", "\(first)~\(last) \(data.categories.count)개월")
                                                 : first
            return ([span] + parts).joined(separator: "; ")
        case .histogram:
            guard let bins = data.bins else { return "" }
            return histogramSummary(bins, reference: data.reference)
        case .smallMultiples:
            let panels = data.panels.map { p in
                let name = Self.withoutRank(p.title).name
                return p.detail.isEmpty ? "\(name) (\(t("n=", "n=")) \(p.total))" : "\(name) \(p.detail) (n=\(p.total))"
            }
            var s = t("\(data.panels.count) platforms: ", "\(data.panels.count)개 플랫폼: ") + panels.joined(separator: ", ")
            if let r = data.reference { s += t("; line at the \(r.label)", "; 기준선 \(r.label)") }
            return s
        }
    }

    func histogramSummary(_ bins: Bins, reference: ReferenceLine?) -> String {
        let total = bins.counts.reduce(0, +) + bins.overflow
        let unit = { (v: Double) in self.hours(v) }
        let items = data.words.items
        let width = bins.edges.count > 1 ? bins.edges[1] - bins.edges[0] : 0
        var parts = data.logX && bins.edges.count > 1
            ? [t("\(FigureFormat.thousands(total)) \(items.en) on a log scale, each bin ×\(FigureFormat.fixed(bins.edges[1] / bins.edges[0], 2)) the one before, from \(unit(bins.edges[0]))",
                 "\(items.ko) \(FigureFormat.thousands(total))건, 로그 눈금 (구간마다 ×\(FigureFormat.fixed(bins.edges[1] / bins.edges[0], 2)), \(unit(bins.edges[0]))부터)")]
            : [t("\(FigureFormat.thousands(total)) \(items.en) in bins of \(unit(width))",
                 "\(items.ko) \(FigureFormat.thousands(total))건, \(unit(width)) 구간")]
        if let top = bins.counts.indices.max(by: { bins.counts[$0] < bins.counts[$1] }), bins.counts[top] > 0 {
            parts.append(t("most from \(unit(bins.edges[top])) to \(unit(bins.edges[top + 1])) (\(FigureFormat.thousands(bins.counts[top])))",
                           "가장 많은 구간 \(unit(bins.edges[top]))~\(unit(bins.edges[top + 1])) (\(FigureFormat.thousands(bins.counts[top]))건)"))
        }
        if let r = reference, total > 0 {
            let within = bins.counts.indices.filter { bins.edges[$0 + 1] <= r.value }.reduce(0) { $0 + bins.counts[$1] }
            parts.append(t("\(FigureFormat.thousands(within)) (\(ValueFormat.percent.label(Double(within) / Double(total), language))) by the \(r.label)",
                           "\(r.label) 안에 \(FigureFormat.thousands(within))건 (\(ValueFormat.percent.label(Double(within) / Double(total), language)))"))
        }
        if bins.overflow > 0, let last = bins.edges.last {
            parts.append(t("\(FigureFormat.thousands(bins.overflow)) after more than \(unit(last))", "\(unit(last)) 초과 \(FigureFormat.thousands(bins.overflow))건"))
        }
        return parts.joined(separator: "; ")
    }

    /// The chart's data as a table: column headers, then rows whose first cell names the row
    /// (month, platform, bin). Missing values (suppressed, undefined) are `–`.
    public var dataTable: (headers: [String], rows: [[String]]) {
        let f = data.format
        switch kind {
        case .bars, .stackedBars, .lines, .rankedBars, .revisions:
            let first = kind == .rankedBars ? t("Platform", "플랫폼") : t("Month", "월")
            var headers = [first]
            for s in data.series {
                headers.append(kind == .rankedBars ? annotationsValueName : s.label)
                if !s.intervals.isEmpty { headers.append(t("95% CI", "95% 신뢰구간")) }
            }
            let rows = data.categories.indices.map { i -> [String] in
                var row = [data.categories[i]]
                for s in data.series {
                    row.append(i < s.values.count ? (s.values[i].map { f.label($0, language) } ?? "–") : "–")
                    if !s.intervals.isEmpty {
                        row.append(s.interval(i).map { "\(f.label($0.0, language)) – \(f.label($0.1, language))" } ?? "–")
                    }
                }
                return row
            }
            return (headers, rows)
        case .histogram:
            guard let bins = data.bins else { return ([], []) }
            return ([data.words.axis.text(language), data.words.column.text(language)], binRows(bins))
        case .smallMultiples:
            guard let edges = data.panels.first?.bins.edges, edges.count > 1 else { return ([], []) }
            let labels = (0..<(edges.count - 1)).map { binLabel(edges[$0], edges[$0 + 1]) } + [t("more than \(hours(edges.last!))", "\(hours(edges.last!)) 초과")]
            let headers = [t("Platform", "플랫폼"), t("Compliance", "준수율")] + labels
            let rows = data.panels.map { p in
                [p.title, p.detail.isEmpty ? "–" : p.detail] + p.bins.counts.map { FigureFormat.thousands($0) } + [FigureFormat.thousands(p.bins.overflow)]
            }
            return (headers, rows)
        }
    }

    /// What the single series of ranked bars measures, from its format.
    var annotationsValueName: String {
        if let n = data.valueName { return n.text(language) }
        switch data.format {
        case .percent: return t("Compliance", "준수율")
        case .hours: return t("Hours", "시간")
        case .days: return t("Days", "일")
        case .count: return t("Requests", "건수")
        }
    }

    /// A bin edge as text, in the chart's unit (hours, or days), without a needless ".0";
    /// small edges of a log axis keep their digits.
    func hours(_ v: Double) -> String {
        let f: ValueFormat = data.format == .days ? .days : .hours
        if v > 0 && v < 1 { return f.tick(v, step: v < 0.1 ? 0.01 : 0.1, language) }
        return f.label(v, language).replacingOccurrences(of: ".0", with: "")
    }
    func binLabel(_ a: Double, _ b: Double) -> String { t("over \(hours(a)) to \(hours(b))", "\(hours(a)) 초과 \(hours(b)) 이하") }

    func binRows(_ bins: Bins) -> [[String]] {
        var rows = bins.counts.indices.map { [binLabel(bins.edges[$0], bins.edges[$0 + 1]), FigureFormat.thousands(bins.counts[$0])] }
        if let last = bins.edges.last { rows.append([t("more than \(hours(last))", "\(hours(last)) 초과"), FigureFormat.thousands(bins.overflow)]) }
        return rows
    }

    /// The chart as SVG markup with its accessible name and description (`role="img"`,
    /// `<title>`, `<desc>`, `aria-labelledby`), ids renumbered from `idPrefix` so that the
    /// bytes do not depend on what else the process drew (Cairo's ids are process-wide counters).
    /// `inline`: for an HTML page (no XML declaration; sized by CSS through the viewBox).
    public func svg(idPrefix: String, inline: Bool) throws -> String {
        let sink = CairoSink()
        try withExtendedLifetime(sink) {
            try Renderer.writeVector(sink, finalPath: "SVG", format: .svg, width: theme.width, height: theme.height, title: "") { draw(on: $0) }
        }
        return SVGMarkup.accessible(String(decoding: sink.bytes, as: UTF8.self), idPrefix: idPrefix, title: annotations.title,
                                    description: textAlternative, lang: language.rawValue, inline: inline)
    }
}

/// Rewrites Cairo's SVG: ids renumbered in order of appearance, and the root element given
/// an accessible name and description.
public enum SVGMarkup {
    /// Text for XML and HTML: `& < > " '` escaped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// Every `id="X"`, `href="#X"` and `url(#X)` with X renumbered `<prefix>N` in order of
    /// first appearance (one pass over the bytes).
    static func renumber(_ svg: String, prefix: String) -> String {
        let bytes = Array(svg.utf8)
        let markers: [[UInt8]] = [Array(" id=\"".utf8), Array("href=\"#".utf8), Array("url(#".utf8)]
        var names: [ArraySlice<UInt8>: [UInt8]] = [:]
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        scan: while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "h") || b == UInt8(ascii: "u") {
                for m in markers where i + m.count <= n && bytes[i..<(i + m.count)].elementsEqual(m) {
                    out += m
                    var j = i + m.count
                    while j < n && bytes[j] != UInt8(ascii: "\"") && bytes[j] != UInt8(ascii: ")") { j += 1 }
                    let old = bytes[(i + m.count)..<j]
                    if let name = names[old] { out += name } else {
                        let name = Array("\(prefix)\(names.count + 1)".utf8)
                        names[old] = name
                        out += name
                    }
                    i = j
                    continue scan
                }
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func accessible(_ svg: String, idPrefix: String, title: String, description: String, lang: String, inline: Bool) -> String {
        var body = renumber(svg, prefix: idPrefix)
        guard let open = body.range(of: "<svg"), let close = body[open.upperBound...].firstIndex(of: ">") else { return body }
        let root = body[open.lowerBound...close]
        func attribute(_ name: String) -> String? {
            guard let r = root.range(of: " \(name)=\"") else { return nil }
            let rest = root[r.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        let viewBox = attribute("viewBox") ?? "0 0 \(attribute("width") ?? "0") \(attribute("height") ?? "0")"
        let titleID = idPrefix + "title", descID = idPrefix + "desc"
        var tag = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
        if inline {
            tag += " viewBox=\"\(viewBox)\" class=\"chart\""
        } else {
            tag += " width=\"\(attribute("width") ?? "")\" height=\"\(attribute("height") ?? "")\" viewBox=\"\(viewBox)\" version=\"1.2\" xml:lang=\"\(lang)\" lang=\"\(lang)\""
        }
        tag += " role=\"img\" aria-labelledby=\"\(titleID) \(descID)\">"
        tag += "\n<title id=\"\(titleID)\">\(escape(title))</title>\n<desc id=\"\(descID)\">\(escape(description))</desc>"
        body.replaceSubrange(open.lowerBound...close, with: tag)
        if inline, let decl = body.range(of: "<svg") { body = String(body[decl.lowerBound...]) }
        while body.hasSuffix("\n") { body.removeLast() }
        return body + "\n"
    }
}
