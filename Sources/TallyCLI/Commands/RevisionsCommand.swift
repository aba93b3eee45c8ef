import ArgumentParser
import Foundation
import TallyBulletin
import TallyPublication
import TallyCore
import TallyEngine
import TallyMetrics
import TallyStore

/// `tally revisions`: the revisions triangle of the headline figures (revisions.md).
struct RevisionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revisions",
        abstract: "How figures of each month changed as records arrived: a revisions triangle per figure.",
        discussion: """
        One row per month from --from to --to, one column per vintage (every batch,
        or with --vintages published the vintages bulletins were published at, and
        the latest). A cell is the month's figure as computed at that vintage, with
        that vintage's default as-of time ("as at publication"); empty (·) where the
        month had no record of the figure's kind yet (victims, arrests, takedown
        requests). Per month: the first estimate (first vintage with such records),
        the latest and the revision latest − first; per figure the mean
        revision and the mean absolute revision over the months that have both.
        Default figures: \(Revisions.defaultFigures.joined(separator: ", ")).

        Examples:
          tally revisions --from 2024-01 --to 2024-12
          tally revisions --from 2024-06 --to 2024-08 --metric takedowns.compliance --format json
          tally revisions --from 2024-01 --to 2024-12 --vintages published --format csv
        """)

    @Option(help: ArgumentHelp("First month, YYYY-MM.", valueName: "month"))
    var from: String

    @Option(help: ArgumentHelp("Last month, YYYY-MM.", valueName: "month"))
    var to: String

    @Option(name: .customLong("metric"), help: ArgumentHelp("A figure id (repeatable; default: the headline counts and shares).", valueName: "id"))
    var metrics: [String] = []

    @Option(help: ArgumentHelp("Columns: all (every batch) or published (the vintages of recorded bulletins, and the latest).", valueName: "all|published"))
    var vintages: String = "all"

    @Option(help: "Output format: text, json or csv.")
    var format: TableFormat = .text

    @OptionGroup var settingsOptions: SettingsOptions

    @Flag(help: "Read the store's records from SQLite, not the columnar cache.")
    var noCache = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if Revisions.Columns(rawValue: vintages) == nil { throw ValidationError("--vintages must be all or published, not '\(vintages)'") }
    }

    func run() throws {
        let (s, schedule) = try settingsOptions.resolved()
        let st = try store.open(.read)
        let months = try Revisions.months(from: from, to: to)
        let columns = try Revisions.vintages(st, Revisions.Columns(rawValue: vintages)!)
        let triangles = try Revisions.triangles(st, months: months, figures: metrics.isEmpty ? Revisions.defaultFigures : metrics,
                                                vintages: columns, settings: s, fines: schedule, useCache: !noCache)
        switch format {
        case .json: print(Revisions.json(triangles, settings: s).rendered())
        case .csv: print(Revisions.csv(triangles))
        case .text: Terminal.print(text(triangles, s))
        }
    }

    func text(_ triangles: [RevisionTriangle], _ s: Settings) -> String {
        guard let first = triangles.first else { return "" }
        var out = ["Revisions \(from) to \(to) · time zone \(s.timeZone) · each vintage at its default as-of time (as at publication)",
                   "Vintages: " + first.vintages.map { "\($0.batch)" + ($0.finishedAt.map { " (\($0))" } ?? "") }.joined(separator: ", ")]
        for t in triangles {
            out.append("")
            out.append(t.figure)
            let header = ["MONTH"] + t.vintages.map { "B\($0.batch)" } + ["FIRST", "LATEST", "REVISION"]
            let rows = t.months.indices.map { m -> [String] in
                let f = t.first(m)
                return [t.months[m].label] + t.cells[m].map { $0 == .noData ? "·" : Revisions.text(t.figure, $0.value) }
                    + [f.map { Revisions.text(t.figure, $0.value) + " (B\(t.vintages[$0.column].batch))" } ?? "–",
                       Revisions.text(t.figure, t.latest(m)), Revisions.revisionText(t.figure, t.revision(m))]
            }
            out.append(Format.table(header, rows, rightAligned: Set(1..<header.count)))
            out.append("mean revision \(Revisions.revisionText(t.figure, t.meanRevision)), mean absolute revision "
                       + "\(Revisions.revisionText(t.figure, t.meanAbsoluteRevision).replacingOccurrences(of: "+", with: "")) over \(t.revisions.count) month\(t.revisions.count == 1 ? "" : "s")")
        }
        out.append("")
        out.append("· no record of the figure's kind in the month yet at that vintage; – not computable")
        return out.joined(separator: "\n")
    }
}
