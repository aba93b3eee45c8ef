import CCairo
import TallyCharts
#if canImport(Glibc)
import Glibc
#endif

/// Sets the bulletin's blocks on A4 pages of a Cairo PDF surface: a cover with the
/// contents (linked to the sections), then the sections with a running header and footer.
/// Layout runs once, measuring text with Pango on the PDF's own context; the pages are then
/// drawn, so the contents know every section's page.
final class Typesetter {
    struct Metadata {
        var title, author, subject, keywords, creator, date: String
    }

    struct Cover {
        var title: String
        var subtitle: String
        var period: String
        var lines: [String]
        var contentsTitle: String
        var entries: [(title: String, anchor: String)]
        var header: String
        var footer: String
        var lang: Language
    }

    static let pageWidth = 595.2756, pageHeight = 841.8898
    let left = 56.0, right = 56.0, top = 72.0, bottom = 64.0
    var contentWidth: Double { Self.pageWidth - left - right }
    var maxY: Double { Self.pageHeight - bottom }

    let surface: OpaquePointer
    let cr: OpaquePointer
    let canvas: Canvas
    let family = "Noto Sans CJK KR"

    private var pages: [[() -> Void]] = [[]]
    private var y: Double
    private(set) var anchors: [String: (page: Int, y: Double)] = [:]
    private var outline: [(title: String, anchor: String)] = []

    // Colours and styles.
    let ink = Color(hex: 0x222222), grey = Color(hex: 0x5A5A5A), accent = Color(hex: 0x1B4F72), rule = Color(hex: 0xC8D1DA)
    let headerFill = Color(hex: 0xE8EEF4), zebra = Color(hex: 0xF6F8FA), tileFill = Color(hex: 0xF1F5F9)
    func style(_ size: Double, bold: Bool = false, color: Color? = nil) -> TextStyle {
        TextStyle(family: family, size: size, bold: bold, color: color ?? ink)
    }
    var body: TextStyle { style(9.5) }
    var small: TextStyle { style(7.5, color: grey) }

    /// Where Cairo writes the PDF: memory, saved to the file by `save(to:)`.
    let sink = CairoSink()

    init(metadata m: Metadata) throws {
        surface = cairo_pdf_surface_create_for_stream(CairoSink.write, sink.closure, Self.pageWidth, Self.pageHeight)!
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            let status = cairo_surface_status(surface)
            cairo_surface_destroy(surface)
            throw BulletinError("cannot write the PDF (\(String(cString: cairo_status_to_string(status))))")
        }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, m.title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, m.author)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, m.subject)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS, m.keywords)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, m.creator)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, m.date)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, m.date)
        cr = cairo_create(surface)!
        canvas = Canvas(cr: cr)
        y = top
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    var pageCount: Int { pages.count }

    // MARK: Flow

    private func add(_ op: @escaping () -> Void) { pages[pages.count - 1].append(op) }
    private func newPage() { pages.append([]); y = top }
    private func ensure(_ h: Double) { if y + h > maxY && y > top + 0.5 { newPage() } }

    func cover(_ c: Cover) {
        let w = contentWidth, x = left
        let band = style(10, bold: true, color: .white)
        let bandText = canvas.text(c.header, band, width: w - 24)
        let title = canvas.text(c.title, style(26, bold: true, color: accent), width: w)
        let subtitle = canvas.text(c.subtitle, style(12, color: grey), width: w)
        let period = canvas.text(c.period, style(20, bold: true), width: w)
        let lines = canvas.text(c.lines.joined(separator: "\n"), style(10, color: grey), width: w)
        add { [self] in
            canvas.fill(Rect(x: 0, y: 0, width: Self.pageWidth, height: 14), accent)
            canvas.fill(Rect(x: x, y: 70, width: w, height: 30), accent)
            tagged("P") { canvas.draw(bandText, x: x + 12, y: 85 - bandText.height / 2) }
            tagged("H1") { canvas.draw(title, x: x, y: 150) }
            tagged("P") { canvas.draw(subtitle, x: x, y: 156 + title.height) }
            canvas.fill(Rect(x: x, y: 170 + title.height + subtitle.height, width: 60, height: 3), accent)
            tagged("P") { canvas.draw(period, x: x, y: 186 + title.height + subtitle.height) }
            tagged("P") { canvas.draw(lines, x: x, y: 196 + title.height + subtitle.height + period.height) }
        }
        // Contents, linked to the sections (their pages are known when the page is drawn).
        let contentsTop = 430.0
        let heading = canvas.text(c.contentsTitle, style(13, bold: true, color: accent), width: w)
        add { [self] in
            tagged("H2") { canvas.draw(heading, x: x, y: contentsTop) }
            canvas.line(x, contentsTop + heading.height + 4, x + w, contentsTop + heading.height + 4, color: rule, width: 0.8)
            begin("L")
        }
        var ly = contentsTop + heading.height + 12
        for (i, e) in c.entries.enumerated() {
            let label = canvas.text("\(i + 1)  " + e.title, style(10.5), width: w - 40)
            let rowY = ly
            add { [self] in
                guard let target = anchors[e.anchor] else { return }
                let num = canvas.text(String(target.page), style(10.5, color: grey))
                let attrs = "rect=[\(fmt(x)) \(fmt(rowY)) \(fmt(w)) \(fmt(label.height))] page=\(target.page) pos=[\(fmt(left)) \(fmt(max(0, target.y - 12)))]"
                begin("LI")
                cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs)
                canvas.draw(label, x: x, y: rowY)
                canvas.line(x + label.textWidth + 6, rowY + label.height * 0.72, x + w - num.textWidth - 6, rowY + label.height * 0.72,
                            color: rule, width: 0.6, dash: [1, 2.5])
                canvas.draw(num, x: x + w - num.textWidth, y: rowY)
                cairo_tag_end(cr, CAIRO_TAG_LINK)
                end("LI")
            }
            ly += label.height + 7
        }
        let footer = canvas.text(c.footer, small, width: w)
        add { [self] in
            end("L")
            tagged("P") { canvas.draw(footer, x: x, y: maxY - footer.height) }
        }
        newPage()
    }

    func set(_ blocks: [Block]) {
        for (i, b) in blocks.enumerated() {
            switch b {
            case .heading(let text, let anchor, let breakBefore):
                // Keep the heading with the text that follows it and the start of what comes next.
                var keep = 90.0
                for next in blocks[(i + 1)...] {
                    if case .paragraph(let p) = next { keep += canvas.text(p, body, width: contentWidth).height + 6 }
                    else if case .bullets(let items) = next { keep += items.reduce(0) { $0 + canvas.text($1, body, width: contentWidth - 14).height + 5 } }
                    else { break }
                }
                heading(text, anchor: anchor, breakBefore: breakBefore, first: i == 0, keep: keep)
            case .paragraph(let text): paragraph(text)
            case .bullets(let items): bullets(items)
            case .tiles(let tiles): self.tiles(tiles)
            case .table(let t): table(t)
            case .chart(let c, _): chart(c)
            case .note(let text): paragraph(text, style: small)
            }
        }
    }

    func heading(_ text: String, anchor: String, breakBefore: Bool, first: Bool, keep: Double) {
        if breakBefore && !first && y > top + 0.5 { newPage() }
        let block = canvas.text(text, style(15, bold: true, color: accent), width: contentWidth)
        let h = block.height + 10
        if y > top + 0.5 { y += 10 }
        ensure(h + min(keep, maxY - top - h))
        let (x, yy, page) = (left, y, pages.count)
        anchors[anchor] = (page, yy)
        outline.append((text, anchor))
        add { [self] in
            tagged("H2") { canvas.draw(block, x: x, y: yy) }
            canvas.line(x, yy + block.height + 3, x + contentWidth, yy + block.height + 3, color: accent, width: 1.2)
        }
        y += h + 6
    }

    func paragraph(_ text: String, style: TextStyle? = nil, indent: Double = 0) {
        let block = canvas.text(text, style ?? body, width: contentWidth - indent)
        ensure(block.height)
        let (x, yy) = (left + indent, y)
        add { [self] in tagged("P") { canvas.draw(block, x: x, y: yy) } }
        y += block.height + 6
    }

    func bullets(_ items: [String]) {
        for (i, item) in items.enumerated() {
            let block = canvas.text(item, body, width: contentWidth - 14)
            ensure(block.height)
            let (x, yy) = (left, y)
            let dot = canvas.text("•", style(9.5, bold: true, color: accent))
            let (first, last) = (i == 0, i == items.count - 1)
            add { [self] in
                if first { begin("L") }
                tagged("LI") {
                    tagged("Lbl") { canvas.draw(dot, x: x + 2, y: yy) }
                    tagged("LBody") { canvas.draw(block, x: x + 14, y: yy) }
                }
                if last { end("L") }
            }
            y += block.height + 5
        }
        y += 4
    }

    func tiles(_ tiles: [TileContent]) {
        guard !tiles.isEmpty else { return }
        let columns = tiles.count == 4 || tiles.count > 6 ? 2 : min(3, tiles.count)
        let gap = 10.0, w = (contentWidth - gap * Double(columns - 1)) / Double(columns)
        var row = 0
        while row * columns < tiles.count {
            let items = tiles[(row * columns)..<min(tiles.count, row * columns + columns)]
            let laid = items.map { t in
                (canvas.text(t.label, style(8.5, color: grey), width: w - 20, maxLines: 2),
                 fitted(t.value, sizes: columns == 3 ? [17, 15, 13, 11] : [20, 17, 14, 12], width: w - 20),
                 canvas.text(t.detail, style(8, color: grey), width: w - 20))
            }
            let h = (laid.map { $0.0.height + $0.1.height + $0.2.height }.max() ?? 0) + 24
            ensure(h)
            for (k, l) in laid.enumerated() {
                let (x, yy) = (left + Double(k) * (w + gap), y)
                let (first, last) = (row == 0 && k == 0, row * columns + k == tiles.count - 1)
                add { [self] in
                    if first { begin("L") }
                    begin("LI")
                    canvas.fill(Rect(x: x, y: yy, width: w, height: h), tileFill)
                    canvas.fill(Rect(x: x, y: yy, width: 3, height: h), accent)
                    tagged("Lbl") { canvas.draw(l.0, x: x + 12, y: yy + 8) }
                    tagged("LBody") {
                        canvas.draw(l.1, x: x + 12, y: yy + 10 + l.0.height)
                        canvas.draw(l.2, x: x + 12, y: yy + 12 + l.0.height + l.1.height)
                    }
                    end("LI")
                    if last { end("L") }
                }
            }
            y += h + gap
            row += 1
        }
        y += 4
    }

    /// The largest of `sizes` at which `text` fits on one line of `width`.
    func fitted(_ text: String, sizes: [Double], width: Double) -> TextBlock {
        for size in sizes {
            let b = canvas.text(text, style(size, bold: true, color: accent))
            if b.textWidth <= width { return b }
        }
        return canvas.text(text, style(sizes.last!, bold: true, color: accent), width: width, maxLines: 1)
    }

    func chart(_ chart: Chart) {
        let h = chart.theme.height
        ensure(h)
        let (x, yy) = (left, y)
        add { [self] in
            begin("Figure")
            cairo_save(cr)
            cairo_translate(cr, x, yy)
            chart.draw(on: canvas)
            cairo_restore(cr)
            end("Figure")
            canvas.line(x, yy + h, x + contentWidth, yy + h, color: rule, width: 0.5)
        }
        y += h + 14
    }

    /// Column widths: numbers and short texts at their natural width, wrapping columns share
    /// what is left; when even that does not fit, every column shrinks in proportion.
    func widths(_ t: DataTable, cell: TextStyle, head: TextStyle, pad: Double) -> [Double] {
        var natural = t.columns.indices.map { c -> Double in
            let h = min(canvas.text(t.columns[c].header, head).textWidth, 64)
            let cells = t.rows.map { canvas.text($0[c], cell).textWidth }.max() ?? 0
            return max(h, cells) + 2 * pad
        }
        let total = natural.reduce(0, +)
        if total <= contentWidth {
            // Spare width to the wrapping columns (or the first), so tables span the page.
            let wraps = t.columns.indices.filter { t.columns[$0].wrap }
            let targets = wraps.isEmpty ? [0] : wraps
            for c in targets { natural[c] += (contentWidth - total) / Double(targets.count) }
            return natural
        }
        let fixed = t.columns.indices.filter { !t.columns[$0].wrap }.reduce(0.0) { $0 + natural[$1] }
        let wrapTotal = total - fixed
        if fixed < contentWidth - 60, wrapTotal > 0 {
            // Each wrapping column gets at least its longest word (up to 40% of the page),
            // then the rest in proportion to what it would need beyond that.
            let room = contentWidth - fixed
            var minimum = [Double](repeating: 0, count: natural.count)
            for c in t.columns.indices where t.columns[c].wrap {
                let words = t.rows.flatMap { $0[c].split(separator: " ") }
                let longest = words.map { canvas.text(String($0), cell).textWidth }.max() ?? 0
                minimum[c] = min(longest + 2 * pad, contentWidth * 0.4, natural[c])
            }
            let minTotal = minimum.reduce(0, +)
            if minTotal < room {
                let extra = t.columns.indices.filter { t.columns[$0].wrap }.reduce(0.0) { $0 + natural[$1] - minimum[$1] }
                return t.columns.indices.map { c in
                    t.columns[c].wrap ? minimum[c] + (extra > 0 ? (natural[c] - minimum[c]) / extra * (room - minTotal) : 0) : natural[c]
                }
            }
            return t.columns.indices.map { t.columns[$0].wrap ? natural[$0] / wrapTotal * room : natural[$0] }
        }
        return natural.map { $0 / total * contentWidth }
    }

    func table(_ t: DataTable) {
        let cell = style(7.8), head = style(7.8, bold: true)
        let pad = 5.0, padY = 3.2
        let widths = self.widths(t, cell: cell, head: head, pad: pad)
        func row(_ texts: [String], _ s: TextStyle, header: Bool) -> (blocks: [TextBlock], height: Double) {
            let blocks = texts.enumerated().map { c, text in
                canvas.text(text, s, width: widths[c] - 2 * pad, align: t.columns[c].numeric ? .right : .left)
            }
            return (blocks, (blocks.map(\.height).max() ?? 0) + 2 * padY)
        }
        let caption = canvas.text(t.title, style(9.5, bold: true), width: contentWidth)
        let continued = canvas.text(t.title + (canvasLang == .ko ? " (계속)" : " (continued)"), style(9.5, bold: true), width: contentWidth)
        let header = row(t.columns.map(\.header), head, header: true)
        let rows = t.rows.map { row($0, cell, header: false) }

        let rowHeader = HTMLPage.rowHeader(t)
        func drawRow(_ r: (blocks: [TextBlock], height: Double), fill: Color?, bold: Bool) {
            let yy = y
            add { [self] in
                begin("TR")
                if let fill { canvas.fill(Rect(x: left, y: yy, width: contentWidth, height: r.height), fill) }
                var x = left
                for (c, b) in r.blocks.enumerated() {
                    tagged(bold || c == rowHeader ? "TH" : "TD") { canvas.draw(b, x: x + pad, y: yy + padY) }
                    x += widths[c]
                }
                if bold { canvas.line(left, yy + r.height, left + contentWidth, yy + r.height, color: accent, width: 0.8) }
                end("TR")
            }
            y += r.height
        }
        var opened = false
        func start(_ c: TextBlock) {
            let yy = y
            let first = !opened
            opened = true
            add { [self] in
                if first { begin("Table") }
                tagged("Caption") { canvas.draw(c, x: left, y: yy) }
            }
            y += c.height + 4
            drawRow(header, fill: headerFill, bold: true)
        }
        ensure(caption.height + 4 + header.height + (rows.first?.height ?? 0) * min(3, Double(rows.count)))
        start(caption)
        for (i, r) in rows.enumerated() {
            if y + r.height > maxY {
                newPage()
                start(continued)
            }
            drawRow(r, fill: i % 2 == 1 ? zebra : nil, bold: false)
        }
        let bottom = y
        add { [self] in
            canvas.line(left, bottom, left + contentWidth, bottom, color: rule, width: 0.6)
            end("Table")
        }
        y += 4
        if let note = t.note {
            let block = canvas.text(note, small, width: contentWidth)
            ensure(block.height)
            let yy = y
            add { [self] in tagged("P") { canvas.draw(block, x: left, y: yy) } }
            y += block.height
        }
        y += 14
    }

    var canvasLang: Language = .en

    // MARK: Output

    /// Draws every page with the running header and footer, adds the outline and finishes
    /// the file.
    func finish(header: String, headerRight: String, footer: String, pageWord: (Int, Int) -> String) throws {
        if pages.last?.isEmpty == true { pages.removeLast() }
        let total = pages.count
        let headerLeft = canvas.text(header, small, width: contentWidth * 0.65, maxLines: 1)
        let headerRightBlock = canvas.text(headerRight, small, width: contentWidth * 0.35, maxLines: 1, align: .right)
        let footerLeft = canvas.text(footer, small, width: contentWidth * 0.7, maxLines: 1)
        begin("Document")
        for (i, ops) in pages.enumerated() {
            if i > 0 {
                canvas.draw(headerLeft, x: left, y: 36)
                canvas.draw(headerRightBlock, x: left + contentWidth * 0.65, y: 36)
                canvas.line(left, 38 + headerLeft.height, left + contentWidth, 38 + headerLeft.height, color: rule, width: 0.6)
                let fy = Self.pageHeight - 40
                canvas.line(left, fy - 6, left + contentWidth, fy - 6, color: rule, width: 0.6)
                canvas.draw(footerLeft, x: left, y: fy)
                let number = canvas.text(pageWord(i + 1, total), small)
                canvas.draw(number, x: left + contentWidth - number.textWidth, y: fy)
            }
            for op in ops { op() }
            if i == total - 1 { end("Document") }
            cairo_show_page(cr)
        }
        for entry in outline {
            guard let a = anchors[entry.anchor] else { continue }
            cairo_pdf_surface_add_outline(surface, CAIRO_PDF_OUTLINE_ROOT, entry.title,
                                          "page=\(a.page) pos=[\(fmt(left)) \(fmt(max(0, a.y - 12)))]", cairo_pdf_outline_flags_t(rawValue: 0))
        }
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw BulletinError(String(cString: cairo_status_to_string(status)))
        }
    }

    func fmt(_ d: Double) -> String { FigureFormatLite.fixed(d) }

    // MARK: Structure (tagged PDF)

    /// Opens a structure element of the PDF's tag tree (Cairo writes the tree, the marked
    /// content and `/MarkInfo` when drawing happens inside tags).
    func begin(_ tag: String) { cairo_tag_begin(cr, tag, "") }
    func end(_ tag: String) { cairo_tag_end(cr, tag) }
    func tagged(_ tag: String, _ body: () -> Void) { begin(tag); body(); end(tag) }
}

/// Two decimals, without locale (for Cairo's tag attributes).
enum FigureFormatLite {
    static func fixed(_ d: Double) -> String {
        let r = (d * 100).rounded()
        let whole = Int(r) / 100, frac = abs(Int(r) % 100)
        return "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
