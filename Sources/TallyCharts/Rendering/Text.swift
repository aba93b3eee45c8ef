import CCairo

/// How a piece of text looks: size in points, weight, colour. The family is the theme's
/// (Noto Sans CJK KR, found through fontconfig, so that Hangul and Latin share one face).
public struct TextStyle: Equatable, Sendable {
    public var family: String
    public var size: Double
    public var bold: Bool
    public var color: Color
    public init(family: String, size: Double, bold: Bool = false, color: Color) {
        self.family = family; self.size = size; self.bold = bold; self.color = color
    }
    var key: String { "\(family)|\(size)|\(bold)" }
}

public enum TextAlign: Sendable { case left, center, right }

/// Text laid out by Pango: wrapped at word (or, for long words, character) boundaries
/// when it has a width, cut with an ellipsis after `maxLines` lines. Its size is known
/// before it is drawn, so callers can place it where nothing else is.
public final class TextBlock {
    let layout: OpaquePointer
    let style: TextStyle
    /// Width of the box the text was laid out in, or of the text itself when unbounded.
    public let width: Double
    /// Width of the ink of the longest line.
    public let textWidth: Double
    public let height: Double
    public let lineCount: Int
    /// Whether Pango had to cut the text (its end replaced by "…").
    public let isEllipsized: Bool

    init(layout: OpaquePointer, style: TextStyle, boxWidth: Double?) {
        self.layout = layout
        self.style = style
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        let scale = Double(PANGO_SCALE)
        textWidth = Double(logical.width) / scale
        height = Double(logical.height) / scale
        width = boxWidth ?? textWidth
        lineCount = Int(pango_layout_get_line_count(layout))
        isEllipsized = pango_layout_is_ellipsized(layout) != 0
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }
}

extension Canvas {
    func font(_ style: TextStyle) -> OpaquePointer {
        if let f = fonts[style.key] { return f }
        let f = pango_font_description_new()!
        pango_font_description_set_family(f, style.family)
        pango_font_description_set_size(f, Int32((style.size * Double(PANGO_SCALE)).rounded()))
        pango_font_description_set_weight(f, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        fonts[style.key] = f
        return f
    }

    /// Lays out `text`; with `width`, lines wrap at that width (aligned within it) and, when
    /// `maxLines` > 0, text beyond that many lines is ellipsized.
    public func text(_ text: String, _ style: TextStyle, width: Double? = nil, maxLines: Int = 0,
                     align: TextAlign = .left) -> TextBlock {
        let layout = pango_layout_new(pango)!
        pango_layout_set_font_description(layout, font(style))
        pango_layout_set_text(layout, text, -1)
        if let width {
            Self.keepingKoreanWords(layout, text)
            pango_layout_set_width(layout, Int32((max(1, width) * Double(PANGO_SCALE)).rounded(.down)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            if maxLines > 0 {
                pango_layout_set_height(layout, Int32(-maxLines))
                pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
            }
            switch align {
            case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
            case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
            case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
            }
        }
        return TextBlock(layout: layout, style: style, boxWidth: width)
    }

    /// Korean is written with spaces between words and wrapped at them (CSS
    /// `word-break: keep-all`), but Pango may break between any two Hangul syllables: each
    /// word with Hangul in it gets an attribute that forbids breaks inside it.
    static func keepingKoreanWords(_ layout: OpaquePointer, _ text: String) {
        let bytes = Array(text.utf8)
        var ranges: [(Int, Int)] = []
        var start = 0, i = 0, hasHangul = false
        func close(_ end: Int) {
            if hasHangul && end > start { ranges.append((start, end)) }
            hasHangul = false
        }
        for u in text.unicodeScalars {
            let n = String(u).utf8.count
            if u.properties.isWhitespace { close(i); start = i + n } else if (0xAC00...0xD7A3).contains(u.value) { hasHangul = true }
            i += n
        }
        close(bytes.count)
        guard !ranges.isEmpty else { return }
        let list = pango_attr_list_new()!
        for (a, b) in ranges {
            let attr = pango_attr_allow_breaks_new(0)!
            attr.pointee.start_index = guint(a)
            attr.pointee.end_index = guint(b)
            pango_attr_list_insert(list, attr)
        }
        pango_layout_set_attributes(layout, list)
        pango_attr_list_unref(list)
    }

    /// The text of each line of a block (for an ellipsized line, what it stands for).
    public func lines(_ block: TextBlock, _ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return (0..<block.lineCount).compactMap { i in
            guard let line = pango_layout_get_line_readonly(block.layout, Int32(i)) else { return nil }
            let a = Int(line.pointee.start_index), n = Int(line.pointee.length)
            return String(decoding: bytes[a..<min(bytes.count, a + n)], as: UTF8.self)
        }
    }

    /// Where the ink of line `i` of a block ends, from the left of the line: for an
    /// ellipsized line, the end of the "…" (its logical width, and the block's `textWidth`,
    /// are the whole box).
    public func inkRight(_ block: TextBlock, _ i: Int = 0) -> Double {
        guard i < block.lineCount, let line = pango_layout_get_line_readonly(block.layout, Int32(i)) else { return 0 }
        var ink = PangoRectangle()
        pango_layout_line_get_extents(line, &ink, nil)
        return Double(ink.x + ink.width) / Double(PANGO_SCALE)
    }

    /// Draws a block with the top left of its box at (x, y).
    public func draw(_ block: TextBlock, x: Double, y: Double) {
        setColor(block.style.color)
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, block.layout)
    }

    /// Draws a block aligned on `x` (its left, centre or right) with its vertical middle at `y`.
    public func draw(_ block: TextBlock, anchorX x: Double, middleY y: Double, align: TextAlign) {
        let left: Double
        switch align {
        case .left: left = x
        case .center: left = x - block.width / 2
        case .right: left = x - block.width
        }
        draw(block, x: left, y: y - block.height / 2)
    }
}
