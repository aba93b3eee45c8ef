import Foundation
import TallyBulletin
import TallyCharts
import TallyCore
import TallyMetrics
import TallyStore
import TallyProfiles

/// What the fuzzer feeds: every input must end in a report or a thrown error that says what
/// is wrong, never in a trap, a crash or a broken invariant.
enum FuzzTarget: String, CaseIterable {
    /// The CSV reader, header checks and row validation, through a real load into an
    /// in-memory store: rows read = new + updated + corrected + duplicates + quarantined for
    /// every loaded file.
    case csv
    /// The YAML specs: settings, fine schedule, chart spec and bulletin layout.
    case yaml

    /// A scratch file for the input: the loaders read files, as users give them.
    static let scratch: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-fuzz-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Runs one input. Returns a description of a broken invariant, or nil.
    func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        switch self {
        case .csv: return Self.csv(bytes)
        case .yaml: return Self.yaml(bytes)
        }
    }

    static func write(_ bytes: UnsafeRawBufferPointer, _ name: String) -> String {
        let path = scratch + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func csv(_ bytes: UnsafeRawBufferPointer) -> String? {
        let path = write(bytes, "input.csv")
        do {
            let store = try Store(path: ":memory:")
            var options = IngestOptions()
            options.maxFieldBytes = 256
            let report = try store.ingest([path], options: options)
            for f in report.files {
                switch f.status {
                case .loaded:
                    if f.rowsRead != f.loaded + f.updated + f.corrected + f.duplicates + f.quarantined {
                        return "rows read \(f.rowsRead) ≠ new \(f.loaded) + updated \(f.updated) + corrected \(f.corrected) "
                            + "+ duplicates \(f.duplicates) + quarantined \(f.quarantined)"
                    }
                    let stored = try store.db.scalarInt("SELECT count(*) FROM \(f.kind ?? "takedowns")") ?? -1
                    if stored != f.loaded { return "\(f.loaded) rows reported loaded, \(stored) in the store" }
                    let quarantined = try store.db.scalarInt("SELECT count(*) FROM quarantine") ?? -1
                    if quarantined != f.quarantined { return "\(f.quarantined) reported quarantined, \(quarantined) stored" }
                case .rejected:
                    if (f.error ?? "").isEmpty || (f.error ?? "").contains("\n") { return "a rejection without a one-line reason" }
                case .alreadyLoaded:
                    return "a new store reports a file as already loaded"
                case .skipped:
                    break
                }
            }
        } catch {
            return "a store error for an input file: \(error)"
        }
        return nil
    }

    static func yaml(_ bytes: UnsafeRawBufferPointer) -> String? {
        let path = write(bytes, "spec.yaml")
        // Each loader either reads the file or throws an error naming it.
        let loaders: [(String, () throws -> Void)] = [
            ("settings", { _ = try Settings.load(path) }),
            ("fines", { _ = try FineSchedule.load(path) }),
            ("chart", { _ = try ChartSpec.load(path) }),
            ("bulletin", { _ = try BulletinSpec.load(path) }),
            ("platforms", { _ = try PlatformRegistry.load(path) }),
            ("source profile", { try sourceProfile(path) }),
        ]
        for (name, load) in loaders {
            do { try load() } catch {
                let text = String(describing: error)
                if !text.contains("spec.yaml") { return "\(name): an error that does not name the file: \(text)" }
            }
        }
        return nil
    }

    /// A source profile that loads is also bound to its own header and maps a row of its
    /// labels: neither may trap, whatever the profile says.
    static func sourceProfile(_ path: String) throws {
        let profile = try SourceProfile.load(path)
        let header = profile.columns.map { $0.headers[0] } + ["합계"]
        let binding = profile.bind(header: header)
        _ = binding.map(profile.columns.map { $0.labels.first?.label ?? "2024-08-01 오후 1:05:09" })
        _ = binding.map(["합계"] + profile.columns.map { _ in "45505.5" })
        var finder = ProfileFinder(candidates: [profile], given: true)
        _ = finder.offer(header, place: 1)
    }
}
