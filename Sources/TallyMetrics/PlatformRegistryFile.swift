import TallyCore

/// Reading `Data/platforms.yaml`: every key checked, errors naming the file and the key.
///
/// ```yaml
/// platforms:
///   - name: X                       # the canonical name, used by figures and rankings
///     aliases: [트위터, Twitter, X(구 트위터)]
///     origin: overseas              # domestic or overseas
/// ```
extension PlatformRegistry {
    /// The registry `tally ingest` and `tally status` use unless `--platforms FILE` names another.
    public static let defaultFile = "Data/platforms.yaml"

    public static func load(_ file: String) throws -> PlatformRegistry {
        try parse(YAMLDocument.read(file))
    }

    public static func parse(_ doc: YAMLDocument) throws -> PlatformRegistry {
        try doc.only(["note", "platforms"])
        _ = try doc.string("note")
        let items = try doc.require("platforms", try doc.list("platforms"), "a list of platforms, each with name, aliases and origin")
        var platforms: [Platform] = []
        for item in items {
            try item.only(["name", "aliases", "origin"])
            let name = try item.require("name", try item.string("name"), "the canonical name")
            let aliases = try item.strings("aliases") ?? []
            let origin = try item.require("origin", try item.string("origin"), "domestic or overseas")
            guard RecordSchema.origins.contains(origin) else {
                throw item.fail("origin", RecordSchema.origins.joined(separator: " or "), got: origin)
            }
            platforms.append(Platform(name: name, aliases: aliases, origin: origin))
        }
        do {
            return try PlatformRegistry(platforms)
        } catch let p as PlatformRegistry.Problem {
            switch p {
            case let .claimedTwice(name, first, second):
                throw YAMLError(file: doc.file, message: "key 'platforms[\(second + 1)]': the name '\(name)' is claimed by both "
                    + "'\(platforms[first].name)' (platforms[\(first + 1)]) and '\(platforms[second].name)' (names are compared "
                    + "after normalisation: case, spaces, invisible characters)")
            case let .emptyName(i):
                throw YAMLError(file: doc.file, message: "key 'platforms[\(i + 1)]': a name or alias is empty (or only spaces and invisible characters)")
            }
        }
    }
}
