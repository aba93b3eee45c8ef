import Foundation
import Testing
import TallyCore
import TallyCSV
import TallyStore
import TallyMetrics
import TallyTestSupport
@testable import TallyProfiles

/// The text in CP949 (as Korean Excel saves "CSV"), by the system's iconv: an independent encoder.
func cp949(_ text: String) throws -> [UInt8] {
    let r = try runChild("/usr/bin/iconv", ["-f", "UTF-8", "-t", "CP949"], input: Data(text.utf8))
    #expect(r.status == 0, "iconv: \(r.stderr)")
    return Array(r.data)
}

/// Each shipped profile on hand-made exports: a title row, the header, data rows with every
/// label, a blank row, a totals row and a note row; UTF-8 and CP949.
@Suite struct AgencyIngestTests {
    static let regulatorCSV = """
        디지털성범죄정보 삭제·차단 요청 처리 현황 (2024년 8월),,,,,,,,
        ,,,,,,,,
        요청번호,플랫폼,국내외,유형,요청기관,탐지,요청일시,처리일시,처리결과
        T-1,네이버,국내,이미지,방심위,AI,2024-08-01 오후 1:05:09,2024-08-01 오후 3:00:00,삭제
        T-2,텔레그램,해외,영상,경찰,신고,2024.08.01 오전 12:30:00,2024.08.02 오후 12:30,차단
        T-3,X,해외,링크,지원센터,모니터링,45505.5,,처리중
        T-4,Telegram,해외,채널,피해자,,2024-08-03T10:00:00+09:00,2024-08-04 11:00:00,거부
        T-5,Telegram,해외,채널,피해자,,2024-08-03 10:00:00,,보류
        T-6,Telegram,해외,채널,피해자,,2024-08-03 10:00:00,2024-08-02 10:00:00,삭제
        ,,,,,,,,
        합계,,,,,,,,6건
        ※ 요청일시·처리일시는 한국시간 기준,,,,,,,,

        """

    static let policeCSV = """
        경찰청 디지털성범죄 검거 현황,,,,,,,,
        검거번호,검거일,관서,죄명,피의자연령,피해자미성년,위장수사,자백,범죄수익환수액
        P-1,2024.08.01,서울경찰청,제작,17,Y,Y,N,"1,500,000"
        P-2,2024. 8. 2.,경기남부청,유포,25,N,N,Y,0
        P-3,45507,국가수사본부,소지,,,,,
        P-4,2024-08-04,마포경찰서,구입,30,예,아니오,,"12,345"
        P-5,2024.08.05,서울청,저장,40,N,,,
        P-6,2024.08.06,서울청,시청,41,N,,,
        P-7,2024.08.07,서울청,협박,42,N,,,
        P-8,2024.08.08,서울청,강요,43,N,,,
        P-9,2024.08.09,서울청,제작,44,Y,N,N,"1,50,000"
        P-10,60,서울청,제작,44,Y,N,N,0
        P-11,2024.08.11,서울청,제작,9,Y,N,N,0
        합계,,,,,,,,"1,512,345"

        """

    static let victimsCSV = """
        디지털성범죄 피해자 지원 현황,,,,,,
        피해자번호,최초상담일,연령,성별,경로,지원내역,지역
        V-1,2024.08.01,16,여,전화,"삭제지원, 상담",서울
        V-2,2024.08.02,30,남,온라인,법률,경기
        V-3,2024.08.03,,기타,방문,"의료, 수사연계, 삭제지원",해외
        V-4,2024.08.04,45,미상,연계,,
        V-5,2024.08.05,20,여,전화,"삭제지원, 심리치료",서울
        합계,5명,,,,,
        ※ 비고: 피해자번호는 가명,,,,,,

        """

    func options(source: String? = nil, profiles: Bool = true, encoding: TextEncoding = .utf8) throws -> IngestOptions {
        var o = IngestOptions()
        o.encoding = encoding
        if let source { o.source = try shipped(source) }
        if profiles { o.profiles = try SourceProfile.loadDirectory(repoRoot + "/Data/sources") }
        return o
    }

    func quarantine(_ box: Sandbox, _ store: Store) throws -> [[String]] {
        try box.rows(store, "SELECT line, column_name, value, reason FROM quarantine ORDER BY line")
    }

    @Test(arguments: [false, true]) func regulatorExport(inCP949: Bool) throws {
        let box = Sandbox()
        let path = inCP949 ? box.write("r.csv", bytes: try cp949(Self.regulatorCSV)) : box.write("r.csv", Self.regulatorCSV)
        let store = try box.store()
        let report = try store.ingest([path], options: options(source: "regulator-takedowns", encoding: inCP949 ? .cp949 : .utf8))
        let f = report.files[0]
        #expect(f.error == nil)
        #expect(f.source == "regulator-takedowns")
        #expect(f.rowsRead == 6 && f.loaded == 4 && f.quarantined == 2)
        #expect(f.skippedRows == [SkippedRows(reason: "above the header", lines: [1, 2]), SkippedRows(reason: "blank row", lines: [10]),
                                  SkippedRows(reason: "totals row", lines: [11]), SkippedRows(reason: "note row", lines: [12])])
        // Times are Seoul's: 13:05:09 KST is 04:05:09 UTC; 오전 12:30 is half past midnight.
        #expect(try box.rows(store, """
            SELECT request_id, platform, platform_origin, content_kind, requested_by, detected_by,
                   datetime(requested_at / 1000000, 'unixepoch'), datetime(resolved_at / 1000000, 'unixepoch'), outcome
            FROM takedowns ORDER BY request_id
            """) == [
            ["T-1", "네이버", "domestic", "image", "regulator", "ai", "2024-08-01 04:05:09", "2024-08-01 06:00:00", "removed"],
            ["T-2", "텔레그램", "overseas", "video", "police", "report", "2024-07-31 15:30:00", "2024-08-02 03:30:00", "blocked"],
            ["T-3", "X", "overseas", "link", "support_centre", "monitoring", "2024-08-01 03:00:00", "NULL", "pending"],
            ["T-4", "Telegram", "overseas", "channel", "victim", "NULL", "2024-08-03 01:00:00", "2024-08-04 02:00:00", "refused"],
        ])
        #expect(try quarantine(box, store) == [
            ["8", "처리결과", "보류", "'보류' is not a label of 처리결과; allowed: 거부, 삭제, 접속차단, 차단, 처리중"],
            ["9", "처리일시", "2024-08-02 10:00:00", "resolved_at is before requested_at (2024-08-03T10:00:00+09:00)"],
        ])
    }

    @Test(arguments: [false, true]) func policeExport(inCP949: Bool) throws {
        let box = Sandbox()
        let path = inCP949 ? box.write("p.csv", bytes: try cp949(Self.policeCSV)) : box.write("p.csv", Self.policeCSV)
        let store = try box.store()
        // Found from its header (no --source), among the three shipped profiles.
        let f = try store.ingest([path], options: options(encoding: inCP949 ? .cp949 : .utf8)).files[0]
        #expect(f.error == nil)
        #expect(f.source == "police-arrests")
        #expect(f.rowsRead == 11 && f.loaded == 8 && f.quarantined == 3)
        #expect(f.skippedRows == [SkippedRows(reason: "above the header", lines: [1]), SkippedRows(reason: "totals row", lines: [14])])
        #expect(try box.rows(store, """
            SELECT arrest_id, arrested_on, agency, offense, suspect_age, victim_minor, undercover, confessed, proceeds_seized_krw
            FROM arrests ORDER BY CAST(substr(arrest_id, 3) AS INTEGER)
            """) == [
            ["P-1", "2024-08-01", "Seoul", "create", "17", "1", "1", "0", "1500000"],
            ["P-2", "2024-08-02", "Gyeonggi-Nambu", "distribute", "25", "0", "0", "1", "0"],
            ["P-3", "2024-08-03", "National Office of Investigation", "possess", "NULL", "NULL", "0", "NULL", "NULL"],
            ["P-4", "2024-08-04", "마포경찰서", "purchase", "30", "1", "0", "NULL", "12345"],
            ["P-5", "2024-08-05", "Seoul", "store", "40", "0", "0", "NULL", "NULL"],
            ["P-6", "2024-08-06", "Seoul", "view", "41", "0", "0", "NULL", "NULL"],
            ["P-7", "2024-08-07", "Seoul", "blackmail", "42", "0", "0", "NULL", "NULL"],
            ["P-8", "2024-08-08", "Seoul", "coerce", "43", "0", "0", "NULL", "NULL"],
        ])
        #expect(try quarantine(box, store) == [
            ["11", "범죄수익환수액", "1,50,000", "expected a whole number, with ',' between groups of three digits, in 범죄수익환수액"],
            ["12", "검거일", "60", "검거일: Excel serial 60 is 1900-02-29, a day that never existed (Excel's 1900 leap-year error)"],
            ["13", "피의자연령", "9", "expected a whole number (digits with an optional leading '-', no thousands separators) from 10 to 120 (suspect_age)"],
        ])
    }

    @Test(arguments: [false, true]) func victimsExport(inCP949: Bool) throws {
        let box = Sandbox()
        let path = inCP949 ? box.write("v.csv", bytes: try cp949(Self.victimsCSV)) : box.write("v.csv", Self.victimsCSV)
        let store = try box.store()
        let f = try store.ingest([path], options: options(source: "support-victims", encoding: inCP949 ? .cp949 : .utf8)).files[0]
        #expect(f.error == nil)
        #expect(f.rowsRead == 5 && f.loaded == 4 && f.quarantined == 1)
        #expect(f.skippedRows.map(\.reason) == ["above the header", "totals row", "note row"])
        #expect(try box.rows(store, "SELECT victim_id, contacted_on, age, gender, channel, services, region FROM victims ORDER BY victim_id") == [
            ["V-1", "2024-08-01", "16", "female", "hotline", "deletion;counseling", "Seoul"],
            ["V-2", "2024-08-02", "30", "male", "website", "legal", "Gyeonggi"],
            ["V-3", "2024-08-03", "NULL", "other", "visit", "deletion;medical;investigation", "해외"],
            ["V-4", "2024-08-04", "45", "unknown", "referral", "NULL", "NULL"],
        ])
        #expect(try quarantine(box, store) == [
            ["7", "지원내역", "삭제지원, 심리치료",
             "'심리치료' is not a label of 지원내역; allowed: 법률, 법률지원, 삭제, 삭제지원, 상담, 수사연계, 수사지원, 의료, 의료지원"],
        ])
    }

    /// A profile of one's own: a fixed header row, a constant, defaults, no time zone of its own
    /// (the load's --tz applies), 1904 serials; extra columns are reported once.
    @Test func constantsDefaultsAndAFixedHeaderRow() throws {
        let box = Sandbox()
        let profilePath = box.write("mine.yaml", """
            kind: takedowns
            header: {row: 3}
            excel_date_system: 1904
            columns:
              request_id: 번호
              platform: 플랫폼
              requested_at: {header: 요청일시, formats: ["YYYY.M.D H:m", excel]}
              outcome: {header: 결과, labels: {삭제: removed, 처리중: pending}}
              resolved_at: {header: 처리일시, formats: [excel]}
            constants: {requested_by: regulator}
            defaults: {content_kind: image}
            """)
        let csv = box.write("mine.csv", """
            제목
            번호,이것은 헤더가 아님
            번호,플랫폼,요청일시,처리일시,결과,비고
            1,Naver,2024.8.1 9:00,,처리중,메모
            2,Naver,43313.5,43314.25,삭제,
            3,Naver,2024.8.1 9:00,,완료,

            """)
        var o = IngestOptions()
        o.source = try SourceProfile.load(profilePath)
        o.timeZone = "UTC"
        let store = try box.store()
        let f = try store.ingest([csv], options: o).files[0]
        #expect(f.error == nil)
        #expect(f.source == "mine")
        #expect(f.unknownColumns == ["비고"])
        #expect(f.rowsRead == 3 && f.loaded == 2 && f.quarantined == 1)
        #expect(try box.rows(store, """
            SELECT request_id, content_kind, requested_by, datetime(requested_at / 1000000, 'unixepoch'),
                   datetime(resolved_at / 1000000, 'unixepoch'), outcome FROM takedowns ORDER BY request_id
            """) == [
            ["1", "image", "regulator", "2024-08-01 09:00:00", "NULL", "pending"],
            ["2", "image", "regulator", "2022-08-02 12:00:00", "2022-08-03 06:00:00", "removed"],
        ])
        #expect(try quarantine(box, store) == [["6", "결과", "완료", "'완료' is not a label of 결과; allowed: 삭제, 처리중"]])
        // The header must be on row 3: a file whose header is on row 1 is refused, saying so.
        let early = box.write("early.csv", "번호,플랫폼,요청일시,처리일시,결과\n1,Naver,2024.8.1 9:00,,처리중\n")
        #expect(try store.ingest([early], options: o).files[0].error
                == "no header of source profile mine on line 3: no row names 번호, 플랫폼, 요청일시, 결과")
    }

    /// A spreadsheet saved as CSV may end in thousands of empty rows: counted, the first 100 listed.
    @Test func manyBlankRowsAreCountedNotAllListed() throws {
        let box = Sandbox()
        let path = box.write("v.csv", Self.victimsCSV + String(repeating: ",,,,,,\n", count: 250))
        let f = try box.store().ingest([path], options: options(source: "support-victims")).files[0]
        #expect(f.rowsRead == 5)
        let blank = f.skippedRows.first { $0.reason == "blank row" }
        #expect(blank?.count == 250)
        #expect(blank?.lines == Array(10..<110))
    }

    @Test func wholeFileRejections() throws {
        let box = Sandbox()
        let store = try box.store()
        // No profile fits: the usual message, naming the profiles tried.
        let none = box.write("none.csv", "제목\n가,나,다\n1,2,3\n")
        // Given a profile, but the file is another agency's.
        let other = box.write("other.csv", Self.victimsCSV)
        // A header that lacks a required column of the profile given (within its first rows).
        let missing = box.write("missing.csv", "요청번호,플랫폼,요청일시,처리결과\nR1,X,2024-08-01 13:00:00,삭제\n")
        let r1 = try store.ingest([none], options: options())
        #expect(r1.files[0].error == "cannot tell the record kind: the header has none (or several) of arrest_id, victim_id, request_id, "
            + "and no source profile (police-arrests, regulator-takedowns, support-victims) finds its header in the first rows; give --kind or --source")
        let r2 = try store.ingest([other, missing], options: options(source: "regulator-takedowns"))
        #expect(r2.files[0].error == "no header of source profile regulator-takedowns in the first 10 rows: no row names 요청번호, 플랫폼, 요청기관, 요청일시, 처리결과")
        #expect(r2.files[1].error == "no header of source profile regulator-takedowns in the first 10 rows: no row names 요청기관")
        // A contract CSV still loads as before with profiles at hand.
        let plain = box.write("plain.csv", takedownHeader + "\nR9,X,,,police,,2024-08-01T10:00:00+09:00,,pending\n")
        let r3 = try store.ingest([plain], options: options())
        #expect(r3.files[0].loaded == 1 && r3.files[0].source == nil)
    }

    /// The sample month as the agencies send it (Scripts/make-agency-workbooks.py, CSV variant) holds
    /// the same records as the month's contract CSVs: compared field by field in SQL, timestamps
    /// to the second (exports show whole seconds).
    @Test func agencySampleMonthEqualsTheContractMonth() throws {
        let box = Sandbox()
        let agency = try Store(path: box.dir.appendingPathComponent("agency.sqlite").path)
        let folder = repoRoot + "/Data/sample/agency/2024-08"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
        #expect(files.count == 3)
        // Both through the platform registry: the regulator writes domestic platforms in Korean.
        var withRegistry = try options()
        withRegistry.platforms = try PlatformRegistry.load(repoRoot + "/Data/platforms.yaml")
        let report = try agency.ingest(files, options: withRegistry)
        for f in report.files {
            #expect(f.error == nil && f.quarantined == 0 && f.loaded == f.rowsRead && f.loaded > 0, "\(f.path)")
            #expect(f.skippedRows.map(\.reason) == ["above the header", "totals row", "note row"])
        }
        #expect(report.files.map(\.source) == ["police-arrests", "regulator-takedowns", "support-victims"])
        let contract = try Store(path: box.storePath)
        let month = repoRoot + "/Data/sample/monthly/2024-08"
        _ = try contract.ingest(["arrests", "takedowns", "victims"].map { "\(month)/\($0)-2024-08.csv" }, options: withRegistry)
        try contract.db.execute("ATTACH '\(box.dir.appendingPathComponent("agency.sqlite").path)' AS ag")
        let differences = try box.rows(contract, Self.differencesSQL)
        #expect(differences == [["takedowns", "0"], ["arrests", "0"], ["victims", "0"]])
        #expect(try box.rows(contract, "SELECT count(*) FROM ag.takedowns WHERE platform_text = '네이버' AND platform = 'Naver'") != [["0"]])
        #expect(try box.rows(contract, "SELECT (SELECT count(*) FROM ag.takedowns), (SELECT count(*) FROM ag.arrests), (SELECT count(*) FROM ag.victims)")
                == [["1622", "63", "200"]])
    }

    /// The same month as .xlsx workbooks inside a zip (each sheet read row by row through its
    /// profile, found from the header under the title row) holds the same records as the month's
    /// contract CSVs, compared field by field in SQL, as the CSV variant is above.
    @Test func agencyWorkbooksLoadLikeTheContractMonth() throws {
        let box = Sandbox()
        let agencyPath = box.dir.appendingPathComponent("agency.sqlite").path
        let agency = try Store(path: agencyPath)
        var withRegistry = try options()
        withRegistry.platforms = try PlatformRegistry.load(repoRoot + "/Data/platforms.yaml")
        let report = try agency.ingest([repoRoot + "/Data/sample/agency/2024-08-agency.zip"], options: withRegistry)
        #expect(report.files.map(\.member) == ["regulator-takedowns-2024-08.xlsx", "police-arrests-2024-08.xlsx", "support-victims-2024-08.xlsx"])
        #expect(report.files.map(\.source) == ["regulator-takedowns", "police-arrests", "support-victims"])
        for f in report.files {
            #expect(f.error == nil && f.quarantined == 0 && f.loaded == f.rowsRead && f.loaded > 0, "\(f.path)")
            #expect(f.skippedRows.map(\.reason) == ["above the header", "totals row", "note row"], "\(f.path)")
        }
        let contract = try Store(path: box.storePath)
        let month = repoRoot + "/Data/sample/monthly/2024-08"
        _ = try contract.ingest(["arrests", "takedowns", "victims"].map { "\(month)/\($0)-2024-08.csv" }, options: withRegistry)
        try contract.db.execute("ATTACH '\(agencyPath)' AS ag")
        #expect(try box.rows(contract, Self.differencesSQL) == [["takedowns", "0"], ["arrests", "0"], ["victims", "0"]])
        #expect(try box.rows(contract, "SELECT (SELECT count(*) FROM ag.takedowns), (SELECT count(*) FROM ag.arrests), (SELECT count(*) FROM ag.victims)")
                == [["1622", "63", "200"]])
    }

    /// A workbook read through a profile places its quarantined rows by sheet and cell: the cell of
    /// the source column that held the value (Fixtures/make.py: a label outside the map in I4, a
    /// time in none of the forms in G5), the title row above the header skipped, the good rows loaded.
    @Test func profiledWorkbookRowsArePlacedByCell() throws {
        let box = Sandbox()
        let store = try box.store()
        let path = repoRoot + "/Tests/TallyProfilesTests/Fixtures/bad-rows.xlsx"
        let f = try store.ingest([path], options: options()).files[0]
        #expect((f.source, f.sheet, f.rowsRead, f.loaded, f.quarantined) == ("regulator-takedowns", "요청", 4, 2, 2))
        #expect(f.skippedRows == [SkippedRows(reason: "above the header", lines: [1])])
        #expect(try box.rows(store, "SELECT line, cell, column_name, value FROM quarantine ORDER BY line")
                == [["4", "I4", "처리결과", "보류"], ["5", "G5", "요청일시", "8월 3일"]])
        #expect(try box.rows(store, "SELECT request_id, platform_text, outcome FROM takedowns ORDER BY request_id")
                == [["R1", "네이버", "removed"], ["R4", "카카오", "pending"]])
    }

    /// Records of the contract store that differ from those of the attached store `ag`, per kind
    /// (timestamps to the second: exports show whole seconds).
    static let differencesSQL = """
            SELECT 'takedowns', count(*) FROM takedowns c FULL JOIN ag.takedowns a USING (request_id)
            WHERE a.request_id IS NULL OR c.request_id IS NULL OR c.platform IS NOT a.platform OR c.platform_origin IS NOT a.platform_origin
               OR c.content_kind IS NOT a.content_kind OR c.requested_by IS NOT a.requested_by OR c.detected_by IS NOT a.detected_by
               OR c.outcome IS NOT a.outcome OR abs(c.requested_at - a.requested_at) > 500000
               OR (c.resolved_at IS NULL) <> (a.resolved_at IS NULL) OR abs(c.resolved_at - a.resolved_at) > 500000
            UNION ALL
            SELECT 'arrests', count(*) FROM arrests c FULL JOIN ag.arrests a USING (arrest_id)
            WHERE a.arrest_id IS NULL OR c.arrest_id IS NULL OR c.arrested_on IS NOT a.arrested_on OR c.agency IS NOT a.agency
               OR c.offense IS NOT a.offense OR c.suspect_age IS NOT a.suspect_age OR c.victim_minor IS NOT a.victim_minor
               OR c.undercover IS NOT a.undercover OR c.confessed IS NOT a.confessed OR c.proceeds_seized_krw IS NOT a.proceeds_seized_krw
            UNION ALL
            SELECT 'victims', count(*) FROM victims c FULL JOIN ag.victims a USING (victim_id)
            WHERE a.victim_id IS NULL OR c.victim_id IS NULL OR c.contacted_on IS NOT a.contacted_on OR c.age IS NOT a.age
               OR c.gender IS NOT a.gender OR c.channel IS NOT a.channel OR c.services IS NOT a.services OR c.region IS NOT a.region
            """
}
