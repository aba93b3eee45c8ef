import Crypto
import Foundation
import TallyCharts
import TallyCore
import TallyEngine
import TallyMetrics

/// `manifest.json`: every figure printed in the bulletin with its id, value, printed text
/// and definition; the period, as-of time, settings and fine schedule they were computed
/// with; the input files with their SHA-256; the tool version. `tally verify` recomputes
/// the figures from it.
public enum Manifest {
    public static let format = "tally-bulletin-manifest/1"

    /// The documents, charts and tables of another language's bulletin already in the output
    /// folder, when its manifest describes the same figures (format, tool version, period,
    /// as-of time and input files): `tally bulletin --lang ko` then `--lang en` into one folder
    /// leaves one manifest listing both PDFs. Anything else is replaced, not merged.
    struct Siblings {
        var documents: [Document] = []
        var charts: [String] = []
        var tables: [String] = []
        var files: [FileEntry] = []
    }

    /// A document of the bulletin: the PDF (with its pages) or the HTML page, in one language.
    struct Document {
        var file: String
        var lang: String
        var format: String
        var pages: Int?
        var json: JSONValue {
            var fields: [(String, JSONValue)] = [("file", .string(file)), ("format", .string(format)), ("lang", .string(lang))]
            if let pages { fields.append(("pages", .int(Int64(pages)))) }
            return .object(fields)
        }
    }

    /// A file of the bulletin (PDF, HTML, chart, table), by its path relative to the manifest's
    /// folder, with its size and SHA-256: `tally verify` checks every one.
    public struct FileEntry: Sendable, Equatable {
        public var file: String
        public var bytes: Int
        public var sha256: String

        /// Reads `file` (relative to `dir`) and hashes it.
        init(file: String, in dir: String) throws {
            guard let data = FileManager.default.contents(atPath: dir + "/" + file) else {
                throw BulletinError("cannot read \(dir)/\(file) back to hash it")
            }
            self.init(file: file, bytes: data.count, sha256: Manifest.sha256(data))
        }

        init(file: String, bytes: Int, sha256: String) {
            self.file = file; self.bytes = bytes; self.sha256 = sha256
        }

        var json: JSONValue {
            .object([("file", .string(file)), ("bytes", .int(Int64(bytes))), ("sha256", .string(sha256))])
        }
    }

    package static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func siblings(in path: String, report: StatsReport, input: BulletinInput) -> Siblings {
        guard let data = FileManager.default.contents(atPath: path),
              let old = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              old["format"] as? String == format, old["tool_version"] as? String == Tally.version,
              old["period"] as? String == report.period.label,
              (old["as_of_micros"] as? NSNumber)?.int64Value == report.asOf,
              ((old["vintage"] as? [String: Any])?["batch"] as? NSNumber)?.intValue == input.vintage?.batch,
              let inputs = old["inputs"] as? [[String: Any]],
              inputs.compactMap({ $0["sha256"] as? String }) == input.provenance.files.map(\.sha256)
        else { return Siblings() }
        let lang = input.lang.rawValue
        var s = Siblings()
        for d in old["documents"] as? [[String: Any]] ?? [] {
            if let file = d["file"] as? String, let l = d["lang"] as? String, l != lang {
                let format = d["format"] as? String ?? (file.hasSuffix(".html") ? "html" : "pdf")
                s.documents.append(Document(file: file, lang: l, format: format, pages: (d["pages"] as? NSNumber)?.intValue))
            }
        }
        // Charts and tables carry their language in the name (`…-ko.png`).
        func others(_ key: String) -> [String] {
            (old[key] as? [String] ?? []).filter { !$0.contains("-\(lang).") }
        }
        s.charts = others("charts")
        s.tables = others("tables")
        // The other language's files keep the hashes they were published with.
        let kept = Set(s.documents.map(\.file) + s.charts + s.tables)
        for f in old["files"] as? [[String: Any]] ?? [] {
            if let file = f["file"] as? String, kept.contains(file), let sha = f["sha256"] as? String,
               let bytes = (f["bytes"] as? NSNumber)?.intValue {
                s.files.append(FileEntry(file: file, bytes: bytes, sha256: sha))
            }
        }
        return s
    }

    /// With decisions, what their figures depend on: `min_decisions` and the sexual-abuse
    /// list itself (so that `verify` recomputes with the list published, not today's file).
    static func decisionSettings(_ report: StatsReport) -> [(String, JSONValue)] {
        guard report.decisionPlatforms != nil else { return [] }
        let s = report.settings
        return [("min_decisions", .int(Int64(s.minDecisions))),
                ("dsa_sexual_abuse", s.sexualAbuse.map { l in
                    .object([("source", .string(Provenance.fileName(l.source))),
                             ("categories", .array(l.categories.map(JSONValue.string))),
                             ("keywords", .array(l.keywords.map(JSONValue.string)))])
                } ?? .null)]
    }

    static func json(report: StatsReport, ledger: Ledger, input: BulletinInput, documents ours: [Document],
                     publicationDate: String, charts: [String], tables: [String], files: [FileEntry],
                     siblings: Siblings = Siblings()) -> JSONValue {
        var documents = siblings.documents + ours
        documents.sort { ($0.lang, $0.format == "pdf" ? 0 : 1) < ($1.lang, $1.format == "pdf" ? 0 : 1) }
        let s = report.settings
        var fines: JSONValue = .null
        if let f = report.fines {
            fines = .object([
                ("source", .string(Provenance.fileName(f.source))), ("illustrative", .bool(true)), ("deadline_hours", .int(Int64(f.deadlineHours))),
                ("late_krw", .int(Int64(f.lateKRW))), ("unresolved_krw", .int(Int64(f.unresolvedKRW))),
                ("monthly_cap_krw", .integer(f.monthlyCapKRW)), ("repeat_multiplier", .number(f.repeatMultiplier)),
                ("repeat_after_violations", .int(Int64(f.repeatAfterViolations))), ("note", f.note.map(JSONValue.string) ?? .null),
            ])
        }
        let json = JSONValue.object([
            ("format", .string(format)),
            ("tool", .string("tally")),
            ("tool_version", .string(Tally.version)),
            ("tool_build", Tally.buildID.map(JSONValue.string) ?? .null),
            ("period", .string(report.period.label)),
            ("as_of", .string(report.asOfText)),
            ("as_of_micros", .int(report.asOf)),
            ("vintage", input.vintage?.json ?? .null),
            ("time_zone", .string(s.timeZone)),
            ("publication_date", .string(publicationDate)),
            ("settings", .object([
                ("source", .string(Provenance.fileName(s.source))), ("minor_age_limit", .int(Int64(s.minorAgeLimit))),
                ("deadline_hours", .int(Int64(s.deadlineHours))), ("time_zone", .string(s.timeZone)),
                ("min_due", .int(Int64(s.minDue))), ("suppress_below", .int(Int64(s.suppressBelow))),
                ("suppression_applied", .bool(report.suppressionApplied)),
            ] + Self.decisionSettings(report))),
            ("fine_schedule", fines),
            ("inputs", input.provenance.json),
            ("documents", .array(documents.map(\.json))),
            ("charts", .array((siblings.charts + charts).sorted().map(JSONValue.string))),
            ("tables", .array((siblings.tables + tables).sorted().map(JSONValue.string))),
            ("files", .array((siblings.files + files).sorted { $0.file < $1.file }.map(\.json))),
            ("figures", .array(ledger.ids.map { id in
                .object([("id", .string(id)), ("value", ledger.source.value(id) ?? .null), ("text", .string(ledger.source.text(id) ?? "")),
                         ("definition", .string(Definitions.definition(id)))])
            })),
        ])
        // The engine that computed the figures, when not Tally's own over a store (after the inputs).
        guard let engine = input.engine, case .object(var pairs) = json,
              let i = pairs.firstIndex(where: { $0.0 == "inputs" }) else { return json }
        pairs.insert(("engine", engine.json), at: i + 1)
        return .object(pairs)
    }
}
