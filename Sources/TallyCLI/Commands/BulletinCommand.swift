import ArgumentParser
import Foundation
import TallyBulletin
import TallyPublication
import TallyCharts
import TallyEngine
import TallyMetrics
import TallySpark
import TallyStore

/// `tally bulletin`: the period's statistical bulletin as a PDF (Korean or English), with
/// its charts (PNG, SVG), tables (CSV) and a manifest of every figure printed.
struct BulletinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "Write the statistical bulletin of a period as a PDF, with charts, tables and a manifest.",
        discussion: """
        Writes DIR/bulletin-<period>-<lang>.pdf (A4; cover and contents, main
        points, victims, arrests, platform compliance, fines, methodology, sources,
        revisions) and DIR/index-<lang>.html (the same content as one accessible,
        self-contained web page: inline SVG charts with text alternatives and data
        tables; --format pdf|html|both, default both), and alongside them
        DIR/charts/*.png|svg, DIR/tables/*.csv and DIR/manifest.json, which lists every figure printed with its id, value and
        definition; `tally verify DIR/manifest.json` recomputes them. The layout and
        texts come from Charts/bulletin.yaml. Same store, settings and
        SOURCE_DATE_EPOCH: the same bytes.

        Examples:
          tally bulletin --period 2024-08 --lang ko --out out/bulletin
          SOURCE_DATE_EPOCH=1725148800 tally bulletin --period 2024-Q3 --lang en --out out/q3
          tally bulletin --period 2024-08 --lang en --out out/spark --engine spark --input 'in/*.csv'

        With --engine spark, Apache Spark computes the figures and the charts'
        data from the --input files (no store: no vintage, no revisions); verify
        it with `tally verify` against a store loaded from the same files.
        """)

    @Option(help: ArgumentHelp("Language of the bulletin: ko or en.", valueName: "lang"))
    var lang: Language = .ko

    @Option(help: ArgumentHelp("Output folder (created when missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Layout and texts (default: Charts/bulletin.yaml).", valueName: "file"))
    var spec: String = BulletinSpec.defaultFile

    @Option(help: ArgumentHelp("What to write: pdf, html (index-<lang>.html) or both.", valueName: "format"))
    var format: BulletinFormat = .both

    @Flag(name: .customLong("pdf-only"), help: "Write only the PDF (no HTML, charts, tables or manifest).")
    var pdfOnly = false

    @Flag(help: "Print the time taken on stderr.")
    var timing = false

    @OptionGroup var options: MetricsOptions

    func validate() throws {
        if pdfOnly && format == .html { throw ValidationError("--pdf-only writes the PDF alone: it cannot go with --format html") }
        if options.noSuppress { throw ValidationError("a bulletin is for publication: --no-suppress is not allowed") }
    }

    func run() throws {
        let start = DispatchTime.now()
        let bulletinSpec: BulletinSpec
        bulletinSpec = try BulletinSpec.load(spec)
        if options.engine.engine == .spark {
            try runSpark(bulletinSpec)
            if timing {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
                FileHandle.standardError.write(Data("bulletin: \(Int(ms.rounded())) ms\n".utf8))
            }
            return
        }
        let i = try options.inputs()
        var input = BulletinInput(tables: i.tables, period: i.period, asOf: i.asOf, settings: i.settings, fines: i.fines,
                                  provenance: try i.store.provenance(vintage: i.vintage.batch), spec: bulletinSpec,
                                  lang: lang, outDir: out, sourceDateEpoch: Bulletin.sourceDateEpochFromEnvironment)
        input.extras = !pdfOnly
        input.vintage = i.vintage
        // The default as-of time found once (a scan of every request), for the bulletin and
        // its revisions alike.
        input.asOf = i.asOf ?? StatsReport.latestInstant(i.tables.takedowns)
        let asOf = input.asOf ?? StatsReport.defaultAsOf(i.tables.takedowns, period: i.period, zone: i.settings.zone)
        input.revisions = try BulletinRevisions.compute(store: i.store, period: i.period, vintage: i.vintage.batch, asOf: asOf,
                                                        tables: i.tables, settings: i.settings, fines: i.fines, useCache: !options.noCache)
        input.format = pdfOnly ? .pdf : format
        let result = try Bulletin.write(input)
        if !result.pdf.isEmpty { Terminal.print("\(result.pdf) (\(result.pages) pages, \(result.figures) figures)") }
        if let html = result.html { Terminal.print("\(html) (\(result.figures) figures)") }
        if !pdfOnly {
            let documents = (result.pdf.isEmpty ? 0 : 1) + (result.html == nil ? 0 : 1)
            Terminal.print("\(out)/manifest.json, \(result.files.count - documents - 1) charts and tables")
            // The store records the bulletin, so that the next one can list what was revised since.
            do {
                try BulletinRevisions.record(storePath: options.store.path, period: i.period, lang: lang,
                                             vintage: i.vintage.batch, asOf: asOf, manifest: out + "/manifest.json")
            } catch {
                FileHandle.standardError.write(Data("tally: note: the bulletin was not recorded in the store as a publication (\(error)); the next bulletin will not list revisions since this one\n".utf8))
            }
        }
        if timing {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            let pass = String(format: "%d pass%@ over the takedowns, %.0f ms, holding %.1f MB", result.takedownPasses,
                              result.takedownPasses == 1 ? "" : "es", result.takedownPassSeconds * 1000, Double(result.takedownPassBytes) / 1e6)
            FileHandle.standardError.write(Data("bulletin: \(Int(ms.rounded())) ms (\(pass))\n".utf8))
        }
    }

    /// `--engine spark`: the figures, the months monthly charts show and the histograms'
    /// populations computed by Spark from the --input files (one job), then the same bulletin.
    /// No store: no vintage, no revisions, and the bulletin is not recorded as a publication.
    func runSpark(_ bulletinSpec: BulletinSpec) throws {
        let charts = bulletinSpec.sections.flatMap(\.charts)
        let (report, run, job) = try options.sparkRun(charts: charts)
        for f in run.files where f.status == "read" && f.sha256 == nil {
            throw CLIError("\(f.name): Spark did not report its SHA-256; the bulletin's sources need it")
        }
        let empty = RecordTables(arrests: Table([]), victims: Table([]), takedowns: Table([]))
        var input = BulletinInput(tables: empty, period: report.period, asOf: run.asOf, settings: report.settings, fines: report.fines,
                                  provenance: run.provenance, spec: bulletinSpec, lang: lang, outDir: out,
                                  sourceDateEpoch: Bulletin.sourceDateEpochFromEnvironment)
        input.chartSource = SparkChartSource(job: job, run: run, report: report)
        input.engine = BulletinEngine(name: "spark", displayName: "Apache Spark \(run.sparkVersion)", version: run.sparkVersion, master: run.master)
        input.extras = !pdfOnly
        input.format = pdfOnly ? .pdf : format
        let result: BulletinResult
        do { result = try Bulletin.write(input) } catch let e as SparkError { throw CLIError(e.description) }
        if !result.pdf.isEmpty { Terminal.print("\(result.pdf) (\(result.pages) pages, \(result.figures) figures)") }
        if let html = result.html { Terminal.print("\(html) (\(result.figures) figures)") }
        if !pdfOnly {
            let documents = (result.pdf.isEmpty ? 0 : 1) + (result.html == nil ? 0 : 1)
            Terminal.print("\(out)/manifest.json, \(result.files.count - documents - 1) charts and tables")
        }
        Terminal.print("Figures computed by Apache Spark \(run.sparkVersion) (master \(run.master)) in \(FigureFormat.fixed(run.seconds, 1)) s"
                       + (run.quarantineOut.map { "; quarantined rows (JSON lines, written by Spark): \($0)" } ?? ""))
    }
}
