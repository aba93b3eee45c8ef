import TallyCore

/// The engine that computed a bulletin's figures when it was not Tally's own engine over a
/// store (`tally bulletin --engine spark`): named in the manifest (`engine`), in the note of
/// the sources table and in the Revisions section — the only places where such a bulletin's
/// PDF and HTML page differ from the one Tally's engine makes from the same records.
public struct BulletinEngine: Sendable, Equatable {
    /// `spark`.
    public var name: String
    /// As the bulletin names it: `Apache Spark 4.3.0`.
    public var displayName: String
    public var version: String
    /// Where it ran: `local[2]`, `spark://host:7077`, `yarn`, …
    public var master: String

    public init(name: String, displayName: String, version: String, master: String) {
        self.name = name; self.displayName = displayName; self.version = version; self.master = master
    }

    var json: JSONValue {
        .object([("name", .string(name)), ("version", .string(version)), ("master", .string(master))])
    }
}
