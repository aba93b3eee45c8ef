import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyTestSupport
@testable import TallyStore
@testable import TallyTables

/// The column cache is never trusted: damaged files (random byte flips, truncations, and the
/// cases of issue 11) are rejected, never give other figures than the store, never crash.
@Suite struct ColumnCacheTests {
    /// The seeded generator of the test support (SplitMix64).
    typealias Random = SeededRandom

    static func seed() -> UInt64 {
        if let s = ProcessInfo.processInfo.environment["TALLY_SEED"], let v = UInt64(s) { return v }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }

    /// A store with every record kind: strings (some non-ASCII), nulls, dates, timestamps,
    /// ints, bools, and a string column that is null in every row (an empty dictionary).
    static func store(_ box: Sandbox, rows: Int, random: inout Random) throws -> Store {
        let store = try box.store()
        let platforms = ["Naver", "X", "Telegram", "카카오", "Daum", "Band", "밴드 ✓"]
        func pick(_ a: [String], nullable: Bool = true) -> String {
            nullable && random.below(5) == 0 ? "" : a[random.below(a.count)]
        }
        var t = takedownHeader + "\n"
        for i in 0..<rows {
            let day = 1 + random.below(28), hour = random.below(24)
            let outcome = pick(RecordSchema.outcomes, nullable: false)
            let resolved = outcome == "pending" ? "" : "2024-09-\(String(format: "%02d", day))T\(String(format: "%02d", hour)):30:00Z"
            t += "T\(i),\(pick(platforms, nullable: false)),\(pick(RecordSchema.origins)),\(pick(RecordSchema.contentKinds)),"
                + "\(pick(RecordSchema.requesters, nullable: false)),\(pick(RecordSchema.detectors)),"
                + "2024-08-\(String(format: "%02d", day))T\(String(format: "%02d", hour)):00:00+09:00,\(resolved),\(outcome)\n"
        }
        var v = "victim_id,contacted_on,age,gender,channel,services,region\n"
        for i in 0..<rows {
            let age = random.below(4) == 0 ? "" : String(random.below(90))
            v += "V\(i),2024-08-\(String(format: "%02d", 1 + random.below(28))),\(age),\(pick(RecordSchema.genders)),"
                + "\(pick(RecordSchema.channels, nullable: false)),\(pick(RecordSchema.services)),\n"
        }
        var a = "arrest_id,arrested_on,agency,offense,suspect_age,victim_minor,undercover,confessed,proceeds_seized_krw\n"
        for i in 0..<rows {
            func b() -> String { ["", "true", "false"][random.below(3)] }
            let krw = random.below(3) == 0 ? "" : String(random.next() % 1_000_000_000)
            a += "A\(i),2024-07-\(String(format: "%02d", 1 + random.below(28))),\(pick(["경찰청", "Seoul", "Busan"], nullable: false)),"
                + "\(pick(RecordSchema.offenses, nullable: false)),\(10 + random.below(60)),\(b()),\(b()),\(b()),\(krw)\n"
        }
        // Loaded without column segments: these tests damage the cache made from SQLite
        // (SegmentTests damage segments).
        var options = IngestOptions()
        options.columnSegments = false
        let report = try store.ingest([box.write("t.csv", t), box.write("v.csv", v), box.write("a.csv", a)], options: options)
        _ = report
        return store
    }

    /// Every name, type and value of two tables, or the first difference.
    static func difference(_ a: Table, _ b: Table) -> String? {
        guard a.names == b.names else { return "names \(a.names) vs \(b.names)" }
        guard a.rowCount == b.rowCount else { return "rows \(a.rowCount) vs \(b.rowCount)" }
        for (c, name) in a.names.enumerated() {
            guard a.columns[c].type == b.columns[c].type else { return "type of \(name)" }
            for i in 0..<a.rowCount where a.columns[c].value(i) != b.columns[c].value(i) {
                return "\(name) row \(i): \(a.columns[c].value(i)) vs \(b.columns[c].value(i))"
            }
        }
        return nil
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func put(_ path: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// The file's header and where its data start (for targeted damage).
    static func header(_ file: [UInt8]) throws -> (ColumnFile.Header, dataStart: Int) {
        let length = Int(file[12]) | Int(file[13]) << 8 | Int(file[14]) << 16 | Int(file[15]) << 24
        let h = try JSONDecoder().decode(ColumnFile.Header.self, from: Data(file[24..<(24 + length)]))
        return (h, (24 + length + 63) & ~63)
    }

    /// Rewrites every checksum so that they match the (damaged) bytes: the structural checks
    /// must then stop the damage on their own. Checksums are replaced in place (same length).
    static func reseal(_ file: inout [UInt8]) {
        guard file.count >= 24 else { return }
        let length = Int(file[12]) | Int(file[13]) << 8 | Int(file[14]) << 16 | Int(file[15]) << 24
        guard 24 + length <= file.count,
              let (h, dataStart) = try? header(file) else { return }
        var text = String(decoding: file[24..<(24 + length)], as: UTF8.self)
        file.withUnsafeBytes { raw in
            func range(_ at: Int?, _ n: Int) -> UnsafeRawBufferPointer? {
                guard let at, at >= 0, n >= 0, dataStart + at + n <= raw.count else { return nil }
                return UnsafeRawBufferPointer(rebasing: raw[(dataStart + at)..<(dataStart + at + n)])
            }
            for e in h.columns {
                guard h.rows >= 0, h.rows < raw.count, let values = range(e.values, h.rows * e.type.width) else { continue }
                var sum = Checksum.of(values)
                if let v = range(e.validity, Bitmap.wordCount(h.rows) * 8) { sum = Checksum.of(v, seed: sum) }
                if let d = range(e.dictionary, e.dictionaryBytes ?? -1) { sum = Checksum.of(d, seed: sum) }
                text = text.replacingOccurrences(of: "\"\(e.checksum)\"", with: "\"\(ColumnFile.hex(sum))\"")
            }
        }
        let header = Array(text.utf8)
        guard header.count == length else { return }
        file.replaceSubrange(24..<(24 + length), with: header)
        let sum = header.withUnsafeBytes { Checksum.of($0, seed: UInt64(length)) }
        withUnsafeBytes(of: sum.littleEndian) { file.replaceSubrange(16..<24, with: $0) }
    }

    /// Reads `file` as a cache: accepted tables must equal the store's; anything else must
    /// be a rejection with a reason (a trap would end the test run).
    static func check(_ file: [UInt8], path: String, fingerprint: String, reference: Table,
                      what: String, staleAllowed: Bool, seed: UInt64) throws -> Bool {
        try put(path, file)
        do {
            let t = try ColumnFile.read(path: path, fingerprint: fingerprint)
            let d = difference(t, reference)
            #expect(d == nil, "seed \(seed), \(what): the cache was accepted with other values: \(d ?? "")")
            return true
        } catch let e as ColumnFileError {
            #expect(e != .stale || staleAllowed, "seed \(seed), \(what): damage taken for staleness")
            return false
        }
    }

    /// Many rounds, each damaging a fresh copy of a valid cache file: random byte flips
    /// (scattered or a run), random truncation, a random 4-byte number written anywhere.
    /// Every accepted read equals the SQLite table; every other read is a rejection.
    @Test func randomDamageNeverChangesAFigureOrCrashes() throws {
        let seed = Self.seed()
        print("ColumnCacheTests.randomDamage seed \(seed) (replay: TALLY_SEED=\(seed))")
        var random = Random(seed: seed)
        let box = Sandbox()
        let store = try Self.store(box, rows: 300, random: &random)
        var rejected = 0, accepted = 0
        for kind in RecordKind.allCases {
            let reference = try store.table(kind, useCache: false).table
            let first = try store.table(kind)
            #expect(!first.fromCache && first.cacheDamage == nil)
            let second = try store.table(kind)
            #expect(second.fromCache, "\(kind): a sound cache is used")
            #expect(Self.difference(second.table, reference) == nil)
            let path = store.cacheFile(kind)
            let good = try Self.bytes(path)
            // The file holds each row's identity too (`_row`, for column segments' tombstones),
            // under the store's fingerprint marked as such.
            let fingerprint = Store.cacheKey(rowsAt: try store.fingerprint(kind))
            let fileReference = try store.readTable(kind, rowIdentity: true)
            let scratch = box.dir.appendingPathComponent("scratch.tcol").path
            for round in 0..<400 {
                var file = good
                let what: String
                switch random.below(4) {
                case 0:
                    let n = 1 + random.below(8)
                    var at: [Int] = []
                    for _ in 0..<n {
                        let i = random.below(file.count)
                        file[i] ^= UInt8(1 + random.below(255))
                        at.append(i)
                    }
                    what = "round \(round): \(kind) bytes flipped at \(at)"
                case 1:
                    let start = random.below(file.count), n = min(1 + random.below(64), file.count - start)
                    for i in start..<(start + n) { file[i] ^= UInt8(1 + random.below(255)) }
                    what = "round \(round): \(kind) \(n) bytes flipped from \(start)"
                case 2:
                    let keep = random.below(file.count)
                    file.removeSubrange(keep...)
                    what = "round \(round): \(kind) truncated to \(keep) bytes"
                default:
                    let i = random.below(max(file.count - 4, 1))
                    let x = UInt32(truncatingIfNeeded: random.next())
                    withUnsafeBytes(of: x) { file.replaceSubrange(i..<min(i + 4, file.count), with: $0.prefix(file.count - i)) }
                    what = "round \(round): \(kind) number \(x) written at \(i)"
                }
                // A changed format number reads as another version's file: stale is right then.
                let formatChanged = file.count < 12 || file[8..<12] != good[8..<12]
                if try Self.check(file, path: scratch, fingerprint: fingerprint, reference: fileReference,
                                  what: what, staleAllowed: formatChanged, seed: seed) {
                    accepted += 1
                } else {
                    rejected += 1
                }

                // The same damage with the checksums made to match: the other checks must
                // stop it, or, when it only changed values (which no check can know), the
                // table must still be readable through without a trap.
                var sealed = file
                Self.reseal(&sealed)
                try Self.put(scratch, sealed)
                if let t = try? ColumnFile.read(path: scratch, fingerprint: fingerprint) {
                    for c in t.columns { for i in 0..<t.rowCount { _ = c.value(i) } }
                    _ = t.columns.map(\.nullCount)
                }
            }
        }
        print("ColumnCacheTests.randomDamage seed \(seed): \(rejected) damaged files rejected, \(accepted) accepted (damage only in padding)")
        #expect(rejected > 0)
    }

    /// Issue 11: 64 bytes flipped in the middle of takedowns.tcol changed a figure.
    @Test func flipInTheMiddleIsRejectedAndTheTableRebuilt() throws {
        var random = Random(seed: 11)
        let box = Sandbox()
        let store = try Self.store(box, rows: 200, random: &random)
        let reference = try store.table(.takedowns, useCache: false).table
        _ = try store.table(.takedowns)
        let path = store.cacheFile(.takedowns)
        var file = try Self.bytes(path)
        let mid = file.count / 2
        for i in mid..<(mid + 64) { file[i] ^= 0xFF }
        try Self.put(path, file)
        let load = try store.table(.takedowns)
        #expect(!load.fromCache)
        #expect(load.cacheDamage?.contains("checksum of column") == true, "\(load.cacheDamage ?? "accepted")")
        #expect(Self.difference(load.table, reference) == nil)
        // Rebuilt: the next load uses the new file.
        let again = try store.table(.takedowns)
        #expect(again.fromCache && again.cacheDamage == nil)
        #expect(Self.difference(again.table, reference) == nil)
    }

    /// Issue 11: 34 bytes cut off the end made every run die (SIGILL).
    @Test func truncationBy34BytesIsRejected() throws {
        var random = Random(seed: 34)
        let box = Sandbox()
        let store = try Self.store(box, rows: 200, random: &random)
        let reference = try store.table(.takedowns, useCache: false).table
        _ = try store.table(.takedowns)
        let path = store.cacheFile(.takedowns)
        let file = try Self.bytes(path)
        try Self.put(path, Array(file.dropLast(34)))
        let load = try store.table(.takedowns)
        #expect(!load.fromCache)
        #expect(load.cacheDamage?.contains("outside the file") == true, "\(load.cacheDamage ?? "accepted")")
        #expect(Self.difference(load.table, reference) == nil)
        #expect(try store.table(.takedowns).fromCache)
    }

    /// The dictionary block of `column` and its first entry's length field (absolute offsets).
    static func dictionary(_ file: [UInt8], _ column: String) throws -> (start: Int, bytes: Int, values: Int, rows: Int) {
        let (h, dataStart) = try header(file)
        let e = try #require(h.columns.first { $0.name == column })
        return (dataStart + e.dictionary!, e.dictionaryBytes!, dataStart + e.values, h.rows)
    }

    /// Issue 11: a dictionary length set huge made every run die (SIGILL). Caught by the
    /// checksum, and with the checksums made to match, by the bounds check.
    @Test func hugeDictionaryLengthIsRejected() throws {
        var random = Random(seed: 99)
        let box = Sandbox()
        let store = try Self.store(box, rows: 200, random: &random)
        let reference = try store.table(.takedowns, useCache: false).table
        _ = try store.table(.takedowns)
        let path = store.cacheFile(.takedowns)
        let good = try Self.bytes(path)
        let d = try Self.dictionary(good, "platform")
        for (sealed, reason) in [(false, "checksum of column 'platform'"), (true, "past the end of its block")] {
            var file = good
            file.replaceSubrange(d.start..<(d.start + 4), with: [0xF0, 0xFF, 0xFF, 0x7F])
            if sealed { Self.reseal(&file) }
            try Self.put(path, file)
            let load = try store.table(.takedowns)
            #expect(!load.fromCache)
            #expect(load.cacheDamage?.contains(reason) == true, "\(load.cacheDamage ?? "accepted")")
            #expect(Self.difference(load.table, reference) == nil)
        }
    }

    /// Issue 11: a dictionary code out of range ("Bad pointer dereference").
    @Test func dictionaryCodeOutOfRangeIsRejected() throws {
        var random = Random(seed: 7)
        let box = Sandbox()
        let store = try Self.store(box, rows: 200, random: &random)
        let reference = try store.table(.takedowns, useCache: false).table
        _ = try store.table(.takedowns)
        let path = store.cacheFile(.takedowns)
        let good = try Self.bytes(path)
        let d = try Self.dictionary(good, "platform")
        let count = reference["platform"].dictionary!.count
        for (sealed, reason) in [(false, "checksum of column 'platform'"), (true, "has code \(count + 5) for a dictionary of \(count)")] {
            var file = good
            let row = d.rows / 2
            withUnsafeBytes(of: UInt32(count + 5).littleEndian) { file.replaceSubrange((d.values + 4 * row)..<(d.values + 4 * row + 4), with: $0) }
            if sealed { Self.reseal(&file) }
            try Self.put(path, file)
            let load = try store.table(.takedowns)
            #expect(!load.fromCache)
            #expect(load.cacheDamage?.contains(reason) == true, "\(load.cacheDamage ?? "accepted")")
            #expect(Self.difference(load.table, reference) == nil)
        }
    }

    /// A column of nulls only has an empty dictionary: a sound cache, used as is.
    @Test func emptyDictionaryOfAllNullColumnIsAccepted() throws {
        var random = Random(seed: 5)
        let box = Sandbox()
        let store = try Self.store(box, rows: 50, random: &random)
        let reference = try store.table(.victims, useCache: false).table
        #expect(reference["region"].dictionary?.count == 0 && reference["region"].nullCount == 50)
        _ = try store.table(.victims)
        let load = try store.table(.victims)
        #expect(load.fromCache)
        #expect(Self.difference(load.table, reference) == nil)
    }

    /// An older format's file is out of date, not damaged: rebuilt without a warning.
    @Test func otherFormatIsStaleNotDamaged() throws {
        var random = Random(seed: 1)
        let box = Sandbox()
        let store = try Self.store(box, rows: 20, random: &random)
        _ = try store.table(.takedowns)
        let path = store.cacheFile(.takedowns)
        var file = try Self.bytes(path)
        file.replaceSubrange(8..<12, with: [0x40, 0x02, 0, 0])   // format 1 had the header length here
        try Self.put(path, file)
        let load = try store.table(.takedowns)
        #expect(!load.fromCache && load.cacheDamage == nil)
        #expect(try store.table(.takedowns).fromCache)
    }

    /// A directory where the cache file should be: unreadable, reported, the table still the
    /// store's, and a write that fails removes its temporary file.
    @Test func unreadableCacheAndFailedWriteLeaveNothingBehind() throws {
        var random = Random(seed: 3)
        let box = Sandbox()
        let store = try Self.store(box, rows: 20, random: &random)
        let reference = try store.table(.takedowns, useCache: false).table
        let path = store.cacheFile(.takedowns)
        try FileManager.default.createDirectory(atPath: path + "/in-the-way", withIntermediateDirectories: true)
        let load = try store.table(.takedowns)
        #expect(!load.fromCache)
        #expect(load.cacheDamage == "not a regular file")
        #expect(Self.difference(load.table, reference) == nil)
        #expect(throws: ColumnFileError.self) { try ColumnFile.write(reference, path: path, fingerprint: "x") }
        let left = try FileManager.default.contentsOfDirectory(atPath: store.cacheDirectory)
        #expect(left.sorted() == ["takedowns.tcol"], "temporary files left: \(left)")
    }

    /// The checksum sees a change in any single byte and any single bit, at any length.
    @Test func checksumSeesEverySingleChange() {
        for n in [1, 7, 8, 9, 31, 32, 33, 100] {
            var bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let sum = bytes.withUnsafeBytes { Checksum.of($0) }
            var seen = Set([sum])
            for i in 0..<n {
                for bit in 0..<8 {
                    bytes[i] ^= 1 << bit
                    seen.insert(bytes.withUnsafeBytes { Checksum.of($0) })
                    bytes[i] ^= 1 << bit
                }
            }
            #expect(seen.count == 1 + 8 * n, "length \(n)")
            // A zero byte more is another content.
            #expect((bytes + [0]).withUnsafeBytes { Checksum.of($0) } != sum)
        }
        // Every pair of bit flips in 64 bytes (two words of each lane) gives its own sum.
        var bytes = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 5) }
        var seen = Set([bytes.withUnsafeBytes { Checksum.of($0) }])
        for i in 0..<512 {
            for j in (i + 1)..<512 {
                bytes[i >> 3] ^= 1 << (i & 7); bytes[j >> 3] ^= 1 << (j & 7)
                seen.insert(bytes.withUnsafeBytes { Checksum.of($0) })
                bytes[i >> 3] ^= 1 << (i & 7); bytes[j >> 3] ^= 1 << (j & 7)
            }
        }
        #expect(seen.count == 1 + 512 * 511 / 2)
    }
}
