import TallyTestSupport
import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyStore
import TallyTables
@testable import TallyMetrics

/// Every takedown figure on a fixture worked out by hand (see the comment on each row):
/// exactly 24 h, one second late, pending before and past the deadline, refused, resolved
/// after the as-of time, and month edges in Seoul.
@Suite struct TakedownFixtureTests {
    // As of 2024-08-10 12:00 Seoul; deadline 24 h.
    static let csv = """
    request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome
    R1,P,domestic,image,regulator,,2024-08-01T10:00:00+09:00,2024-08-02T10:00:00+09:00,removed
    R2,P,domestic,image,regulator,,2024-08-01T10:00:00+09:00,2024-08-02T10:00:01+09:00,blocked
    R3,P,domestic,image,regulator,,2024-08-05T00:00:00+09:00,,pending
    R4,P,domestic,image,regulator,,2024-08-10T00:00:00+09:00,,pending
    R5,P,domestic,image,regulator,,2024-08-03T09:00:00+09:00,2024-08-04T09:00:00+09:00,refused
    R6,P,domestic,image,regulator,,2024-08-08T09:00:00+09:00,2024-08-11T09:00:00+09:00,removed
    R7,P,domestic,image,regulator,,2024-07-31T15:00:00Z,2024-07-31T17:00:00Z,removed
    R8,P,domestic,image,regulator,,2024-08-31T15:00:00Z,,pending
    R9,P,domestic,image,regulator,,2024-07-31T14:59:59Z,,pending
    R10,Q,overseas,video,police,ai,2024-08-02 12:00:00,2024-08-02 18:00:00,removed
    R11,Q,overseas,video,police,report,2024-08-02T04:00:00Z,2024-08-04T04:00:00Z,removed

    """
    // R1 exactly 24:00:00 → within.            R2 24:00:01 → late.
    // R3 pending, deadline 08-06 passed → overdue, unresolved.   R4 pending, deadline 08-11 not yet → not due.
    // R5 refused → due, refused, unresolved.   R6 removed after the as-of time → overdue, unresolved, no duration.
    // R7 2024-08-01 00:00 Seoul → August; 2 h, within.   R8 2024-09-01 00:00 Seoul → September.
    // R9 2024-07-31 23:59:59 Seoul → July (pending: a July violation, for repeat months).
    // R10 (local, no offset) 6 h within, ai.   R11 13:00 Seoul, 48 h, late, report.

    static func report(settings: Settings = Settings(), fines: FineSchedule? = nil, period: String = "2024-08") throws -> StatsReport {
        let box = Sandbox()
        let path = box.write("t.csv", csv)
        let store = try box.store()
        let r = try store.ingest([path])
        #expect(r.files[0].loaded == 11)
        let tables = RecordTables(arrests: try store.table(.arrests).table, victims: try store.table(.victims).table,
                                  takedowns: try store.table(.takedowns).table)
        let asOf = Int64(CivilDate.days(year: 2024, month: 8, day: 10)) * 86_400_000_000 + 3 * 3_600_000_000  // 12:00 Seoul = 03:00Z
        return try StatsReport(tables: tables, period: try Period.parse(period), asOf: asOf, settings: settings, fines: fines)
    }

    func count(_ r: StatsReport, _ id: String) -> Int? { r.metrics[id]?.countValue }

    @Test func totals() throws {
        let r = try Self.report()
        #expect(r.asOfText == "2024-08-10T12:00:00+09:00")
        #expect(count(r, "takedowns.requests") == 9)       // R1–R7, R10, R11
        #expect(count(r, "takedowns.due") == 8)            // not R4
        #expect(count(r, "takedowns.within_deadline") == 3) // R1, R7, R10
        #expect(count(r, "takedowns.late") == 2)           // R2, R11
        #expect(count(r, "takedowns.unresolved") == 3)     // R3, R5, R6
        #expect(count(r, "takedowns.overdue") == 2)        // R3, R6
        #expect(count(r, "takedowns.refused") == 1)        // R5
        #expect(r.metrics["takedowns.compliance"]?.doubleValue == 3.0 / 8)
        guard case .interval(let lo, let hi)? = r.metrics["takedowns.compliance_ci95"] else { Issue.record("no interval"); return }
        // Wilson 95% for 3 of 8 (R: binom::binom.wilson(3, 8) → 0.1368, 0.6943).
        #expect(abs(lo - 0.1368) < 5e-4 && abs(hi - 0.6943) < 5e-4)
        // Durations of removed/blocked resolved by the as-of time: 2, 6, 24, 24 h 1 s, 48.
        let secondInHours = 1.0 / 3600
        #expect(r.metrics["takedowns.median_hours"]?.doubleValue == 24)
        #expect(abs(r.metrics["takedowns.p90_hours"]!.doubleValue! - (24 + secondInHours + 0.6 * (48 - 24 - secondInHours))) < 1e-9)
        #expect(r.metrics["takedowns.ai_detected_share"]?.doubleValue == 0.5)
    }

    @Test func platforms() throws {
        let r = try Self.report()
        let p = try #require(r.platforms.first { $0.platform == "P" })
        let pc: [Int] = [p.counts.requests, p.counts.due, p.counts.within, p.counts.late, p.counts.unresolved, p.counts.overdue, p.counts.refused]
        #expect(pc == [7, 6, 2, 1, 3, 2, 1])
        #expect(p.compliance == 2.0 / 6)
        #expect(p.medianHours == 24)                       // 2, 24, 24 h 1 s
        #expect(abs(p.p90Hours! - (24 + 0.8 / 3600)) < 1e-9)
        let q = try #require(r.platforms.first { $0.platform == "Q" })
        let qc: [Int] = [q.counts.requests, q.counts.due, q.counts.within, q.counts.late, q.counts.unresolved]
        #expect(qc == [2, 2, 1, 1, 0])
        #expect(q.medianHours == 27 && abs(q.p90Hours! - 43.8) < 1e-9)
        // Nobody has 30 due requests: no ranks.
        #expect(r.platforms.allSatisfy { $0.rank == nil })
    }

    @Test func rankingByComplianceThenMedianThenName() throws {
        var s = Settings()
        s.minDue = 2
        let r = try Self.report(settings: s)
        #expect(r.platforms.first { $0.platform == "Q" }?.rank == 1)   // 50%
        #expect(r.platforms.first { $0.platform == "P" }?.rank == 2)   // 33%
        s.minDue = 3
        let only = try Self.report(settings: s)
        #expect(only.platforms.first { $0.platform == "P" }?.rank == 1)
        #expect(only.platforms.first { $0.platform == "Q" }?.rank == nil)
    }

    @Test func deadlineSetting() throws {
        var s = Settings()
        s.deadlineHours = 48
        let r = try Self.report(settings: s)
        // Requested by 2024-08-08 12:00: R1, R2, R3, R5, R6 (08-08 09:00), R7, R10, R11 (not R4).
        #expect(count(r, "takedowns.due") == 8)
        #expect(count(r, "takedowns.within_deadline") == 5)   // R1, R2, R7, R10, R11 (48 h exactly)
        #expect(count(r, "takedowns.overdue") == 2)           // R3, R6
    }

    @Test func fines() throws {
        let plain = FineSchedule(lateKRW: 100, unresolvedKRW: 1000)
        let r = try Self.report(fines: plain)
        #expect(r.platforms.first { $0.platform == "P" }?.fineKRW == 1 * 100 + 3 * 1000)
        #expect(r.platforms.first { $0.platform == "Q" }?.fineKRW == 100)
        #expect(count(r, "fines.total_krw") == 3200)
        // P had a violation in July (R9): August is a repeat month for P, not for Q.
        let repeatSchedule = FineSchedule(lateKRW: 100, unresolvedKRW: 1000, repeatMultiplier: 2, repeatAfterViolations: 1)
        let rr = try Self.report(fines: repeatSchedule)
        #expect(rr.platforms.first { $0.platform == "P" }?.fineKRW == 6200)
        #expect(rr.platforms.first { $0.platform == "Q" }?.fineKRW == 100)
        let capped = FineSchedule(lateKRW: 100, unresolvedKRW: 1000, monthlyCapKRW: 5000, repeatMultiplier: 2)
        #expect(try Self.report(fines: capped).platforms.first { $0.platform == "P" }?.fineKRW == 5000)
    }

    @Test func monthEdgesAndComparisons() throws {
        let r = try Self.report()
        #expect(count(r, "takedowns.requests.prev") == 1)     // R9 only
        #expect(count(r, "takedowns.requests.ytd") == 10)
        #expect(r.metrics["takedowns.requests.change_pct"]?.doubleValue == 800)
        let sep = try Self.report(period: "2024-09")
        #expect(count(sep, "takedowns.requests") == 1)       // R8
        #expect(count(sep, "takedowns.due") == 0)
        #expect(sep.metrics["takedowns.compliance"] == .number(nil))
    }

    @Test func jsonHasTheSpecShape() throws {
        let r = try Self.report()
        guard case .object(let top) = r.json else { Issue.record("not an object"); return }
        #expect(top.map(\.0) == ["period", "as_of", "time_zone", "metrics", "platforms"])
        let text = r.json.rendered()
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let metrics = parsed["metrics"] as! [String: Any]
        #expect(metrics["takedowns.compliance"] as? Double == 0.375)
        #expect((metrics["takedowns.compliance_ci95"] as? [Double])?.count == 2)
        let platforms = parsed["platforms"] as! [[String: Any]]
        #expect(Set(platforms[0].keys) == ["platform", "requests", "due", "within_deadline", "compliance", "compliance_ci95",
                                           "median_hours", "p90_hours", "overdue", "refused", "late", "unresolved", "fine_krw", "rank"])
    }
}
