/// How every chart looks: the Okabe–Ito colour-blind-safe palette, one font family for
/// Hangul and Latin (Noto Sans CJK KR through fontconfig), text sizes, margins and the
/// quiet greys of grid lines and secondary text. Sizes are in points.
public struct Theme: Sendable {
    /// Okabe and Ito's eight colours ("Color Universal Design", 2008), black last.
    public static let okabeIto: [Color] = [
        Color(hex: 0x0072B2), // blue
        Color(hex: 0xE69F00), // orange
        Color(hex: 0x009E73), // bluish green
        Color(hex: 0xD55E00), // vermillion
        Color(hex: 0x56B4E9), // sky blue
        Color(hex: 0xCC79A7), // reddish purple
        Color(hex: 0xF0E442), // yellow
        Color(hex: 0x000000), // black
    ]

    public var fontFamily = "Noto Sans CJK KR"
    public var palette = Theme.okabeIto
    /// Size of a chart in points (600 × 380 pt is 1200 × 760 px at 144 dpi).
    public var width = 600.0
    public var height = 380.0
    public var margin = 18.0

    public var titleSize = 15.0
    public var subtitleSize = 10.5
    public var axisSize = 8.5
    public var labelSize = 8.5
    public var noteSize = 8.0

    public var text = Color(hex: 0x222222)
    public var secondaryText = Color(hex: 0x5A5A5A)
    public var grid = Color(hex: 0xE3E3E3)
    public var axisLine = Color(hex: 0x444444)
    /// A series shown for comparison only (the previous year).
    public var muted = Color(hex: 0xA6A6A6)
    /// Unknown values (age unknown) in a stack.
    public var unknown = Color(hex: 0xBDBDBD)
    /// A marked threshold (the takedown deadline).
    public var marker = Color(hex: 0xD55E00)

    public init() {}

    public var title: TextStyle { TextStyle(family: fontFamily, size: titleSize, bold: true, color: text) }
    public var subtitle: TextStyle { TextStyle(family: fontFamily, size: subtitleSize, color: secondaryText) }
    public var axis: TextStyle { TextStyle(family: fontFamily, size: axisSize, color: secondaryText) }
    public var label: TextStyle { TextStyle(family: fontFamily, size: labelSize, color: text) }
    public var boldLabel: TextStyle { TextStyle(family: fontFamily, size: labelSize, bold: true, color: text) }
    public var note: TextStyle { TextStyle(family: fontFamily, size: noteSize, color: secondaryText) }

    /// The colour of series `i` (a named role wins: `unknown`, `muted`).
    public func color(_ i: Int, role: SeriesRole = .normal) -> Color {
        switch role {
        case .normal: return palette[i % palette.count]
        case .unknown: return unknown
        case .muted: return muted
        }
    }
}
