/// A bulletin published from the store (revisions.md): what a later bulletin compares its
/// figures of earlier months with.
public struct Publication: Sendable, Equatable {
    public var id: Int
    /// The period's label (`2024-08`, `2024-Q3`, …).
    public var period: String
    public var lang: String
    /// The vintage (batch) the bulletin was computed at.
    public var vintage: Int
    /// Its as-of time, UTC microseconds.
    public var asOfMicros: Int64
    /// SHA-256 of its manifest.json.
    public var manifestSHA256: String
    /// When it was recorded (ISO 8601, UTC).
    public var writtenAt: String

    public init(id: Int, period: String, lang: String, vintage: Int, asOfMicros: Int64, manifestSHA256: String, writtenAt: String) {
        self.id = id; self.period = period; self.lang = lang; self.vintage = vintage; self.asOfMicros = asOfMicros
        self.manifestSHA256 = manifestSHA256; self.writtenAt = writtenAt
    }
}

/// A batch between two vintages, with what a reader needs to know about it.
public struct BatchNote: Sendable, Equatable {
    public var batch: Int
    /// `ingest` or `retract`.
    public var kind: String
    /// The reason recorded with the batch (`--reason`), if any.
    public var reason: String?
    public var finishedAt: String?
    /// Names of the files it loaded (no folders: publications never show folder paths).
    public var files: [String]

    public init(batch: Int, kind: String, reason: String?, finishedAt: String?, files: [String]) {
        self.batch = batch; self.kind = kind; self.reason = reason; self.finishedAt = finishedAt; self.files = files
    }
}
