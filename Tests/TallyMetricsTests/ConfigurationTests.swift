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

    @Test func validSchedule() throws {
        let f = try schedule("deadline_hours: 24\namounts: {late: 10, unresolved: 30}\nmonthly_cap_krw: 100\nrepeat: {multiplier: 2}\n")
        #expect(f.fine(late: 1, unresolved: 1, previousViolations: 0) == 40)
        #expect(f.fine(late: 1, unresolved: 1, previousViolations: 1) == 80)
        #expect(f.fine(late: 10, unresolved: 10, previousViolations: 0) == 100)   // capped
        #expect(f.fine(late: 0, unresolved: 0, previousViolations: 9) == 0)
    }

    @Test(arguments: [
        ("amounts: {late: 1, unresolved: 2}", "missing key 'deadline_hours'"),
        ("deadline_hours: 24\namounts: {late: -1, unresolved: 2}", "key 'amounts.late': expected a whole number of at least 0"),
        ("deadline_hours: 24\namounts: {late: 1, unresolved: 2}\nmonthly_cap: 5", "unknown key 'monthly_cap'"),
        ("deadline_hours: twelve\namounts: {late: 1, unresolved: 2}", "key 'deadline_hours': expected a whole number"),
        ("deadline_hours: 24\namounts: [1, 2]", "key 'amounts': expected a mapping"),
        ("deadline_hours: 24\namounts: {late: 1, unresolved: 2}\nrepeat: {multiplier: 0.5}", "key 'repeat.multiplier': expected a number of at least 1"),
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

    @Test func invalidSettings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml").path
        for (text, message) in [("time_zone: Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
                                ("minor_age_limit: 0", "key 'minor_age_limit': expected a whole number of at least 1"),
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
