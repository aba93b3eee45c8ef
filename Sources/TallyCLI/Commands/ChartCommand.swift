import ArgumentParser
import Foundation
import TallyBulletin
import TallyPublication
import TallyCharts
import TallyEngine
import TallyMetrics

/// `tally chart`: draws the charts declared in `Charts/*.yaml` from the store's figures,
/// as PNG, SVG or PDF, with Korean or English text.
struct ChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Draw a chart of the figures from a spec (Charts/*.yaml) as PNG, SVG or PDF.",
        discussion: """
        A spec names the chart's kind (bars, stacked_bars, lines, ranked_bars,
        histogram, small_multiples, revisions), the figure ids it plots and its title, subtitle, note and source
        in Korean and English (Charts/README.md). The figures are those of `tally
        stats` for the same period, as-of time and settings. The format follows the
        file extension.

        Examples:
          tally chart Charts/victims-monthly.yaml --period 2024-08 --lang ko --out v.png
          tally chart Charts/platform-compliance.yaml --period 2024-08 --out league.pdf
          tally chart --all --period 2024-08 --lang en --out out/charts --format svg
        """)

    @Argument(help: ArgumentHelp("A chart spec (YAML). Not with --all.", valueName: "spec"))
    var spec: String?

    @Flag(help: "Draw every spec in --charts (one file per spec in the --out directory).")
    var all = false

    @Option(help: ArgumentHelp("Language of the chart's text: ko or en.", valueName: "lang"))
    var lang: Language = .en

    @Option(help: ArgumentHelp("Output file (.png, .svg or .pdf); with --all, a directory.", valueName: "path"))
    var out: String

    @Option(help: ArgumentHelp("With --all: png, svg or pdf (default png).", valueName: "format"))
    var format: ChartFormat?

    @Option(help: ArgumentHelp("Resolution of PNG output (a chart is 600 × 380 pt; 144 dpi gives 1200 px).", valueName: "n"))
    var dpi: Double = 144

    @Option(name: .customLong("charts"), help: ArgumentHelp("With --all: the folder of specs.", valueName: "dir"))
    var chartsDir = "Charts"

    @Flag(help: "Print the time each chart took on stderr.")
    var timing = false

    @OptionGroup var options: MetricsOptions

    func validate() throws {
        if all && spec != nil { throw ValidationError("give a spec or --all, not both") }
        if !all && spec == nil { throw ValidationError("give a spec (Charts/NAME.yaml) or --all") }
        if !(dpi >= 18 && dpi <= 1200) { throw ValidationError("--dpi must be between 18 and 1200") }
        if !all && ChartFormat(path: out) == nil { throw ValidationError("--out must end in .png, .svg or .pdf: \(out)") }
        if !all && format != nil { throw ValidationError("--format goes with --all; for one chart the extension of --out decides") }
    }

    func run() throws {
        let start = DispatchTime.now()
        let language = lang
        // Specs first: a mistake in one is reported before any figure is computed.
        var jobs: [(ChartSpec, String, ChartFormat)] = []
        if all {
            let files = try specFiles()
            let fmt = format ?? .png
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: out, isDirectory: &isDir) {
                do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                    throw CLIError("cannot create the folder \(out): \(error.localizedDescription)")
                }
            } else if !isDir.boolValue {
                throw CLIError("--out \(out) is a file; with --all it must be a folder")
            }
            for f in files {
                let s = try loadSpec(f)
                jobs.append((s, out + "/" + s.name + "-" + lang.rawValue + "." + fmt.rawValue, fmt))
            }
        } else {
            jobs.append((try loadSpec(spec!), out, ChartFormat(path: out)!))
        }

        let context = try makeContext()
        // With --all, the charts of decisions only when the store holds decisions (and the
        // others only when it holds other records), so that a store of one kind gets no empty charts.
        if all {
            let report = try context.main
            let hasDecisions = report.decisionPlatforms != nil
            let hasOthers = report.metrics["victims.total"]?.countValue != 0 || report.metrics["arrests.total"]?.countValue != 0
                || report.metrics["takedowns.requests"]?.countValue != 0
            // Quietly: stderr is for errors (one line), stdout lists the files written.
            jobs = jobs.filter { $0.0.needsDecisions ? hasDecisions : hasOthers }
        }
        for (s, path, fmt) in jobs {
            let t0 = DispatchTime.now()
            let chart = try ChartBuilder.chart(s, context, lang: language)
            try chart.write(to: path, format: fmt, dpi: dpi)
            if timing { FileHandle.standardError.write(Data("\(path): \(ms(t0)) ms\n".utf8)) }
            Terminal.print(path)
        }
        if timing { FileHandle.standardError.write(Data("total: \(ms(start)) ms\n".utf8)) }
    }

    func ms(_ t: DispatchTime) -> String {
        String((Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e5).rounded() / 10)
    }

    func specFiles() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: chartsDir) else {
            throw CLIError("cannot read the chart folder \(chartsDir) (give --charts DIR)")
        }
        // bulletin.yaml and dsa-bulletin.yaml are bulletins' layouts (tally bulletin), not chart specs.
        let files = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasSuffix("bulletin.yaml") }.sorted().map { chartsDir + "/" + $0 }
        if files.isEmpty { throw CLIError("no chart specs (*.yaml) in \(chartsDir)") }
        return files
    }

    func loadSpec(_ file: String) throws -> ChartSpec {
        try ChartSpec.load(file)
    }

    /// The figures' inputs as `tally stats` reads them (MetricsOptions), kept in a context
    /// shared by every chart of the call.
    func makeContext() throws -> ChartContext {
        let i = try options.inputs()
        let period = i.period
        let context = ChartContext(tables: i.tables, period: period, asOf: i.asOf, settings: i.settings, fines: i.fines,
                                   suppress: !options.noSuppress)
        // Revisions charts: the triangle from the store's vintages, as `tally revisions` computes it.
        let store = i.store, settings = i.settings, fines = i.fines, useCache = !options.noCache
        context.revisionTriangle = { figure, months in
            let columns = try Revisions.vintages(store, .all)
            return try Revisions.triangles(store, months: months, figures: [figure], vintages: columns,
                                           settings: settings, fines: fines, useCache: useCache)[0]
        }
        let report: StatsReport
        report = try context.main
        if report.metrics["victims.total"]?.countValue == 0 && report.metrics["arrests.total"]?.countValue == 0
            && report.metrics["takedowns.requests"]?.countValue == 0 && (report.metrics["decisions.total"]?.countValue ?? 0) == 0 {
            throw CLIError("no records in \(period.label) in the store \(options.store.path) (tally status shows what it holds)")
        }
        return context
    }
}
