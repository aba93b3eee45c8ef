/// What was known: the store as it stood when batch `batch` finished (revisions.md). Every
/// figure is computed at a vintage, printed with it and written into JSON and manifests.
public struct Vintage: Sendable, Equatable, Hashable {
    public var batch: Int
    /// When the batch finished (ISO 8601, UTC); nil for a batch that never finished.
    public var finishedAt: String?

    public init(batch: Int, finishedAt: String?) {
        self.batch = batch
        self.finishedAt = finishedAt
    }

    /// `{"batch": N, "finished_at": "..."}` as metrics.md gives it.
    public var json: JSONValue {
        .object([("batch", .int(Int64(batch))), ("finished_at", finishedAt.map(JSONValue.string) ?? .null)])
    }

    /// "batch 7 (finished 2024-09-03T01:00:00Z)".
    public var text: String {
        "batch \(batch)" + (finishedAt.map { " (finished \($0))" } ?? " (not finished)")
    }
}
