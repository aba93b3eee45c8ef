import TallyTestSupport
import Foundation
import Testing
import TallyCore
@testable import TallyStore

/// Archives are built here with python3's standard library (zipfile, gzip), and the expected
/// store comes from an independent method: python3 extracts the CSVs to plain files, which
/// are loaded into a second store; the two stores must hold the same records, quarantined
/// rows and per-file counts.
@Suite struct ArchiveTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/sample")

    /// The first `n` lines of a sample CSV (header included).
    static func head(_ name: String, _ n: Int) throws -> String {
        let text = try String(contentsOf: sample.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).prefix(n).joined(separator: "\n") + "\n"
    }

    static func sha256(_ path: String) throws -> String {
        try python3("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())", [path])
    }

    /// Every row of the record tables and the quarantine, without store-specific ids.
    static func content(_ box: Sandbox, _ store: Store) throws -> [String: [[String]]] {
        var out: [String: [[String]]] = [:]
        for table in ["arrests", "victims", "takedowns"] {
            let columns = try box.rows(store, "SELECT name FROM pragma_table_info('\(table)') WHERE name NOT IN ('file_id', 'valid_from')")
                .map { $0[0] }
            out[table] = try box.rows(store, "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY 1")
        }
        out["quarantine"] = try box.rows(store, """
            SELECT f.sha256, q.line, coalesce(q.column_name, ''), q.value, q.reason FROM quarantine q JOIN files f ON f.id = q.file_id
            ORDER BY 1, 2, 3
            """)
        out["files"] = try box.rows(store, """
            SELECT sha256, kind, bytes, rows_read, loaded, updated, corrected, duplicates, quarantined FROM files
            WHERE status = 'loaded' ORDER BY sha256
            """)
        return out
    }

    /// exports.zip (two CSVs in a folder, a text file), arrests.csv.gz, dump.zip holding day.zip.
    static func buildArchives(_ box: Sandbox) throws -> (zip: String, gz: String, nested: String, plain: Sandbox) {
        // A row that breaks a rule, so that quarantined rows are compared too.
        let takedowns = try head("takedowns-2024.csv", 300) + "R24-BAD,Telegram,overseas,image,victim,ai,not a time,,removed\n"
        box.write("takedowns.csv", takedowns)
        box.write("victims.csv", try head("victims-2024.csv", 200))
        box.write("arrests.csv", try head("arrests-2024.csv", 150))
        box.write("part1.csv", try head("takedowns-2024.csv", 1) + (try head("takedowns-2024.csv", 400)).split(separator: "\n").dropFirst(300).joined(separator: "\n") + "\n")
        let d = box.dir.path
        try python3("""
            import sys, zipfile, gzip, shutil
            d = sys.argv[1]
            with zipfile.ZipFile(d + '/exports.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.write(d + '/takedowns.csv', '2024-08/takedowns.csv')
                z.write(d + '/victims.csv', '2024-08/victims.csv')
                z.writestr('2024-08/README.txt', 'not data\\n')
            with open(d + '/arrests.csv', 'rb') as f, gzip.open(d + '/arrests.csv.gz', 'wb') as g:
                shutil.copyfileobj(f, g)
            with zipfile.ZipFile(d + '/day.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.write(d + '/part1.csv', 'part1.csv')
            with zipfile.ZipFile(d + '/dump.zip', 'w', zipfile.ZIP_STORED) as z:
                z.write(d + '/day.zip', 'day.zip')
            """, [d])
        // The independent method: python3 extracts every CSV to a plain file in another folder.
        let plain = Sandbox()
        try python3("""
            import sys, zipfile, gzip, io
            d, out = sys.argv[1], sys.argv[2]
            z = zipfile.ZipFile(d + '/exports.zip')
            open(out + '/takedowns.csv', 'wb').write(z.read('2024-08/takedowns.csv'))
            open(out + '/victims.csv', 'wb').write(z.read('2024-08/victims.csv'))
            open(out + '/arrests.csv', 'wb').write(gzip.open(d + '/arrests.csv.gz').read())
            inner = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(d + '/dump.zip').read('day.zip')))
            open(out + '/part1.csv', 'wb').write(inner.read('part1.csv'))
            """, [d, plain.dir.path])
        return (d + "/exports.zip", d + "/arrests.csv.gz", d + "/dump.zip", plain)
    }

    @Test func membersLoadLikeTheExtractedFilesWithMemberPathsAndArchiveHash() throws {
        let box = Sandbox()
        let (zip, gz, nested, plain) = try Self.buildArchives(box)
        let store = try box.store()
        let report = try store.ingest([zip, gz, nested])
        let byPath = Dictionary(report.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(byPath.keys) == [zip + "!2024-08/takedowns.csv", zip + "!2024-08/victims.csv", zip + "!2024-08/README.txt",
                                     gz + "!arrests.csv", nested + "!day.zip!part1.csv"])
        #expect(byPath[zip + "!2024-08/README.txt"]?.status == .skipped)
        #expect(byPath[zip + "!2024-08/takedowns.csv"]?.quarantined == 1)
        #expect(byPath[nested + "!day.zip!part1.csv"]?.member == "day.zip!part1.csv")
        let zipHash = try Self.sha256(zip), gzHash = try Self.sha256(gz), nestedHash = try Self.sha256(nested)
        #expect(byPath[zip + "!2024-08/victims.csv"]?.archiveSHA256 == zipHash)
        #expect(byPath[gz + "!arrests.csv"]?.archiveSHA256 == gzHash)
        #expect(byPath[nested + "!day.zip!part1.csv"]?.archiveSHA256 == nestedHash)
        for f in report.files where f.status == .loaded {
            #expect(f.rowsRead == f.loaded + f.updated + f.corrected + f.duplicates + f.quarantined)
            #expect(f.rowsRead > 0)
        }

        // The same files extracted by python3, loaded as plain files into another store.
        let other = try plain.store()
        let names = ["takedowns.csv", "victims.csv", "arrests.csv", "part1.csv"]
        let direct = try other.ingest(names.map { plain.dir.appendingPathComponent($0).path })
        #expect(direct.files.allSatisfy { $0.status == .loaded })
        #expect(try Self.content(box, store) == Self.content(plain, other))
        // Each member's SHA-256 is that of the extracted file.
        for name in names {
            let sha = try Self.sha256(plain.dir.appendingPathComponent(name).path)
            #expect(report.files.contains { $0.sha256 == sha && Provenance.fileName($0.path).hasSuffix(name) })
        }

        // Provenance and manifests name members inside their archive, never the folders.
        let provenance = try store.provenance()
        #expect(Set(provenance.files.map(\.name)) == ["exports.zip!2024-08/takedowns.csv", "exports.zip!2024-08/victims.csv",
                                                     "arrests.csv.gz!arrests.csv", "dump.zip!day.zip!part1.csv"])
        #expect(provenance.files.allSatisfy { !$0.name.contains(box.dir.path) })
        let part = try #require(provenance.files.first { $0.member == "day.zip!part1.csv" })
        #expect(part.archiveSHA256 == nestedHash)
        #expect(part.json == .object([("batch", .int(1)), ("file", .string("dump.zip!day.zip!part1.csv")), ("sha256", .string(part.sha256)),
                                      ("kind", .string("takedowns")), ("rows_read", .int(100)), ("loaded", .int(100)),
                                      ("updated", .int(0)), ("corrected", .int(0)), ("duplicates", .int(0)), ("quarantined", .int(0)),
                                      ("member", .string("day.zip!part1.csv")), ("archive_sha256", .string(nestedHash))]))
        #expect(Provenance.fileName(zip + "!2024-08/takedowns.csv") == "exports.zip!2024-08/takedowns.csv")

        // Loading the same archives again is a no-op, member by member.
        let again = try store.ingest([zip, gz, nested])
        #expect(again.batch == nil)
        #expect(again.files.filter { $0.status == .alreadyLoaded }.count == 4)
        #expect(again.files.filter { $0.status == .skipped }.map(\.path) == [zip + "!2024-08/README.txt"])
        #expect(try box.count(store, "files") == 4)
    }

    @Test func archivesAreToldByTheirBytesNotTheirNames() throws {
        let box = Sandbox()
        let (zip, gz, _, _) = try Self.buildArchives(box)
        let renamedZip = box.dir.appendingPathComponent("export-without-extension").path
        let renamedGz = box.dir.appendingPathComponent("arrests-looks-plain.csv").path
        try FileManager.default.copyItem(atPath: zip, toPath: renamedZip)
        try FileManager.default.copyItem(atPath: gz, toPath: renamedGz)
        let store = try box.store()
        let report = try store.ingest([renamedZip, renamedGz])
        #expect(report.files.filter { $0.status == .loaded }.map(\.path)
                == [renamedZip + "!2024-08/takedowns.csv", renamedZip + "!2024-08/victims.csv", renamedGz + "!arrests-looks-plain.csv"])
        #expect(try box.count(store, "arrests") == 149)
    }

    @Test func aTruncatedZipIsOneLineNamingItAndTheOtherFilesLoad() throws {
        let box = Sandbox()
        box.write("a.csv", try Self.head("takedowns-2024.csv", 101))
        box.write("b.csv", try Self.head("victims-2024.csv", 101))
        let good = box.write("arrests.csv", try Self.head("arrests-2024.csv", 21))
        let d = box.dir.path
        // Stored (not deflated), cut in the middle of b.csv's data.
        let cut = try python3("""
            import sys, zipfile
            d = sys.argv[1]
            with zipfile.ZipFile(d + '/whole.zip', 'w', zipfile.ZIP_STORED) as z:
                z.write(d + '/a.csv', 'a.csv')
                z.write(d + '/b.csv', 'b.csv')
            info = zipfile.ZipFile(d + '/whole.zip').getinfo('b.csv')
            data = open(d + '/whole.zip', 'rb').read()
            cut = info.header_offset + 30 + len('b.csv') + 300
            open(d + '/truncated.zip', 'wb').write(data[:cut])
            print(cut)
            """, [d])
        #expect(Int(cut) ?? 0 > 300)
        let truncated = d + "/truncated.zip"
        let store = try box.store()
        let report = try store.ingest([truncated, good])
        let a = try #require(report.files.first { $0.path == truncated + "!a.csv" })
        #expect(a.status == .loaded && a.loaded == 100)
        let b = try #require(report.files.first { $0.path.hasPrefix(truncated) && $0.status == .rejected })
        #expect(b.path == truncated + "!b.csv")
        let error = b.error ?? ""
        #expect(!error.isEmpty && !error.contains("\n"), "one line: \(error)")
        #expect(report.files.last?.path == good && report.files.last?.loaded == 20)
        #expect(try box.count(store, "victims") == 0, "nothing of the damaged member is kept")
        #expect(try box.rows(store, "SELECT path, member, status FROM files WHERE status = 'rejected'")
                == [[truncated + "!b.csv", "b.csv", "rejected"]])
    }

    @Test func cp949MembersLoadWithTheEncodingOption() throws {
        let box = Sandbox()
        let text = "victim_id,contacted_on,channel,region\nV1,2024-01-01,hotline,서울\nV2,2024-01-02,website,부산\n"
        let d = box.dir.path
        try python3("""
            import sys, zipfile
            d = sys.argv[1]
            with zipfile.ZipFile(d + '/korean', 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('victims.csv', sys.argv[2].encode('cp949'))
                z.writestr('notes.docx', b'PK not csv')
            """, [d, text])
        let archive = d + "/korean"
        let store = try box.store()
        let utf8 = try store.ingest([archive])
        let rejected = try #require(utf8.files.first { $0.path == archive + "!victims.csv" })
        #expect(rejected.status == .rejected)
        #expect(rejected.error?.contains("--encoding cp949") == true)
        #expect(utf8.files.first { $0.path == archive + "!notes.docx" }?.status == .skipped)
        var options = IngestOptions()
        options.encoding = .cp949
        let report = try store.ingest([archive], options: options)
        #expect(report.files.first { $0.path == archive + "!victims.csv" }?.loaded == 2)
        #expect(try box.rows(store, "SELECT victim_id, region FROM victims ORDER BY 1") == [["V1", "서울"], ["V2", "부산"]])
    }
}
