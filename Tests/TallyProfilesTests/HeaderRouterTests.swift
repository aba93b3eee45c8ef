import Foundation
import Testing
import TallyCore
@testable import TallyStore
@testable import TallyProfiles

/// Rows of strings (as a spreadsheet reader will give them) through the header router, without
/// a CSV file: the seam that reading .xlsx sheets will use.
@Suite struct HeaderRouterTests {
    /// Everything the router sent: the header's kind and profile, then each row as its first
    /// column's text or its problem.
    func drain(_ output: Channel<RowParser.Message>) -> (kind: RecordKind?, profile: String?, rows: [String]) {
        output.close()
        var kind: RecordKind?, profile: String?, rows: [String] = []
        while let m = output.receive() {
            switch m {
            case let .header(k, _, binding): kind = k; profile = binding?.profile.name
            case .rows(let b):
                for i in 0..<b.count {
                    let p = b.problemIndex[i]
                    if p >= 0 {
                        let problem = b.problems[Int(p)]
                        rows.append("line \(b.lines[i]): \(problem.column ?? "-"): \(problem.reason)")
                    } else {
                        rows.append("line \(b.lines[i]): " + String(decoding: b.text(i, 0), as: UTF8.self))
                    }
                }
            case .end: break
            }
        }
        return (kind, profile, rows)
    }

    func router(_ options: IngestOptions) -> (HeaderRouter, Channel<RowParser.Message>) {
        let output = Channel<RowParser.Message>(capacity: 100)
        let free = Channel<RowBatch>(capacity: 100)
        return (HeaderRouter(options: options, zone: ZoneOffsets(identifier: "Asia/Seoul")!, now: Int64.max / 2,
                             output: output, free: free), output)
    }

    @Test func sheetRowsThroughAProfile() throws {
        var options = IngestOptions()
        options.profiles = try SourceProfile.loadDirectory(repoRoot + "/Data/sources")
        let (r, output) = router(options)
        #expect(try r.offer(["디지털성범죄 검거 현황 (2024년 8월)"], line: 1) == nil)
        #expect(try r.offer(["추출일: 2024-09-06"], line: 2) == nil)
        let route = try r.offer(["검거번호", "검거일", "관서", "죄명", "피의자연령", "피해자미성년", "위장수사", "자백", "범죄수익환수액"], line: 3)
        guard case .profile? = route else { Issue.record("expected the police profile"); return }
        // A spreadsheet gives dates as ISO text and numbers as decimal text, and drops trailing empty cells.
        try r.take(fields: ["A-1", "2024-08-01T00:00:00", "서울경찰청", "제작", "17", "Y", "N", "N", "1500000"], line: 4)
        try r.take(fields: ["A-2", "45505", "서울경찰청", "방조"], line: 5)
        try r.take(fields: ["A-3", "2024-08-02", "부산청", "유포"], line: 6)
        try r.take(fields: ["합계", "", "", "", "", "", "", "", "1500000"], line: 7)
        try r.finish()
        #expect(r.profileSink?.skipped == [SkippedRows(reason: "above the header", lines: [1, 2]), SkippedRows(reason: "totals row", lines: [7])])
        let out = drain(output)
        #expect(out.kind == .arrests && out.profile == "police-arrests")
        #expect(out.rows == ["line 4: A-1",
                             "line 5: 죄명: '방조' is not a label of 죄명; allowed: 강요, 구입, 소지, 시청, 유포, 저장, 제작, 협박",
                             "line 6: A-3"])
    }

    @Test func sheetRowsWithAContractHeader() throws {
        let (r, output) = router(IngestOptions())
        let header = RecordSchema.arrests.columns.map(\.name)
        guard case .contract? = try r.offer(header, line: 1) else { Issue.record("expected the contract"); return }
        try r.take(fields: ["A-1", "2024-08-01", "Seoul", "create", " 17 ", "true", "", "", "0"], line: 2)
        try r.take(fields: ["A-2", "2024-08-01", "Seoul"], line: 3)
        try r.take(fields: ["A-3", "2024-08-01", "Seoul", "sell", "", "", "", "", ""], line: 4)
        try r.finish()
        #expect(drain(output).rows == ["line 2: A-1", "line 3: -: the row has 3 fields, the header has 9",
                                       "line 4: offense: expected one of create, distribute, possess, purchase, store, view, blackmail, coerce"])
    }

    @Test func noHeaderFound() throws {
        var options = IngestOptions()
        options.source = try shipped("support-victims")
        let (r, _) = router(options)
        #expect(try r.offer(["제목"], line: 1) == nil)
        #expect(throws: FileRejection.self) { try r.finish() }
    }
}
