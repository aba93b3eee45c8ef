import Foundation
import Testing
import TallyCore
import TallyYAML
@testable import TallyProfiles

/// The repository's root, to read the shipped profiles in Data/sources.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

func shipped(_ name: String) throws -> SourceProfile {
    try SourceProfile.load(repoRoot + "/Data/sources/\(name).yaml")
}

func profile(_ yaml: String, name: String = "test") throws -> SourceProfile {
    try SourceProfile(YAMLDocument(file: "\(name).yaml", text: yaml), name: name)
}

/// The message a profile text is refused with.
func mistake(_ yaml: String) -> String? {
    do {
        _ = try profile(yaml)
        return nil
    } catch let e as YAMLError {
        return e.description
    } catch {
        return "\(error)"
    }
}

@Suite struct SourceProfileFileTests {
    @Test func shippedProfilesLoad() throws {
        let all = try SourceProfile.loadDirectory(repoRoot + "/Data/sources")
        #expect(all.map(\.name) == ["police-arrests", "regulator-takedowns", "support-victims"])
        #expect(all.map(\.kind) == [.arrests, .takedowns, .victims])
        // Every contract column of each kind is mapped (none needs a constant for the shipped exports).
        for p in all {
            #expect(Set(p.columns.map(\.column)) == Set(p.kind.schema.columns.map(\.name)), "\(p.name)")
        }
    }

    static let minimal = """
        kind: takedowns
        columns:
          request_id: 번호
          platform: 플랫폼
          requested_at: 요청일시
          outcome: 결과
        constants: {requested_by: regulator}

        """

    @Test func minimalProfileIsValid() throws {
        let p = try profile(Self.minimal)
        #expect(p.constants == ["requested_by": "regulator"])
        #expect(p.headerWithin == 10)
        #expect(p.excelSystem == .e1900)
    }

    /// Every mistake names the file and the key, on one line.
    @Test func mistakesNameFileAndKey() throws {
        #expect(mistake(Self.minimal + "colums: {}\n")
                == "test.yaml: unknown key 'colums'; expected one of: kind, title, header, columns, skip, constants, defaults, excel_date_system, time_zone, note")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "kind: takedowns", with: "kind: takedown"))
                == "test.yaml: key 'kind': expected arrests, victims or takedowns, not 'takedown'")
        #expect(mistake(Self.minimal + "header: {within: ten}\n")
                == "test.yaml: key 'header.within': expected a whole number from 1 to 1000, not 'ten'")
        #expect(mistake(Self.minimal + "header: {rows: 3}\n")
                == "test.yaml: unknown key 'header.rows'; expected one of: row, within")
        #expect(mistake(Self.minimal + "header: 3\n")
                == "test.yaml: key 'header': expected a mapping of keys to values")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "outcome: 결과", with: "outcome: {header: 결과, labls: {삭제: removed}}"))
                == "test.yaml: unknown key 'columns.outcome.labls'; expected one of: header, labels, other, separator, formats, thousands")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "outcome: 결과", with: "outcome: {header: 결과, labels: {삭제: deleted}}"))
                == "test.yaml: key 'columns.outcome.labels.삭제': expected one of removed, blocked, refused, pending, not 'deleted'")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "outcome: 결과", with: "outcome: {header: 결과, formats: [iso]}"))
                == "test.yaml: key 'columns.outcome.formats': only a date or timestamp column has formats")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "requested_at: 요청일시", with: "requested_at: {header: 요청일시, formats: [\"YYYY-MM-DD hh:mm\"]}"))
                == "test.yaml: key 'columns.requested_at.formats[1]': 'YYYY-MM-DD hh:mm': a 12-hour h needs A (오전/오후)")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "  outcome: 결과\n", with: ""))
                == "test.yaml: missing key 'columns.outcome': outcome is required for takedowns (give its source column, or a constant)")
        #expect(mistake(Self.minimal + "defaults: {colour: red}\n")
                == "test.yaml: unknown key 'defaults.colour': not a column of takedowns (request_id, platform, platform_origin, content_kind, requested_by, detected_by, requested_at, resolved_at, outcome)")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "regulator}", with: "regulator, outcome: pending}"))
                == "test.yaml: key 'columns.outcome': the column is also a constant; give one or the other")
        #expect(mistake(Self.minimal + "excel_date_system: 1901\n")
                == "test.yaml: key 'excel_date_system': expected 1900 or 1904, not 1901")
        #expect(mistake(Self.minimal + "time_zone: Seoul\n")
                == "test.yaml: key 'time_zone': expected an IANA time zone such as Asia/Seoul, not 'Seoul'")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "platform: 플랫폼", with: "platform: 번호"))
                == "test.yaml: key 'columns.platform.header': '번호' is also a header of request_id")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "platform: 플랫폼", with: "platform: {header: 플랫폼, thousands: \",\"}"))
                == "test.yaml: key 'columns.platform.thousands': only a whole-number column has a thousands separator")
        // Keys YAML could read as numbers or booleans are labels as written.
        #expect(try profile(Self.minimal.replacingOccurrences(of: "outcome: 결과", with: "outcome: {header: 결과, labels: {1: removed, true: pending, yes: refused}}"))
                .columns.first { $0.column == "outcome" }!.labels.map { "\($0.label)=\($0.value)" } == ["1=removed", "true=pending", "yes=refused"])
        #expect(mistake("- a\n- b\n") == "test.yaml: expected a mapping of keys to values at the top")
        #expect(mistake(Self.minimal.replacingOccurrences(of: "platform: 플랫폼", with: "platform: {header: [1, 2]}"))
                == "test.yaml: key 'columns.platform.header': expected a list of texts")
    }
}

@Suite struct ProfileMappingTests {
    /// A bound regulator profile, over its own header.
    func regulator() throws -> ProfileBinding {
        try shipped("regulator-takedowns").bind(header: ["요청번호", "플랫폼", "국내외", "유형", "요청기관", "탐지", "요청일시", "처리일시", "처리결과"])
    }

    @Test func everyRegulatorLabel() throws {
        let b = try regulator()
        let cases: [(column: Int, label: String, value: String, contract: Int)] = [
            (2, "국내", "domestic", 2), (2, "해외", "overseas", 2),
            (3, "이미지", "image", 3), (3, "영상", "video", 3), (3, "링크", "link", 3), (3, "채널", "channel", 3),
            (4, "방심위", "regulator", 4), (4, "경찰", "police", 4), (4, "지원센터", "support_centre", 4), (4, "피해자", "victim", 4),
            (5, "AI", "ai", 5), (5, "ai", "ai", 5), (5, "신고", "report", 5), (5, "모니터링", "monitoring", 5),
            (8, "삭제", "removed", 8), (8, "차단", "blocked", 8), (8, "거부", "refused", 8), (8, "처리중", "pending", 8),
        ]
        for c in cases {
            var row = ["R1", "네이버", "", "", "경찰", "", "2024-08-01 오후 1:05:09", "", "처리중"]
            row[c.column] = c.label
            guard case .row(let out) = b.map(row) else { Issue.record("\(c.label): \(b.map(row))"); continue }
            #expect(out[c.contract] == c.value, "\(c.label)")
        }
    }

    @Test func aLabelOutsideTheMapNamesTheLabelAndTheAllowedOnes() throws {
        let b = try regulator()
        let out = b.map(["R1", "네이버", "국내", "이미지", "경찰", "AI", "2024-08-01 오후 1:05:09", "", "보류"])
        #expect(out == .problem(column: "처리결과", field: 8, value: "보류",
                                reason: "'보류' is not a label of 처리결과; allowed: 거부, 삭제, 접속차단, 차단, 처리중"))
        let two = b.map(["R1", "네이버", "국외", "이미지", "경찰", "AI", "2024-08-01 오후 1:05:09", "", "보류"])
        #expect(two == .problem(column: "국내외", field: 2, value: "국외",
                                reason: "'국외' is not a label of 국내외; allowed: 국내, 해외 (and 1 more: 처리결과)"))
    }

    /// Every date form of the regulator's profile, each as a Seoul time with its offset.
    @Test func regulatorDateForms() throws {
        let b = try regulator()
        let forms: [(String, String)] = [
            ("2024-08-01 오후 1:05:09", "2024-08-01T13:05:09+09:00"),
            ("2024-08-01 오전 12:05:09", "2024-08-01T00:05:09+09:00"),
            ("2024-08-01 오후 12:05", "2024-08-01T12:05:00+09:00"),
            ("2024.08.01 오후 1:05:09", "2024-08-01T13:05:09+09:00"),
            ("2024.08.01 13:05", "2024-08-01T13:05:00+09:00"),
            ("2024-08-01 13:05:09", "2024-08-01T13:05:09+09:00"),
            ("2024-08-01T13:05:09", "2024-08-01T13:05:09+09:00"),
            ("2024-08-01T04:05:09Z", "2024-08-01T04:05:09Z"),           // an offset given is kept
            ("45505.545243055555", "2024-08-01T13:05:09+09:00"),          // an Excel serial
            ("45505", "2024-08-01T00:00:00+09:00"),
        ]
        for (text, expected) in forms {
            guard case .row(let out) = b.map(["R1", "X", "", "", "경찰", "", text, "", "처리중"]) else {
                Issue.record("\(text): \(b.map(["R1", "X", "", "", "경찰", "", text, "", "처리중"]))"); continue
            }
            #expect(out[6] == expected, "\(text)")
        }
        #expect(b.map(["R1", "X", "", "", "경찰", "", "60", "", "처리중"]) == .problem(
            column: "요청일시", field: 6, value: "60",
            reason: "요청일시: Excel serial 60 is 1900-02-29, a day that never existed (Excel's 1900 leap-year error)"))
        if case .problem(_, _, _, let reason) = b.map(["R1", "X", "", "", "경찰", "", "2024/08/01 1:05 PM", "", "처리중"]) {
            #expect(reason.hasPrefix("'2024/08/01 1:05 PM' is in none of the date forms of 요청일시: iso, excel, YYYY-M-D A h:m:s"))
        } else {
            Issue.record("an unknown form must be a problem")
        }
    }

    @Test func policeNumbersBooleansAndDates() throws {
        let b = try shipped("police-arrests").bind(header: ["검거번호", "검거일", "관서", "죄명", "피의자연령", "피해자미성년", "위장수사", "자백", "범죄수익환수액"])
        #expect(b.map(["P1", "2024. 8. 2.", "경기남부청", "유포", "25", "예", "아니오", "y", "1,500,000"])
                == .row(["P1", "2024-08-02", "Gyeonggi-Nambu", "distribute", "25", "true", "false", "true", "1500000"]))
        #expect(b.map(["P1", "45507", "마포경찰서", "협박", "25.0", "N", "", "", "0"])
                == .row(["P1", "2024-08-03", "마포경찰서", "blackmail", "25", "false", "", "", "0"]))
        #expect(b.map(["P1", "2024-08-03 10:00:00", "서울청", "강요", "", "", "", "", "12,345"])
                == .row(["P1", "2024-08-03", "Seoul", "coerce", "", "", "", "", "12345"]))
        for bad in ["1,50,000", "1500,000", ",500", "1,500,00", "1,500,000,"] {
            guard case .problem(let column, _, let value, _) = b.map(["P1", "2024.8.2", "서울청", "제작", "", "", "", "", bad]) else {
                Issue.record("\(bad) must be a problem"); continue
            }
            #expect(column == "범죄수익환수액" && value == bad)
        }
    }

    @Test func victimsSetsAndOpenLabels() throws {
        let b = try shipped("support-victims").bind(header: ["피해자번호", "최초상담일", "연령", "성별", "경로", "지원내역", "지역"])
        #expect(b.map(["V1", "2024.08.01", "16", "여", "전화", "삭제지원, 상담", "서울"])
                == .row(["V1", "2024-08-01", "16", "female", "hotline", "deletion;counseling", "Seoul"]))
        #expect(b.map(["V1", "2024.08.01", "", "기타", "방문", "의료,수사연계;삭제지원", "해외"])
                == .row(["V1", "2024-08-01", "", "other", "visit", "medical;investigation;deletion", "해외"]))
        #expect(b.map(["V1", "2024.08.01", "", "미상", "연계", "", ""]) == .row(["V1", "2024-08-01", "", "unknown", "referral", "", ""]))
        #expect(b.map(["V1", "2024.08.01", "", "남", "온라인", "법률", ""]) == .row(["V1", "2024-08-01", "", "male", "website", "legal", ""]))
        #expect(b.map(["V1", "2024.08.01", "20", "여", "전화", "삭제지원, 심리치료", "서울"]) == .problem(
            column: "지원내역", field: 5, value: "삭제지원, 심리치료",
            reason: "'심리치료' is not a label of 지원내역; allowed: 법률, 법률지원, 삭제, 삭제지원, 상담, 수사연계, 수사지원, 의료, 의료지원"))
    }

    @Test func skippedRows() throws {
        let b = try regulator()
        #expect(b.map(["", "", "", "", "", "", "", "", ""]) == .skip("blank row"))
        #expect(b.map(["합 계", "", "", "", "", "", "", "", "5건"]) == .skip("totals row"))
        #expect(b.map(["", "계", "", "", "", "", "", "", "5"]) == .skip("totals row"))
        #expect(b.map(["※ 요청일시는 한국시간", ""]) == .skip("note row"))
        // A short row (a spreadsheet drops trailing empty cells) is read with empty cells.
        #expect(b.map(["R1", "X", "", "", "경찰", "", "2024-08-01 13:00:00", "", "처리중"]) == b.map(["R1", "X", "", "", "경찰", "", "2024-08-01 13:00:00", "", "처리중", "", ""]))
        #expect(b.map(["R1", "X", "", "", "경찰", "", "2024-08-01 13:00:00", "", "처리중", "", "extra"])
                == .problem(column: nil, field: 10, value: "extra", reason: "a value in field 11, past the header's 9 columns"))
    }

    @Test func constantsDefaultsAndThe1904System() throws {
        let p = try profile("""
            kind: takedowns
            excel_date_system: 1904
            columns:
              request_id: 번호
              platform: 플랫폼
              requested_at: {header: 요청일시, formats: ["YYYY.M.D H:m"]}
              resolved_at: {header: 처리일시, formats: [excel]}
              outcome: {header: 결과, labels: {삭제: removed, 처리중: pending}}
              content_kind: {header: 유형, labels: {사진: image, 영상: video}}
            constants: {requested_by: regulator}
            defaults: {content_kind: image, detected_by: report}
            """)
        let b = p.bind(header: ["번호", "플랫폼", "요청일시", "처리일시", "결과", "유형"])
        #expect(b.map(["1", "Naver", "2024.8.1 9:00", "", "처리중", ""])
                == .row(["1", "Naver", "", "image", "regulator", "report", "2024-08-01T09:00:00", "", "pending"]))
        #expect(b.map(["2", "Naver", "2024.8.1 9:00", "43313.5", "삭제", "영상"])
                == .row(["2", "Naver", "", "video", "regulator", "report", "2024-08-01T09:00:00", "2022-08-02T12:00:00", "removed"]))
        // Without the 유형 column the default applies to every row.
        let short = p.bind(header: ["번호", "플랫폼", "요청일시", "처리일시", "결과"])
        #expect(short.map(["1", "Naver", "2024.8.1 9:00", "", "처리중"])
                == .row(["1", "Naver", "", "image", "regulator", "report", "2024-08-01T09:00:00", "", "pending"]))
    }

    /// The header may be broken over lines or spaced; the header row is found among the first rows.
    @Test func headersAndDetection() throws {
        let all = try SourceProfile.loadDirectory(repoRoot + "/Data/sources")
        var finder = ProfileFinder(candidates: all, given: false)
        guard case .next = finder.offer(["검거 현황 (2024년 8월)"], place: 1) else { Issue.record("title"); return }
        guard case .found(let p) = finder.offer(["검거\n번호", "검거일", "관 서", "죄명"], place: 2) else { Issue.record("header"); return }
        #expect(p.name == "police-arrests")

        // Two profiles that fit the same header: ambiguous, the user must choose.
        let twin = try SourceProfile(YAMLDocument.read(repoRoot + "/Data/sources/police-arrests.yaml"), name: "police-arrests-copy")
        var ambiguous = ProfileFinder(candidates: all + [twin], given: false)
        guard case .failed(let message) = ambiguous.offer(["검거번호", "검거일", "관서", "죄명"], place: 3) else { Issue.record("ambiguous"); return }
        #expect(message == "the header on line 3 fits several source profiles (police-arrests, police-arrests-copy); give --source NAME")

        // Given a profile, a file without its header says what is missing.
        var given = ProfileFinder(candidates: [p], given: true)
        for line in 1...10 {
            if case .failed(let m) = given.offer(["요청번호", "검거일"], place: line) {
                #expect(line == 10)
                #expect(m == "no header of source profile police-arrests in the first 10 rows: no row names 검거번호, 관서, 죄명")
            }
        }
    }
}
