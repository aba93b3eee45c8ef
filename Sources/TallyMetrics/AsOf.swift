import TallyCore
import TallyTime

/// The as-of time (metrics.md): one place that reads it from text and says what the end of
/// a local day is, for `--as-of`, the default when no takedowns are loaded, and figure SQL.
public enum AsOf {
    /// The end of local day `day` (local midnight after it) in `zone`, UTC microseconds.
    public static func endOfDay(_ day: Int, zone: ZoneOffsets) -> Int64 {
        let local = Int64(day + 1) * 86_400
        if case .success(let s) = zone.utc(fromLocal: local) { return s * 1_000_000 }
        return local * 1_000_000
    }

    /// A date `YYYY-MM-DD` (its end, 24:00 local) or a timestamp (with Z, ±HH:MM or local), as
    /// UTC microseconds; nil when the text is neither.
    public static func parse(_ text: String, zone: ZoneOffsets) -> Int64? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { b -> Int64? in
            if let d = FieldParser.date(b) { return endOfDay(Int(d), zone: zone) }
            if case .success(let t) = FieldParser.timestamp(b, zone: zone) { return t }
            return nil
        }
    }

    /// The SQL of the default as-of time at a vintage: the latest `requested_at` or
    /// `resolved_at` of the takedowns (null when there are none; then the end of the period).
    public static let defaultSQL = """
        WITH \(FigureQueries.atVintage(.takedowns).name) AS (
          \(FigureQueries.atVintage(.takedowns).sql)
        )
        SELECT max((SELECT max(requested_at) FROM takedowns_at_vintage), coalesce((SELECT max(resolved_at) FROM takedowns_at_vintage), 0))
        """
}
