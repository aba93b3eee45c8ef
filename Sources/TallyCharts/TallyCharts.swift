import CCairo

/// Charts of Tally's figures, drawn with Cairo (text through Pango).
public enum TallyCharts {
    /// Cairo's version string, e.g. "1.16.0".
    public static var cairoVersion: String { String(cString: cairo_version_string()) }
}
