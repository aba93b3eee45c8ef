import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyTestSupport
@testable import TallyStore
@testable import TallyTables

/// Records that change (revisions.md): every classification rule with hand-worked cases,
/// retractions, the frozen schema and the migration of a store of the earlier release.
@Suite struct VersionTests {
    static let victimHeader = "victim_id,contacted_on,age,gender,channel,services,region"
    static let arrestHeader = "arrest_id,arrested_on,agency,offense,suspect_age,victim_minor,undercover,confessed,proceeds_seized_krw"

    /// One file's counts as (read, new, updated, corrected, duplicates, quarantined).
    static func counts(_ f: FileReport) -> [Int] {
        [f.rowsRead, f.loaded, f.updated, f.corrected, f.duplicates, f.quarantined]
    }

    @Test func updatesFillEmptyFieldsAddToSetsAndResolvePendingTakedowns() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("v1.csv", """
            \(Self.victimHeader)
            V1,2024-08-01,,,hotline,deletion,
            V2,2024-08-02,17,female,website,deletion;counseling,Seoul
            V3,2024-08-03,30,male,visit,,Busan

            """), box.write("t1.csv", """
            \(takedownHeader)
            T1,X,overseas,image,police,ai,2024-08-01T10:00:00+09:00,,pending
            T2,Naver,domestic,video,regulator,,2024-08-01T11:00:00+09:00,,pending

            """)])
        // V1: age, gender and region filled, a service added: an update.
        // V2: the same content, spelt otherwise: a duplicate.
        // V3: services filled: an update.
        // T1: resolved as removed with its time: an update. T2: refused, no time: an update.
        let r = try store.ingest([box.write("v2.csv", """
            \(Self.victimHeader)
            V1,2024-08-01,16,female,hotline,counseling;deletion,Incheon
            V2,2024-08-02,17,FEMALE,website,counseling;deletion,Seoul
            V3,2024-08-03,30,male,visit,legal,Busan

            """), box.write("t2.csv", """
            \(takedownHeader)
            T1,X,overseas,image,police,ai,2024-08-01T01:00:00Z,2024-08-01T12:00:00+09:00,removed
            T2,Naver,domestic,video,regulator,,2024-08-01T11:00:00+09:00,,refused

            """)])
        #expect(Self.counts(r.files[0]) == [3, 0, 2, 0, 1, 0])
        #expect(Self.counts(r.files[1]) == [2, 0, 2, 0, 0, 0])
        #expect(try box.rows(store, "SELECT victim_id, age, gender, services, region, change, changed_fields FROM victims ORDER BY 1") == [
            ["V1", "16", "female", "deletion;counseling", "Incheon", "update", "age,gender,services,region"],
            ["V2", "17", "female", "deletion;counseling", "Seoul", "new", "NULL"],
            ["V3", "30", "male", "legal", "Busan", "update", "services"],
        ])
        #expect(try box.rows(store, "SELECT request_id, outcome, changed_fields FROM takedowns ORDER BY 1") == [
            ["T1", "removed", "resolved_at,outcome"], ["T2", "refused", "outcome"],
        ])
        // The versions replaced, unchanged, in the history, superseded by batch 2.
        #expect(try box.rows(store, "SELECT victim_id, age, services, valid_from, superseded_in, superseded_as FROM victims_history ORDER BY 1") == [
            ["V1", "NULL", "deletion", "1", "2", "update"], ["V3", "30", "NULL", "1", "2", "update"],
        ])
    }

    @Test func correctionsAreConflictsUnlessTheLoadIsARevision() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("a1.csv", """
            \(Self.arrestHeader)
            A1,2024-08-01,Seoul,distribute,30,true,no,yes,1000
            A2,2024-08-02,Busan,create,25,,,,
            A3,2024-08-03,Daegu,possess,40,false,no,no,

            """), box.write("t1.csv", """
            \(takedownHeader)
            T1,X,overseas,image,police,ai,2024-08-01T10:00:00+09:00,2024-08-01T12:00:00+09:00,removed

            """)])
        // A1: offence changed; A2: age removed; A3: the same; T1: made pending again.
        let corrections = """
            \(Self.arrestHeader)
            A1,2024-08-01,Seoul,blackmail,30,true,no,yes,1000
            A2,2024-08-02,Busan,create,,,,,
            A3,2024-08-03,Daegu,possess,40,false,no,no,

            """
        let reopened = """
            \(takedownHeader)
            T1,X,overseas,image,police,ai,2024-08-01T10:00:00+09:00,,pending

            """
        let plain = try store.ingest([box.write("a2.csv", corrections), box.write("t2.csv", reopened)])
        #expect(Self.counts(plain.files[0]) == [3, 0, 0, 0, 1, 2])
        #expect(Self.counts(plain.files[1]) == [1, 0, 0, 0, 0, 1])
        let q = try store.quarantined()
        #expect(q.map(\.value) == ["A1", "A2", "T1"])
        #expect(q[0].reason.contains("other values of offense;") && q[0].reason.contains("--revise"), "\(q[0].reason)")
        #expect(q[1].reason.contains("other values of suspect_age;"), "\(q[1].reason)")
        #expect(q[2].reason.contains("other values of resolved_at, outcome;"), "\(q[2].reason)")
        #expect(try box.rows(store, "SELECT offense FROM arrests WHERE arrest_id = 'A1'") == [["distribute"]])

        var options = IngestOptions()
        options.revise = true
        options.reason = "offence codes corrected by the agency"
        let revision = try store.ingest([box.write("a3.csv", corrections + "\n")], options: options)
        #expect(Self.counts(revision.files[0]) == [3, 0, 0, 2, 1, 0])
        #expect(try box.rows(store, "SELECT arrest_id, offense, suspect_age, change, changed_fields FROM arrests ORDER BY 1") == [
            ["A1", "blackmail", "30", "correction", "offense"], ["A2", "create", "NULL", "correction", "suspect_age"],
            ["A3", "possess", "40", "new", "NULL"],
        ])
        #expect(try box.rows(store, "SELECT kind, reason FROM batches WHERE id = \(revision.batch!)")
                == [["ingest", "offence codes corrected by the agency"]])
        #expect(try box.rows(store, "SELECT updated, corrected FROM files WHERE path LIKE '%a3.csv'") == [["0", "2"]])
    }

    /// Vintages: each batch's state, read back; an older vintage is the store as it stood.
    @Test func vintagesAreTheStoreAsItStood() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("t1.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,,pending\nT2,X,,,police,,2024-08-01T11:00:00Z,,pending\n")])
        _ = try store.ingest([box.write("t2.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,2024-08-01T12:00:00Z,removed\nT3,Y,,,police,,2024-08-02T10:00:00Z,,pending\n")])
        _ = try store.retract(kind: .takedowns, ids: ["T2", "T9"], reason: "sent twice")
        // Read from SQLite and, the second time, through the cached table of every version.
        func outcomes(_ n: Int?) throws -> [String] {
            var seen: [[String]] = []
            for useCache in [false, true, true] {
                let t = try store.table(.takedowns, useCache: useCache, vintage: n).table
                seen.append((0..<t.rowCount).map { "\(t["platform"].value($0)) \(t["outcome"].value($0))" }.sorted())
            }
            #expect(seen[0] == seen[1] && seen[1] == seen[2], "vintage \(String(describing: n))")
            return seen[0]
        }
        #expect(try outcomes(1) == ["X pending", "X pending"])
        #expect(try outcomes(2) == ["X pending", "X removed", "Y pending"])
        #expect(try outcomes(3) == ["X removed", "Y pending"])
        #expect(try outcomes(nil) == ["X removed", "Y pending"])
        #expect(FileManager.default.fileExists(atPath: store.cacheDirectory + "/takedowns.versions.tcol"))
        #expect(try store.table(.takedowns, vintage: 1).fromCache)
        #expect(try store.vintage("2").batch == 2)
        #expect(throws: VintageError.self) { try store.vintage("4") }
        #expect(try store.vintage(Self.isoNow(plusSeconds: 60)).batch == 3)
        #expect(throws: VintageError.self) { try store.vintage("2001-01-01") }
        #expect(try box.rows(store, "SELECT record_id, outcome FROM retractions ORDER BY 1") == [["T2", "withdrawn"], ["T9", "not_found"]])
    }

    static func isoNow(plusSeconds s: Double) -> String {
        ISO8601DateFormatter().string(from: Date().addingTimeInterval(s))
    }

    /// Retracting a file withdraws what it brought new and reverts what it updated.
    @Test func retractingAFileRevertsItsUpdates() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("aug.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,,pending\n")])
        _ = try store.ingest([box.write("wrong.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,2024-08-03T10:00:00Z,removed\nT5,Z,,,police,,2024-08-04T10:00:00Z,,pending\n")])
        let r = try store.retract(file: "wrong.csv", reason: "a test file sent by mistake")
        #expect((r.withdrawn, r.reverted, r.notFound) == (1, 1, []))
        #expect(try box.rows(store, "SELECT request_id, outcome, change, valid_from FROM takedowns ORDER BY 1") == [["T1", "pending", "restored", "3"]])
        // Each vintage as it stood.
        for (n, expected) in [(1, ["pending"]), (2, ["pending", "removed"]), (3, ["pending"])] {
            let t = try store.table(.takedowns, useCache: false, vintage: n).table
            #expect((0..<t.rowCount).map { "\(t["outcome"].value($0))" }.sorted() == expected.sorted(), "vintage \(n)")
        }
        #expect(throws: RetractionError.self) { try store.retract(file: "nothing.csv", reason: "x") }
        #expect(throws: RetractionError.self) { try store.retract(kind: .takedowns, ids: ["T1"], reason: " ") }
    }

    /// Two files of one load (one batch) update the same record in turn; retracting the
    /// second goes back to the first file's version, which is not retracted.
    @Test func retractingTheSecondFileOfABatchRevertsToTheFirstFilesVersion() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("a.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,,pending\n")])
        let load = try store.ingest([
            box.write("b.csv", "\(takedownHeader)\nT1,X,overseas,,police,,2024-08-01T10:00:00Z,,pending\n"),
            box.write("c.csv", "\(takedownHeader)\nT1,X,overseas,,police,,2024-08-01T10:00:00Z,2024-08-02T10:00:00Z,removed\n"),
        ])
        #expect(load.files.map(\.updated) == [1, 1])
        let r = try store.retract(file: "c.csv", reason: "c was wrong")
        #expect((r.withdrawn, r.reverted) == (0, 1))
        // b.csv's version: origin filled, still pending.
        #expect(try box.rows(store, "SELECT request_id, platform_origin, outcome, change, f.path LIKE '%b.csv' FROM takedowns JOIN files f ON f.id = file_id")
                == [["T1", "overseas", "pending", "restored", "1"]])
    }

    /// `--vintage TIME` takes `YYYY-MM-DDTHH:MM` with a zone and without seconds (as its
    /// message says) as that minute, not as the end of that day; a time without a zone is
    /// refused, not read as a date.
    @Test func vintageTimesWithoutSecondsAreThatMinute() {
        #expect(Store.utcText("2024-08-01T10:00Z") == "2024-08-01T10:00:00Z")
        #expect(Store.utcText("2024-08-01T10:00+09:00") == "2024-08-01T01:00:00Z")
        #expect(Store.utcText("2024-08-01T10:00:30Z") == "2024-08-01T10:00:30Z")
        #expect(Store.utcText("2024-08-01") == "2024-08-01T23:59:59Z")
        #expect(Store.utcText("2024-08-01T10:00") == nil)
        #expect(Store.utcText("2024-08-01T10:00:00") == nil)
        #expect(Store.utcText("2024-08-01 10:00:00Z") == nil)
    }

    /// The schema of a fresh store is the checked-in one: a shipped migration never changes.
    @Test func freshStoreSchemaIsTheCheckedInOne() throws {
        let box = Sandbox()
        let store = try box.store()
        let now = try box.rows(store, "SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").map { $0[0] }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Schema/schema.sql")
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(now.joined(separator: "\n") + "\n" == expected)
        #expect(try store.db.userVersion == StoreSchema.version)
    }

    /// A store written by the release before versions (schema 1, unmarked, made from four
    /// files in two batches with duplicates and quarantined rows) migrates in place with its
    /// history intact, ends with the fresh schema, and takes updates of its records.
    @Test func aStoreOfTheEarlierReleaseMigratesWithItsHistory() throws {
        let box = Sandbox()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/v1-store.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: box.storePath)
        // A reading open refuses it (it would need writing) and leaves it as it is.
        #expect(throws: StoreError.self) { try Store(path: box.storePath, access: .read) }
        func snapshot(_ store: Store) throws -> [[String]] {
            try box.rows(store, "SELECT request_id, platform, requested_at, resolved_at, outcome, file_id, line FROM takedowns ORDER BY 1")
                + box.rows(store, "SELECT victim_id, age, services, file_id, line FROM victims ORDER BY 1")
                + box.rows(store, "SELECT arrest_id, offense, file_id, line FROM arrests ORDER BY 1")
                + box.rows(store, "SELECT id, path, sha256, rows_read, loaded, duplicates, quarantined FROM files ORDER BY 1")
                + box.rows(store, "SELECT id, started_at, finished_at FROM batches ORDER BY 1")
                + box.rows(store, "SELECT file_id, line, reason FROM quarantine ORDER BY 1, 2")
        }
        // Read through SQLite directly before the migration (a Tally reader refuses schema 1).
        let raw = try Database(path: box.storePath, access: .readOnly)
        var before: [[String]] = []
        for sql in ["SELECT count(*) FROM takedowns", "SELECT count(*) FROM quarantine", "SELECT count(*) FROM batches"] {
            before.append([String(try raw.scalarInt(sql) ?? -1)])
        }
        #expect(before == [["309"], ["2"], ["2"]])
        let store = try Store(path: box.storePath)
        #expect(try store.db.userVersion == StoreSchema.version)
        #expect(try store.db.scalarInt("PRAGMA application_id") == Int(Store.applicationID))
        let migrated = try snapshot(store)
        #expect(migrated.count > 300)
        #expect(try box.rows(store, "SELECT count(*), min(change), max(change) FROM takedowns") == [["309", "new", "new"]])
        // The same schema as a fresh store.
        let fresh = Sandbox()
        let freshStore = try fresh.store()
        let schemaSQL = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        #expect(try box.rows(store, schemaSQL) == fresh.rows(freshStore, schemaSQL))
        // The vintages of the old batches are readable, and a later update works.
        #expect(try store.table(.takedowns, useCache: false, vintage: 1).table.rowCount == 300)
        let r = try store.ingest([box.write("upd.csv", "\(takedownHeader)\n"
            + "R24-0000028," + (try box.rows(store, "SELECT platform || ',' || coalesce(platform_origin, '') || ',' || coalesce(content_kind, '') || ',' || requested_by || ',' || coalesce(detected_by, '') || ',' || requested_at_text FROM takedowns WHERE request_id = 'R24-0000028'")[0][0])
            + ",2024-02-01T00:00:00Z,removed\n")])
        #expect(Self.counts(r.files[0]) == [1, 0, 1, 0, 0, 0])
        #expect(try snapshot(store).count == migrated.count + 2)  // one more file, one more batch
    }

    /// A retraction that changes nothing writes no batch; a file retracted once cannot be
    /// retracted again; a file loaded again as a revision is one file to retract; and a
    /// later retraction never restores a version a retracted file brought.
    @Test func retractionsThatChangeNothingAndRetractedFiles() throws {
        let box = Sandbox()
        let store = try box.store()
        let row = { (origin: String, outcome: String) in
            "\(takedownHeader)\nT1,X,\(origin),,police,,2024-08-01T10:00:00Z,\(outcome == "pending" ? "" : "2024-08-02T10:00:00Z"),\(outcome)\n"
        }
        _ = try store.ingest([box.write("a.csv", row("", "pending"))])          // batch 1
        _ = try store.ingest([box.write("b.csv", row("overseas", "pending"))])  // batch 2: update (origin filled)
        _ = try store.ingest([box.write("c.csv", row("overseas", "removed"))])  // batch 3: update (resolved)
        let none = try store.retract(kind: .takedowns, ids: ["T9"], reason: "no such request")
        #expect(none.batch == nil && none.notFound == ["T9"])
        #expect(try store.latestBatch() == 3)
        // b's version is no longer current: retracting b changes no record, but marks the file.
        let rb = try store.retract(file: "b.csv", reason: "b was a test")
        #expect((rb.batch, rb.withdrawn, rb.reverted) == (4, 0, 0))
        #expect(throws: RetractionError.self) { try store.retract(file: "b.csv", reason: "again") }
        // Retracting c restores a's version, never b's (b is retracted).
        let rc = try store.retract(file: "c.csv", reason: "c was a test")
        #expect((rc.batch, rc.reverted) == (5, 1))
        #expect(try box.rows(store, "SELECT platform_origin, outcome, change FROM takedowns") == [["NULL", "pending", "restored"]])

        // A correction loaded as a conflict, then the same file again as a revision: one file.
        _ = try store.ingest([box.write("d.csv", "\(takedownHeader)\nT2,Y,,,police,,2024-08-03T10:00:00Z,,pending\n")])
        let fix = box.write("fix.csv", "\(takedownHeader)\nT2,Z,,,police,,2024-08-03T10:00:00Z,,pending\n")
        #expect(try store.ingest([fix]).files[0].quarantined == 1)
        var options = IngestOptions()
        options.revise = true
        options.reason = "platform misread"
        #expect(try store.ingest([fix], options: options).files[0].corrected == 1)
        let rf = try store.retract(file: "fix.csv", reason: "the fix was wrong")
        #expect((rf.reverted, rf.filesRetracted) == (1, 2))
        #expect(try box.rows(store, "SELECT platform FROM takedowns WHERE request_id = 'T2'") == [["Y"]])
    }

    /// While a load is running, its batch is not a vintage: the default is the batch before;
    /// once the load is over (here: interrupted), the batch is the latest vintage.
    @Test func aBatchStillLoadingIsNotTheLatestVintage() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("a.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,,pending\n")])
        try store.db.execute("INSERT INTO batches (started_at, tool_version, time_zone, encoding) VALUES ('2026-01-01T00:00:00Z', 'test', 'UTC', 'utf-8')")
        do {
            let loading = try WriterLock(store: box.storePath, wait: 0)
            #expect(try store.vintage(nil).batch == 1)
            withExtendedLifetime(loading) {}
        }
        #expect(try store.vintage(nil).batch == 2)
    }
}
