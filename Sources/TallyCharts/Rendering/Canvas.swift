import CCairo

/// A rectangle in points (1/72 inch), origin top left.
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    /// The rectangle shrunk by the given insets.
    public func inset(top: Double = 0, left: Double = 0, bottom: Double = 0, right: Double = 0) -> Rect {
        Rect(x: x + left, y: y + top, width: max(0, width - left - right), height: max(0, height - top - bottom))
    }
}

/// An sRGB colour with alpha.
public struct Color: Equatable, Sendable {
    public var r, g, b, a: Double
    public init(r: Double, g: Double, b: Double, a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }
    /// `0xRRGGBB`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(r: Double((hex >> 16) & 0xFF) / 255, g: Double((hex >> 8) & 0xFF) / 255, b: Double(hex & 0xFF) / 255, a: alpha)
    }
    public static let white = Color(hex: 0xFFFFFF)
    public static let black = Color(hex: 0x000000)
}

/// The one drawing path of every output: a Cairo context in points, whatever the surface
/// (an image scaled to the DPI, an SVG or a PDF). Text goes through Pango (see `Text.swift`).
public final class Canvas {
    /// The Cairo context (`cairo_t *`).
    let cr: OpaquePointer
    /// One Pango context for every text, at 72 dpi so that font sizes are in points, with
    /// hinting off so that text is laid out the same on every surface.
    let pango: OpaquePointer
    /// Font descriptions by `TextStyle` key, parsed once.
    var fonts: [String: OpaquePointer] = [:]

    /// A canvas on an existing Cairo context (`cairo_t *`), e.g. a page of the bulletin.
    public init(cr: OpaquePointer) {
        self.cr = cr
        let ctx = pango_cairo_create_context(cr)!
        pango_cairo_context_set_resolution(ctx, 72)
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(ctx, options)
        cairo_font_options_destroy(options)
        pango = ctx
    }

    deinit {
        for f in fonts.values { pango_font_description_free(f) }
        g_object_unref(UnsafeMutableRawPointer(pango))
    }

    func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }

    /// Fills a rectangle.
    public func fill(_ r: Rect, _ color: Color) {
        setColor(color)
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_fill(cr)
    }

    /// A straight line; `dash` is on/off lengths in points.
    public func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: Color, width: Double, dash: [Double] = []) {
        setColor(color)
        cairo_set_line_width(cr, width)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        dash.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32(dash.count), 0) }
        cairo_move_to(cr, x0, y0)
        cairo_line_to(cr, x1, y1)
        cairo_stroke(cr)
        cairo_set_dash(cr, nil, 0, 0)
    }

    /// A polyline through `points` with round joins.
    public func polyline(_ points: [(Double, Double)], color: Color, width: Double) {
        guard points.count > 1 else { return }
        setColor(color)
        cairo_set_line_width(cr, width)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND)
        cairo_move_to(cr, points[0].0, points[0].1)
        for p in points.dropFirst() { cairo_line_to(cr, p.0, p.1) }
        cairo_stroke(cr)
    }

    /// A filled circle.
    public func dot(_ x: Double, _ y: Double, radius: Double, color: Color) {
        setColor(color)
        cairo_new_sub_path(cr)
        cairo_arc(cr, x, y, radius, 0, 2 * Double.pi)
        cairo_fill(cr)
    }
}
