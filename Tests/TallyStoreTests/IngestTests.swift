import TallyTestSupport
import Foundation
import Testing
import TallyCore
@testable import TallyStore

@Suite struct IngestRuleTests {
    /// One bad row per rule, each on a known line, among good rows.
    @Test func everyBadRowIsQuarantinedWithLineColumnAndReason() throws {
        let box = Sandbox()
        let path = box.write("takedowns.csv", """
        \(takedownHeader)
        T1,Telegram,overseas,image,regulator,ai,2024-08-01T10:00:00+09:00,2024-08-02T10:00:00+09:00,removed
        T2,,overseas,image,regulator,ai,2024-08-01T10:00:00+09:00,,pending
        T3,X,abroad,image,regulator,ai,2024-08-01T10:00:00+09:00,,pending
        T4,X,overseas,image,regulator,ai,2024-08-01,,pending
        T5,X,overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,2024-08-01T10:00:00+09:00,refused
        T6,X,overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,2024-08-03T10:00:00+09:00,pending
        T7,X,overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,,removed
        "T8","multi
        line",overseas,image,regulator,ai,2024-08-02T10:00:00+09:00,,PENDING
        T9,X,overseas

        T10,X,overseas,image,regulator,ai,2024-08-02T10:00:00Z,,pending,surplus

        """)
        let store = try box.store()
        let report = try store.ingest([path])
        let f = try #require(report.files.first)
        #expect(f.status == .loaded)
        #expect(f.kind == "takedowns")
        #expect(f.rowsRead == 10)
        #expect(f.loaded == 2)
        #expect(f.quarantined == 8)
        #expect(f.rowsRead == f.loaded + f.duplicates + f.quarantined)

        let q = try store.quarantined()
        #expect(q.map(\.line) == [3, 4, 5, 6, 7, 8, 11, 13])
        #expect(q.map { $0.column ?? "-" } == ["platform", "platform_origin", "requested_at", "resolved_at",
                                              "resolved_at", "resolved_at", "-", "-"])
        #expect(q[0].reason == "required value is missing")
        #expect(q[1].reason == "expected one of domestic, overseas")
        #expect(q[1].value == "abroad")
        #expect(q[2].reason.hasPrefix("expected a timestamp"))
        #expect(q[3].reason == "resolved_at is before requested_at (2024-08-02T10:00:00+09:00)")
        #expect(q[4].reason == "a pending request must not have resolved_at")
        #expect(q[5].reason == "outcome removed requires resolved_at")
        #expect(q[6].reason == "the row has 3 fields, the header has 9")
        #expect(q[7].reason == "the row has 10 fields, the header has 9")
        #expect(q.allSatisfy { $0.file == path })

        // The multi-line quoted row was loaded, with its enum lower-cased and its line kept.
        #expect(try box.rows(store, "SELECT platform, outcome, line FROM takedowns WHERE request_id = 'T8'")
                == [["multi\nline", "pending", "9"]])
    }

    /// Stored instants checked against SQLite's own date functions (an independent parser).
    @Test func timestampsAreStoredAsUTCInstants() throws {
        let box = Sandbox()
        let path = box.write("t.csv", """
        \(takedownHeader)
        A,X,,,police,,2024-08-31T20:00:00Z,2024-09-01T05:00:00.5+09:00,removed
        B,X,,,police,,2024-08-31T15:00:00-05:00,2024-09-01 05:00:00Z,removed
        C,X,,,police,,2024-09-01 05:00,,pending
        D,X,,,police,,2024-09-01T05:00:07.25,,pending

        """)
        let store = try box.store()
        _ = try store.ingest([path])
        // SQLite's own parser reads texts without an offset as UTC; Tally reads them as Seoul
        // time, nine hours ahead. julianday() is a double: allow 1 ms of rounding.
        let diffs = try box.rows(store, """
            SELECT request_id, round((requested_at - (julianday(requested_at_text) - 2440587.5) * 86400000000) / 1000)
            FROM takedowns ORDER BY request_id
            """)
        let nineHoursInMs = String(Double(-9 * 3600 * 1000))
        #expect(diffs == [["A", "0.0"], ["B", "0.0"], ["C", nineHoursInMs], ["D", nineHoursInMs]])
        #expect(try box.rows(store, """
            SELECT requested_at = (SELECT requested_at FROM takedowns WHERE request_id = 'A') FROM takedowns
            WHERE request_id IN ('B', 'C') ORDER BY request_id
            """) == [["1"], ["1"]], "20:00Z, 15:00-05:00 and 05:00 Seoul (no offset) are one instant")
        #expect(try box.rows(store, "SELECT resolved_at - requested_at FROM takedowns ORDER BY request_id")
                == [["500000"], [String(9 * 3600 * 1_000_000)], ["NULL"], ["NULL"]])
        #expect(try box.rows(store, "SELECT requested_at % 1000000 FROM takedowns WHERE request_id = 'D'") == [["250000"]])
    }

    @Test func otherTimeZoneForTimestampsWithoutOffset() throws {
        let box = Sandbox()
        let path = box.write("t.csv", "\(takedownHeader)\nA,X,,,police,,2024-07-01 12:00,,pending\nB,X,,,police,,2024-03-31 02:30,,pending\n")
        var options = IngestOptions()
        options.timeZone = "Europe/Berlin"
        let store = try box.store()
        let report = try store.ingest([path], options: options)
        #expect(report.files[0].loaded == 1)
        #expect(try box.rows(store, "SELECT requested_at FROM takedowns") == [[String(utc(2024, 7, 1, 10))]])
        #expect(try store.quarantined().first?.reason.contains("does not exist in Europe/Berlin") == true)
        #expect(try box.rows(store, "SELECT time_zone FROM batches") == [["Europe/Berlin"]])
    }

    @Test func victimsAndArrestsAreTyped() throws {
        let box = Sandbox()
        let v = box.write("v.csv", """
        region,victim_id,contacted_on,age,gender,channel,services
        서울,V1,2024-01-05,16,FEMALE,hotline,counseling;Deletion
        ,V2,2024-01-06,,,website,
        Busan,V3,2024-01-07,17,female,visit,"legal; medical"

        """)
        let a = box.write("a.csv", """
        arrest_id,arrested_on,agency,offense,suspect_age,victim_minor,undercover,confessed,proceeds_seized_krw
        A1,2024-02-01,Seoul,create,15,yes,,n,0
        A2,2024-02-02,Gyeonggi-Nambu,Distribute,,,TRUE,,2500000

        """)
        let store = try box.store()
        let report = try store.ingest([v, a])
        #expect(report.files.map(\.kind) == ["victims", "arrests"])
        #expect(try box.rows(store, "SELECT victim_id, contacted_on, age, gender, services, region FROM victims ORDER BY victim_id") == [
            ["V1", "2024-01-05", "16", "female", "deletion;counseling", "서울"],
            ["V2", "2024-01-06", "NULL", "NULL", "NULL", "NULL"],
            ["V3", "2024-01-07", "17", "female", "legal;medical", "Busan"],
        ])
        #expect(try box.rows(store, "SELECT arrest_id, offense, suspect_age, victim_minor, undercover, confessed, proceeds_seized_krw FROM arrests ORDER BY 1") == [
            ["A1", "create", "15", "1", "0", "0", "0"],
            ["A2", "distribute", "NULL", "NULL", "1", "NULL", "2500000"],
        ])
    }
}

func utc(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0) -> Int64 {
    Int64(CivilDate.days(year: y, month: m, day: d) * 86_400 + h * 3600) * 1_000_000
}

@Suite struct DuplicateAndConflictTests {
    @Test func sameKeySameContentIsADuplicateOtherContentAConflict() throws {
        let box = Sandbox()
        let first = box.write("aug.csv", """
        \(takedownHeader)
        T1,X,overseas,image,police,ai,2024-08-01T10:00:00+09:00,2024-08-01T12:00:00+09:00,removed
        T2,X,overseas,image,police,ai,2024-08-01T10:00:00+09:00,,pending

        """)
        // T1 again, the same instants written in UTC and letters in another case: a duplicate.
        // T2 again, resolved: an update (a pending takedown removed, with its resolved_at).
        // T3 twice in the same file, then with another content kind: a correction, which a
        // load that is not a revision quarantines as a conflict naming the field.
        let second = box.write("aug-again.csv", """
        \(takedownHeader)
        T1,X,Overseas,IMAGE,police,ai,2024-08-01T01:00:00Z,2024-08-01T03:00:00Z,removed
        T2,X,overseas,image,police,ai,2024-08-01T10:00:00+09:00,2024-08-02T10:00:00+09:00,removed
        T3,Naver,domestic,image,police,ai,2024-08-01T10:00:00+09:00,,pending
        T3,Naver,domestic,image,police,ai,2024-08-01T10:00:00+09:00,,pending
        T3,Naver,domestic,video,police,ai,2024-08-01T10:00:00+09:00,,pending

        """)
        let store = try box.store()
        _ = try store.ingest([first])
        let f = try store.ingest([second]).files[0]
        #expect((f.rowsRead, f.loaded, f.updated, f.corrected, f.duplicates, f.quarantined) == (5, 1, 1, 0, 2, 1))
        let q = try store.quarantined(file: "aug-again.csv")
        #expect(q.map(\.line) == [6])
        #expect(q[0].column == "request_id" && q[0].value == "T3")
        #expect(q[0].reason.contains("was loaded from line 4 of this file with other values of content_kind;"), "\(q[0].reason)")
        // The update is the current version; the version it replaced is in the history.
        #expect(try box.rows(store, "SELECT outcome, change, changed_fields FROM takedowns WHERE request_id = 'T2'")
                == [["removed", "update", "resolved_at,outcome"]])
        #expect(try box.rows(store, "SELECT outcome, superseded_as, superseded_in FROM takedowns_history WHERE request_id = 'T2'")
                == [["pending", "update", "2"]])
        #expect(try box.rows(store, "SELECT content_kind FROM takedowns WHERE request_id = 'T3'") == [["image"]])
    }
}

/// Rows are inserted in groups of `RecordWriter.groupSize`; a group that meets existing keys
/// falls back to telling each row's fate. Expected outcomes are worked out here from how the
/// files are built, not from the writer.
@Suite struct GroupedInsertTests {
    func row(_ key: String, kind: String = "image", outcome: String = "pending") -> String {
        "\(key),X,overseas,\(kind),police,ai,2024-08-01T10:00:00+09:00,\(outcome == "pending" ? "" : "2024-08-02T10:00:00+09:00"),\(outcome)"
    }

    @Test func duplicatesAndConflictsInsideGroupsAreToldApart() throws {
        let box = Sandbox()
        let store = try box.store()
        let n = 5 * RecordWriter.groupSize + 7  // full groups, then a tail of single rows
        var first = [takedownHeader]
        for i in 0..<n { first.append(row("A\(i)")) }
        let firstPath = box.write("first.csv", first.joined(separator: "\n") + "\n")
        let f1 = try store.ingest([firstPath]).files[0]
        #expect((f1.rowsRead, f1.loaded, f1.duplicates, f1.quarantined) == (n, n, 0, 0))

        // The second file mixes new keys, repeats of the first file (same content spelt
        // otherwise: a duplicate; other content: a conflict) and repeats within itself.
        var second = [takedownHeader]
        var expected = (loaded: 0, duplicates: 0, conflicts: [Int: String]())
        var lineOf: [String: Int] = [:]
        for i in 0..<n {
            let line = second.count + 1
            if i % 7 == 3 {
                second.append(row("A\(i)").replacingOccurrences(of: "overseas", with: "OVERSEAS"))
                expected.duplicates += 1
            } else if i % 11 == 5 {
                second.append(row("A\(i)", kind: "video"))
                expected.conflicts[line] = "was loaded from \(URL(fileURLWithPath: firstPath).lastPathComponent) line \(i + 2) with other values of content_kind"
            } else if i % 13 == 8, let earlier = lineOf["B\(i - 1)"] {
                // The previous new key again, once the same and once changed.
                second.append(row("B\(i - 1)"))
                expected.duplicates += 1
                second.append(row("B\(i - 1)", kind: "video"))
                expected.conflicts[line + 1] = "was loaded from line \(earlier) of this file with other values of content_kind"
            } else {
                second.append(row("B\(i)"))
                lineOf["B\(i)"] = line
                expected.loaded += 1
            }
        }
        let secondPath = box.write("second.csv", second.joined(separator: "\n") + "\n")
        let f2 = try store.ingest([secondPath]).files[0]
        #expect(f2.rowsRead == second.count - 1)
        #expect(f2.loaded == expected.loaded)
        #expect(f2.duplicates == expected.duplicates)
        #expect(f2.quarantined == expected.conflicts.count)
        let q = try store.quarantined(file: "second.csv")
        #expect(q.map(\.line) == expected.conflicts.keys.sorted())
        for entry in q {
            #expect(entry.reason.contains(expected.conflicts[entry.line] ?? "?"), "line \(entry.line): \(entry.reason)")
        }
        // Every key is stored once, from its first occurrence, with its first content.
        #expect(try box.count(store, "takedowns") == n + expected.loaded)
        #expect(try box.rows(store, "SELECT count(*) FROM takedowns WHERE content_kind = 'video'") == [["0"]])
        for (key, line) in lineOf {
            #expect(try box.rows(store, "SELECT t.line, f.path FROM takedowns t JOIN files f ON f.id = t.file_id WHERE request_id = '\(key)'")
                    == [["\(line)", secondPath]])
        }
    }

    /// The fingerprint stored with every row, checked against FNV-1a written out
    /// independently over the normalised values as text: enum values by their names, never
    /// their positions in the code (a reordered list must not change a stored fingerprint).
    @Test func rowHashKeepsItsDefinition() throws {
        let box = Sandbox()
        let store = try box.store()
        let path = box.write("one.csv", "\(takedownHeader)\nT1,X,Overseas,image,police,,2024-08-01T10:00:00+09:00,,pending\n")
        _ = try store.ingest([path])
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func byte(_ b: UInt8) { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        func text(_ s: String) { s.utf8.forEach(byte); byte(0x1F) }
        func int(_ x: Int64) { var v = UInt64(bitPattern: x); for _ in 0..<8 { byte(UInt8(v & 0xFF)); v >>= 8 }; byte(0x1E) }
        func null() { byte(0xFF); byte(0x1D) }
        text("T1"); text("X")
        text("overseas")  // written "Overseas": enums count by their canonical text
        text("image")
        text("police")
        null()
        int(1_722_474_000_000_000)  // 2024-08-01T01:00:00Z in microseconds
        null()
        text("pending")
        #expect(try box.rows(store, "SELECT row_hash FROM takedowns") == [["\(Int64(bitPattern: h))"]])
    }
}

/// UTF-8 is checked chunk by chunk on the parsing thread: text that spans chunks loads, and
/// a bad byte far into a file rejects the whole file, naming its line.
@Suite struct LargeFileTextTests {
    @Test func hangulAcrossChunksLoadsAndABadByteLateRejectsTheFile() throws {
        let box = Sandbox()
        let rows = 24_000  // about 2.6 MB: three chunks
        func file(_ prefix: String) -> String {
            var text = takedownHeader + "\n"
            for i in 0..<rows { text += "\(prefix)\(i),카카오톡 오픈채팅,domestic,image,police,ai,2024-08-01T10:00:00+09:00,,pending\n" }
            return text
        }
        let good = box.write("hangul.csv", file("T"))
        let store = try box.store()
        let f = try store.ingest([good]).files[0]
        #expect((f.status, f.loaded) == (.loaded, rows))
        #expect(try box.rows(store, "SELECT count(*) FROM takedowns WHERE platform = '카카오톡 오픈채팅'") == [["\(rows)"]])

        var bytes = Array(file("U").utf8)
        let badLine = 20_001
        var line = 1, k = 0
        while line < badLine { if bytes[k] == 0x0A { line += 1 }; k += 1 }
        bytes[k + 3] = 0xFF
        let bad = box.write("bad.csv", bytes: bytes)
        let r = try store.ingest([bad]).files[0]
        #expect(r.status == .rejected)
        #expect(r.error?.hasPrefix("not UTF-8 (first invalid byte on line \(badLine))") == true, "\(r.error ?? "")")
        #expect(try box.count(store, "takedowns") == rows, "nothing of the rejected file stays")
    }
}

@Suite struct ChunkTests {
    /// Chunks end after a line feed in their second half, else on a character boundary.
    @Test func chunksNeverSplitACharacter() {
        let long = Array(String(repeating: "가", count: 40).utf8)  // 3 bytes each, no line feed
        long.withUnsafeBytes { b in
            var offset = 0
            var ends: [Int] = []
            while offset < b.count {
                let end = RowParser.chunkEnd(b, from: offset, size: 16)
                #expect(end > offset)
                ends.append(end)
                offset = end
            }
            #expect(ends.allSatisfy { $0 % 3 == 0 }, "\(ends)")
            #expect(ends.last == b.count)
        }
        let lines = Array("ab\ncdefgh\nijklmnopq\n".utf8)
        lines.withUnsafeBytes { b in
            #expect(RowParser.chunkEnd(b, from: 0, size: 12) == 10, "just after the line feed at 9")
            #expect(RowParser.chunkEnd(b, from: 0, size: 6) == 6, "no line feed in 3..<6: cut at the size")
        }
    }
}

@Suite struct TransactionTests {
    func fileWith(_ n: Int, _ box: Sandbox, name: String = "t.csv") -> String {
        var text = takedownHeader + "\n"
        for i in 0..<n { text += "R\(i),X,,,police,,2024-08-01T10:00:00Z,,pending\n" }
        return box.write(name, text)
    }

    @Test func failureMidFileLeavesTheStoreAsItWas() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([fileWith(3, box, name: "before.csv")])
        let before = try box.rows(store, "SELECT (SELECT count(*) FROM takedowns), (SELECT count(*) FROM files), (SELECT count(*) FROM quarantine)")

        let path = box.write("big.csv", (try String(contentsOfFile: fileWith(50, box), encoding: .utf8)) + "bad,row\n")
        var options = IngestOptions()
        options.failAfterRows = 20
        #expect(throws: IngestError.self) { try store.ingest([path], options: options) }
        #expect(try box.rows(store, "SELECT (SELECT count(*) FROM takedowns), (SELECT count(*) FROM files), (SELECT count(*) FROM quarantine)") == before)

        // The failed file was not recorded as loaded: loading it again works in full.
        let f = try store.ingest([path]).files[0]
        #expect(f.status == .loaded)
        #expect((f.rowsRead, f.loaded, f.quarantined) == (51, 47, 1 + 0), "R0–R2 are duplicates of before.csv")
        #expect(f.duplicates == 3)
    }

    @Test func reIngestingTheSameFileIsANoOp() throws {
        let box = Sandbox()
        let store = try box.store()
        let path = fileWith(10, box)
        let first = try store.ingest([path])
        #expect(first.batch == 1)
        let again = try store.ingest([path])
        #expect(again.batch == nil, "no batch is recorded for a call that changed nothing")
        #expect(again.files[0].status == .alreadyLoaded)
        #expect(again.files[0].loadedInBatch == 1)
        #expect(again.files[0].sha256 == first.files[0].sha256)
        #expect(try box.count(store, "takedowns") == 10)
        #expect(try box.count(store, "files") == 1)
        #expect(try box.count(store, "batches") == 1)
        // A copy under another name has the same SHA-256: also a no-op.
        let copy = box.write("copy.csv", try String(contentsOfFile: path, encoding: .utf8))
        #expect(try store.ingest([copy]).files[0].status == .alreadyLoaded)
    }

    /// The SHA-256 is awaited before the load only when a loaded file has the same size; else
    /// the rows are written while it is computed and the check comes before the commit. A file
    /// loaded before whose recorded size differs (here: changed by hand, as a file loaded with
    /// another --encoding records its decoded size) is found there: the load is rolled back and
    /// reported as loaded already, the store as it was.
    @Test func aFileFoundLoadedOnlyAtTheEndIsRolledBack() throws {
        let box = Sandbox()
        let store = try box.store()
        let path = fileWith(10, box)
        let first = try store.ingest([path])
        #expect(try store.loadedFile(ofBytes: try Data(contentsOf: URL(fileURLWithPath: path)).count))
        try store.db.execute("UPDATE files SET bytes = bytes + 1")
        #expect(try !store.loadedFile(ofBytes: try Data(contentsOf: URL(fileURLWithPath: path)).count))
        let before = try box.rows(store, "SELECT * FROM takedowns ORDER BY request_id")
        let again = try store.ingest([path])
        #expect(again.batch == nil)
        #expect(again.files[0].status == .alreadyLoaded)
        #expect(again.files[0].loadedInBatch == 1)
        #expect(again.files[0].sha256 == first.files[0].sha256)
        #expect(again.files[0].loaded == 0 && again.files[0].rowsRead == 0)
        #expect(try box.rows(store, "SELECT * FROM takedowns ORDER BY request_id") == before)
        #expect(try box.count(store, "files") == 1)
        #expect(try box.count(store, "batches") == 1)
        #expect(try box.rows(store, "SELECT count(*) FROM files WHERE sha256 LIKE 'pending:%'") == [["0"]])
        // A new file's row gets its SHA-256 in place of the stand-in.
        let other = try store.ingest([fileWith(12, box, name: "u.csv")])
        #expect(other.files[0].status == .loaded)
        #expect(try box.rows(store, "SELECT sha256 FROM files WHERE id = 2") == [[try #require(other.files[0].sha256)]])
        #expect(other.files[0].sha256?.count == 64)
    }
}

@Suite struct RejectionTests {
    @Test func wholeFileRejectionsNameTheCauseAndOthersStillLoad() throws {
        let box = Sandbox()
        let empty = box.write("empty.csv", "")
        let binary = box.write("binary.csv", bytes: [0x49, 0x44, 0x03, 0x04, 0x00, 0x00, 0x0A])
        let korean: [UInt8] = Array("victim_id,contacted_on,channel,region\nV1,2024-01-01,hotline,".utf8) + [0xBC, 0xAD, 0xBF, 0xEF, 0x0A]
        let cp949 = box.write("cp949.csv", bytes: korean)
        let missing = box.write("missing.csv", "request_id,requested_by,requested_at,outcome\nT1,police,2024-01-01T00:00Z,pending\n")
        let unknown = box.write("unknown.csv", "id,name\n1,x\n")
        let twice = box.write("twice.csv", "victim_id,contacted_on,channel,channel\n")
        let good = box.write("good.csv", "\(takedownHeader)\nT1,X,,,police,,2024-01-01T00:00Z,,pending\n")
        let store = try box.store()
        let report = try store.ingest([empty, binary, cp949, missing, "/no/such/file.csv", unknown, twice, good])
        let errors = report.files.map { $0.error ?? "" }
        #expect(report.files.map(\.status) == [.rejected, .rejected, .rejected, .rejected, .rejected, .rejected, .rejected, .loaded])
        #expect(errors[0] == "no header: the file is empty")
        #expect(errors[1] == "not a text file (a NUL byte on line 1)")
        #expect(errors[2] == "not UTF-8 (first invalid byte on line 2); if it is a Korean spreadsheet export, try --encoding cp949")
        #expect(errors[3] == "missing required column 'platform' for takedowns")
        #expect(errors[4] == "cannot read the file: no such file")
        #expect(errors[5] == "cannot tell the record kind: the header has none (or several) of arrest_id, victim_id, request_id, uuid (with platform_name and application_date); give --kind")
        #expect(errors[6] == "column 'channel' appears twice in the header")
        #expect(try box.count(store, "takedowns") == 1)
        #expect(try box.count(store, "victims") == 0)
        #expect(try box.rows(store, "SELECT count(*) FROM files WHERE status = 'rejected'") == [["6"]])

        // The rejected cp949 file loads with --encoding cp949.
        var options = IngestOptions()
        options.encoding = .cp949
        let retry = try store.ingest([cp949], options: options)
        #expect(retry.files[0].status == .loaded)
        #expect(try box.rows(store, "SELECT region FROM victims") == [["서울"]])
    }

    @Test func kindGivenExplicitlyMustMatchTheHeader() throws {
        let box = Sandbox()
        let path = box.write("v.csv", "victim_id,contacted_on,channel\nV1,2024-01-01,hotline\n")
        var options = IngestOptions()
        options.kind = .arrests
        let f = try box.store().ingest([path], options: options).files[0]
        #expect(f.error == "missing required columns 'arrest_id', 'arrested_on', 'agency', 'offense' for arrests")
    }

    @Test func headerOnlyFileLoadsNothing() throws {
        let box = Sandbox()
        let f = try box.store().ingest([box.write("h.csv", "\u{FEFF}\(takedownHeader)\r\n")]).files[0]
        #expect(f.status == .loaded)
        #expect(f.rowsRead == 0)
    }
}

@Suite struct StoreFileTests {
    @Test func storeIsOwnerOnlyAndVersioned() throws {
        let box = Sandbox()
        let store = try box.store()
        let mode = try FileManager.default.attributesOfItem(atPath: box.storePath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try store.db.userVersion == StoreSchema.version)
        #expect(StoreSchema.version >= 1)
    }

    @Test func newerStoreIsRefused() throws {
        let box = Sandbox()
        try box.store().db.execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { try box.store() }
    }

    @Test func nonDatabaseIsRefusedClearly() throws {
        let box = Sandbox()
        let path = box.write("not.sqlite", String(repeating: "this is not a database\n", count: 100))
        do {
            _ = try Store(path: path)
            Issue.record("opened a text file as a store")
        } catch let e as StoreError {
            #expect(e.description.contains("is not a Tally store"))
        }
    }

    @Test func statusSummarisesTheStore() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([box.write("t.csv", """
        \(takedownHeader)
        T1,X,,,police,,2024-01-31T20:00:00Z,,pending
        T2,X,,,police,,2024-03-01T00:00:00+09:00,,pending
        T3,X,,,police,,bad,,pending

        """)])
        let s = try store.status()
        let t = try #require(s.kinds.first { $0.kind == "takedowns" })
        #expect(t.rows == 2)
        #expect(t.first == "2024-01-31T20:00:00Z")
        #expect(t.last == "2024-02-29T15:00:00Z")
        #expect(s.quarantined == 1)
        #expect(s.filesLoaded == 1)
        #expect(s.lastBatch?.files == 1)
        #expect(s.lastBatch?.timeZone == "Asia/Seoul")
    }
}
