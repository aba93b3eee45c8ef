import Foundation
import TallyMetrics

/// Text in Korean and English (a spec gives both, or one text for both).
public struct Localized: Equatable, Sendable {
    public var ko: String
    public var en: String
    public init(ko: String, en: String) { self.ko = ko; self.en = en }
    public func text(_ lang: Language) -> String { lang == .ko ? ko : en }
}

/// A chart declared in YAML (`Charts/*.yaml`): its kind, what to plot (figure ids of
/// metrics.md, or a breakdown), and its words in `ko` and `en`. Every key is checked when
/// the spec is read; a mistake is a `YAMLError` naming the file, the key and what was
/// expected. See `Charts/README.md` for the keys.
public struct ChartSpec: Sendable {
    /// Which months a monthly chart shows.
    public enum Months: String, CaseIterable, Sendable {
        /// January of the period's (last) year to the period's last month.
        case yearToDate = "year_to_date"
        /// The months of the period.
        case period
    }

    /// A series of a monthly chart: a figure id or a sum/difference of ids
    /// (`victims.total - victims.minors - victims.age_unknown`).
    public struct SeriesSpec: Sendable {
        public var terms: [(sign: Double, id: String)]
        public var expression: String
        public var label: Localized
        public var role: SeriesRole
        /// The YAML key path, for errors found when the figures are computed.
        public var key: String
    }

    /// The per-platform column a ranked chart shows.
    public enum PlatformValue: String, CaseIterable, Sendable {
        case compliance, median_hours, p90_hours, requests, due, overdue, refused
        var format: ValueFormat {
            switch self {
            case .compliance: return .percent
            case .median_hours, .p90_hours: return .hours
            default: return .count
            }
        }
    }

    /// The per-platform column of decisions a ranked chart shows (`records: decisions`):
    /// `decision_platforms` of decisions.md.
    public enum DecisionValue: String, CaseIterable, Sendable {
        case total, sexual_abuse, automated_detection_share, automated_decision_share, removed_share
        case disclosure_delay_median_hours, moderation_delay_median_days
        var format: ValueFormat {
            switch self {
            case .total, .sexual_abuse: return .count
            case .disclosure_delay_median_hours: return .hours
            case .moderation_delay_median_days: return .days
            default: return .percent
            }
        }
        public var name: Localized {
            switch self {
            case .total: return Localized(ko: "결정", en: "Decisions")
            case .sexual_abuse: return Localized(ko: "성적 학대 관련 결정", en: "Sexual-abuse decisions")
            case .automated_detection_share: return Localized(ko: "자동 탐지 비율", en: "Automated detection")
            case .automated_decision_share: return Localized(ko: "자동화 결정 비율", en: "Automated decision")
            case .removed_share: return Localized(ko: "삭제·차단 비율", en: "Removed or disabled")
            case .disclosure_delay_median_hours: return Localized(ko: "보고 지연 중앙값", en: "Disclosure delay, median")
            case .moderation_delay_median_days: return Localized(ko: "조치 지연 중앙값", en: "Moderation delay, median")
            }
        }
    }

    /// What a histogram counts: takedowns' hours to removal, or decisions' delays.
    public enum HistogramValues: String, CaseIterable, Sendable {
        case hours_to_removal, disclosure_delay_hours, moderation_delay_days
    }

    public var file: String
    /// The file name without directory and `.yaml`: the default output name.
    public var name: String
    public var kind: ChartKind
    public var title: Localized
    public var subtitle: Localized?
    public var note: Localized?
    public var source: Localized?
    public var format: ValueFormat?

    // Monthly charts (bars, stacked_bars, lines).
    public var months: Months = .yearToDate
    public var series: [SeriesSpec] = []
    public var comparePreviousYear = false

    // Revisions: the figure whose first estimates and latest values are drawn.
    public var revisionFigure = ""

    // Ranked bars.
    public var rankedOnly = true
    public var value: PlatformValue = .compliance
    public var showInterval = true
    /// Ranked bars of decisions' platforms (`records: decisions`) and their column.
    public var decisionValue: DecisionValue?

    // Histograms of decisions' delays, and log x axes.
    public var histogramValues = HistogramValues.hours_to_removal
    /// `x_scale: log`: bins of equal ratio from `minValue` to `maxValue`, `binsPerDecade` to a power of ten.
    public var logX = false
    public var minValue = 0.01
    public var maxValue = 10_000.0
    public var binsPerDecade = 2

    /// Whether the chart draws decisions (DSA statements of reasons) rather than the other kinds.
    public var needsDecisions: Bool { decisionValue != nil || histogramValues != .hours_to_removal }

    // Histogram of hours to removal (and small multiples of it, with `rankedOnly`).
    public var binHours = 4.0
    public var maxHours = 96.0
    public var tickHours = 24.0
    public var markDeadline = true

    // Small multiples.
    /// Panels per row.
    public var columns = 3
    /// What the panels' y axis shows: `.count` or `.percent` (share of the panel's values).
    public var panelFormat = ValueFormat.count

    /// Placeholders texts may use; filled from the period, settings and figures.
    public static let placeholders = ["period", "year", "previous_year", "month", "first_month", "as_of",
                                      "deadline_hours", "min_due", "minor_age_limit"]

    public static func load(_ file: String) throws -> ChartSpec {
        try ChartSpec(document: try YAMLDocument.read(file))
    }

    public init(file: String, text: String) throws {
        try self.init(document: try YAMLDocument(file: file, text: text))
    }

    init(document doc: YAMLDocument) throws {
        file = doc.file
        var base = Substring(file.split(separator: "/").last ?? Substring(file))
        for ext in [".yaml", ".yml"] where base.hasSuffix(ext) { base = base.dropLast(ext.count) }
        name = String(base)

        let common = ["kind", "title", "subtitle", "note", "source", "format"]
        let kindText = try doc.require("kind", try doc.string("kind"), "one of " + ChartKind.allCases.map(\.rawValue).joined(separator: ", "))
        guard let kind = ChartKind(rawValue: kindText) else {
            throw SpecError(file: file, message: "key 'kind': expected one of \(ChartKind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(kindText)'")
        }
        self.kind = kind
        switch kind {
        case .bars, .stackedBars: try doc.only(common + ["months", "series"])
        case .lines: try doc.only(common + ["months", "series", "compare"])
        case .rankedBars: try doc.only(common + ["records", "platforms", "value", "interval"])
        case .histogram: try doc.only(common + ["values", "bin_hours", "max_hours", "tick_hours", "deadline",
                                                "x_scale", "min_value", "max_value", "bins_per_decade"])
        case .smallMultiples:
            try doc.only(common + ["values", "platforms", "columns", "y", "bin_hours", "max_hours", "tick_hours", "deadline"])
        case .revisions: try doc.only(common + ["figure", "months"])
        }
        title = try doc.require("title", try Self.localized(doc, "title"), "a mapping with ko and en texts")
        subtitle = try Self.localized(doc, "subtitle")
        note = try Self.localized(doc, "note")
        source = try Self.localized(doc, "source")
        if let f = try doc.string("format") {
            guard let v = ValueFormat(rawValue: f) else { throw Self.choice(doc, "format", f, ValueFormat.allCases.map(\.rawValue)) }
            format = v
        }

        switch kind {
        case .bars, .stackedBars, .lines:
            if let m = try doc.string("months") {
                guard let v = Months(rawValue: m) else { throw Self.choice(doc, "months", m, Months.allCases.map(\.rawValue)) }
                months = v
            }
            let items = try doc.require("series", try doc.list("series"), "a list of series, each with figure and label")
            if items.isEmpty { throw SpecError(file: file, message: "key 'series': expected at least one series") }
            if kind == .bars && items.count != 1 {
                throw SpecError(file: file, message: "key 'series': expected exactly one series for bars (use stacked_bars for several)")
            }
            if kind == .stackedBars && items.count < 2 {
                throw SpecError(file: file, message: "key 'series': expected two or more series for stacked_bars")
            }
            series = try items.enumerated().map { i, item in
                try item.only(["figure", "label", "role"])
                let key = "series[\(i + 1)]"
                let expr = try item.require("figure", try item.string("figure"), "a figure id such as victims.total, or ids joined by + and -")
                let terms = try Self.terms(expr, file: file, key: key + ".figure")
                let label = try item.require("label", try Self.localized(item, "label", path: key + ".label"), "a mapping with ko and en texts")
                var role = SeriesRole.normal
                if let r = try item.string("role") {
                    guard let v = SeriesRole(rawValue: r) else { throw Self.choice(item, key + ".role", r, ["normal", "unknown", "muted"]) }
                    role = v
                }
                return SeriesSpec(terms: terms, expression: expr, label: label, role: role, key: key + ".figure")
            }
            if let c = try doc.string("compare") {
                guard c == "previous_year" else { throw Self.choice(doc, "compare", c, ["previous_year"]) }
                comparePreviousYear = true
            }
        case .rankedBars:
            if let p = try doc.string("platforms") {
                guard p == "ranked" || p == "all" else { throw Self.choice(doc, "platforms", p, ["ranked", "all"]) }
                rankedOnly = p == "ranked"
            }
            let records = try doc.string("records") ?? "takedowns"
            guard records == "takedowns" || records == "decisions" else { throw Self.choice(doc, "records", records, ["takedowns", "decisions"]) }
            if records == "decisions" {
                let v = try doc.string("value") ?? DecisionValue.total.rawValue
                guard let x = DecisionValue(rawValue: v) else { throw Self.choice(doc, "value", v, DecisionValue.allCases.map(\.rawValue)) }
                decisionValue = x
                if doc.has("interval") { throw SpecError(file: file, message: "key 'interval': not with records: decisions (its shares are counts of all decisions, not estimates)") }
            } else if let v = try doc.string("value") {
                guard let x = PlatformValue(rawValue: v) else { throw Self.choice(doc, "value", v, PlatformValue.allCases.map(\.rawValue)) }
                value = x
            }
            if let i = try doc.string("interval") {
                guard i == "compliance_ci95" else { throw Self.choice(doc, "interval", i, ["compliance_ci95"]) }
                guard value == .compliance else {
                    throw SpecError(file: file, message: "key 'interval': compliance_ci95 goes with value: compliance only")
                }
                showInterval = true
            } else {
                showInterval = false
            }
        case .revisions:
            if let m = try doc.string("months") {
                guard let v = Months(rawValue: m) else { throw Self.choice(doc, "months", m, Months.allCases.map(\.rawValue)) }
                months = v
            }
            let id = try doc.require("figure", try doc.string("figure"), "a figure id such as takedowns.compliance")
            _ = try Self.terms(id, file: file, key: "figure")
            if id.contains(" ") { throw SpecError(file: file, message: "key 'figure': expected one figure id, not '\(id)'") }
            revisionFigure = id
        case .histogram, .smallMultiples:
            if let v = try doc.string("values") {
                guard let x = HistogramValues(rawValue: v), kind == .histogram || x == .hours_to_removal else {
                    throw Self.choice(doc, "values", v, kind == .histogram ? HistogramValues.allCases.map(\.rawValue) : ["hours_to_removal"])
                }
                histogramValues = x
            }
            if kind == .histogram, let s = try doc.string("x_scale") {
                guard s == "linear" || s == "log" else { throw Self.choice(doc, "x_scale", s, ["linear", "log"]) }
                logX = s == "log"
            }
            if !logX, let k = ["min_value", "max_value", "bins_per_decade"].first(where: { doc.has($0) }) {
                throw SpecError(file: file, message: "key '\(k)': goes with x_scale: log only")
            }
            if logX {
                minValue = try doc.double("min_value", min: 1e-6) ?? minValue
                maxValue = try doc.double("max_value", min: 1e-6) ?? maxValue
                binsPerDecade = try doc.int("bins_per_decade", min: 1) ?? binsPerDecade
                guard maxValue > minValue else {
                    throw SpecError(file: file, message: "key 'max_value': expected more than min_value (\(minValue)), not \(maxValue)")
                }
                if log10(maxValue / minValue) * Double(binsPerDecade) > 500 {
                    throw SpecError(file: file, message: "key 'bins_per_decade': expected at most 500 bins from min_value to max_value")
                }
            }
            if histogramValues != .hours_to_removal && !doc.has("deadline") { markDeadline = false }
            binHours = try doc.double("bin_hours", min: 0.1) ?? binHours
            maxHours = try doc.double("max_hours", min: 1) ?? maxHours
            tickHours = try doc.double("tick_hours", min: 1) ?? tickHours
            markDeadline = try doc.bool("deadline") ?? markDeadline
            if maxHours / binHours > 500 {
                throw SpecError(file: file, message: "key 'bin_hours': expected at most 500 bins up to max_hours (\(maxHours) / \(binHours))")
            }
            guard kind == .smallMultiples else { break }
            if let p = try doc.string("platforms") {
                guard p == "ranked" || p == "all" else { throw Self.choice(doc, "platforms", p, ["ranked", "all"]) }
                rankedOnly = p == "ranked"
            }
            columns = try doc.int("columns", min: 1) ?? columns
            if columns > 6 { throw SpecError(file: file, message: "key 'columns': expected a whole number from 1 to 6, not \(columns)") }
            if let y = try doc.string("y") {
                guard y == "count" || y == "share" else { throw Self.choice(doc, "y", y, ["count", "share"]) }
                panelFormat = y == "share" ? .percent : .count
            }
        }
    }

    /// `key` is the full key path (`series[2].role`).
    static func choice(_ doc: YAMLDocument, _ key: String, _ got: String, _ allowed: [String]) -> SpecError {
        SpecError(file: doc.file, message: "key '\(key)': expected one of \(allowed.joined(separator: ", ")), not '\(got)'")
    }

    /// `{ko: …, en: …}`, or one text for both languages; placeholders are checked.
    static func localized(_ doc: YAMLDocument, _ key: String, path: String? = nil) throws -> Localized? {
        let path = path ?? key
        guard doc.has(key) else { return nil }
        let value: Localized
        if let m = try? doc.mapping(key) {
            try m.only(["ko", "en"])
            let expected = "a mapping with ko and en texts"
            value = Localized(ko: try m.require("ko", try m.string("ko"), expected), en: try m.require("en", try m.string("en"), expected))
        } else if let s = try? doc.string(key) {
            value = Localized(ko: s, en: s)
        } else {
            throw SpecError(file: doc.file, message: "key '\(path)': expected a text, or a mapping with ko and en texts")
        }
        for (lang, text) in [("ko", value.ko), ("en", value.en)] {
            for name in placeholderNames(text) where !placeholders.contains(name) {
                throw SpecError(file: doc.file, message: "key '\(path).\(lang)': unknown placeholder '{\(name)}'; expected one of: \(placeholders.map { "{\($0)}" }.joined(separator: ", "))")
            }
        }
        return value
    }

    static func placeholderNames(_ text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// `a - b + c` → [(+1, a), (-1, b), (+1, c)]; ids are lower-case words joined by dots.
    static func terms(_ expr: String, file: String, key: String) throws -> [(sign: Double, id: String)] {
        let tokens = expr.split(separator: " ").map(String.init)
        var out: [(Double, String)] = []
        var sign = 1.0
        for (i, t) in tokens.enumerated() {
            if i % 2 == 1 {
                guard t == "+" || t == "-" else {
                    throw SpecError(file: file, message: "key '\(key)': expected figure ids joined by ' + ' or ' - ', found '\(t)'")
                }
                sign = t == "+" ? 1 : -1
            } else {
                let ok = !t.isEmpty && t.contains(".") && t.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) }
                guard ok else {
                    throw SpecError(file: file, message: "key '\(key)': expected a figure id such as victims.total, found '\(t)'")
                }
                out.append((sign, t))
            }
        }
        if out.isEmpty || tokens.count % 2 == 0 {
            throw SpecError(file: file, message: "key '\(key)': expected figure ids joined by ' + ' or ' - ', not '\(expr)'")
        }
        return out
    }
}

/// A mistake in a chart spec found by TallyCharts itself, worded like `YAMLError`
/// ("FILE: key 'x': expected …"), which `YAMLDocument` throws for the rest.
public struct SpecError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let message: String
    public init(file: String, message: String) { self.file = file; self.message = message }
    public var description: String { "\(file): \(message)" }
}
