import TallyCharts
import TallyCore
import TallyMetrics

/// The bulletin as one self-contained HTML page per language (`index-<lang>.html`): the same
/// blocks, in the same order, as the PDF; charts as inline SVG with a text alternative and
/// their data as a table; tables with captions and header scopes; links to every table as
/// CSV, to the PDF and to `manifest.json`. No script, no font or style from the network.
/// Markup is well-formed XML too (every element closed, attributes quoted), so that tests
/// can read it with an XML parser.
struct HTMLPage {
    struct Cover {
        var title: String
        var subtitle: String
        var author: String
        var period: String
        var lines: [String]
        var contentsTitle: String
        var entries: [(title: String, anchor: String)]
        var footer: String
    }

    var lang: Language
    var cover: Cover
    /// `title — period`, the page's `<title>`.
    var documentTitle: String
    var description: String
    var publicationDate: String
    var fileName: String
    /// The PDF of the same bulletin, when written alongside.
    var pdf: String?
    /// Table id → CSV path relative to the page; empty when tables are not written.
    var csv: [String: String]
    var manifest: String?
    /// Sections that start a page in print (as in the PDF).
    var newPageAnchors: Set<String>

    func t(_ en: String, _ ko: String) -> String { lang == .ko ? ko : en }
    static func esc(_ s: String) -> String { SVGMarkup.escape(s) }

    /// Escaped text, with `code` spans (between backquotes) as `<code>`.
    static func inline(_ s: String) -> String {
        let parts = s.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return esc(s) }
        var out = ""
        for (i, p) in parts.enumerated() {
            if i % 2 == 1 && i < parts.count - 1 { out += "<code>" + esc(String(p)) + "</code>" }
            else { out += (i % 2 == 1 ? "`" : "") + esc(String(p)) }
        }
        return out
    }

    /// The page for `blocks` (the composer's, as typeset in the PDF).
    func render(_ blocks: [Block]) throws -> String {
        let other: Language = lang == .ko ? .en : .ko
        var h = """
        <!DOCTYPE html>
        <html lang="\(lang.rawValue)" xml:lang="\(lang.rawValue)" xmlns="http://www.w3.org/1999/xhtml">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(Self.esc(documentTitle))</title>
        <meta name="description" content="\(Self.esc(description))"/>
        <meta name="author" content="\(Self.esc(cover.author))"/>
        <meta name="generator" content="Tally \(Self.esc(Tally.version))"/>
        <meta name="dcterms.date" content="\(Self.esc(publicationDate))"/>
        <link rel="alternate" hreflang="\(other.rawValue)" href="index-\(other.rawValue).html"/>
        <style>
        \(Self.css)
        </style>
        </head>
        <body>
        <a class="skip" href="#main">\(t("Skip to the bulletin", "본문 바로가기"))</a>
        <header class="masthead">
        <p class="org">\(Self.esc(cover.author))</p>
        <nav class="langs" aria-label="\(t("Language", "언어"))"><a href="index-\(other.rawValue).html" hreflang="\(other.rawValue)" lang="\(other.rawValue)" xml:lang="\(other.rawValue)">\(other == .en ? "English" : "한국어")</a></nav>
        </header>
        <main id="main" tabindex="-1">
        <h1>\(Self.esc(cover.title))</h1>
        <p class="subtitle">\(Self.esc(cover.subtitle))</p>
        <p class="period">\(Self.esc(cover.period))</p>
        <ul class="meta">\n
        """
        for l in cover.lines { h += "<li>\(Self.esc(l))</li>\n" }
        h += "</ul>\n<nav class=\"toc\" aria-labelledby=\"contents\">\n<h2 id=\"contents\">\(Self.esc(cover.contentsTitle))</h2>\n<ol>\n"
        for e in cover.entries { h += "<li><a href=\"#\(Self.esc(e.anchor))\">\(Self.esc(e.title))</a></li>\n" }
        h += "<li><a href=\"#files\">\(t("Files and citation", "파일과 인용"))</a></li>\n</ol>\n</nav>\n"

        var open = false
        var figure = 0
        for block in blocks {
            switch block {
            case .heading(let text, let anchor, _):
                if open { h += "</section>\n" }
                let cls = newPageAnchors.contains(anchor) ? " class=\"new-page\"" : ""
                h += "<section\(cls) aria-labelledby=\"\(Self.esc(anchor))\">\n<h2 id=\"\(Self.esc(anchor))\">\(Self.esc(text))</h2>\n"
                open = true
            case .paragraph(let text):
                h += "<p>\(Self.inline(text))</p>\n"
            case .note(let text):
                h += "<p class=\"note\">\(Self.inline(text))</p>\n"
            case .bullets(let items):
                h += "<ul class=\"points\">\n" + items.map { "<li>\(Self.inline($0))</li>\n" }.joined() + "</ul>\n"
            case .tiles(let tiles):
                h += "<ul class=\"tiles\">\n"
                for tile in tiles {
                    h += "<li><span class=\"label\">\(Self.esc(tile.label))</span> <strong class=\"value\">\(Self.esc(tile.value))</strong>"
                    for line in tile.detail.split(separator: "\n") { h += " <span class=\"detail\">\(Self.esc(String(line)))</span>" }
                    h += "</li>\n"
                }
                h += "</ul>\n"
            case .table(let table):
                h += self.table(table)
            case .chart(let chart, let name):
                figure += 1
                h += try self.chart(chart, name: name, number: figure)
            }
        }
        if open { h += "</section>\n" }
        h += files()
        h += "</main>\n<footer class=\"colophon\">\n<p>\(Self.inline(cover.footer))</p>\n</footer>\n</body>\n</html>\n"
        return h
    }

    /// The column that names a row: the first that is not a number (the platform after its rank).
    static func rowHeader(_ t: DataTable) -> Int { t.columns.firstIndex { !$0.numeric } ?? 0 }

    func table(_ table: DataTable) -> String {
        let id = "table-" + Self.slug(table.id)
        var h = "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"\(id)-caption\" tabindex=\"0\">\n"
        h += "<table id=\"\(id)\">\n<caption id=\"\(id)-caption\">\(Self.esc(table.title))</caption>\n<thead>\n<tr>"
        for c in table.columns { h += "<th scope=\"col\"\(c.numeric ? " class=\"num\"" : "")>\(Self.esc(c.header))</th>" }
        h += "</tr>\n</thead>\n<tbody>\n"
        let head = Self.rowHeader(table)
        for row in table.rows {
            h += "<tr>"
            for (i, cell) in row.enumerated() {
                let c = table.columns[i]
                let cls = c.numeric ? " class=\"num\"" : (c.wrap ? " class=\"wrap\"" : "")
                h += i == head ? "<th scope=\"row\"\(cls)>\(Self.esc(cell))</th>" : "<td\(cls)>\(Self.esc(cell))</td>"
            }
            h += "</tr>\n"
        }
        h += "</tbody>\n</table>\n</div>\n"
        if let note = table.note { h += "<p class=\"note\">\(Self.inline(note))</p>\n" }
        if let path = csv[table.id] {
            h += "<p class=\"download\"><a href=\"\(Self.esc(path))\" type=\"text/csv\">\(t("Download", "내려받기")) \(Self.esc(Self.tableNumber(table.title))) (CSV)</a></p>\n"
        }
        return h
    }

    /// `Table 3. Victims by channel` → `Table 3`.
    static func tableNumber(_ title: String) -> String {
        guard let dot = title.firstIndex(of: ".") else { return title }
        return String(title[..<dot])
    }

    func chart(_ chart: Chart, name: String, number: Int) throws -> String {
        let prefix = "f\(number)-"
        var h = "<figure class=\"chart\" id=\"figure-\(number)\">\n"
        h += try chart.svg(idPrefix: prefix, inline: true)
        let data = chart.dataTable
        if !data.headers.isEmpty {
            h += "<details>\n<summary>\(t("Data of this chart as a table", "이 그림의 자료 (표)"))</summary>\n"
            h += "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"\(prefix)data\" tabindex=\"0\">\n"
            h += "<table>\n<caption id=\"\(prefix)data\">\(Self.esc(chart.annotations.title))</caption>\n<thead>\n<tr>"
            h += data.headers.map { "<th scope=\"col\">\(Self.esc($0))</th>" }.joined() + "</tr>\n</thead>\n<tbody>\n"
            for row in data.rows {
                h += "<tr>" + row.enumerated().map { i, c in i == 0 ? "<th scope=\"row\">\(Self.esc(c))</th>" : "<td class=\"num\">\(Self.esc(c))</td>" }.joined() + "</tr>\n"
            }
            h += "</tbody>\n</table>\n</div>\n</details>\n"
        }
        return h + "</figure>\n"
    }

    /// The files of the bulletin and how to cite it.
    func files() -> String {
        var h = "<section aria-labelledby=\"files\">\n<h2 id=\"files\">\(t("Files and citation", "파일과 인용"))</h2>\n<ul class=\"files\">\n"
        if let pdf { h += "<li><a href=\"\(Self.esc(pdf))\" type=\"application/pdf\">\(t("This bulletin as PDF (A4)", "이 월보의 PDF (A4)"))</a></li>\n" }
        if let manifest {
            h += "<li><a href=\"\(Self.esc(manifest))\" type=\"application/json\">manifest.json</a> — \(t("every figure with its definition, the inputs' SHA-256 and the SHA-256 of every file; check with <code>tally verify</code>", "모든 수치와 정의, 입력 파일과 모든 파일의 SHA-256; <code>tally verify</code>로 검증"))</li>\n"
        }
        for (id, path) in csv.sorted(by: { $0.value < $1.value }) {
            h += "<li><a href=\"\(Self.esc(path))\" type=\"text/csv\">\(Self.esc(path.split(separator: "/").last.map(String.init) ?? id))</a></li>\n"
        }
        h += "</ul>\n"
        let cite = t("\(cover.author). \(documentTitle). Published \(publicationDate). \(fileName), Tally \(Tally.version).",
                     "\(cover.author), 「\(documentTitle)」, \(publicationDate) 발행, \(fileName), Tally \(Tally.version).")
        h += "<p class=\"cite\"><strong>\(t("Cite this bulletin", "인용"))</strong>: \(Self.esc(cite))</p>\n</section>\n"
        return h
    }

    /// An id made of ASCII letters, digits and hyphens.
    static func slug(_ s: String) -> String {
        String(s.unicodeScalars.map { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) ? Character($0) : "-" })
    }

    static let css = """
    :root { --ink: #222; --grey: #555; --accent: #1b4f72; --rule: #c8d1da; --tile: #f1f5f9; --zebra: #f6f8fa; --head: #e8eef4; }
    * { box-sizing: border-box; }
    html { font-family: "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", system-ui, sans-serif; color: var(--ink); background: #fff; line-height: 1.55; }
    body { margin: 0 auto; max-width: 52rem; padding: 0 1rem 2rem; }
    html:lang(ko) body { word-break: keep-all; overflow-wrap: break-word; }
    .skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: #fff; padding: .5rem 1rem; z-index: 10; }
    .skip:focus { left: 1rem; }
    a { color: var(--accent); }
    a:focus, summary:focus, .table-wrap:focus { outline: 3px solid #b35900; outline-offset: 2px; }
    .masthead { display: flex; justify-content: space-between; align-items: center; gap: 1rem; background: var(--accent); color: #fff; margin: 0 -1rem; padding: .6rem 1rem; }
    .masthead p { margin: 0; font-weight: bold; }
    .masthead a { color: #fff; }
    h1 { color: var(--accent); font-size: 2rem; line-height: 1.25; margin: 1.5rem 0 .25rem; }
    h2 { color: var(--accent); font-size: 1.35rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin: 2.2rem 0 .8rem; }
    .subtitle { color: var(--grey); font-size: 1.1rem; margin: 0; }
    .period { font-size: 1.4rem; font-weight: bold; margin: .8rem 0 .2rem; }
    .meta { list-style: none; padding: 0; color: var(--grey); margin: 0; }
    .toc ol { padding-left: 1.5rem; }
    .tiles { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .6rem; }
    .tiles li { background: var(--tile); border-left: 4px solid var(--accent); padding: .6rem .8rem; }
    .tiles .label, .tiles .detail { display: block; color: var(--grey); font-size: .9rem; }
    .tiles .value { display: block; color: var(--accent); font-size: 1.6rem; }
    .points li { margin-bottom: .4rem; }
    figure.chart { margin: 1.2rem 0; border-bottom: 1px solid var(--rule); padding-bottom: .6rem; }
    svg.chart { display: block; width: 100%; height: auto; }
    details { margin: .4rem 0; }
    summary { cursor: pointer; color: var(--accent); }
    .table-wrap { overflow-x: auto; margin: 1rem 0 .3rem; }
    table { border-collapse: collapse; width: 100%; font-size: .9rem; }
    caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
    th, td { padding: .25rem .45rem; vertical-align: top; text-align: left; }
    thead th { background: var(--head); border-bottom: 2px solid var(--accent); }
    tbody th { font-weight: normal; }
    tbody tr:nth-child(even) { background: var(--zebra); }
    tbody tr:last-child { border-bottom: 1px solid var(--rule); }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .wrap { overflow-wrap: anywhere; }
    .note { color: var(--grey); font-size: .85rem; }
    .download { font-size: .9rem; margin-top: 0; }
    .files { overflow-wrap: anywhere; }
    .colophon { border-top: 1px solid var(--rule); margin-top: 2rem; color: var(--grey); font-size: .85rem; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
    @media print {
      @page { size: A4; margin: 18mm 16mm 18mm; }
      html { font-size: 9.5pt; }
      body { max-width: none; padding: 0; }
      .skip, .langs, .download, details { display: none; }
      .masthead { background: none; color: var(--accent); border-bottom: 2px solid var(--accent); margin: 0; padding: 0 0 .3rem; }
      a { color: inherit; text-decoration: none; }
      section.new-page { break-before: page; }
      h2, caption { break-after: avoid; }
      figure, tr, .tiles li { break-inside: avoid; }
      thead { display: table-header-group; }
      .table-wrap { overflow: visible; }
      .files a[href]::after { content: " (" attr(href) ")"; }
    }
    """
}
