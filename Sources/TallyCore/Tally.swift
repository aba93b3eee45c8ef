/// Facts about this build of Tally that outputs record for provenance.
public enum Tally {
    public static let version = "0.1.0"
    /// The reporting time zone when none is configured (records.md, metrics.md).
    public static let defaultTimeZone = "Asia/Seoul"
}
