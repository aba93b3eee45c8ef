import Foundation
import PropertyBased
import Testing
@testable import TallyEngine
import TallyTime

/// `Table.localDate(_:zone:)` and `Table.month(_:zone:)` against Foundation: the oracle is
/// `Calendar(identifier: .gregorian)` set to the same `TimeZone`, which gives the local
/// year, month and day of each instant; day numbers come from a UTC calendar (no TallyTime
/// arithmetic on the expected side).
@Suite struct TimeZoneBucketTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func calendar(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    /// Days since 1970-01-01 of a calendar date, through Foundation.
    static func dayNumber(_ y: Int, _ m: Int, _ d: Int) -> Int32 {
        let date = calendar(utc).date(from: DateComponents(year: y, month: m, day: d))!
        return Int32(Int(date.timeIntervalSince1970) / 86_400)
    }

    /// Microseconds of a UTC wall-clock time, through Foundation.
    static func micros(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, plus extra: Int64 = 0) -> Int64 {
        let date = calendar(utc).date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
        return Int64(date.timeIntervalSince1970) * 1_000_000 + extra
    }

    /// The local (day, first day of the month) of an instant, through Foundation.
    static func expected(_ micros: Int64, _ zone: TimeZone) -> (day: Int32, month: Int32) {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000  // floor
        let c = calendar(zone).dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(seconds)))
        return (dayNumber(c.year!, c.month!, c.day!), dayNumber(c.year!, c.month!, 1))
    }

    static func table(_ instants: [Int64?]) -> Table {
        makeTable([("ts", .timestamp, instants.map { $0.map(Value.timestamp) ?? .null })])
    }

    static func buckets(_ instants: [Int64?], _ zone: String) throws -> (days: [Value], months: [Value]) {
        let t = table(instants)
        let z = try #require(ZoneOffsets(identifier: zone))
        let days = try t.localDate("ts", zone: z), months = try t.month("ts", zone: z)
        #expect(days.type == .date && months.type == .date)
        return ((0..<t.rowCount).map(days.value), (0..<t.rowCount).map(months.value))
    }

    struct Edge: CustomTestStringConvertible, Sendable {
        let zone: String
        let instant: Int64
        /// Local date as the case states it (year, month, day).
        let local: (Int, Int, Int)
        let note: String
        var testDescription: String { "\(zone) \(Timestamp.isoUTC(micros: instant)): \(note)" }
    }

    static let edges: [Edge] = [
        Edge(zone: "Asia/Seoul", instant: micros(2024, 8, 31, 15, 0, 0), local: (2024, 9, 1), note: "00:00 KST, September"),
        Edge(zone: "Asia/Seoul", instant: micros(2024, 8, 31, 14, 59, 59), local: (2024, 8, 31), note: "23:59:59 KST, August"),
        Edge(zone: "Asia/Seoul", instant: micros(2024, 8, 31, 14, 59, 59, plus: 999_999), local: (2024, 8, 31),
             note: "last microsecond of August"),
        Edge(zone: "Asia/Seoul", instant: micros(2023, 12, 31, 15, 0, 0), local: (2024, 1, 1), note: "new year"),
        // Spring forward: 2024-03-31 01:00Z, 02:00 CET becomes 03:00 CEST.
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 31, 0, 59, 59), local: (2024, 3, 31), note: "01:59:59 CET"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 31, 1, 0, 0), local: (2024, 3, 31), note: "03:00 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 30, 22, 59, 59), local: (2024, 3, 30), note: "23:59:59 CET"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 30, 23, 0, 0), local: (2024, 3, 31), note: "00:00 CET"),
        // Month edge on the first day of summer time: midnight is 22:00Z, not 23:00Z.
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 31, 21, 59, 59), local: (2024, 3, 31), note: "23:59:59 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 31, 22, 0, 0), local: (2024, 4, 1), note: "April 1 00:00 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 3, 31, 22, 30, 0), local: (2024, 4, 1), note: "April 1 00:30 CEST"),
        // Winter: midnight is 23:00Z.
        Edge(zone: "Europe/Berlin", instant: micros(2024, 1, 31, 22, 59, 59), local: (2024, 1, 31), note: "23:59:59 CET"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 1, 31, 23, 0, 0), local: (2024, 2, 1), note: "Feb 1 00:00 CET"),
        // Fall back: 2024-10-27 01:00Z, 03:00 CEST becomes 02:00 CET.
        Edge(zone: "Europe/Berlin", instant: micros(2024, 10, 27, 0, 59, 59), local: (2024, 10, 27), note: "02:59:59 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 10, 27, 1, 0, 0), local: (2024, 10, 27), note: "02:00 CET"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 10, 26, 21, 59, 59), local: (2024, 10, 26), note: "23:59:59 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 10, 26, 22, 0, 0), local: (2024, 10, 27), note: "00:00 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 10, 31, 22, 59, 59), local: (2024, 10, 31), note: "23:59:59 CET"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 10, 31, 23, 0, 0), local: (2024, 11, 1), note: "Nov 1 00:00 CET"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 9, 30, 21, 59, 59), local: (2024, 9, 30), note: "23:59:59 CEST"),
        Edge(zone: "Europe/Berlin", instant: micros(2024, 9, 30, 22, 0, 0), local: (2024, 10, 1), note: "Oct 1 00:00 CEST"),
        // Before 1970 (floor division of negative microseconds).
        Edge(zone: "UTC", instant: -1, local: (1969, 12, 31), note: "one microsecond before the epoch"),
        Edge(zone: "UTC", instant: 0, local: (1970, 1, 1), note: "the epoch"),
        Edge(zone: "Asia/Seoul", instant: -1, local: (1970, 1, 1), note: "08:59:59.999999 KST"),
    ]

    @Test(arguments: edges)
    func monthEdges(_ edge: Edge) throws {
        let (days, months) = try Self.buckets([edge.instant], edge.zone)
        let (y, m, d) = edge.local
        #expect(days == [.date(Self.dayNumber(y, m, d))])
        #expect(months == [.date(Self.dayNumber(y, m, 1))])
        // The stated local date agrees with Foundation's.
        let f = Self.expected(edge.instant, TimeZone(identifier: edge.zone)!)
        #expect(f.day == Self.dayNumber(y, m, d) && f.month == Self.dayNumber(y, m, 1))
    }

    static let zones = ["Asia/Seoul", "Europe/Berlin", "America/New_York", "America/St_Johns", "Asia/Kolkata",
                        "Australia/Lord_Howe", "Pacific/Chatham", "America/Nuuk", "UTC"]

    /// 2023-01-01T00:00Z and 2026-01-01T00:00Z.
    static let range: ClosedRange<Int64> = 1_672_531_200_000_000...1_767_225_600_000_000
    /// Instants anywhere in 2023–2025, or within a day of a UTC month start (where local
    /// month edges are), to the microsecond.
    static let instant = Gen<Int64>.oneOf(
        Gen.int64(in: range),
        zip(Gen.int(in: 0..<36), Gen.int64(in: -86_400_000_000...86_400_000_000)).map { k, delta in
            micros(2023 + k / 12, k % 12 + 1, 1, 0, 0, 0) + delta
        })

    @Test func randomInstantsMatchFoundation() async {
        await propertyCheck(count: 25, input: Self.instant.optional(valueRate: 0.9).array(of: 0...120)) { instants in
            recordingErrors {
                for zone in Self.zones {
                    let tz = try #require(TimeZone(identifier: zone))
                    let (days, months) = try Self.buckets(instants, zone)
                    for (k, t) in instants.enumerated() {
                        guard let t else {
                            #expect(days[k] == .null && months[k] == .null)
                            continue
                        }
                        let want = Self.expected(t, tz)
                        #expect(days[k] == .date(want.day), "\(zone) \(Timestamp.isoUTC(micros: t)) local date")
                        #expect(months[k] == .date(want.month), "\(zone) \(Timestamp.isoUTC(micros: t)) month")
                    }
                }
            }
        }
    }

    /// `month` of a date column needs no zone; of a timestamp it does; other types are errors.
    @Test func monthOfDatesAndWrongTypes() throws {
        let days: [Value] = [.date(Self.dayNumber(2024, 2, 29)), .null, .date(Self.dayNumber(1969, 12, 31)),
                             .date(Self.dayNumber(2024, 3, 1)), .date(Self.dayNumber(2000, 1, 31))]
        let t = makeTable([("d", .date, days), ("ts", .timestamp, [.timestamp(0), .null, .null, .null, .null]),
                           ("i", .int64, [.int(1), .null, .null, .null, .null])])
        let m = try t.month("d")
        #expect((0..<5).map(m.value) == [.date(Self.dayNumber(2024, 2, 1)), .null, .date(Self.dayNumber(1969, 12, 1)),
                                         .date(Self.dayNumber(2024, 3, 1)), .date(Self.dayNumber(2000, 1, 1))])
        let e = #expect(throws: EngineError.self) { try t.month("ts") }
        #expect(e?.description.contains("needs a time zone") == true)
        #expect(throws: EngineError.typeMismatch(column: "i", expected: "date or timestamp", found: .int64)) { try t.month("i") }
        #expect(throws: EngineError.typeMismatch(column: "d", expected: "timestamp", found: .date)) {
            try t.localDate("d", zone: ZoneOffsets(identifier: "UTC")!)
        }
        #expect(throws: EngineError.unknownColumn("nope", available: ["d", "ts", "i"])) { try t.month("nope") }
        #expect(ZoneOffsets(identifier: "Mars/Olympus_Mons") == nil)
    }
}
