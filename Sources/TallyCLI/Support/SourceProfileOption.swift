import Foundation
import TallyMetrics
import TallyProfiles

enum SourceProfileOption {
    /// The profile named by `--source` (a name in the profile folder, or a file) and the
    /// profiles tried on files whose first row is no contract header (every profile of the
    /// folder: `--sources DIR`, else `Data/sources` when it exists). A mistake in any profile
    /// stops the command with one line naming its file and key.
    static func load(source: String?, directory: String?) throws -> (SourceProfile?, [SourceProfile]) {
        let dir = directory ?? SourceProfile.defaultDirectory
        do {
            var all: [SourceProfile] = []
            if directory != nil || FileManager.default.fileExists(atPath: dir) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CLIError("--sources \(dir): no such folder")
                }
                all = try SourceProfile.loadDirectory(dir)
            }
            guard let source else { return (nil, all) }
            if source.hasSuffix(".yaml") || source.hasSuffix(".yml") || source.contains("/") {
                return (try SourceProfile.load(source), all)
            }
            guard let named = all.first(where: { $0.name == source }) else {
                let known = all.isEmpty ? "there are none in \(dir)" : "known: " + all.map(\.name).joined(separator: ", ")
                throw CLIError("--source \(source): no such source profile (\(known)); give a profile's name or its .yaml file")
            }
            return (named, all)
        } catch let e as YAMLError {
            throw CLIError(e.description)
        }
    }
}
