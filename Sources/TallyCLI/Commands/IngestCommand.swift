import TallyMetrics
import ArgumentParser
import Foundation
import TallyCore
import TallyCSV
import TallyStore
import TallyProfiles

extension RecordKind: ExpressibleByArgument {}

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load CSV files of arrests, victims, takedown requests or DSA statements of reasons (decisions) into the store.",
        discussion: """
        Every row is validated against the record contract. A row that breaks a rule
        is not loaded but quarantined with its file, line, column and reason (see
        `tally quarantine`). For every file: rows read = loaded + duplicates +
        quarantined.

        Each file loads in one transaction: if loading stops part-way, the store is
        as it was before that file. A file already loaded (same SHA-256) is skipped.
        A file that cannot be loaded at all (empty, not text, wrong encoding,
        missing a required column) is reported on one line and the exit status is 1;
        the other files still load.

        Limits: a row with a field longer than --max-field-bytes (default 65,536
        bytes) is quarantined, as is one with a timestamp later than the load time
        plus one day, or a date later than the day after the load date ("in the
        future").

        Platform names are mapped to the canonical names of the platform registry
        (Data/platforms.yaml, or --platforms FILE): `네이버`, `NAVER` and `naver `
        all load as Naver, the name as written kept in platform_text. A name not in
        the registry loads as written and is listed with the registered names it
        resembles; --strict-platforms quarantines it instead. When the registry
        changed since the last load, loaded takedowns are re-mapped first, in a
        batch of their own (earlier vintages keep their names).

        Agency exports (Korean headers and labels, a title row, a totals row, Excel
        or Korean dates) load through a source profile (Data/sources/NAME.yaml):
        given with --source NAME (or --source FILE.yaml), or found from the file's
        header when exactly one profile of Data/sources (or --sources DIR) fits it.

        Excel workbooks (.xlsx, also inside a zip) load like CSV files: the first
        sheet, or --sheet NAME|INDEX; its first row holding a value is the header
        (or, through a source profile, the profile's header). Quarantined rows of a
        workbook are placed by sheet and cell (2024-08.xlsx!요청!C17).

        Examples:
          tally ingest Data/sample/*.csv
          tally ingest --source regulator-takedowns 요청-2024-08.csv
          tally ingest --encoding cp949 검거-2024-08.csv     # profile found from the header
          tally ingest --sheet 요청 2024-08.xlsx
          tally ingest Data/sample/agency/2024-08-agency.zip  # three workbooks, profiles found
          tally ingest --kind takedowns --db store.sqlite requests-2024-08.csv
          tally ingest --encoding cp949 victims-from-excel.csv
          tally ingest --format json new/*.csv
          tally ingest --strict-platforms --platforms my-platforms.yaml f.csv
          tally ingest sor-global-2024-03-14-full.zip            # a DSA daily dump (zip of zips)
          tally ingest --keep-text sor-global-2024-03-14-full.zip  # also store the free-text columns
        """
    )

    @Argument(help: ArgumentHelp("CSV files, Excel workbooks (.xlsx) or archives to load. With none, the store is only created or upgraded to this tally's schema (and re-mapped to a changed platform registry).", valueName: "file"))
    var files: [String] = []

    @Option(help: "Record kind of every file (detected from each header when not given).")
    var kind: RecordKind?

    @Option(help: ArgumentHelp("Text encoding of the files: utf-8 or cp949 (EUC-KR, Windows Korean).", valueName: "name"))
    var encoding: TextEncoding = .utf8

    @Option(name: .customLong("tz"), help: ArgumentHelp("Time zone of timestamps written without an offset.", valueName: "zone"))
    var timeZone: String = Tally.defaultTimeZone

    @Option(help: ArgumentHelp("Quarantine rows with a field longer than this many bytes.", valueName: "n"))
    var maxFieldBytes: Int = IngestOptions.defaultMaxFieldBytes

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "A revision: corrections (changed or removed values) are written as new versions instead of quarantined as conflicts. Needs --reason.")
    var revise = false

    @Option(help: ArgumentHelp("Why: recorded with the batch (required with --revise).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("While another process loads into the same store, wait up to this many seconds, then fail with nothing loaded.", valueName: "seconds"))
    var wait: Double = 600

    @Option(help: ArgumentHelp("Platform registry: canonical names and aliases (default: Data/platforms.yaml when it exists).", valueName: "file"))
    var platforms: String?

    @Flag(help: "Quarantine takedowns whose platform is not in the platform registry (the reason names the registered names it resembles).")
    var strictPlatforms = false

    @Option(help: ArgumentHelp("Source profile every file is read through: a name in the profile folder (Data/sources) or a .yaml file.", valueName: "name|file"))
    var source: String?

    @Option(help: ArgumentHelp("Folder of source profiles tried on files whose header is not the contract's (default: Data/sources when it exists).", valueName: "dir"))
    var sources: String?

    @Option(help: ArgumentHelp("The sheet read from each Excel workbook: its name, or its position from 1 (default: the first sheet).", valueName: "name|index"))
    var sheet: String?

    @Flag(help: "Decisions (DSA statements of reasons): also store the long free-text columns (explanations, grounds, facts); by default they are read and not stored.")
    var keepText = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if revise && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--revise needs --reason TEXT: why the records are corrected (recorded with the batch)")
        }
        if !(wait >= 0 && wait <= 86_400 * 7) {
            throw ValidationError("--wait takes seconds from 0 to 604800")
        }
        if ZoneOffsets(identifier: timeZone) == nil {
            throw ValidationError("unknown time zone '\(timeZone)'; expected an IANA name such as Asia/Seoul")
        }
        if source != nil && kind != nil {
            throw ValidationError("give --source or --kind, not both: a source profile names its record kind")
        }
        if maxFieldBytes < 1 || maxFieldBytes > 1 << 24 {
            throw ValidationError("--max-field-bytes must be from 1 to \(1 << 24) (16 MiB), not \(maxFieldBytes)")
        }
    }

    func run() throws {
        var options = IngestOptions()
        options.kind = kind
        options.encoding = encoding
        options.timeZone = timeZone
        options.wait = wait
        options.revise = revise
        options.reason = reason
        options.maxFieldBytes = maxFieldBytes
        options.platforms = try PlatformRegistryOption.load(platforms)
        options.strictPlatforms = strictPlatforms
        (options.source, options.profiles) = try SourceProfileOption.load(source: source, directory: sources)
        options.sheet = sheet
        options.keepText = keepText
        if strictPlatforms && options.platforms == nil {
            throw ValidationError("--strict-platforms needs a platform registry: give --platforms FILE (no \(PlatformRegistry.defaultFile) here)")
        }
        #if DEBUG
        if let n = ProcessInfo.processInfo.environment["TALLY_TEST_CRASH_AFTER_ROWS"].flatMap(Int.init) {
            options.crashAfterRows = n
        }
        #endif
        let storePath = store.path, wait = self.wait
        if Terminal.stderrIsTerminal {
            options.onWait = { holder in
                let who = holder.map { "\($0)" } ?? "another process"
                Terminal.writeError("waiting for \(who), which is loading into \(storePath) (up to \(Int(wait)) s; --wait changes it)\n")
            }
        }
        if Terminal.stderrIsTerminal {
            options.progress = { p in
                let mb = Double(p.bytesDone) / 1_048_576
                let rate = p.seconds > 0 ? mb / p.seconds : 0
                let pct = p.bytesTotal > 0 ? 100 * p.bytesDone / p.bytesTotal : 100
                Terminal.writeError("\r\u{1B}[K\(Terminal.escape(p.path)): \(FigureFormat.thousands(p.rows)) rows, \(pct)%, "
                    + String(format: "%.1f MB/s", rate))
            }
        }
        let s = try store.open(.write)
        if files.isEmpty {
            // Still re-maps loaded takedowns when the platform registry changed.
            if options.platforms != nil, let r = try s.ingest([], options: options).platformRemap {
                print("Platform registry changed: \(FigureFormat.thousands(r.records)) takedown\(r.records == 1 ? "" : "s") re-mapped to its names in batch \(r.batch ?? 0)")
            }
            print("Store \(store.path): schema version \(try s.db.userVersion), nothing to load")
            return
        }
        let report: IngestReport
        do {
            report = try s.ingest(files, options: options)
        } catch let e as WriterLockError {
            throw CLIError(e.description)
        } catch {
            throw CLIError("ingest failed, nothing of the file being loaded was kept: \(error)")
        }
        if options.progress != nil { Terminal.writeError("\r\u{1B}[K") }

        switch format {
        case .json: print(try Format.json(report))
        case .text: Terminal.print(text(report))
        }
        for f in report.files where f.rejected {
            Terminal.writeError(Terminal.escape("error: \(f.place): \(f.error ?? "rejected")") + "\n")
        }
        if report.files.contains(where: \.rejected) { throw ExitCode(1) }
    }

    func text(_ report: IngestReport) -> String {
        var lines: [String] = []
        let where_ = report.batch.map { "batch \($0), " } ?? ""
        lines.append("Store \(store.path) (\(where_)time zone \(timeZone)):")
        let loaded = report.files.filter { $0.status == .loaded }
        if !loaded.isEmpty {
            let rows = loaded.map { f in
                [f.place, f.kind ?? "", FigureFormat.thousands(f.rowsRead), FigureFormat.thousands(f.loaded),
                 FigureFormat.thousands(f.updated), FigureFormat.thousands(f.corrected),
                 FigureFormat.thousands(f.duplicates), FigureFormat.thousands(f.quarantined)]
            }
            let table = Format.table(["FILE", "KIND", "READ", "NEW", "UPDATED", "CORRECTED", "DUPLICATES", "QUARANTINED"], rows,
                                     rightAligned: [2, 3, 4, 5, 6, 7])
            lines += table.split(separator: "\n").map { "  " + $0 }
        }
        for f in report.files where f.status == .alreadyLoaded {
            lines.append("  \(f.place): already loaded in batch \(f.loadedInBatch ?? 0), nothing to do")
        }
        for f in report.files where f.status == .rejected {
            lines.append("  \(f.place): rejected, nothing loaded: \(f.error ?? "")")
        }
        for f in report.files where f.status == .skipped {
            lines.append("  \(f.place): \(f.error ?? "skipped")")
        }
        if let r = report.platformRemap {
            lines.append("  platform registry changed: \(FigureFormat.thousands(r.records)) takedown\(r.records == 1 ? "" : "s") re-mapped to its names in batch \(r.batch ?? 0)")
        }
        for f in report.files {
            for u in f.unregisteredPlatforms {
                lines.append("  \(f.place): platform not in the registry, loaded as written: \(u.text)")
            }
        }
        for f in report.files {
            if let n = f.applicationBeforeContent, n > 0 {
                lines.append("  \(f.path): \(FigureFormat.thousands(n)) decision\(n == 1 ? "" : "s") applied before the content's date (application_date < content_date; loaded, left out of the moderation delay)")
            }
        }
        for f in report.files where f.source != nil {
            let skipped = f.skippedRows.map { s in
                // A sheet's rows are rows (numbered as the spreadsheet shows them); a CSV's are lines.
                "\(s.count) \(s.reason)\(s.count != 1 && s.reason.hasSuffix(" row") ? "s" : "") (\(f.sheet == nil ? "line" : "row")\(s.count == 1 ? "" : "s") \(Self.lineList(s.lines, count: s.count)))"
            }
            lines.append("  \(f.place): read with source profile \(f.source!)" + (skipped.isEmpty ? "" : "; not records: " + skipped.joined(separator: ", ")))
        }
        for f in report.files where !f.unknownColumns.isEmpty {
            lines.append("  \(f.place): unknown columns ignored: \(f.unknownColumns.joined(separator: ", "))")
        }
        let q = report.files.reduce(0) { $0 + $1.quarantined }
        if q > 0 {
            lines.append("\(FigureFormat.thousands(q)) row\(q == 1 ? "" : "s") quarantined: see `tally quarantine`.")
        }
        return lines.joined(separator: "\n")
    }

    /// `1, 2, 40` — at most five lines, then how many more.
    static func lineList(_ lines: [Int], count: Int) -> String {
        let shown = lines.prefix(5).map(String.init).joined(separator: ", ")
        return count > 5 ? shown + " and \(count - 5) more" : shown
    }
}
