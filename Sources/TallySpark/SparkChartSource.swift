import TallyCharts
import TallyCore
import TallyMetrics
import TallyTime

/// A bulletin's charts drawn from what Spark computed (`tally bulletin --engine spark`): the
/// period's report, the reports of the months monthly charts show, the record kinds' date
/// ranges, and the histograms' populations, which Spark returns as (group, value, count) rows
/// of the catalogue's `removals` and `decision_flags` — never the records themselves. Each
/// value is the one Tally's engine computes (the same double operation), so bins are the same.
public final class SparkChartSource: ChartSource {
    let job: SparkJob
    let run: SparkRun
    let main: StatsReport
    private var months: [String: StatsReport] = [:]

    public init(job: SparkJob, run: SparkRun, report: StatsReport) {
        self.job = job
        self.run = run
        self.main = report
    }

    public var asOf: Int64 { run.asOf }

    public func report(_ p: Period) throws -> StatsReport {
        if p == job.period { return main }
        if let r = months[p.label] { return r }
        guard let r = try job.monthReport(run, p) else {
            throw SparkError("the Spark job computed no figures for \(p.label), which a chart asks for")
        }
        months[p.label] = r
        return r
    }

    /// As `ChartContext.mayHaveRecords` decides it from loaded tables: the kinds' date ranges,
    /// a day of slack around instants.
    public func mayHaveRecords(_ p: Period) -> Bool {
        guard case .success(let rows)? = run.answers["charts.ranges"], let r = rows.first, r.count == 6 else { return true }
        func day(_ v: FigureSQLValue) -> Int64? {
            guard case .text(let s) = v, s.count == 10, let y = Int(s.prefix(4)),
                  let m = Int(s.dropFirst(5).prefix(2)), let d = Int(s.suffix(2)) else { return nil }
            return Int64(CivilDate.days(year: y, month: m, day: d))
        }
        func micros(_ v: FigureSQLValue) -> Int64? { if case .int(let x) = v { return x } else { return nil } }
        func overlaps(_ lo: Int64?, _ hi: Int64?) -> Bool {
            guard let lo, let hi else { return false }
            return lo <= Int64(p.last) && hi >= Int64(p.first)
        }
        return overlaps(day(r[0]), day(r[1])) || overlaps(day(r[2]), day(r[3]))
            || overlaps(micros(r[4]).map { $0 / 86_400_000_000 - 1 }, micros(r[5]).map { $0 / 86_400_000_000 + 1 })
    }

    /// (group, value, count) rows of a chart statement, as values repeated by their counts,
    /// per group.
    func expanded(_ key: String) throws -> [String: [Double]] {
        guard let answer = run.answers[key] else { throw SparkError("the Spark job did not compute \(key)") }
        var out: [String: [Double]] = [:]
        for row in try answer.get() {
            guard row.count == 3, case .int(let n) = row[2] else { throw SparkError("\(key): a row that is not (group, value, count)") }
            let group: String
            switch row[0] { case .text(let g): group = g; default: continue }
            let value: Double
            switch row[1] {
            case .double(let d): value = d
            case .int(let i): value = Double(i)
            default: continue
            }
            out[group, default: []].append(contentsOf: repeatElement(value, count: Int(n)))
        }
        return out
    }

    public func removalHours(byPlatform: Bool) throws -> [String: [Double]] {
        let per = try expanded("charts.removals")
        if byPlatform { return per }
        let all = per.keys.sorted().flatMap { per[$0]! }
        return all.isEmpty ? [:] : ["": all]
    }

    public func decisionDelays() throws -> (moderationDays: [Double], disclosureHours: [Double]) {
        guard run.holdsDecisions else { return ([], []) }
        let d = try expanded("charts.decision_delays")
        return (d["moderation"] ?? [], d["disclosure"] ?? [])
    }
}
