import Foundation
import TallyCharts
import TallyMetrics

/// The bulletin's layout and words, read from `Charts/bulletin.yaml`: the document's
/// metadata, then its sections in order, each with texts in `ko` and `en`, figure tiles,
/// tables from a fixed catalogue and chart specs. Every key is checked; a mistake is a
/// `YAMLError` naming the file and the key.
public struct BulletinSpec: Sendable {
    public struct Tile: Sendable {
        public var figure: String
        public var label: Localized
    }

    public enum Content: String, CaseIterable, Sendable {
        /// Definitions of every figure printed, and the settings.
        case methodology
        /// Input files with SHA-256, row counts, quarantined rows.
        case provenance
        /// Figures of earlier months revised since the previous bulletin (BulletinRevisions).
        case revisions
    }

    public struct Section: Sendable {
        public var id: String
        public var title: Localized
        public var newPage: Bool
        public var text: Localized?
        /// Sentences; each with an alternative used when the first names a figure the period lacks.
        public var points: [(text: Localized, otherwise: Localized?)]
        public var tiles: [Tile]
        public var tables: [String]
        public var charts: [ChartSpec]
        public var content: Content?
        public var after: Localized?
    }

    public var file: String
    public var title: Localized
    public var subtitle: Localized?
    public var author: Localized
    public var subject: Localized?
    public var keywords: Localized?
    public var contentsTitle: Localized
    public var sections: [Section]

    /// Tables a section can ask for.
    public static let tables = ["headline", "victims.by_channel", "victims.by_service", "victims.by_age_band", "victims.by_region",
                                "arrests.by_offense", "arrests.by_agency", "platforms.league", "platforms.violations",
                                "decisions.headline", "decisions.by_category", "decision_platforms.league"]

    /// Placeholders every text may use besides figure ids (`{victims.total}`, `{victims.total.change_pct}`).
    public static let placeholders = ["period", "period_name", "previous_period_name", "as_of", "publication_date",
                                      "deadline_hours", "min_due", "minor_age_limit", "suppress_below", "time_zone", "year",
                                      "min_decisions"]

    public static let defaultFile = "Charts/bulletin.yaml"

    public static func load(_ file: String) throws -> BulletinSpec {
        try BulletinSpec(document: try YAMLDocument.read(file))
    }

    public init(document doc: YAMLDocument) throws {
        file = doc.file
        try doc.only(["title", "subtitle", "author", "subject", "keywords", "contents_title", "sections"])
        title = try Self.localized(doc, "title", required: true)!
        subtitle = try Self.localized(doc, "subtitle")
        author = try Self.localized(doc, "author", required: true)!
        subject = try Self.localized(doc, "subject")
        keywords = try Self.localized(doc, "keywords")
        contentsTitle = try Self.localized(doc, "contents_title") ?? Localized(ko: "차례", en: "Contents")
        let list = try doc.require("sections", try doc.list("sections"), "a list of sections")
        guard !list.isEmpty else { throw BulletinError.at(doc.file, "key 'sections': expected at least one section") }
        let dir = { () -> String in
            guard let i = doc.file.lastIndex(of: "/") else { return "" }
            return String(doc.file[..<i]) + "/"
        }()
        var seen = Set<String>()
        sections = try list.map { s in
            try s.only(["id", "title", "new_page", "text", "points", "tiles", "tables", "charts", "content", "after"])
            let id = try s.require("id", try s.string("id"), "a short name, e.g. victims")
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), id.allSatisfy(\.isASCII) else {
                throw s.failure("id", "letters, digits, _ or - (it names the section's bookmark)")
            }
            guard seen.insert(id).inserted else { throw s.failure("id", "a name not used by another section ('\(id)' is)") }
            var tiles: [Tile] = []
            for t in try s.list("tiles") ?? [] {
                try t.only(["figure", "label"])
                let f = try t.require("figure", try t.string("figure"), "a figure id, e.g. victims.total")
                guard Definitions.isKnown(f) else { throw t.failure("figure", "a figure id of metrics.md, not '\(f)'") }
                tiles.append(Tile(figure: f, label: try Self.localized(t, "label", required: true)!))
            }
            let tables = try s.strings("tables") ?? []
            for t in tables where !Self.tables.contains(t) {
                throw s.failure("tables", "tables from: \(Self.tables.joined(separator: ", ")) (not '\(t)')")
            }
            var charts: [ChartSpec] = []
            for c in try s.strings("charts") ?? [] {
                let path = c.hasPrefix("/") ? c : dir + c
                do { charts.append(try ChartSpec.load(path)) } catch {
                    throw BulletinError.at(doc.file, "key '\(s.keyName("charts"))': chart spec \(c): \(error)")
                }
            }
            var content: Content?
            if let c = try s.string("content") {
                guard let v = Content(rawValue: c) else {
                    throw s.failure("content", "one of \(Content.allCases.map(\.rawValue).joined(separator: ", ")) (not '\(c)')")
                }
                content = v
            }
            var points: [(text: Localized, otherwise: Localized?)] = []
            for (i, p) in (try s.list("points") ?? []).enumerated() {
                try p.only(["ko", "en", "otherwise"])
                let text = Localized(ko: try p.require("ko", try p.string("ko"), "Korean text"),
                                     en: try p.require("en", try p.string("en"), "English text"))
                let otherwise = try Self.localized(p, "otherwise")
                try Self.checkPlaceholders(text, s, "points[\(i + 1)]")
                if let otherwise { try Self.checkPlaceholders(otherwise, p, "otherwise") }
                points.append((text, otherwise))
            }
            let section = Section(id: id, title: try Self.localized(s, "title", required: true)!, newPage: try s.bool("new_page") ?? false,
                                  text: try Self.localized(s, "text"), points: points, tiles: tiles, tables: tables, charts: charts,
                                  content: content, after: try Self.localized(s, "after"))
            for (k, v) in [("text", section.text), ("after", section.after), ("title", section.title)] {
                if let v { try Self.checkPlaceholders(v, s, k) }
            }
            return section
        }
    }

    /// Text for both languages, or `{ko: …, en: …}`.
    static func localized(_ doc: YAMLDocument, _ key: String, required: Bool = false) throws -> Localized? {
        guard doc.has(key) else {
            if required { throw BulletinError.at(doc.file, "missing key '\(doc.keyName(key))' (text, or {ko: …, en: …})") }
            return nil
        }
        if let s = try? doc.string(key) { return Localized(ko: s, en: s) }
        guard let m = try? doc.mapping(key) else { throw doc.failure(key, "text, or {ko: …, en: …}") }
        try m.only(["ko", "en"])
        return Localized(ko: try m.require("ko", try m.string("ko"), "Korean text"), en: try m.require("en", try m.string("en"), "English text"))
    }

    /// Every `{name}` must be a placeholder or a figure id.
    static func checkPlaceholders(_ text: Localized, _ doc: YAMLDocument, _ key: String) throws {
        for t in [text.ko, text.en] {
            for name in Template.names(in: t) where !placeholders.contains(name) && !Definitions.isKnown(name) {
                throw BulletinError.at(doc.file, "key '\(doc.keyName(key))': unknown placeholder '{\(name)}' (a figure id such as {victims.total} or one of: \(placeholders.joined(separator: ", ")))")
            }
        }
    }
}

extension YAMLDocument {
    func keyName(_ key: String) -> String { pathPrefix + key }

    var pathPrefix: String {
        // Reconstructed from the error text of a missing key (YAMLDocument keeps its path internal).
        do { _ = try self.require("\u{1}", Optional<Int>.none, "") } catch let e as YAMLError {
            if let a = e.message.range(of: "'"), let b = e.message.range(of: "\u{1}'") {
                return String(e.message[a.upperBound..<b.lowerBound])
            }
        } catch {}
        return ""
    }

    func failure(_ key: String, _ expected: String) -> BulletinError {
        BulletinError.at(file, "key '\(keyName(key))': expected \(expected)")
    }
}

/// `{name}` placeholders in texts.
enum Template {
    static func names(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let a = rest.firstIndex(of: "{") {
            guard let b = rest[a...].firstIndex(of: "}") else { break }
            out.append(String(rest[rest.index(after: a)..<b]))
            rest = rest[rest.index(after: b)...]
        }
        return out
    }

    /// Replaces each `{name}` by `value(name)`; nil when a value is missing (the text is then left out).
    static func fill(_ text: String, _ value: (String) -> String?) -> String? {
        var out = ""
        var rest = Substring(text)
        while let a = rest.firstIndex(of: "{") {
            guard let b = rest[a...].firstIndex(of: "}") else { break }
            out += rest[..<a]
            guard let v = value(String(rest[rest.index(after: a)..<b])) else { return nil }
            out += v
            rest = rest[rest.index(after: b)...]
        }
        return out + rest
    }
}

extension BulletinError {
    /// An error in a spec file: "FILE: message".
    static func at(_ file: String, _ message: String) -> BulletinError { BulletinError("\(file): \(message)") }
}
