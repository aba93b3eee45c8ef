import Foundation
import TallyCharts
import TallyCore
import TallyFiles
import TallyEngine
import TallyMetrics
import TallyTime

/// What a bulletin is made from.
public struct BulletinInput {
    public var tables: RecordTables
    public var period: Period
    public var asOf: Int64?
    public var settings: Settings
    public var fines: FineSchedule?
    public var provenance: Provenance
    public var spec: BulletinSpec
    public var lang: Language
    public var outDir: String
    /// `SOURCE_DATE_EPOCH` (seconds): the publication and creation date. Default: the as-of date.
    public var sourceDateEpoch: Int64?
    /// Also write charts (PNG, SVG), tables (CSV) and the manifest.
    public var extras = true
    /// The vintage the tables were read at: recorded in the manifest, where `tally verify`
    /// recomputes.
    public var vintage: Vintage?
    /// Figures of earlier months revised since the previous bulletin, for the Revisions
    /// section (`content: revisions`) and the `r` marks (nil: not computed).
    public var revisions: BulletinRevisions?
    /// The PDF, the HTML page or both (the command's default: both).
    public var format: BulletinFormat = .pdf
    /// Where the figures and the charts' distributions come from when not from `tables`
    /// (`--engine spark`; `tables` are then not read).
    public var chartSource: ChartSource?
    /// The engine that computed the figures, when not Tally's own (named in the manifest, the
    /// sources' note and the Revisions section).
    public var engine: BulletinEngine?

    public init(tables: RecordTables, period: Period, asOf: Int64?, settings: Settings, fines: FineSchedule?,
                provenance: Provenance, spec: BulletinSpec, lang: Language, outDir: String, sourceDateEpoch: Int64?) {
        self.tables = tables; self.period = period; self.asOf = asOf; self.settings = settings; self.fines = fines
        self.provenance = provenance; self.spec = spec; self.lang = lang; self.outDir = outDir; self.sourceDateEpoch = sourceDateEpoch
    }
}

/// What `tally bulletin` writes: the PDF, the HTML page (`index-<lang>.html`) or both.
public enum BulletinFormat: String, CaseIterable, Sendable {
    case pdf, html, both
    public var pdf: Bool { self != .html }
    public var html: Bool { self != .pdf }
}

public struct BulletinResult {
    /// The PDF's path ("" when only HTML was written).
    public var pdf: String
    /// The HTML page's path, when written.
    public var html: String?
    public var pages: Int
    public var files: [String]
    public var figures: Int
    /// The passes over the takedowns its figures took (one, unless a chart reached further
    /// back), their time in seconds and the bytes the pass held (`--timing`).
    public var takedownPasses = 0
    public var takedownPassSeconds = 0.0
    public var takedownPassBytes = 0
}

public enum Bulletin {
    /// `SOURCE_DATE_EPOCH` from the environment, when set to whole seconds.
    public static var sourceDateEpochFromEnvironment: Int64? {
        guard let p = getenv("SOURCE_DATE_EPOCH"), let s = Int64(String(cString: p)), s >= 0 else { return nil }
        return s
    }

    /// Writes `DIR/bulletin-<period>-<lang>.pdf` and, alongside, `charts/`, `tables/` and `manifest.json`.
    @discardableResult
    public static func write(_ input: BulletinInput) throws -> BulletinResult {
        let context = input.chartSource.map {
            ChartContext(source: $0, period: input.period, settings: input.settings, fines: input.fines, suppress: true)
        } ?? ChartContext(tables: input.tables, period: input.period, asOf: input.asOf, settings: input.settings,
                          fines: input.fines, suppress: true)
        let report = try context.main
        if report.metrics["victims.total"]?.countValue == 0 && report.metrics["arrests.total"]?.countValue == 0
            && report.metrics["takedowns.requests"]?.countValue == 0 && (report.metrics["decisions.total"]?.countValue ?? 0) == 0 {
            throw BulletinError("no records in \(input.period.label): no bulletin written (tally status shows the dates the store holds)")
        }
        let zone = input.settings.zone
        // Publication date: SOURCE_DATE_EPOCH's local date, else the as-of date.
        let epoch = input.sourceDateEpoch ?? (floorDiv(report.asOf, 1_000_000))
        let publicationDay = Int(zone.localDay(utcMicros: epoch * 1_000_000))
        let publicationDate = CivilDate.isoString(days: publicationDay)
        let words = Words(lang: input.lang, report: report, publicationDate: publicationDate)
        let ledger = Ledger(FigureSource(report: report))

        let typesetterMargins = 56.0 * 2
        var pdfTheme = Theme()
        pdfTheme.width = Typesetter.pageWidth - typesetterMargins
        pdfTheme.height = 290
        pdfTheme.titleSize = 11.5
        pdfTheme.subtitleSize = 9
        pdfTheme.margin = 4
        var composer = Composer(spec: input.spec, words: words, context: context, provenance: input.provenance, ledger: ledger, pdfTheme: pdfTheme)
        composer.revisions = input.revisions
        composer.engine = input.engine
        let (blocks, tables, charts) = try composer.compose()

        try makeDirectory(input.outDir)
        // Temporary files of earlier runs that were killed before renaming them.
        for dir in [input.outDir, input.outDir + "/charts", input.outDir + "/tables"] { TemporaryFiles.sweep(directory: dir) }
        let lang = input.lang.rawValue
        let name = "bulletin-\(input.period.label)-\(lang).pdf"
        let pdfPath = input.outDir + "/" + name
        // Every file is written whole or not at all (a temporary file renamed into place), and
        // the manifest, which holds the SHA-256 of each, is written last: a run killed half-way
        // leaves files that `tally verify` finds do not match the manifest.
        let title = (composer.fill(input.spec.title) ?? input.spec.title.text(input.lang)) + " — " + words.periodName
        let meta = Typesetter.Metadata(
            title: title, author: composer.fill(input.spec.author) ?? "",
            subject: input.spec.subject.flatMap(composer.fill) ?? title,
            keywords: input.spec.keywords.flatMap(composer.fill) ?? "",
            creator: "Tally \(Tally.version)", date: pdfDate(epoch))
        let ts: Typesetter
        do { ts = try Typesetter(metadata: meta) } catch let e as BulletinError {
            throw BulletinError("cannot write \(pdfPath): \(e.description)")
        }
        ts.canvasLang = input.lang
        let t = words.t
        let footerText = t("Tally \(Tally.version) · figures as defined in the metric contract v1; every figure is listed with its definition in manifest.json and can be checked with `tally verify`.",
                           "Tally \(Tally.version) · 수치 정의는 지표 계약 v1을 따르며, 모든 수치와 정의는 manifest.json에 있고 `tally verify`로 검증할 수 있습니다.")
        ts.cover(.init(
            title: composer.fill(input.spec.title) ?? "", subtitle: input.spec.subtitle.flatMap(composer.fill) ?? "",
            period: words.periodName,
            lines: [t("Data as of ", "자료 기준 시각 ") + words.asOf,
                    t("Published ", "발행일 ") + publicationDate],
            contentsTitle: composer.fill(input.spec.contentsTitle) ?? "",
            entries: input.spec.sections.map { (composer.fill($0.title) ?? $0.title.text(input.lang), $0.id) },
            header: composer.fill(input.spec.author) ?? "",
            footer: footerText,
            lang: input.lang))
        ts.set(blocks)
        do {
            try ts.finish(header: composer.fill(input.spec.title) ?? "", headerRight: words.periodName,
                          footer: t("As of ", "기준 ") + words.asOf,
                          pageWord: { p, n in "\(p) / \(n)" })
        } catch let e as BulletinError {
            throw BulletinError("cannot write \(pdfPath): \(e.description)")
        }
        var files: [String] = []
        if input.format.pdf {
            // Cairo's tagged PDF, finished with qpdf: /Lang, /Alt, /Scope, artifacts, XMP.
            let finished: [UInt8]
            do {
                finished = try PDFFinisher.finish(ts.sink.bytes, .init(
                    lang: lang, title: title, author: meta.author, subject: meta.subject, keywords: meta.keywords,
                    creator: meta.creator, date: meta.date, figures: charts.map { $0.1.textAlternative },
                    links: input.spec.sections.map { composer.fill($0.title) ?? $0.title.text(input.lang) }))
            } catch let e as BulletinError { throw BulletinError("cannot write \(pdfPath): \(e.description)") }
            do { try AtomicFile.write(finished, to: pdfPath) } catch let e as FileWriteError { throw BulletinError(e.description) }
            files.append(pdfPath)
        }
        // The HTML page: the same blocks, in the same order.
        let htmlName = "index-\(lang).html"
        var htmlPath: String?
        if input.format.html {
            let page = HTMLPage(
                lang: input.lang,
                cover: .init(title: composer.fill(input.spec.title) ?? "", subtitle: input.spec.subtitle.flatMap(composer.fill) ?? "",
                             author: composer.fill(input.spec.author) ?? "", period: words.periodName,
                             lines: [t("Data as of ", "자료 기준 시각 ") + words.asOf, t("Published ", "발행일 ") + publicationDate],
                             contentsTitle: composer.fill(input.spec.contentsTitle) ?? "",
                             entries: input.spec.sections.map { (composer.fill($0.title) ?? $0.title.text(input.lang), $0.id) },
                             footer: footerText),
                documentTitle: title, description: meta.subject, publicationDate: publicationDate, fileName: htmlName,
                pdf: input.format.pdf ? name : nil,
                csv: input.extras ? Dictionary(uniqueKeysWithValues: tables.map { ($0.id, "tables/\($0.id)-\(lang).csv") }) : [:],
                manifest: input.extras ? "manifest.json" : nil,
                newPageAnchors: Set(input.spec.sections.filter(\.newPage).map(\.id)))
            let path = input.outDir + "/" + htmlName
            try writeText(path, try page.render(blocks))
            files.append(path)
            htmlPath = path
        }

        if input.extras {
            try makeDirectory(input.outDir + "/charts")
            try makeDirectory(input.outDir + "/tables")
            var chartFiles: [String] = []
            for (spec, _) in charts {
                let chart = try ChartBuilder.chart(spec, context, lang: input.lang)
                for f in [ChartFormat.png, .svg] {
                    let rel = "charts/\(spec.name)-\(lang).\(f.rawValue)"
                    try chart.write(to: input.outDir + "/" + rel, format: f)
                    chartFiles.append(rel)
                }
            }
            var tableFiles: [String] = []
            for table in tables {
                let rel = "tables/\(table.id)-\(lang).csv"
                try writeText(input.outDir + "/" + rel, CSV.render(table))
                tableFiles.append(rel)
            }
            let siblings = Manifest.siblings(in: input.outDir + "/manifest.json", report: report, input: input)
            var documents: [Manifest.Document] = []
            if input.format.pdf { documents.append(.init(file: name, lang: lang, format: "pdf", pages: ts.pageCount)) }
            if input.format.html { documents.append(.init(file: htmlName, lang: lang, format: "html", pages: nil)) }
            let written = try (documents.map(\.file) + chartFiles + tableFiles).map { try Manifest.FileEntry(file: $0, in: input.outDir) }
            let manifest = Manifest.json(report: report, ledger: ledger, input: input, documents: documents,
                                         publicationDate: publicationDate, charts: chartFiles, tables: tableFiles,
                                         files: written, siblings: siblings)
            try writeText(input.outDir + "/manifest.json", manifest.rendered() + "\n")
            files += chartFiles.map { input.outDir + "/" + $0 } + tableFiles.map { input.outDir + "/" + $0 } + [input.outDir + "/manifest.json"]
        }
        var result = BulletinResult(pdf: input.format.pdf ? pdfPath : "", html: htmlPath, pages: ts.pageCount, files: files, figures: ledger.ids.count)
        result.takedownPasses = context.shared.passes
        result.takedownPassSeconds = context.shared.passSeconds
        result.takedownPassBytes = context.shared.passBytes
        return result
    }

    static func makeDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw BulletinError("\(path) is a file, expected a folder") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw BulletinError("cannot create the folder \(path): \(error.localizedDescription)")
        }
    }

    /// Writes a file whole or not at all.
    static func writeText(_ path: String, _ text: String) throws {
        do { try AtomicFile.write(text, to: path) } catch let e as FileWriteError { throw BulletinError(e.description) }
    }

    /// Seconds since 1970 as the PDF date Cairo expects (`YYYY-MM-DDThh:mm:ssZ`).
    static func pdfDate(_ seconds: Int64) -> String {
        let days = Int(floorDiv(seconds, 86_400)), rest = Int(seconds - Int64(days) * 86_400)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return CivilDate.isoString(days: days) + "T\(p2(rest / 3600)):\(p2(rest % 3600 / 60)):\(p2(rest % 60))Z"
    }
}

/// CSV that is safe to open in a spreadsheet: RFC 4180 quoting, and a cell that starts
/// with `=`, `+`, `-`, `@` (or a tab or carriage return) gets a leading `'` so that it is
/// read as text, not as a formula.
enum CSV {
    static func cell(_ s: String) -> String { SafeCSV.cell(s) }

    static func render(_ t: DataTable) -> String {
        var out = t.columns.map { cell($0.header) }.joined(separator: ",") + "\r\n"
        for r in t.rows { out += r.map(cell).joined(separator: ",") + "\r\n" }
        return out
    }
}
