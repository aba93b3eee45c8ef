import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyTestSupport
@testable import TallyStore
@testable import TallyTables

/// Column segments written by loads (issue 16): the table they give is, row for row (as a
/// multiset: a segment keeps file order, SQLite key order), the table read from SQLite —
/// after loads with duplicates, updates, corrections, retractions, several files, workbook
/// sheets and archive members — and anything that is not exactly the store's is refused.
@Suite struct SegmentTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Each row as text (every column by name), sorted.
    static func rows(_ t: Table) -> [String] {
        (0..<t.rowCount).map { i in
            t.names.enumerated().map { "\($0.element)=\(t.columns[$0.offset].value(i))" }.joined(separator: "|")
        }.sorted()
    }

    /// Every kind's table through the cache equals SQLite's (names, types, rows); with
    /// `fromSegments`, the cache (segments, or the base they were merged into) answered.
    static func check(_ store: Store, _ what: String, fromSegments: Bool? = true) throws {
        for kind in RecordKind.allCases {
            let reference = try store.table(kind, useCache: false).table
            let load = try store.table(kind)
            #expect(load.cacheDamage == nil, "\(what) \(kind): \(load.cacheDamage ?? "")")
            #expect(load.table.names == reference.names, "\(what) \(kind)")
            #expect(load.table.columns.map(\.type) == reference.columns.map(\.type), "\(what) \(kind)")
            #expect(rows(load.table) == rows(reference), "\(what) \(kind): \(load.table.rowCount) vs \(reference.rowCount) rows")
            // (A kind without records has no manifest: SQLite answers at no cost.)
            if let fromSegments, reference.rowCount > 0 { #expect(load.fromCache == fromSegments, "\(what) \(kind): from the cache") }
            // A second read is a mapped file, the same rows.
            let again = try store.table(kind)
            #expect(again.fromCache && rows(again.table) == rows(reference), "\(what) \(kind): second read")
        }
    }

    static func manifest(_ store: Store, _ kind: RecordKind) throws -> SegmentManifest? {
        try SegmentManifest.read(path: SegmentManifest.path(store.cacheDirectory, kind))
    }

    @Test func theSampleYearAndItsMonthsEqualSQLite() throws {
        let sample = Self.packageRoot.appendingPathComponent("Data/sample")
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest(["arrests-2024.csv", "victims-2024.csv", "takedowns-2024.csv"].map { sample.appendingPathComponent($0).path })
        // One file per kind: one segment each, mapped as it is (no merged file written).
        #expect(try Self.manifest(store, .takedowns)?.segments.count == 1)
        try Self.check(store, "sample year")
        #expect(!FileManager.default.fileExists(atPath: store.cacheFile(.takedowns)), "one segment is mapped, not merged")

        // Month by month, as an office loads them (updates of earlier months' records): after
        // each load, segments (merged when several) equal SQLite.
        let monthly = Sandbox()
        let months = try monthly.store()
        let folder = sample.appendingPathComponent("monthly")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        for month in names {
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(month).path).sorted()
            _ = try months.ingest(files.map { folder.appendingPathComponent(month).appendingPathComponent($0).path })
            try Self.check(months, "month \(month)")
        }
        #expect(try monthly.count(months, "takedowns_history") > 0, "the months update earlier records")
    }

    /// Seeded random loads: new records, repeats, updates, corrections (under --revise, else
    /// conflicts), keys repeated inside a file, several files per call, retractions.
    @Test func seededRandomLoadsEqualSQLite() throws {
        let seed = SeededRandom.seed("TALLY_SEGMENT_SEED")
        print("SegmentTests.seededRandomLoads seed \(seed) (replay: TALLY_SEGMENT_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        let box = Sandbox()
        let store = try box.store()
        var last: [String: [String]] = [:]  // key → fields of the row last written
        var nextKey = 0
        let platforms = ["Naver", "X", "Telegram", "카카오", "Daum"]
        func pick(_ a: [String], nullable: Bool = true) -> String {
            nullable && random.below(4) == 0 ? "" : a[random.below(a.count)]
        }
        func newRow(_ key: String) -> [String] {
            let day = String(format: "%02d", 1 + random.below(28)), hour = String(format: "%02d", random.below(24))
            let outcome = pick(RecordSchema.outcomes, nullable: false)
            let resolved = outcome == "pending" ? "" : "2024-09-\(day)T\(hour):30:00Z"
            return [key, pick(platforms, nullable: false), pick(RecordSchema.origins), pick(RecordSchema.contentKinds),
                    pick(RecordSchema.requesters, nullable: false), pick(RecordSchema.detectors),
                    "2024-08-\(day)T\(hour):00:00+09:00", resolved, outcome]
        }
        func variant(of row: [String]) -> [String] {
            var r = row
            switch random.below(4) {
            case 0: break                                                          // the same: a duplicate
            case 1: if r[5].isEmpty { r[5] = RecordSchema.detectors[0] }           // fills a field: an update
                    if r[8] == "pending" { r[8] = "removed"; r[7] = "2024-09-20T10:00:00Z" }  // resolved: an update
            case 2: r[1] = platforms[random.below(platforms.count)]                // a correction (or a conflict)
            default: r[3] = pick(RecordSchema.contentKinds, nullable: false)       // a correction, or an update of an empty field
            }
            return r
        }
        var victimKey = 0
        for round in 0..<10 {
            var options = IngestOptions()
            if random.below(3) == 0 {
                options.revise = true
                options.reason = "round \(round)"
            }
            var paths: [String] = []
            for f in 0..<(1 + random.below(3)) {
                var text = takedownHeader + "\n"
                for _ in 0..<(5 + random.below(40)) {
                    let row: [String]
                    if last.isEmpty || random.below(3) == 0 {
                        row = newRow("T\(nextKey)")
                        nextKey += 1
                    } else {
                        let key = Array(last.keys).sorted()[random.below(last.count)]
                        row = variant(of: last[key]!)
                    }
                    last[row[0]] = row
                    text += row.joined(separator: ",") + "\n"
                }
                paths.append(box.write("t\(round)-\(f).csv", text))
            }
            // Victims: sets (services) and a plain string; some ids again with more services.
            var v = "victim_id,contacted_on,age,gender,channel,services,region\n"
            for _ in 0..<(3 + random.below(10)) {
                let id = victimKey > 0 && random.below(3) == 0 ? random.below(victimKey) : { victimKey += 1; return victimKey - 1 }()
                let services = (0..<RecordSchema.services.count).filter { _ in random.below(2) == 0 }.map { RecordSchema.services[$0] }
                v += "V\(id),2024-08-0\(1 + id % 9),\(20 + id % 50),\(pick(RecordSchema.genders)),"
                    + "\(RecordSchema.channels[id % RecordSchema.channels.count]),\(services.joined(separator: ";")),Seoul\n"
            }
            paths.append(box.write("v\(round).csv", v))
            _ = try store.ingest(paths, options: options)
            try Self.check(store, "seed \(seed) round \(round)")

            // Now and then a retraction: another writer's change, so the next read rebuilds.
            if round % 4 == 3, let key = last.keys.sorted().first {
                _ = try store.retract(kind: .takedowns, ids: [key], reason: "test")
                last[key] = nil
                try Self.check(store, "seed \(seed) after retraction \(round)", fromSegments: nil)
                #expect(try store.table(.takedowns).fromCache)
            }
        }
        #expect(try box.count(store, "takedowns_history") > 0)
    }

    /// (file_id, line) names each current version exactly: two sheets of one workbook (their
    /// rows numbered alike), and two members of one archive.
    @Test func workbookSheetsAndArchiveMembersEqualSQLite() throws {
        let box = Sandbox()
        let book = box.dir.appendingPathComponent("two-sheets.xlsx").path
        let zip = box.dir.appendingPathComponent("months.zip").path
        try python3("""
            import sys, zipfile
            def sheet(rows):
                out = []
                for r, row in enumerate(rows, 1):
                    cells = ''.join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + i), r, v) for i, v in enumerate(row) if v)
                    out.append('<row r="%d">%s</row>' % (r, cells))
                return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        '<sheetData>%s</sheetData></worksheet>' % ''.join(out))
            header = "\(takedownHeader)".split(',')
            first = [header] + [['S%d' % i, 'Naver', 'domestic', 'image', 'victim', '', '2024-08-0%dT09:00:00+09:00' % (1 + i % 9), '', 'pending'] for i in range(8)]
            # The second sheet resolves the first's pending requests (updates) on the same row numbers.
            second = [header] + [['S%d' % i, 'Naver', 'domestic', 'image', 'victim', 'ai', '2024-08-0%dT09:00:00+09:00' % (1 + i % 9), '2024-08-20T10:00:00Z', 'removed'] for i in range(0, 8, 2)]
            with zipfile.ZipFile(sys.argv[1], 'w') as z:
                z.writestr('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
                z.writestr('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
                z.writestr('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="First" sheetId="1" r:id="rId1"/><sheet name="Second" sheetId="2" r:id="rId2"/></sheets></workbook>')
                z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
                z.writestr('xl/worksheets/sheet1.xml', sheet(first))
                z.writestr('xl/worksheets/sheet2.xml', sheet(second))
            # Two members whose lines are numbered alike; the second corrects nothing, it resolves.
            a = "\(takedownHeader)\\n" + ''.join('Z%d,X,overseas,video,police,,2024-08-1%dT08:00:00Z,,pending\\n' % (i, i % 9) for i in range(6))
            b = "\(takedownHeader)\\n" + ''.join('Z%d,X,overseas,video,police,report,2024-08-1%dT08:00:00Z,2024-08-25T08:00:00Z,blocked\\n' % (i, i % 9) for i in range(0, 6, 3))
            with zipfile.ZipFile(sys.argv[2], 'w') as z:
                z.writestr('a.csv', a)
                z.writestr('b.csv', b)
            """, [book, zip])
        let store = try box.store()
        var first = IngestOptions()
        first.sheet = "First"
        let r1 = try store.ingest([book], options: first)
        #expect(r1.files.map(\.loaded) == [8], "\(r1.files.map { $0.error ?? "" })")
        try Self.check(store, "first sheet")
        var second = IngestOptions()
        second.sheet = "Second"
        let r2 = try store.ingest([book], options: second)
        #expect(r2.files.map(\.updated) == [4], "\(r2.files.map { $0.error ?? "" })")
        try Self.check(store, "second sheet")
        let r3 = try store.ingest([zip])
        #expect(r3.files.map(\.loaded) == [6, 0] && r3.files.map(\.updated) == [0, 2])
        try Self.check(store, "archive")
        #expect(try box.rows(store, "SELECT count(*) FROM (SELECT file_id, line FROM takedowns GROUP BY 1, 2 HAVING count(*) > 1)") == [["0"]])
    }

    /// Merged once: the merge is written back as `<kind>.tcol` at the store's state, and the
    /// next load extends that file instead of the segments it replaced.
    @Test func aMergeIsWrittenOnceAndExtendedByTheNextLoad() throws {
        let box = Sandbox()
        let store = try box.store()
        func file(_ name: String, _ keys: Range<Int>, outcome: String = "removed") -> String {
            box.write(name, takedownHeader + "\n" + keys.map {
                "M\($0),Naver,domestic,image,victim,ai,2024-08-01T09:00:00+09:00,\(outcome == "pending" ? "" : "2024-08-02T09:00:00Z"),\(outcome)"
            }.joined(separator: "\n") + "\n")
        }
        _ = try store.ingest([file("a.csv", 0..<10, outcome: "pending")])
        _ = try store.ingest([file("b.csv", 5..<15)])  // 5 updates of a.csv's rows, 5 new
        #expect(try Self.manifest(store, .takedowns)?.segments.map(\.tombstones) == [0, 5])
        try Self.check(store, "two loads")
        #expect(FileManager.default.fileExists(atPath: store.cacheFile(.takedowns)), "merged and written back")
        _ = try store.ingest([file("c.csv", 15..<20)])
        let m = try #require(try Self.manifest(store, .takedowns))
        #expect(m.base != nil && m.segments.count == 1, "the merged table is the base: \(m)")
        let files = try FileManager.default.contentsOfDirectory(atPath: SegmentManifest.directory(store.cacheDirectory, .takedowns))
        #expect(files.sorted() == m.files.sorted(), "segments merged away are removed by the next load")
        try Self.check(store, "base and a segment")
        #expect(try store.table(.takedowns).table.rowCount == 20)
    }

    /// Damage to a segment, its tombstones or the manifest is reported and the table read
    /// from SQLite; a store changed by another connection is never answered from segments.
    @Test func damagedSegmentsAndOtherWritersFallBackToSQLite() throws {
        let box = Sandbox()
        let store = try box.store()
        func load(_ name: String, _ keys: Range<Int>, outcome: String) throws {
            _ = try store.ingest([box.write(name, takedownHeader + "\n" + keys.map {
                "D\($0),X,overseas,video,police,,2024-08-0\(1 + $0 % 9)T09:00:00Z,\(outcome == "pending" ? "" : "2024-08-12T09:00:00Z"),\(outcome)"
            }.joined(separator: "\n") + "\n")])
        }
        try load("a.csv", 0..<40, outcome: "pending")
        try load("b.csv", 30..<50, outcome: "removed")
        let m = try #require(try Self.manifest(store, .takedowns))
        let reference = Self.rows(try store.table(.takedowns, useCache: false).table)
        let targets = [SegmentManifest.rowsPath(store.cacheDirectory, .takedowns, m.segments[1].name),
                       SegmentManifest.tombstonesPath(store.cacheDirectory, .takedowns, m.segments[1].name),
                       SegmentManifest.path(store.cacheDirectory, .takedowns)]
        for target in targets {
            let good = try Data(contentsOf: URL(fileURLWithPath: target))
            // Inside the header (or the manifest's JSON) and the last column's last value
            // (a byte in the padding between blocks is no damage, and none is reported).
            for offset in [30, good.count - 1] {
                var bad = good
                bad[offset] ^= 0x10
                try bad.write(to: URL(fileURLWithPath: target))
                unlink(store.cacheFile(.takedowns))
                let load = try store.table(.takedowns)
                #expect(!load.fromCache && load.cacheDamage != nil, "\(target) byte \(offset)")
                #expect(Self.rows(load.table) == reference, "\(target) byte \(offset)")
                #expect(try store.table(.takedowns).fromCache, "rebuilt")
            }
            try good.write(to: URL(fileURLWithPath: target))
        }

        // Another connection commits: the manifest's state is not the store's any more.
        unlink(store.cacheFile(.takedowns))
        let other = try Database(path: box.storePath)
        try other.execute("UPDATE takedowns SET platform = 'Daum' WHERE request_id = 'D3'")
        let changed = try store.table(.takedowns)
        #expect(!changed.fromCache && changed.cacheDamage == nil)
        #expect(Self.rows(changed.table) == Self.rows(try store.table(.takedowns, useCache: false).table))
        #expect((0..<changed.table.rowCount).contains { changed.table["platform"].value($0) == .string("Daum") })
        // And the next load, which finds no cache matching the store as it was, still writes one.
        try load("c.csv", 50..<55, outcome: "removed")
        try Self.check(store, "after another writer")
    }

    /// A file found loaded only when its SHA-256 is known, at the end of its load (its recorded
    /// size differs): the load is rolled back, and the segment written for its rows is removed,
    /// never named.
    @Test func aLoadRolledBackAtTheEndLeavesNoSegment() throws {
        let box = Sandbox()
        let store = try box.store()
        let path = box.write("t.csv", takedownHeader + "\n" + (0..<30).map {
            "L\($0),Naver,domestic,image,victim,ai,2024-08-01T09:00:00+09:00,2024-08-02T09:00:00Z,removed"
        }.joined(separator: "\n") + "\n")
        _ = try store.ingest([path])
        try store.db.execute("UPDATE files SET bytes = bytes + 1")
        // The cache rebuilt at the store's new state: the next load may extend it.
        #expect(!(try store.table(.takedowns)).fromCache)
        let again = try store.ingest([path])
        #expect(again.files[0].status == .alreadyLoaded)
        try Self.check(store, "after a rolled-back load")
        let directory = SegmentManifest.directory(store.cacheDirectory, .takedowns)
        let named = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let manifest = try Self.manifest(store, .takedowns)
        #expect(named.filter { $0.hasSuffix(".tcol") || $0.contains("tally-tmp") }.allSatisfy { manifest?.files.contains($0) == true },
                "files: \(named), manifest: \(String(describing: manifest))")
    }
}
