import Testing
@testable import TallyCore

/// One bad row per rule of records.md, each asserting the column and the reason.
@Suite struct RowValidatorTests {
    let takedownHeader = RecordSchema.takedowns.columns.map(\.name)
    let good = ["T1", "Telegram", "overseas", "image", "regulator", "ai",
                "2024-08-01T10:00:00+09:00", "2024-08-02T10:00:00+09:00", "removed"]

    func check(_ schema: RecordSchema, _ header: [String], _ fields: [String]) -> (ValidatedRow, [RowProblem]) {
        let v = RowValidator(schema: schema, header: header, zone: seoul)
        let row = ValidatedRow(columnCount: schema.columns.count)
        let problems = v.validate(StringRow(fields), into: row)
        return (row, problems)
    }

    func takedown(_ changes: [String: String]) -> [RowProblem] {
        var fields = good
        for (k, v) in changes { fields[takedownHeader.firstIndex(of: k)!] = v }
        return check(.takedowns, takedownHeader, fields).1
    }

    @Test func validTakedownIsTyped() {
        let (row, problems) = check(.takedowns, takedownHeader, good)
        #expect(problems.isEmpty)
        #expect(row.ints[6] == utcMicros(2024, 8, 1, 1))
        #expect(row.ints[8] == Int64(RecordSchema.outcomes.firstIndex(of: "removed")!))
    }

    @Test func enumsAreCaseInsensitive() {
        #expect(takedown(["outcome": "REMOVED", "requested_by": "Support_Centre"]).isEmpty)
        let p = takedown(["requested_by": "ngo"])
        #expect(p.first == RowProblem(column: "requested_by", value: "ngo",
                                      reason: "expected one of regulator, police, support_centre, victim"))
    }

    @Test func requiredValueMissing() {
        let p = takedown(["platform": ""])
        #expect(p.first?.column == "platform")
        #expect(p.first?.reason == "required value is missing")
    }

    @Test func crossFieldRules() {
        #expect(takedown(["resolved_at": "2024-08-01T09:59:59+09:00"]).first?.reason
                == "resolved_at is before requested_at (2024-08-01T10:00:00+09:00)")
        // Same instant written in another offset is not "before".
        #expect(takedown(["resolved_at": "2024-08-01T01:00:00Z"]).isEmpty)
        #expect(takedown(["outcome": "pending"]).first?.reason == "a pending request must not have resolved_at")
        #expect(takedown(["outcome": "pending", "resolved_at": ""]).isEmpty)
        #expect(takedown(["outcome": "blocked", "resolved_at": ""]).first?.reason == "outcome blocked requires resolved_at")
        #expect(takedown(["outcome": "refused", "resolved_at": ""]).isEmpty)
    }

    @Test func badTimestamp() {
        let p = takedown(["requested_at": "2024-08-01 10:00 KST"])
        #expect(p.first?.column == "requested_at")
        #expect(p.first?.reason.hasPrefix("expected a timestamp YYYY-MM-DDTHH:MM") == true)
    }

    let arrestHeader = RecordSchema.arrests.columns.map(\.name)
    func arrest(_ changes: [String: String]) -> (ValidatedRow, [RowProblem]) {
        var fields = ["A1", "2024-03-01", "Seoul", "create", "17", "true", "", "no", "1500000"]
        for (k, v) in changes { fields[arrestHeader.firstIndex(of: k)!] = v }
        return check(.arrests, arrestHeader, fields)
    }

    @Test func arrestRules() {
        let (row, ok) = arrest([:])
        #expect(ok.isEmpty)
        #expect(row.isNull[6] == false && row.ints[6] == 0, "undercover defaults to false")
        #expect(arrest(["suspect_age": "9"]).1.first?.reason.hasSuffix("from 10 to 120") == true)
        #expect(arrest(["suspect_age": "121"]).1.first?.column == "suspect_age")
        #expect(arrest(["suspect_age": "1,7"]).1.first?.column == "suspect_age")
        #expect(arrest(["proceeds_seized_krw": "-1"]).1.first?.reason.hasSuffix("of 0 or more") == true)
        #expect(arrest(["proceeds_seized_krw": "1,500,000"]).1.first?.column == "proceeds_seized_krw")
        #expect(arrest(["victim_minor": "maybe"]).1.first?.reason == "expected true/false, 1/0, yes/no or y/n")
        #expect(arrest(["arrested_on": "2024-02-30"]).1.first?.reason == "expected a date YYYY-MM-DD")
        #expect(arrest(["offense": "hack"]).1.first?.column == "offense")
        #expect(arrest(["agency": ""]).1.first?.reason == "required value is missing")
    }

    @Test func allProblemsOfARowAreFound() {
        let problems = arrest(["suspect_age": "x", "confessed": "x", "offense": "x"]).1
        #expect(problems.map(\.column) == ["offense", "suspect_age", "confessed"])
    }

    let victimHeader = RecordSchema.victims.columns.map(\.name)
    func victim(_ changes: [String: String]) -> (ValidatedRow, [RowProblem]) {
        var fields = ["V1", "2024-05-01", "16", "female", "hotline", "deletion;counseling", "Seoul"]
        for (k, v) in changes { fields[victimHeader.firstIndex(of: k)!] = v }
        return check(.victims, victimHeader, fields)
    }

    @Test func victimRules() {
        let (row, ok) = victim(["services": "Counseling ; deletion;"])
        #expect(ok.isEmpty)
        #expect(row.ints[5] == 0b11, "set of deletion and counseling")
        #expect(victim(["age": "-1"]).1.first?.column == "age")
        #expect(victim(["age": "121"]).1.first?.column == "age")
        #expect(victim(["age": ""]).1.isEmpty, "age is optional: null = unknown")
        #expect(victim(["gender": "f"]).1.first?.reason == "expected one of female, male, other, unknown")
        #expect(victim(["channel": ""]).1.first?.reason == "required value is missing")
        #expect(victim(["services": "deletion;therapy"]).1.first?.reason
                == "unknown value 'therapy'; expected ';'-separated values from deletion, counseling, legal, medical, investigation")
    }

    @Test func headerMatching() {
        let v = RowValidator(schema: .victims, header: [" channel ", "victim_id", "contacted_on", "note"], zone: seoul)
        #expect(v.missingRequired.isEmpty)
        #expect(v.unknownColumns == ["note"])
        #expect(v.fieldIndex[v.schema.index(of: "channel")!] == 0)
        let missing = RowValidator(schema: .victims, header: ["victim_id", "age"], zone: seoul)
        #expect(missing.missingRequired == ["contacted_on", "channel"])
        #expect(RecordSchema.detect(header: ["request_id", "platform"]) == .takedowns)
        #expect(RecordSchema.detect(header: ["x"]) == nil)
        #expect(RecordSchema.detect(header: ["victim_id", "arrest_id"]) == nil)
    }

    @Test func longValuesAreShortenedInReports() {
        let p = victim(["gender": String(repeating: "x", count: 200)]).1
        #expect(p.first?.value.count == RowProblem.maxValueLength + 1)
    }
}
