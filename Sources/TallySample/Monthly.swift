import Foundation
import TallyFiles
import TallyTime

/// The year as an agency sends it: one export a month, each with that month's new records
/// and updates to earlier ones, a few correction batches and one file sent by mistake.
///
/// The exports are derived from the finished year (the rows of `*-2024.csv`), so that when
/// every month is loaded in order (corrections with `--revise`, the retraction applied) each
/// record's current version is exactly its row in the year's files. Earlier versions are
/// what was known at each extraction:
/// - month M's export is extracted on the 6th of M+1 at 09:00 Seoul (December's on
///   2025-01-06 09:00, the year files' extraction time);
/// - a takedown resolved after its month's extraction is `pending` (no `resolved_at`) in that
///   export and repeated, resolved, in the first export extracted after its resolution;
/// - some victims' age, region or further services, and some arrests' suspect age or
///   confession, are blank at first and filled in one or two exports later (never later
///   than December's);
/// - a few arrests are first exported with a wrong offense, date, age or agency and
///   corrected in a correction batch (`corrections/`, loaded with `--revise --reason`);
/// - June brings a test file of invented victims by mistake, retracted in July.
struct MonthlyPlan {
    /// One month's folder: the export files and what else is loaded with it.
    struct Month {
        var exports: [String: [String]] = [:]      // file name → data rows (header added on write)
        var corrections: [String: [String]] = [:]
        var correctionReason: String?
        var retractions: [(file: String, reason: String)] = []
    }

    var months = [Month](repeating: Month(), count: 12)
    /// What the plan did, for the summary the generator prints.
    var counts: [String: Int] = [:]

    static let testFile = "victims-2024-06-test.csv"
    static let corrections: [(month: Int, from: ClosedRange<Int>, count: Int, reason: String)] = [
        (5, 2...4, 3, "Agency audit of February–April arrests: offense, date, age or agency entered wrongly"),
        (10, 6...9, 4, "Agency audit of June–September arrests: offense, date, age or agency entered wrongly"),
    ]

    /// The UTC second month `m` (1–12) of the sample year is extracted at: the 6th of the next
    /// month, 09:00 Seoul (00:00 UTC).
    static func extraction(_ m: Int) -> Int64 {
        let y = Profiles.year + m / 12, next = m % 12 + 1
        return Int64(CivilDate.days(year: y, month: next, day: 6)) * 86_400
    }

    init(arrests: [String], victims: [String], takedowns: [String], seed: UInt64) {
        var rng = Random(seed: seed &+ 4)
        func add(_ kind: String, _ m: Int, _ row: String) {
            self.months[m - 1].exports["\(kind)-2024-\(pad(m, 2)).csv", default: []].append(row)
        }
        /// The month a later version is sent in: one or two exports after `m`, December at the latest.
        func later(_ m: Int, _ rng: inout Random) -> Int { min(12, m + 1 + (rng.chance(0.3) ? 1 : 0)) }

        // Takedowns: pending at the month's extraction, resolved in a later export.
        for row in takedowns {
            var f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let m = Self.localMonth(f[6])
            if f[8] != "pending", let resolved = Self.utcSeconds(f[7]), resolved > Self.extraction(m) {
                let k = (m + 1...12).first { resolved <= Self.extraction($0) }!
                add("takedowns", k, row)
                f[7] = ""; f[8] = "pending"
                add("takedowns", m, f.joined(separator: ","))
                counts["takedowns resolved in a later export", default: 0] += 1
            } else {
                add("takedowns", m, row)
            }
        }

        // Victims: age, region and further services filled in later.
        for row in victims {
            var f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let m = Int(f[1].dropFirst(5).prefix(2))!
            var late = false
            if m < 12 {
                if !f[2].isEmpty && rng.chance(0.10) { f[2] = ""; late = true }
                if !f[6].isEmpty && rng.chance(0.06) { f[6] = ""; late = true }
                let services = f[5].split(separator: ";")
                if services.count >= 2 && rng.chance(0.10) { f[5] = String(services[0]); late = true }
            }
            if late {
                add("victims", m, f.joined(separator: ","))
                add("victims", later(m, &rng), row)
                counts["victims completed in a later export", default: 0] += 1
            } else {
                add("victims", m, row)
            }
        }

        // Arrests: a few corrected, some completed later.
        let arrestMonths = arrests.indices.map { Int(Self.fields($0, arrests)[1].dropFirst(5).prefix(2))! }
        var corrected: [Int: (row: String, batch: Int)] = [:]
        for (b, c) in Self.corrections.enumerated() {
            let candidates = arrests.indices.filter {
                c.from.contains(arrestMonths[$0]) && Self.fields($0, arrests)[4] != ""  // a known age to mistype
            }
            for i in rng.sample(c.count, of: candidates.count).sorted() {
                let n = candidates[i]
                var f = Self.fields(n, arrests)
                switch corrected.count % 4 {
                case 0: f[3] = Profiles.offenses.map(\.0).first { $0 != f[3] }!
                case 1:                                          // the day typed ten days early
                    let d = CivilDate.days(year: Int(f[1].prefix(4))!, month: arrestMonths[n], day: Int(f[1].suffix(2))!)
                    f[1] = CivilDate.isoString(days: d - 10)
                case 2: f[4] = String(String(f[4].reversed()) == f[4] ? Int(f[4])! + 10 : Int(String(f[4].reversed()))!)
                default: f[2] = f[2] == "Seoul" ? "Busan" : "Seoul"
                }
                corrected[n] = (f.joined(separator: ","), b)
            }
        }
        for (n, row) in arrests.enumerated() {
            let m = arrestMonths[n]
            if let c = corrected[n] {
                add("arrests", m, c.row)
                let batch = Self.corrections[c.batch]
                self.months[batch.month - 1].corrections["arrests-2024-\(pad(batch.month, 2))-corrections.csv", default: []].append(row)
                self.months[batch.month - 1].correctionReason = batch.reason
                counts["arrests corrected", default: 0] += 1
                continue
            }
            var f = Self.fields(n, arrests)
            var late = false
            if m < 12 {
                if !f[4].isEmpty && rng.chance(0.04) { f[4] = ""; late = true }
                if !f[7].isEmpty && rng.chance(0.12) { f[7] = ""; late = true }
            }
            if late {
                add("arrests", m, f.joined(separator: ","))
                add("arrests", later(m, &rng), row)
                counts["arrests completed in a later export", default: 0] += 1
            } else {
                add("arrests", m, row)
            }
        }

        // June: a test file of invented victims sent by mistake; July retracts it.
        var test: [String] = []
        for (i, day) in (0..<15).map({ _ in rng.int(1...30) }).sorted().enumerated() {
            test.append("V24-T\(pad(i + 1, 5)),2024-06-\(pad(day, 2)),\(rng.int(14...17)),female,website,deletion,Seoul")
        }
        self.months[5].exports[Self.testFile] = test
        self.months[6].retractions = [(Self.testFile, "Test records of the support centre's new case system, sent by mistake")]
        counts["victims in the retracted test file"] = test.count

        // Every file in key order, as the agencies' systems list them.
        for m in self.months.indices {
            for k in self.months[m].exports.keys { self.months[m].exports[k]!.sort { Self.key($0) < Self.key($1) } }
            for k in self.months[m].corrections.keys { self.months[m].corrections[k]!.sort { Self.key($0) < Self.key($1) } }
        }
    }

    static func fields(_ n: Int, _ rows: [String]) -> [String] {
        // Agency names with a space are quoted; none holds a comma.
        rows[n].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    static func key(_ row: String) -> Substring { row.prefix { $0 != "," } }

    /// The local (Seoul) month of a timestamp as the generator spells it.
    static func localMonth(_ text: String) -> Int {
        let local = utcSeconds(text)! + Profiles.seoulOffset
        return CivilDate.civil(days: Int(floorDiv(local, 86_400))).month
    }

    /// Whole UTC seconds of `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+09:00]` (no suffix: Seoul time).
    static func utcSeconds(_ text: String) -> Int64? {
        let c = Array(text.utf8)
        guard c.count >= 19 else { return nil }
        func num(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(c[$1] - 48) } }
        let days = CivilDate.days(year: num(0..<4), month: num(5..<7), day: num(8..<10))
        let wall = Int64(days) * 86_400 + Int64(num(11..<13) * 3600 + num(14..<16) * 60 + num(17..<19))
        return text.hasSuffix("Z") ? wall : wall - Profiles.seoulOffset
    }

    /// Writes `monthly/2024-MM/…` under `out`; returns the files written with their row counts.
    func write(to out: String) throws -> [(path: String, rows: Int)] {
        var written: [(String, Int)] = []
        for (i, month) in months.enumerated() {
            let dir = (out as NSString).appendingPathComponent("monthly/2024-\(pad(i + 1, 2))")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            func csv(_ name: String, _ rows: [String], in folder: String) throws {
                let kind = String(name.prefix { $0 != "-" })
                let header = kind == "arrests" ? Header.arrests : kind == "victims" ? Header.victims : Header.takedowns
                let path = (folder as NSString).appendingPathComponent(name)
                try AtomicFile.write(([header.joined(separator: ",")] + rows).map { $0 + "\n" }.joined(), to: path, mode: 0o644)
                written.append((path, rows.count))
            }
            for (name, rows) in month.exports.sorted(by: { $0.key < $1.key }) { try csv(name, rows, in: dir) }
            if !month.corrections.isEmpty {
                let folder = (dir as NSString).appendingPathComponent("corrections")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for (name, rows) in month.corrections.sorted(by: { $0.key < $1.key }) { try csv(name, rows, in: folder) }
                try AtomicFile.write(month.correctionReason! + "\n", to: (folder as NSString).appendingPathComponent("reason.txt"), mode: 0o644)
            }
            if !month.retractions.isEmpty {
                let text = month.retractions.map { "\($0.file)\t\($0.reason)\n" }.joined()
                try AtomicFile.write(text, to: (dir as NSString).appendingPathComponent("retractions.tsv"), mode: 0o644)
            }
        }
        return written
    }
}
