import Testing
@testable import TallyCore

@Suite struct FieldParserTests {
    @Test(arguments: [("0", Int64(0)), ("42", 42), ("-7", -7), ("120", 120), ("007", 7)])
    func validInts(text: String, value: Int64) {
        #expect(withBytes(text) { FieldParser.int($0) } == value)
    }

    @Test(arguments: ["", "-", "+5", "1,000", "1.5", "12a", " 1", "1e3", "9999999999999999999"])
    func invalidInts(text: String) {
        #expect(withBytes(text) { FieldParser.int($0) } == nil)
    }

    @Test func bools() {
        for t in ["true", "TRUE", "True", "1", "yes", "YES", "y", "Y"] {
            #expect(withBytes(t) { FieldParser.bool($0) } == true, "\(t)")
        }
        for f in ["false", "False", "0", "no", "NO", "n", "N"] {
            #expect(withBytes(f) { FieldParser.bool($0) } == false, "\(f)")
        }
        for bad in ["", "t", "f", "2", "yess", "nope", "truee", "oui"] {
            #expect(withBytes(bad) { FieldParser.bool($0) } == nil, "\(bad)")
        }
    }

    @Test func dates() {
        #expect(withBytes("2024-02-29") { FieldParser.date($0) } == Int64(CivilDate.days(year: 2024, month: 2, day: 29)))
        for bad in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-4-1", "24-04-01", "2024/04/01",
                    "2024-04-01T00:00", "20240401"] {
            #expect(withBytes(bad) { FieldParser.date($0) } == nil, "\(bad)")
        }
    }

    func ts(_ s: String, _ zone: ZoneOffsets = seoul) -> Result<Int64, FieldParser.TimestampError> {
        withBytes(s) { FieldParser.timestamp($0, zone: zone) }
    }

    @Test func timestampWithoutOffsetIsLocalToTheZone() {
        // No offset: Seoul local time, 9 hours ahead of UTC.
        #expect(ts("2024-09-01T05:00") == .success(utcMicros(2024, 8, 31, 20)))
        #expect(ts("2024-09-01 05:00:00") == .success(utcMicros(2024, 8, 31, 20)))
        // The same wall-clock time in Berlin summer time is UTC+2.
        #expect(ts("2024-07-01T12:00", berlin) == .success(utcMicros(2024, 7, 1, 10)))
        #expect(ts("2024-03-31T02:30", berlin) == .failure(.nonexistentLocalTime))
    }

    @Test func timestampWithZOrOffset() {
        #expect(ts("2024-08-31T20:00:00Z") == .success(utcMicros(2024, 8, 31, 20)))
        #expect(ts("2024-08-31T20:00z") == .success(utcMicros(2024, 8, 31, 20)))
        #expect(ts("2024-08-31T15:00:00-05:00") == .success(utcMicros(2024, 8, 31, 20)))
        #expect(ts("2024-09-01T05:00:00+09:00") == .success(utcMicros(2024, 8, 31, 20)))
        #expect(ts("2024-09-01T05:00:00.25+09:00") == .success(utcMicros(2024, 8, 31, 20) + 250_000))
        #expect(ts("2024-09-01T05:00:00.123456Z") == .success(utcMicros(2024, 9, 1, 5) + 123_456))
    }

    @Test(arguments: ["2024-09-01", "2024-09-01T5:00", "2024-09-01T24:00", "2024-09-01T05:60", "2024-09-31T05:00",
                      "2024-09-01T05:00:61", "2024-09-01T05:00+0900", "2024-09-01T05:00+09", "2024-09-01T05:00 KST",
                      "2024-09-01T05:00:00.", "2024-09-01T05:00:00.1234567Z", "2024-09-01X05:00", "01/09/2024 05:00"])
    func malformedTimestamps(text: String) {
        #expect(ts(text) == .failure(.malformed))
    }
}
