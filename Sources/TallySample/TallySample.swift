import ArgumentParser
import Foundation

/// `tally-sample`: writes the shipped sample (`Data/sample/*-2024.csv`) or benchmark data.
@main
struct TallySample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-sample",
        abstract: "Generate synthetic Tally records: the shipped 2024 sample, or benchmark data of any size.",
        discussion: """
        Without size options it writes arrests-2024.csv, victims-2024.csv and takedowns-2024.csv,
        which reproduce the published figures (781 victims January–August 2024, 288 of them
        minors; 387 arrests January–September 2024). The same seed gives the same bytes.

        With --takedowns, --victims or --arrests it writes takedowns.csv, victims.csv or
        arrests.csv of that many rows spread over 2024, for benchmarks. With --decisions it
        writes decisions.csv: that many DSA statements of reasons in the real 37-column
        layout of a daily dump (2024-03-14), with JSON arrays and realistic text lengths.

        Examples:
          tally-sample --out Data/sample
          tally-sample --takedowns 10000000 --victims 1000000 --arrests 100000 --out /tmp/bench
          tally-sample --decisions 10000000 --out /tmp/bench
        """)

    @Option(help: "Directory to write into (created if missing).")
    var out: String

    @Option(help: "Seed of the random generator.")
    var seed: UInt64 = 2024

    @Option(help: "Benchmark mode: number of takedown requests to write.")
    var takedowns: Int?

    @Option(help: "Benchmark mode: number of victims to write.")
    var victims: Int?

    @Option(help: "Benchmark mode: number of arrests to write.")
    var arrests: Int?

    @Option(help: "Benchmark mode: number of DSA statements of reasons (decisions) to write.")
    var decisions: Int?

    @Flag(help: "Benchmark mode: write every timestamp in UTC with Z (for engines that need one format).")
    var utc = false

    @Option(name: .customLong("takedowns-only"), help: ArgumentHelp("Same as --takedowns.", visibility: .hidden))
    var takedownsOnly: Int?

    func validate() throws {
        for case let n? in [takedowns, victims, arrests, takedownsOnly, decisions] where n < 0 {
            throw ValidationError("row counts must be 0 or more")
        }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var gen = Generators(seed: seed)
        gen.utcOnly = utc
        let t = takedowns ?? takedownsOnly
        func file(_ name: String, _ kind: String) -> String { (out as NSString).appendingPathComponent(name) }
        var written: [CSVOut] = []

        if t == nil && victims == nil && arrests == nil && decisions == nil {
            let a = try CSVOut(path: file("arrests-2024.csv", "arrests"), header: Header.arrests)
            gen.arrests(to: a, perMonth: Profiles.arrestsPerMonth)
            let v = try CSVOut(path: file("victims-2024.csv", "victims"), header: Header.victims)
            gen.victims(to: v, perMonth: Profiles.victimsPerMonth, exact: true)
            let d = try CSVOut(path: file("takedowns-2024.csv", "takedowns"), header: Header.takedowns)
            gen.takedowns(to: d, perMonth: Profiles.requestsPerMonth, edges: true)
            written = [a, v, d]
        } else {
            if let n = arrests {
                let a = try CSVOut(path: file("arrests.csv", "arrests"), header: Header.arrests)
                gen.arrests(to: a, perMonth: Generators.spread(n, like: Profiles.arrestsPerMonth))
                written.append(a)
            }
            if let n = victims {
                let v = try CSVOut(path: file("victims.csv", "victims"), header: Header.victims)
                gen.victims(to: v, perMonth: Generators.spread(n, like: Profiles.victimsPerMonth), exact: false)
                written.append(v)
            }
            if let n = t {
                let d = try CSVOut(path: file("takedowns.csv", "takedowns"), header: Header.takedowns)
                gen.takedowns(to: d, perMonth: Generators.spread(n, like: Profiles.requestsPerMonth), edges: false)
                written.append(d)
            }
            if let n = decisions {
                let d = try CSVOut(path: file("decisions.csv", "decisions"), header: DecisionGenerator.header)
                DecisionGenerator(seed: seed).write(to: d, count: n)
                written.append(d)
            }
        }
        for w in written {
            w.finish()
            print("\(w.path): \(w.rows) rows")
        }
        if t == nil && victims == nil && arrests == nil && decisions == nil {
            // The same year as monthly exports (monthly/2024-MM/), derived from the files just written.
            func rows(_ name: String) throws -> [String] {
                try String(contentsOfFile: file(name, ""), encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
            }
            let plan = MonthlyPlan(arrests: try rows("arrests-2024.csv"), victims: try rows("victims-2024.csv"),
                                   takedowns: try rows("takedowns-2024.csv"), seed: seed)
            let files = try plan.write(to: out)
            print("\((out as NSString).appendingPathComponent("monthly")): \(files.count) files, \(files.map(\.rows).reduce(0, +)) rows")
            for (what, n) in plan.counts.sorted(by: { $0.key < $1.key }) { print("  \(what): \(n)") }
        }
    }
}

enum Header {
    static let arrests = ["arrest_id", "arrested_on", "agency", "offense", "suspect_age", "victim_minor", "undercover", "confessed", "proceeds_seized_krw"]
    static let victims = ["victim_id", "contacted_on", "age", "gender", "channel", "services", "region"]
    static let takedowns = ["request_id", "platform", "platform_origin", "content_kind", "requested_by", "detected_by", "requested_at", "resolved_at", "outcome"]
}
