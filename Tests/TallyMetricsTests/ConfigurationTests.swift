import Foundation
import Testing
@testable import TallyMetrics

/// Settings and fine schedules are validated with errors naming the file and the key.
@Suite struct ConfigurationTests {
    func schedule(_ text: String) throws -> FineSchedule {
        try FineSchedule.parse(YAMLDocument(file: "fines.yaml", text: text))
    }

    @Test func shippedFilesLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let s = try Settings.load(root.appendingPathComponent("Data/settings.yaml").path)
        #expect(s.minorAgeLimit == 19 && s.deadlineHours == 24 && s.timeZone == "Asia/Seoul" && s.minDue == 30)
        let f = try FineSchedule.load(try #require(s.finesFile))
        #expect(f.deadlineHours == s.deadlineHours)
        #expect(f.note?.contains("ILLUSTRATIVE") == true)
    }

    /// Found by `make fuzz`: Yams's constructor trapped on a mapping key that is not plain
    /// text. Now an error naming the file and the line.
    @Test(arguments: [("? [a, b]\n: 3\n", 1), ("deadline_hours: 24\nx: {[y]: 1}\n", 2),
                      ("a: &k [1]\n? *k\n: 2\n", 1), ("- {? {a: 1} : 2}\n", 1)])
    func nonScalarKeysAreAnErrorNotATrap(text: String, line: Int) {
        do {
            _ = try YAMLDocument(file: "spec.yaml", text: text)
            Issue.record("accepted \(text)")
        } catch let e as YAMLError {
            #expect(e.description.hasPrefix("spec.yaml: "), "\(e)")
            #expect(e.description.contains("not plain text") || e.description.contains("expected a mapping"), "\(e)")
            if e.description.contains("not plain text") { #expect(e.description.contains("line \(line)"), "\(e)") }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func validSchedule() throws {
        let f = try schedule("deadline_hours: 24\namounts: {late: 10, unresolved: 30}\nmonthly_cap_krw: 100\nrepeat: {multiplier: 2}\n")
        #expect(f.fine(late: 1, unresolved: 1, previousViolations: 0) == 40)
        #expect(f.fine(late: 1, unresolved: 1, previousViolations: 1) == 80)
        #expect(f.fine(late: 10, unresolved: 10, previousViolations: 0) == 100)   // capped
        #expect(f.fine(late: 0, unresolved: 0, previousViolations: 9) == 0)
    }

    @Test(arguments: [
        ("amounts: {late: 1, unresolved: 2}", "missing key 'deadline_hours'"),
        ("deadline_hours: 24\namounts: {late: -1, unresolved: 2}", "key 'amounts.late': expected a whole number from 0 to 1000000000000000, not -1"),
        ("deadline_hours: 24\namounts: {late: 1, unresolved: 2}\nmonthly_cap: 5", "unknown key 'monthly_cap'"),
        ("deadline_hours: twelve\namounts: {late: 1, unresolved: 2}", "key 'deadline_hours': expected a whole number"),
        ("deadline_hours: 24\namounts: [1, 2]", "key 'amounts': expected a mapping"),
        ("deadline_hours: 24\namounts: {late: 1, unresolved: 2}\nrepeat: {multiplier: 0.5}", "key 'repeat.multiplier': expected a number from 1.0 to 100.0, not 0.5"),
        ("deadline_hours: [24", "not valid YAML"),
        ("- 1\n- 2", "expected a mapping of keys to values at the top"),
    ])
    func invalidSchedules(_ text: String, _ message: String) {
        do {
            _ = try schedule(text)
            Issue.record("accepted: \(text)")
        } catch let e as YAMLError {
            #expect(e.description.hasPrefix("fines.yaml: "))
            #expect(e.description.contains(message), "\(e.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Bounds checked when a schedule is read: each bound itself is accepted, one past it
    /// (or a value that is not a finite number) is refused with the key and the value.
    @Test(arguments: [
        ("amounts: {late: 1000000000000001, unresolved: 2}", "key 'amounts.late': expected a whole number from 0 to 1000000000000000, not 1000000000000001"),
        ("amounts: {late: 9000000000000000000, unresolved: 2}", "key 'amounts.late': expected a whole number from 0 to 1000000000000000, not 9000000000000000000"),
        ("amounts: {late: 1, unresolved: 1000000000000001}", "key 'amounts.unresolved': expected a whole number from 0 to 1000000000000000, not 1000000000000001"),
        ("amounts: {late: 1, unresolved: 2}\nmonthly_cap_krw: 1000000000000001", "key 'monthly_cap_krw': expected a whole number from 0 to 1000000000000000, not 1000000000000001"),
        ("amounts: {late: 1, unresolved: 2}\nrepeat: {multiplier: .nan}", "key 'repeat.multiplier': expected a finite number from 1.0 to 100.0, not .nan"),
        ("amounts: {late: 1, unresolved: 2}\nrepeat: {multiplier: .inf}", "key 'repeat.multiplier': expected a finite number from 1.0 to 100.0, not .inf"),
        ("amounts: {late: 1, unresolved: 2}\nrepeat: {multiplier: 100.5}", "key 'repeat.multiplier': expected a number from 1.0 to 100.0, not 100.5"),
        ("amounts: {late: 1, unresolved: 2}\nrepeat: {multiplier: '2'}", "key 'repeat.multiplier': expected a number from 1.0 to 100.0, not '2'"),
    ])
    func scheduleBounds(_ text: String, _ message: String) {
        do {
            _ = try schedule("deadline_hours: 24\n" + text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)" == "fines.yaml: " + message)
        }
    }

    @Test func scheduleBoundsThemselvesLoad() throws {
        let f = try schedule("deadline_hours: 8760\namounts: {late: 1000000000000000, unresolved: 0}\nmonthly_cap_krw: 1000000000000000\nrepeat: {multiplier: 100}\n")
        #expect(f.lateKRW == FineSchedule.maxKRW && f.unresolvedKRW == 0 && f.monthlyCapKRW == FineSchedule.maxKRW && f.repeatMultiplier == 100)
        #expect(throws: YAMLError.self) { try schedule("deadline_hours: 8761\namounts: {late: 1, unresolved: 2}") }
        let low = try schedule("deadline_hours: 1\namounts: {late: 0, unresolved: 0}\nrepeat: {multiplier: 1}\n")
        #expect(low.fine(late: 5, unresolved: 5, previousViolations: 5) == 0)
    }

    /// Fines beyond Int64: the cap when there is one (the exact fine is above it), else nil
    /// (not computable); never a trap. Expected values worked by hand.
    @Test func finesNearTheInt64Limit() throws {
        let top = try schedule("deadline_hours: 24\namounts: {late: 1000000000000000, unresolved: 1000000000000000}\n")
        #expect(top.fine(late: 9_223, unresolved: 0, previousViolations: 0) == 9_223_000_000_000_000_000)
        #expect(top.fine(late: 9_224, unresolved: 0, previousViolations: 0) == nil)            // 9.224e18 > Int64.max
        #expect(top.fine(late: 5_000, unresolved: 5_000, previousViolations: 0) == nil)        // each fits, the sum does not
        #expect(top.fine(late: Int.max, unresolved: 0, previousViolations: 0) == nil)
        let capped = try schedule("deadline_hours: 24\namounts: {late: 1000000000000000, unresolved: 1}\nmonthly_cap_krw: 7\nrepeat: {multiplier: 100}\n")
        #expect(capped.fine(late: Int.max, unresolved: Int.max, previousViolations: 0) == 7)
        #expect(capped.fine(late: 9_224, unresolved: 0, previousViolations: 1) == 7)
        let repeated = try schedule("deadline_hours: 24\namounts: {late: 1000000000000000, unresolved: 0}\nrepeat: {multiplier: 100}\n")
        #expect(repeated.fine(late: 92, unresolved: 0, previousViolations: 1) == 9_200_000_000_000_000_000)  // 92e15 × 100
        #expect(repeated.fine(late: 93, unresolved: 0, previousViolations: 1) == nil)                        // 9.3e18
        #expect(repeated.fine(late: 93, unresolved: 0, previousViolations: 0) == 93_000_000_000_000_000)    // no repeat month
    }

    @Test func settingsBounds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml").path
        for (text, message) in [("deadline_hours: 9223372036854775807", "key 'deadline_hours': expected a whole number from 1 to 8760, not 9223372036854775807"),
                                ("minor_age_limit: 151", "key 'minor_age_limit': expected a whole number from 1 to 150, not 151")] {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            do { _ = try Settings.load(file); Issue.record("accepted \(text)") } catch { #expect("\(error)" == file + ": " + message) }
        }
        try "deadline_hours: 8760\nminor_age_limit: 150".write(toFile: file, atomically: true, encoding: .utf8)
        let s = try Settings.load(file)
        #expect(s.deadlineHours == 8760 && s.minorAgeLimit == 150)
    }

    @Test func invalidSettings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml").path
        for (text, message) in [("time_zone: Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
                                ("minor_age_limit: 0", "key 'minor_age_limit': expected a whole number from 1 to 150, not 0"),
                                ("min_due: 30\nmin-due: 3", "unknown key 'min-due'")] {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(throws: YAMLError.self) { try Settings.load(file) }
            do { _ = try Settings.load(file) } catch { #expect("\(error)".contains(message), "\(error)") }
        }
        try "fines: other.yaml\nminor_age_limit: 18".write(toFile: file, atomically: true, encoding: .utf8)
        let s = try Settings.load(file)
        #expect(s.minorAgeLimit == 18 && s.finesFile == dir.appendingPathComponent("other.yaml").path)
    }

    @Test func missingFileSaysWhereItLooked() {
        do {
            _ = try Settings.load("no/such/settings.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect("\(error)".hasPrefix("no/such/settings.yaml: no such file (relative to "), "\(error)")
        }
    }
}
