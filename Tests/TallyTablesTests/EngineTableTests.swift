import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyTestSupport
@testable import TallyStore
@testable import TallyTables

/// Engine tables from the store (checked against SQL on the same store), their on-disk cache
/// (reused while the store is unchanged, rebuilt when it changes, ignored when damaged), and
/// ad-hoc tables read straight from a CSV file.
@Suite struct EngineTableTests {
    static let takedowns = """
    \(takedownHeader)
    T1,Naver,domestic,image,regulator,ai,2024-08-01T10:00:00+09:00,2024-08-01T12:30:00+09:00,removed
    T2,X,,video,police,,2024-08-31T15:00:00Z,,pending
    T3,Telegram,overseas,,victim,report,2024-09-02 08:00,2024-09-05T08:00:00Z,refused

    """

    static let victims = """
    victim_id,contacted_on,age,gender,channel,services,region
    V1,2024-08-01,17,female,hotline,deletion;counseling,Seoul
    V2,2024-08-02,,,website,,
    V3,2024-08-03,34,male,visit,legal,Busan

    """

    /// Every row and column of the engine table equals what SQLite holds.
    @Test func tablesMatchTheStore() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("t.csv", Self.takedowns), box.write("v.csv", Self.victims)])
        for kind in [RecordKind.takedowns, .victims] {
            let t = try store.table(kind, useCache: false).table
            let columns = Store.engineColumns(of: kind)
            #expect(t.names == columns.map(\.name))
            let key = kind == .takedowns ? "request_id" : "victim_id"
            let rows = try box.rows(store, "SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(kind.rawValue) ORDER BY \(key)")
            #expect(t.rowCount == rows.count)
            // The engine keeps the store's row order (the key order of a WITHOUT ROWID table).
            for (i, row) in rows.enumerated() {
                for (c, spec) in columns.enumerated() {
                    let v = t.columns[c].value(i)
                    let want = row[c]
                    switch (spec.type, v) {
                    case (_, .null): #expect(want == "NULL", "\(spec.name) row \(i)")
                    case (.date, .date(let d)): #expect(CivilDate.isoString(days: Int(d)) == want)
                    case (.bool, .bool(let b)): #expect((b ? "1" : "0") == want)
                    default: #expect(v.description == want || "\(v.asDouble.map { Int64($0) } ?? 0)" == want, "\(spec.name) row \(i): \(v) vs \(want)")
                    }
                }
            }
        }
    }

    @Test func cacheIsReusedThenRebuiltWhenTheStoreChanges() throws {
        let box = Sandbox()
        let store = try box.store()
        // The cache made from SQLite (a load's column segments: SegmentTests).
        var options = IngestOptions()
        options.columnSegments = false
        _ = try store.ingest([box.write("t.csv", Self.takedowns)], options: options)
        let first = try store.table(.takedowns)
        #expect(!first.fromCache)
        #expect(FileManager.default.fileExists(atPath: store.cacheDirectory + "/takedowns.tcol"))
        let attributes = try FileManager.default.attributesOfItem(atPath: store.cacheDirectory + "/takedowns.tcol")
        #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o077 == 0, "owner-only cache")
        let second = try store.table(.takedowns)
        #expect(second.fromCache)
        #expect(second.table.rowCount == 3)
        for c in first.table.names {
            #expect((0..<3).map { first.table[c].value($0) } == (0..<3).map { second.table[c].value($0) }, "\(c)")
        }

        // Another file loaded: rebuilt, with the new rows.
        _ = try store.ingest([box.write("t2.csv", "\(takedownHeader)\nT4,Kakao,domestic,link,regulator,ai,2024-08-05T09:00:00+09:00,2024-08-05T10:00:00+09:00,blocked\n")],
                             options: options)
        let third = try store.table(.takedowns)
        #expect(!third.fromCache && third.table.rowCount == 4)
        #expect(try store.table(.takedowns).fromCache)

        // Changed by another tool (the store file's size or time changes): rebuilt.
        try store.db.execute("UPDATE takedowns SET platform = 'Daum' WHERE request_id = 'T4'")
        let fourth = try store.table(.takedowns)
        #expect(!fourth.fromCache)
        #expect((0..<4).contains { fourth.table["platform"].value($0) == .string("Daum") })

        // A damaged cache file is ignored, not trusted, wherever the damage is: the first
        // bytes, the middle of the header, each column's blocks, the last byte, a truncation.
        let sound = try store.table(.takedowns, useCache: false).table
        _ = try store.table(.takedowns)
        let path = store.cacheDirectory + "/takedowns.tcol"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = try ColumnCacheTests.header(Array(good))
        var damages: [(String, (inout Data) -> Void)] = [
            ("first 16 bytes", { $0.replaceSubrange(0..<16, with: Data(repeating: 0xAB, count: 16)) }),
            ("header", { $0[24 + 40] ^= 0x01 }),
            ("last byte", { $0[$0.count - 1] ^= 0x80 }),
            ("truncated by 1", { $0.removeLast() }),
            ("empty", { $0.removeAll() }),
        ]
        for e in header.0.columns {
            damages.append(("values of \(e.name)", { $0[header.dataStart + e.values] ^= 0x04 }))
            if let v = e.validity { damages.append(("validity of \(e.name)", { $0[header.dataStart + v] ^= 0x02 })) }
            if let d = e.dictionary { damages.append(("dictionary of \(e.name)", { $0[header.dataStart + d + 4] ^= 0x20 })) }
        }
        for (what, damage) in damages {
            var bytes = good
            damage(&bytes)
            try bytes.write(to: URL(fileURLWithPath: path))
            let load = try store.table(.takedowns)
            #expect(!load.fromCache && load.cacheDamage != nil, "\(what)")
            #expect(ColumnCacheTests.difference(load.table, sound) == nil, "\(what)")
            #expect(try store.table(.takedowns).fromCache, "\(what): rebuilt")
        }
    }

    @Test func csvTablesInferTypes() throws {
        let box = Sandbox()
        let path = box.write("any.csv", """
        name,count,ratio,day,at,flag,mixed
        a,1,0.5,2024-08-01,2024-08-01T10:00:00Z,true,1
        b,-3,2,2024-08-02,2024-08-02 09:00,false,x
        ,,,,,,

        """)
        let zone = ZoneOffsets(identifier: "Asia/Seoul")!
        let t = try CSVTable.read(path: path, zone: zone)
        #expect(t.rowCount == 3)
        #expect(t.names == ["name", "count", "ratio", "day", "at", "flag", "mixed"])
        #expect(t.columns.map(\.type) == [.string, .int64, .float64, .date, .timestamp, .bool, .string])
        #expect(t["count"].value(1) == .int(-3))
        #expect(t["ratio"].value(1) == .double(2))
        #expect(t["day"].value(0) == .date(Int32(CivilDate.days(year: 2024, month: 8, day: 1))))
        // No offset: Seoul local time, 09:00 KST = 00:00Z.
        #expect(t["at"].value(1) == .timestamp(Int64(CivilDate.days(year: 2024, month: 8, day: 2)) * 86_400_000_000))
        for c in t.names { #expect(t[c].value(2) == .null, "\(c) of the empty row") }
    }

    @Test func csvTableErrorsNameFileAndLine() throws {
        let box = Sandbox()
        let zone = ZoneOffsets(identifier: "Asia/Seoul")!
        let short = box.write("short.csv", "a,b\n1,2\n3\n")
        #expect(throws: CSVTableError.self) { try CSVTable.read(path: short, zone: zone) }
        do { _ = try CSVTable.read(path: short, zone: zone) } catch {
            #expect("\(error)".contains("short.csv line 3"), "\(error)")
        }
        let latin = box.write("latin.csv", bytes: Array("a,b\n1,".utf8) + [0xE9] + Array("\n".utf8))
        do { _ = try CSVTable.read(path: latin, zone: zone); Issue.record("read non-UTF-8") } catch {
            #expect("\(error)".contains("not UTF-8") && "\(error)".contains("cp949"), "\(error)")
        }
        do { _ = try CSVTable.read(path: box.dir.path + "/none.csv", zone: zone); Issue.record("read a missing file") } catch {
            #expect("\(error)".contains("no such file"), "\(error)")
        }
        // Korean spreadsheet export: cp949.
        let korean = box.write("ko.csv", bytes: Array("region,n\n".utf8) + [0xBC, 0xAD, 0xBF, 0xEF] + Array(",3\n".utf8))  // 서울
        let t = try CSVTable.read(path: korean, encoding: .cp949, zone: zone)
        #expect(t["region"].value(0) == .string("서울") && t["n"].value(0) == .int(3))
    }
}
