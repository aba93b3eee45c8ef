import TallyTestSupport
import Foundation
import Testing
import TallyCore
@testable import TallyStore

/// Loading the EU DSA Transparency Database's statements of reasons (decisions.md) from the
/// real rows in `Fixtures/dsa/` (copied from `../shared/fixtures/dsa/` with their PROVENANCE.md): the store must hold what python3's csv and json
/// modules read from the same files (an independent reading), and the quirks of
/// PROVENANCE.md are checked by hand.
@Suite struct DecisionIngestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dsa")
    static let names = ["sor-global-2024-03-14-full-00000-00000.csv", "sor-global-2024-03-14-full-00000-00001.csv",
                        "sor-global-2024-03-14-full-00001-00001.csv"]
    static var paths: [String] { names.map { fixtures.appendingPathComponent($0).path } }

    /// The stored columns compared (free text excluded; see `keepText`).
    static let columns = ["uuid", "platform_name", "platform_uid", "category", "category_specification", "content_type",
                          "decision_visibility", "decision_monetary", "decision_provision", "decision_account",
                          "decision_ground", "source_type", "automated_detection", "automated_decision", "content_date",
                          "application_date", "created_at", "created_at_text", "territorial_scope"]

    /// What the store should hold for these CSV files, by python3: the first row of each uuid,
    /// sets as sorted distinct JSON arrays (empty: NULL), dates without their time,
    /// created_at as UTC microseconds, Yes/No as 1/0, empty cells NULL. One line per record,
    /// fields joined by U+001F, in uuid order.
    static func pythonRows(_ files: [String]) throws -> [[String]] {
        let out = try python3("""
            import sys, csv, json, calendar, time
            cols = sys.argv[1].split(',')
            sets = {'category_specification', 'content_type', 'decision_visibility', 'territorial_scope'}
            seen = {}
            for path in sys.argv[2:]:
                with open(path, encoding='utf-8', newline='') as f:
                    for r in csv.DictReader(f):
                        if r['uuid'] in seen: continue
                        v = []
                        for c in cols:
                            x = r.get(c, '')
                            if c == 'created_at_text': x = r['created_at']
                            elif c == 'created_at': x = str(calendar.timegm(time.strptime(x, '%Y-%m-%d %H:%M:%S')) * 1000000)
                            elif c in sets: x = json.dumps(sorted(set(json.loads(x))), separators=(',', ':')) if x not in ('', '[]') else ''
                            elif c in ('content_date', 'application_date'): x = x[:10]
                            elif c == 'automated_detection': x = {'Yes': '1', 'No': '0', '': ''}[x]
                            v.append(x if x != '' else 'NULL')
                        seen[r['uuid']] = v
            for k in sorted(seen): print('\\x1f'.join(seen[k]))
            """, [columns.joined(separator: ",")] + files)
        return out.split(separator: "\n").map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
    }

    static func storeRows(_ box: Sandbox, _ store: Store) throws -> [[String]] {
        try box.rows(store, "SELECT \(columns.joined(separator: ", ")) FROM decisions ORDER BY uuid")
    }

    @Test func theFixturesLoadAsPythonReadsThem() throws {
        let box = Sandbox()
        let store = try box.store()
        let report = try store.ingest(Self.paths)
        #expect(report.files.map(\.kind) == ["decisions", "decisions", "decisions"])
        #expect(report.files.map(\.rowsRead) == [50, 50, 50])
        #expect(report.files.map(\.loaded) == [49, 50, 50])
        #expect(report.files.map(\.duplicates) == [1, 0, 0])
        #expect(report.files.map(\.quarantined) == [0, 0, 0])
        #expect(report.files.map(\.unknownColumns) == [[], [], []])
        // No fixture row was applied before its content's date (delays 0 to 3,295 days).
        #expect(report.files.map(\.applicationBeforeContent) == [0, 0, 0])
        let expected = try Self.pythonRows(Self.paths)
        #expect(expected.count == 149)
        #expect(try Self.storeRows(box, store) == expected)
        // Free text is not stored without --keep-text.
        #expect(try box.rows(store, "SELECT count(*) FROM decisions WHERE coalesce(decision_facts, incompatible_content_explanation, decision_visibility_other) IS NOT NULL") == [["0"]])
        #expect(try store.status().kinds.first { $0.kind == "decisions" }?.rows == 149)
    }

    /// PROVENANCE.md's quirks, by hand.
    @Test func theQuirksOfTheFixtures() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest(Self.paths)
        func one(_ uuid: String, _ columns: String) throws -> [String] {
            try box.rows(store, "SELECT \(columns) FROM decisions WHERE uuid = '\(uuid)'").first ?? []
        }
        // The duplicated uuid (lines 2 and 3 of the first file): one record, from line 2.
        #expect(try one("03b1b1c9-a860-4bf6-afff-0d8f0d944871", "line, category, decision_visibility")
                == ["2", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "[\"DECISION_VISIBILITY_OTHER\"]"])
        // `[]` is the empty set, as an empty cell is.
        #expect(try one("6bbacc56-ae4d-4b5e-896c-602c83adb110", "category_specification, decision_visibility")
                == ["NULL", "[\"DECISION_VISIBILITY_CONTENT_REMOVED\"]"])
        // An account-only decision: no visibility restriction.
        #expect(try one("a30666f1-6868-4ec5-8dd6-70c28741a531", "decision_visibility, decision_account, category_specification")
                == ["NULL", "DECISION_ACCOUNT_SUSPENDED", "[\"KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS\"]"])
        // PUIDs keep their leading zeros.
        #expect(try one("55dcb95e-e90a-42d2-b04f-cffa5c52de68", "platform_uid") == ["08329314168"])
        #expect(try one("b080c0ca-97d1-43c1-ab01-87c09ee87e3d", "platform_uid") == ["033640424458"])
        // Two content types, and the 30-country scope as sorted JSON that SQLite reads.
        #expect(try box.rows(store, "SELECT count(*) FROM decisions WHERE content_type = '[\"CONTENT_TYPE_IMAGE\",\"CONTENT_TYPE_TEXT\"]'") == [["4"]])
        #expect(try box.rows(store, """
            SELECT min(n), max(n) FROM (SELECT (SELECT count(*) FROM json_each(territorial_scope)) AS n FROM decisions)
            """) == [["1", "30"]])
        // Application minus content date, in days: 0 to 3,295 (PROVENANCE.md).
        #expect(try box.rows(store, """
            SELECT min(julianday(application_date) - julianday(content_date)), max(julianday(application_date) - julianday(content_date)) FROM decisions
            """) == [["0.0", "3295.0"]])
        // The platform registry maps names; the fixtures' names are canonical already.
        #expect(try box.rows(store, "SELECT DISTINCT platform_name = platform_text FROM decisions") == [["1"]])
    }

    /// The same files as `.csv.zip` each and as a daily dump (a zip of zips), built here:
    /// the same records, each member named by its path in the archive.
    @Test func zipsAndTheZipOfZipsLoadTheSameRecords() throws {
        let box = Sandbox()
        let d = box.dir.path
        try python3("""
            import sys, zipfile, os
            d = sys.argv[1]
            for p in sys.argv[2:]:
                n = os.path.basename(p)
                with zipfile.ZipFile(d + '/' + n + '.zip', 'w', zipfile.ZIP_DEFLATED) as z: z.write(p, n)
            with zipfile.ZipFile(d + '/sor-global-2024-03-14-full.zip', 'w', zipfile.ZIP_STORED) as z:
                z.write(d + '/' + os.path.basename(sys.argv[2]) + '.zip', 'sor-global-2024-03-14-full-00000.csv.zip')
                with zipfile.ZipFile(d + '/inner1.zip', 'w', zipfile.ZIP_DEFLATED) as i:
                    i.write(sys.argv[3], os.path.basename(sys.argv[3])); i.write(sys.argv[4], os.path.basename(sys.argv[4]))
                z.write(d + '/inner1.zip', 'sor-global-2024-03-14-full-00001.csv.zip')
            """, [d] + Self.paths)
        let expected = try Self.pythonRows(Self.paths)

        let zips = try box.store()
        let r1 = try zips.ingest(Self.names.map { d + "/" + $0 + ".zip" })
        #expect(r1.files.map(\.member) == Self.names)
        #expect(r1.files.map(\.loaded) == [49, 50, 50])
        #expect(try Self.storeRows(box, zips) == expected)

        let box2 = Sandbox()
        let dump = try box2.store()
        let r2 = try dump.ingest([d + "/sor-global-2024-03-14-full.zip"])
        #expect(r2.files.map(\.member) == ["sor-global-2024-03-14-full-00000.csv.zip!" + Self.names[0],
                                           "sor-global-2024-03-14-full-00001.csv.zip!" + Self.names[1],
                                           "sor-global-2024-03-14-full-00001.csv.zip!" + Self.names[2]])
        #expect(r2.files.map(\.kind) == ["decisions", "decisions", "decisions"])
        #expect(r2.files.map(\.loaded) == [49, 50, 50])
        #expect(try Self.storeRows(box2, dump) == expected)
    }

    /// Schema v2 (38 columns: `content_id_ean` after `content_date`, from 2025-03-10) and a
    /// light dump (without the three long texts and `territorial_scope`), both made here
    /// from a fixture with python3's csv module, load by column name.
    @Test func bothSchemaVersionsAndLightDumpsLoad() throws {
        let box = Sandbox()
        let d = box.dir.path
        let source = Self.paths[1]
        try python3("""
            import sys, csv
            src, d = sys.argv[1], sys.argv[2]
            rows = list(csv.reader(open(src, encoding='utf-8', newline='')))
            h = rows[0]
            k = h.index('content_date') + 1
            with open(d + '/v2.csv', 'w', encoding='utf-8', newline='') as f:
                w = csv.writer(f, lineterminator='\\n')
                for i, r in enumerate(rows): w.writerow(r[:k] + (['content_id_ean'] if i == 0 else ['4006381333931' if i % 2 else '']) + r[k:])
            drop = {h.index(c) for c in ('illegal_content_explanation', 'incompatible_content_explanation', 'decision_facts', 'territorial_scope')}
            with open(d + '/light.csv', 'w', encoding='utf-8', newline='') as f:
                w = csv.writer(f, lineterminator='\\n')
                for r in rows: w.writerow([x for j, x in enumerate(r) if j not in drop])
            """, [source, d])
        #expect(try python3("import sys; print(len(open(sys.argv[1]).readline().split(',')))", [d + "/v2.csv"]) == "38")
        let expected = try Self.pythonRows([source])

        let v2 = try box.store()
        let r = try v2.ingest([d + "/v2.csv"])
        #expect(r.files[0].kind == "decisions")
        #expect(r.files[0].loaded == 50)
        #expect(r.files[0].unknownColumns == [])  // content_id_ean is known and not kept
        #expect(try Self.storeRows(box, v2) == expected)

        let box2 = Sandbox()
        let light = try box2.store()
        let l = try light.ingest([d + "/light.csv"])
        #expect(l.files[0].kind == "decisions")
        #expect(l.files[0].loaded == 50)
        let scopeless = expected.map { row in row.enumerated().map { $0.offset == Self.columns.count - 1 ? "NULL" : $0.element } }
        #expect(try Self.storeRows(box2, light) == scopeless)
    }

    /// A `\"` leaked by the exporter's escaping breaks its row's quoting: the row is
    /// quarantined with its line and the rest of the file loads. One row (line 6) keeps its
    /// quotes balanced but loses a field; the other (line 21) ends its line inside a quoted
    /// field, which without reading one record per line would swallow the rows after it.
    @Test func rowsWithALeakedQuoteAreQuarantinedByLine() throws {
        let box = Sandbox()
        var lines = try String(contentsOfFile: Self.paths[1], encoding: .utf8).components(separatedBy: "\n")
        // Line 6: `"Generic image"` becomes `"Generic image\""`.
        lines[5] = lines[5].replacingOccurrences(of: ",\"Generic image\",", with: ",\"Generic image\\\"\",")
        // Line 21: its last field, created_at, becomes `"…\""`, so the line ends inside quotes.
        let last = lines[20].range(of: ",\"2024-03-14", options: .backwards)!
        lines[20] = String(lines[20][..<last.lowerBound]) + ",\"2024-03-14 00:05:45\\\"\""
        let path = box.write("leak.csv", lines.joined(separator: "\n"))
        let store = try box.store()
        let report = try store.ingest([path])
        #expect(report.files[0].rowsRead == 50)
        #expect(report.files[0].loaded == 48)
        #expect(report.files[0].quarantined == 2)
        let q = try box.rows(store, "SELECT line, coalesce(column_name, '-'), reason FROM quarantine ORDER BY line")
        #expect(q.map { $0[0] } == ["6", "21"])
        #expect(q[0][2] == "the row has 36 fields, the header has 37")
        #expect(q[1][2].hasPrefix("a quoted field is still open at the end of the line"))
        // The rows after each broken one are loaded, with their own line numbers.
        let expected = try Self.pythonRows([Self.paths[1]])
        let kept = try Self.storeRows(box, store)
        #expect(kept.count == 48)
        #expect(Set(kept.map { $0[0] }).isSubset(of: Set(expected.map { $0[0] })))
        #expect(try box.rows(store, "SELECT line FROM decisions WHERE line IN (7, 22) ORDER BY line") == [["7"], ["22"]])
    }

    /// `--keep-text` stores the long free text as written; without it the columns are null.
    @Test func freeTextIsStoredOnlyWhenAsked() throws {
        let box = Sandbox()
        let store = try box.store()
        var options = IngestOptions()
        options.keepText = true
        _ = try store.ingest([Self.paths[0]], options: options)
        let expected = try python3("""
            import sys, csv
            r = next(csv.DictReader(open(sys.argv[1], encoding='utf-8', newline='')))
            print(r['incompatible_content_explanation'] + '\\x1f' + r['decision_facts'] + '\\x1f' + r['decision_visibility_other'])
            """, [Self.paths[0]])
        let stored = try box.rows(store, """
            SELECT incompatible_content_explanation || char(31) || decision_facts || char(31) || decision_visibility_other
            FROM decisions WHERE uuid = '03b1b1c9-a860-4bf6-afff-0d8f0d944871'
            """)
        #expect(stored == [[expected]])
        #expect(try box.rows(store, "SELECT count(*) FROM decisions WHERE incompatible_content_explanation IS NOT NULL") == [["49"]])

        // Loaded without the text, then again as a revision with it: the text fills the
        // empty fields, an update of every record (the repeated uuid then a duplicate).
        let box2 = Sandbox()
        let later = try box2.store()
        _ = try later.ingest([Self.paths[0]])
        options.revise = true
        options.reason = "free text wanted"
        let again = try later.ingest([Self.paths[0]], options: options)
        #expect(again.files[0].updated == 49)
        #expect(again.files[0].duplicates == 1)
        #expect(try box2.rows(later, "SELECT count(*) FROM decisions WHERE change = 'update' AND incompatible_content_explanation IS NOT NULL") == [["49"]])
    }

    static let header = "uuid,decision_visibility,decision_ground,category,category_specification,content_type,content_date,"
        + "application_date,created_at,automated_detection,automated_decision,platform_name,platform_uid,source_type"

    /// Every rule, with hand-made rows: each bad row quarantined naming its column; a
    /// v2 category loads; an application before the content is loaded and counted.
    @Test func everyRuleQuarantinesWithAReason() throws {
        let box = Sandbox()
        let ok = ",DECISION_GROUND_ILLEGAL_CONTENT,STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN,\"[\"\"KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN\"\"]\",\"[\"\"CONTENT_TYPE_IMAGE\"\"]\""
        let rows = [
            "a1,\"[\"\"DECISION_VISIBILITY_CONTENT_REMOVED\"\"]\"\(ok),2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,Yes,AUTOMATED_DECISION_FULLY,X,00123,SOURCE_ARTICLE_16",
            // application before content: loaded, counted
            "a2,\(ok),2025-07-05 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_NOT_AUTOMATED,X,1,SOURCE_VOLUNTARY",
            // a date with a time other than midnight
            "b1,\(ok),2025-07-01 12:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY",
            // created before it was applied
            "b2,\(ok),2025-07-01 00:00:00,2025-07-04 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY",
            // not JSON
            "b3,[DECISION_VISIBILITY_OTHER\(ok),2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY",
            // a member with the wrong prefix
            "b4,\"[\"\"CONTENT_TYPE_VIDEO\"\"]\"\(ok),2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY",
            // an unknown category
            "b5,,DECISION_GROUND_ILLEGAL_CONTENT,STATEMENT_CATEGORY_GOSSIP,,,2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY",
            // automated_detection neither Yes nor No
            "b6,\(ok),2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,Maybe,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY",
        ]
        let path = box.write("rules.csv", Self.header + "\n" + rows.joined(separator: "\n") + "\n")
        let store = try box.store()
        let report = try store.ingest([path])
        #expect(report.files[0].loaded == 2)
        #expect(report.files[0].quarantined == 6)
        #expect(report.files[0].applicationBeforeContent == 1)
        let q = try box.rows(store, "SELECT line, column_name, reason FROM quarantine ORDER BY line")
        #expect(q.map { [$0[0], $0[1]] } == [["4", "content_date"], ["5", "created_at"], ["6", "decision_visibility"],
                                            ["7", "decision_visibility"], ["8", "category"], ["9", "automated_detection"]])
        #expect(q[0][2] == "expected a date written YYYY-MM-DD 00:00:00")
        #expect(q[1][2] == "created_at is before application_date (2025-07-04)")
        #expect(q[2][2].hasPrefix("not a JSON array; expected a JSON array of DECISION_VISIBILITY_* values"))
        #expect(q[3][2].hasPrefix("member 'CONTENT_TYPE_VIDEO' is not a DECISION_VISIBILITY_* value"))
        // created_at is UTC whatever --tz says (the default zone is Asia/Seoul).
        #expect(try box.rows(store, "SELECT created_at, platform_uid, decision_ground, category FROM decisions WHERE uuid = 'a1'")
                == [["1751536800000000", "00123", "DECISION_GROUND_ILLEGAL_CONTENT", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN"]])
    }

    /// A repeated uuid with other content is a conflict, as for other records; one that only
    /// adds set members is an update.
    @Test func conflictsAndUpdatesAsForOtherKinds() throws {
        let box = Sandbox()
        let base = "DECISION_GROUND_ILLEGAL_CONTENT,STATEMENT_CATEGORY_VIOLENCE,,\"[\"\"CONTENT_TYPE_TEXT\"\"]\",2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY,X,1,SOURCE_VOLUNTARY"
        let first = box.write("1.csv", Self.header + "\nu1,\"[\"\"DECISION_VISIBILITY_OTHER\"\"]\",\(base)\nu2,,\(base)\n")
        let second = box.write("2.csv", Self.header
            + "\nu1,\"[\"\"DECISION_VISIBILITY_OTHER\"\",\"\"DECISION_VISIBILITY_CONTENT_REMOVED\"\"]\",\(base)\n"
            + "u2,,\(base.replacingOccurrences(of: "STATEMENT_CATEGORY_VIOLENCE", with: "STATEMENT_CATEGORY_SELF_HARM"))\n")
        let store = try box.store()
        _ = try store.ingest([first])
        let r = try store.ingest([second])
        #expect(r.files[0].updated == 1)
        #expect(r.files[0].quarantined == 1)
        #expect(try box.rows(store, "SELECT decision_visibility, change FROM decisions WHERE uuid = 'u1'")
                == [["[\"DECISION_VISIBILITY_CONTENT_REMOVED\",\"DECISION_VISIBILITY_OTHER\"]", "update"]])
        #expect(try box.rows(store, "SELECT column_name FROM quarantine") == [["uuid"]])
        #expect(try box.count(store, "decisions_history") == 1)
    }

    /// Platform names go through the platform registry as takedowns' do: an alias loads as the
    /// canonical name (the name as written in `platform_text`), `--strict-platforms`
    /// quarantines an unregistered one, and a changed registry re-maps loaded decisions in a
    /// batch of their own.
    @Test func platformNamesGoThroughTheRegistry() throws {
        let box = Sandbox()
        let row = "DECISION_GROUND_ILLEGAL_CONTENT,STATEMENT_CATEGORY_VIOLENCE,,,2025-07-01 00:00:00,2025-07-02 00:00:00,2025-07-03 10:00:00,No,AUTOMATED_DECISION_FULLY"
        let path = box.write("p.csv", Self.header + "\nd1,,\(row),Discord Netherlands B.V.,1,SOURCE_VOLUNTARY\nd2,,\(row),Tumblr,2,SOURCE_VOLUNTARY\n")
        let first = try PlatformRegistry([.init(name: "Discord", aliases: ["Discord Netherlands B.V."], origin: "overseas")])
        var options = IngestOptions()
        options.platforms = first
        let store = try box.store()
        let report = try store.ingest([path], options: options)
        #expect(report.files[0].loaded == 2)
        #expect(report.files[0].unregisteredPlatforms.map(\.name) == ["Tumblr"])
        #expect(try box.rows(store, "SELECT uuid, platform_name, platform_text FROM decisions ORDER BY uuid")
                == [["d1", "Discord", "Discord Netherlands B.V."], ["d2", "Tumblr", "Tumblr"]])
        // A registry that names Tumblr otherwise re-maps the loaded decision.
        options.platforms = try PlatformRegistry([.init(name: "Discord", aliases: ["Discord Netherlands B.V."], origin: "overseas"),
                                                  .init(name: "Tumblr Inc.", aliases: ["Tumblr"], origin: "overseas")])
        let remap = try store.ingest([], options: options)
        #expect(remap.platformRemap?.records == 1)
        #expect(try box.rows(store, "SELECT platform_name, platform_text, change, changed_fields FROM decisions WHERE uuid = 'd2'")
                == [["Tumblr Inc.", "Tumblr", "correction", "platform_name"]])
        #expect(try box.rows(store, "SELECT platform_name FROM decisions_history") == [["Tumblr"]])
        // --strict-platforms: an unregistered name is quarantined, naming the column.
        let box2 = Sandbox()
        let strict = try box2.store()
        options.platforms = first
        options.strictPlatforms = true
        let s = try strict.ingest([box2.write("p.csv", Self.header + "\nd2,,\(row),Tumblr,2,SOURCE_VOLUNTARY\n")], options: options)
        #expect(s.files[0].quarantined == 1)
        #expect(try box2.rows(strict, "SELECT column_name FROM quarantine") == [["platform_name"]])
    }

    /// Retraction and vintages as for the other kinds: a retracted file's decisions are in no
    /// later vintage, and the vintage before the retraction still has them.
    @Test func retractionAndVintages() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([Self.paths[0]])
        _ = try store.ingest([Self.paths[1]])
        let r = try store.retract(file: Self.names[1], reason: "test")
        #expect(r.withdrawn == 50)
        #expect(try box.count(store, "decisions") == 49)
        #expect(try store.table(.decisions, useCache: false, vintage: 2).table.rowCount == 99)
        #expect(try store.table(.decisions, useCache: false, vintage: 1).table.rowCount == 49)
        #expect(try store.table(.decisions, useCache: false, vintage: 3).table.rowCount == 49)
        let k = try store.retract(kind: .decisions, ids: ["03b1b1c9-a860-4bf6-afff-0d8f0d944871", "no-such-uuid"], reason: "test")
        #expect(k.withdrawn == 1)
        #expect(k.notFound == ["no-such-uuid"])
    }
}
