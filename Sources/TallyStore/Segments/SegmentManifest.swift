import Foundation
import TallyCore
import TallyEngine
import TallyFiles

/// The list of column files that together hold a record kind's current versions, and the
/// exact store state they match: `<store>.cache/<kind>/segments.json`.
///
/// The table is the base (`<store>.cache/<kind>.tcol`, the cache made from SQLite or by an
/// earlier merge, when there is one) followed by each load's segment, minus the rows named
/// by the segments' tombstones (the current versions a later file superseded). Written by
/// `tally ingest` after its last file committed, with the store state taken while no other
/// connection could commit (see `IngestSegments`); read by `Store.table`, which trusts it only
/// when the state is the store's now, every file passes `ColumnFile`'s checks and every
/// tombstone names exactly one row.
///
/// On disk: the checksum (16 hex digits of `Checksum`) of the JSON that follows, a line
/// feed, then the JSON.
package struct SegmentManifest: Codable, Equatable {
    package struct Segment: Codable, Equatable {
        /// File name stem: the rows are `<name>.tcol`, the tombstones `<name>.dead.tcol`.
        package var name: String
        package var rows: Int
        package var tombstones: Int
    }
    package var format = 1
    package var kind: String
    /// The store fingerprint (`Store.fingerprint`) the whole matches.
    package var state: String
    /// The fingerprint in the base file's header; nil: no base (the kind was empty).
    package var base: String?
    package var segments: [Segment]

    package static func directory(_ cache: String, _ kind: RecordKind) -> String { cache + "/" + kind.rawValue }
    package static func path(_ cache: String, _ kind: RecordKind) -> String { directory(cache, kind) + "/segments.json" }
    package static func rowsPath(_ cache: String, _ kind: RecordKind, _ name: String) -> String {
        directory(cache, kind) + "/" + name + ".tcol"
    }
    package static func tombstonesPath(_ cache: String, _ kind: RecordKind, _ name: String) -> String {
        directory(cache, kind) + "/" + name + ".dead.tcol"
    }
    /// What a segment's header says it is (so that a file put in another's place is refused).
    package static func rowsKey(_ name: String) -> String { "segment " + name }
    package static func tombstonesKey(_ name: String) -> String { "tombstones " + name }

    /// The manifest at `path`; nil when there is none. Throws `ColumnFileError.damaged` when it
    /// is present but its checksum or JSON do not hold.
    package static func read(path: String) throws -> SegmentManifest? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count > 17, bytes[16] == 0x0A, let sum = UInt64(String(decoding: bytes[0..<16], as: UTF8.self), radix: 16) else {
            throw ColumnFileError.damaged("it does not start with its checksum")
        }
        let body = bytes[17...]
        guard body.withUnsafeBytes({ Checksum.of($0) }) == sum else { throw ColumnFileError.damaged("checksum does not match") }
        guard let m = try? JSONDecoder().decode(SegmentManifest.self, from: Data(body)), m.format == 1 else {
            throw ColumnFileError.damaged("it cannot be decoded")
        }
        return m
    }

    /// Writes the manifest atomically (temporary file, sync, rename).
    package func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = [UInt8](try encoder.encode(self))
        let sum = body.withUnsafeBytes { Checksum.of($0) }
        try AtomicFile.write(Array(ColumnFile.hex(sum).utf8) + [0x0A] + body, to: path)
    }

    /// Every file name the manifest refers to inside its directory.
    package var files: Set<String> {
        var names: Set<String> = ["segments.json"]
        for s in segments {
            names.insert(s.name + ".tcol")
            if s.tombstones > 0 { names.insert(s.name + ".dead.tcol") }
        }
        return names
    }
}
