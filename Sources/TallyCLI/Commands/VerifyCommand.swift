import ArgumentParser
import Foundation
import TallyBulletin
import TallyPublication
import TallyEngine

/// `tally verify`: recomputes every figure of a bulletin's manifest from the store.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every figure of a bulletin's manifest.json from the store with figure SQL and compare.",
        discussion: """
        Uses the manifest's period, as-of time, settings, fine schedule and vintage
        (what was known when it was published: later loads, updates, corrections
        and retractions do not change it) and recomputes each figure with the
        figure catalogue's SQL over the store's record tables (not the engine that
        made the bulletin, not its cache; tally figures --sql ID prints that SQL),
        reporting each as matching or differing; checks the SHA-256 of every file
        of the bulletin (PDFs, charts, tables) against the manifest. Exit status 1
        when any figure or file differs.

        A bulletin made with --engine spark is verified the same way, against a
        store loaded from the same input files (tally ingest): an independent
        computation (Tally's validator and SQLite, not Spark). The input files'
        SHA-256 in the manifest must be the store's.

        Example:
          tally verify out/bulletin/manifest.json --db tally.sqlite
          tally ingest --db check.sqlite in/*.csv && tally verify --db check.sqlite out/spark-bulletin/manifest.json
        """)

    @Argument(help: ArgumentHelp("A bulletin's manifest.json.", valueName: "manifest"))
    var manifest: String

    @Flag(help: "Print only the figures that differ and the summary.")
    var quiet = false

    @Flag(help: "Also list the figures that data loaded after the bulletin's vintage would revise.")
    var now = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        let st = try store.open(.read)
        let v = try Verification.run(manifestPath: manifest, store: st, now: now)
        Terminal.print("Manifest \(manifest): period \(v.period), as of \(v.asOf), "
            + (v.vintage.map { "vintage batch \($0)" } ?? "no vintage (the latest is used)") + "; store \(store.path)")
        if let e = v.engine {
            Terminal.print("The figures were computed by \(e) from input files; recomputed here by figure SQL over the store \(store.path), "
                + "which must hold the same files (load them with `tally ingest`; their SHA-256 are checked)")
        }
        let width = min(60, v.lines.map(\.id.count).max() ?? 0)
        for l in v.lines where !quiet || !l.matches {
            let id = l.id.padding(toLength: max(width, l.id.count), withPad: " ", startingAt: 0)
            if l.matches { Terminal.print("match    \(id)  \(l.published)") }
            else { Terminal.print("DIFFERS  \(id)  published \(l.published), store \(l.recomputed)") }
        }
        for n in v.inputNotes { Terminal.print("note: \(n)") }
        for p in v.fileProblems { Terminal.print("FILE     \(p)") }
        Terminal.print("\(v.lines.count) figures: \(v.lines.count - v.differences) match, \(v.differences) differ; "
            + "\(v.filesChecked) files: \(v.filesChecked - v.fileProblems.count) as published, \(v.fileProblems.count) not")
        if now {
            if v.revised.isEmpty { Terminal.print("now: no figure would be revised by data loaded later") }
            for r in v.revised { Terminal.print("REVISED  \(r.id)  published \(r.published), now \(r.recomputed)") }
            if !v.revised.isEmpty { Terminal.print("now: \(v.revised.count) figures would be revised") }
        }
        if !v.passed { throw ExitCode(1) }
    }
}
