import Foundation
import TallyCore
import TallyMetrics

enum PlatformRegistryOption {
    /// The registry named by `--platforms`, else `Data/platforms.yaml` when it exists, else nil.
    static func load(_ file: String?) throws -> PlatformRegistry? {
        let path: String
        if let file {
            path = file
        } else if FileManager.default.fileExists(atPath: PlatformRegistry.defaultFile) {
            path = PlatformRegistry.defaultFile
        } else {
            return nil
        }
        return try PlatformRegistry.load(path)
    }
}
