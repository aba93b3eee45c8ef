import TallyEngine
import TallyMetrics
import TallyTime

/// Turns a spec into a chart for one language: computes its data from a context, fills
/// the placeholders of its texts, and adds the notes the data call for (platforms not
/// ranked, a comparison year without data).
public enum ChartBuilder {
    static let monthsEN = CivilDate.monthAbbreviations
    static let monthsLongEN = CivilDate.monthNames

    public static func chart(_ spec: ChartSpec, _ context: ChartContext, lang: Language, theme: Theme = Theme()) throws -> Chart {
        var data: ChartData
        var extraNotes: [String] = []
        switch spec.kind {
        case .bars, .stackedBars, .lines:
            (data, extraNotes) = try monthly(spec, context, lang)
        case .rankedBars:
            (data, extraNotes) = try ranked(spec, context, lang)
        case .histogram:
            let values: [Double], format: ValueFormat
            switch spec.histogramValues {
            case .hours_to_removal: (values, format) = (try context.hoursToRemoval(), .hours)
            case .disclosure_delay_hours: (values, format) = (try context.decisionDelays().disclosureHours, .hours)
            case .moderation_delay_days: (values, format) = (try context.decisionDelays().moderationDays, .days)
            }
            data = ChartData(format: format, bins: spec.logX
                ? Bins(logValues: values, lo: spec.minValue, hi: spec.maxValue, perDecade: spec.binsPerDecade)
                : Bins(values, width: spec.binHours, limit: spec.maxHours))
            data.logX = spec.logX
            switch spec.histogramValues {
            case .hours_to_removal: break
            case .disclosure_delay_hours:
                data.words = HistogramWords(items: Localized(ko: "결정", en: "decisions"),
                                            axis: Localized(ko: "보고 지연 (적용일부터 등록까지)", en: "Disclosure delay (application to database)"),
                                            column: Localized(ko: "결정", en: "Decisions"))
            case .moderation_delay_days:
                data.words = HistogramWords(items: Localized(ko: "결정", en: "decisions"),
                                            axis: Localized(ko: "조치 지연 (콘텐츠 날짜부터 적용까지)", en: "Moderation delay (content to decision)"),
                                            column: Localized(ko: "결정", en: "Decisions"))
            }
            if spec.markDeadline {
                let h = context.settings.deadlineHours
                data.reference = ReferenceLine(value: Double(h), label: lang == .ko ? "\(h)시간 기한" : "\(h) h deadline")
            }
        case .smallMultiples:
            (data, extraNotes) = try smallMultiples(spec, context, lang)
        case .revisions:
            (data, extraNotes) = try revisions(spec, context, lang)
        }
        if let f = spec.format { data.format = f }
        let fill = { (l: Localized?) in l.map { placeholders($0.text(lang), context, lang) } ?? "" }
        var note = fill(spec.note)
        for extra in extraNotes { note += (note.isEmpty ? "" : " ") + extra }
        var chartTheme = theme
        if spec.kind == .rankedBars {
            // One row per platform: grow the chart so that bars keep a readable thickness.
            chartTheme.height = max(theme.height, 190 + 24 * Double(data.categories.count))
        }
        if spec.kind == .smallMultiples {
            // One row of panels each: grow the chart so that panels keep a readable height.
            let rows = (data.panels.count + spec.columns - 1) / spec.columns
            chartTheme.height = max(theme.height, 190 + SmallMultiplesGeometry.rowHeight * Double(rows))
        }
        let hours = spec.kind == .histogram || spec.kind == .smallMultiples
        return Chart(kind: spec.kind, data: data,
                     annotations: Annotations(title: fill(spec.title), subtitle: fill(spec.subtitle), note: note, source: fill(spec.source)),
                     language: lang, theme: chartTheme, tickStep: hours ? spec.tickHours : nil, columns: spec.columns)
    }

    /// The months a monthly chart shows.
    static func months(_ spec: ChartSpec, _ period: Period) -> [(year: Int, month: Int)] {
        switch spec.months {
        case .period: return period.months
        case .yearToDate:
            let end = CivilDate.civil(days: period.last)
            return (1...end.month).map { (end.year, $0) }
        }
    }

    /// The months whose reports a monthly chart (bars, stacked bars, lines) reads, with the
    /// same months a year earlier when it compares with the previous year; empty for other
    /// kinds. What an engine that computes figures elsewhere (`--engine spark`) must provide.
    public static func monthsRead(_ spec: ChartSpec, _ period: Period) -> (shown: [Period], previousYear: [Period]) {
        switch spec.kind {
        case .bars, .stackedBars, .lines:
            let ms = months(spec, period)
            return (ms.map { Period.month($0.year, $0.month) },
                    spec.comparePreviousYear ? ms.map { Period.month($0.year - 1, $0.month) } : [])
        default: return ([], [])
        }
    }

    static func monthLabel(_ year: Int, _ month: Int, _ lang: Language, withYear: Bool) -> String {
        switch lang {
        case .ko: return withYear ? "\(year)년 \(month)월" : "\(month)월"
        case .en: return withYear ? "\(monthsEN[month - 1]) \(year)" : monthsEN[month - 1]
        }
    }

    static func monthly(_ spec: ChartSpec, _ context: ChartContext, _ lang: Language) throws -> (ChartData, [String]) {
        let ms = months(spec, context.period)
        let years = Set(ms.map(\.year))
        let categories = ms.enumerated().map { i, m in
            monthLabel(m.year, m.month, lang, withYear: years.count > 1 && (i == 0 || m.month == 1))
        }
        func values(_ s: ChartSpec.SeriesSpec, yearShift: Int) throws -> [Double?] {
            try ms.map { m in
                let r = try context.report(.month(m.year + yearShift, m.month))
                var total = 0.0
                for (sign, id) in s.terms {
                    guard let v = r.metrics[id] else {
                        throw SpecError(file: spec.file, message: "key '\(s.key)': unknown figure '\(id)' (tally stats --format json lists the ids)")
                    }
                    switch v {
                    case .suppressed: return nil
                    case .interval: throw SpecError(file: spec.file, message: "key '\(s.key)': '\(id)' is an interval, expected a count or a share")
                    default:
                        guard let d = v.doubleValue else { return nil }
                        total += sign * d
                    }
                }
                return total
            }
        }
        var series: [Series] = []
        for s in spec.series {
            series.append(Series(label: placeholders(s.label.text(lang), context, lang), values: try values(s, yearShift: 0), role: s.role))
        }
        var notes: [String] = []
        if spec.comparePreviousYear, let first = spec.series.first {
            let py = (ms.first?.year ?? 0) - 1
            let range = Period(first: Period.month(ms[0].year - 1, ms[0].month).first, last: Period.month(ms[ms.count - 1].year - 1, ms[ms.count - 1].month).last)
            let before = context.mayHaveRecords(range) ? try values(first, yearShift: -1) : []
            if before.contains(where: { ($0 ?? 0) != 0 }) {
                // Two years of one figure: the lines are named by their years.
                series.insert(Series(label: lang == .ko ? "\(py)년" : "\(py)", values: before, role: .muted), at: 0)
                if series.count == 2, years.count == 1 { series[1].label = lang == .ko ? "\(py + 1)년" : "\(py + 1)" }
            } else {
                notes.append(lang == .ko ? "\(py)년 자료가 없어 비교하지 않았습니다." : "No data for \(py) to compare with.")
            }
        }
        let format = spec.series.first.map { s -> ValueFormat in
            switch FigureFormat.kind(of: s.terms[0].id) {
            case .share: return .percent
            case .hours: return .hours
            case .days: return .days
            default: return .count
            }
        } ?? .count
        return (ChartData(categories: categories, series: series, format: format), notes)
    }

    static func ranked(_ spec: ChartSpec, _ context: ChartContext, _ lang: Language) throws -> (ChartData, [String]) {
        if let v = spec.decisionValue { return try rankedDecisions(spec, v, context, lang) }
        let report = try context.main
        func value(_ r: PlatformRow) -> Double? {
            switch spec.value {
            case .compliance: return r.compliance
            case .median_hours: return r.medianHours
            case .p90_hours: return r.p90Hours
            case .requests: return Double(r.counts.requests)
            case .due: return Double(r.counts.due)
            case .overdue: return Double(r.counts.overdue)
            case .refused: return Double(r.counts.refused)
            }
        }
        let ranked = report.rankedPlatforms
        let unranked = report.unrankedPlatforms
        var rows: [PlatformRow]
        if spec.rankedOnly {
            rows = ranked
        } else {
            let ascending = spec.value == .median_hours || spec.value == .p90_hours
            rows = ranked + unranked.sorted { a, b in
                let x = value(a) ?? (ascending ? .infinity : -.infinity), y = value(b) ?? (ascending ? .infinity : -.infinity)
                return x != y ? (ascending ? x < y : x > y) : a.platform < b.platform
            }
        }
        let categories = rows.map(rankedName)
        let series = Series(label: spec.value.rawValue, values: rows.map(value),
                            intervals: spec.showInterval ? rows.map { $0.complianceCI } : [])
        var notes: [String] = []
        if spec.rankedOnly && !unranked.isEmpty {
            notes.append(fewDueNote(unranked, context, lang, ko: "순위에서 제외", en: "Not ranked"))
        }
        if spec.showInterval {
            notes.append(lang == .ko ? "가는 선은 95% 신뢰구간(Wilson)." : "Whiskers: 95% confidence intervals (Wilson).")
        }
        return (ChartData(categories: categories, series: [series], format: spec.value.format), notes)
    }

    /// Decisions' platforms by one column of `decision_platforms`, largest first (delays:
    /// shortest first); `platforms: ranked` keeps those with at least `min_decisions`.
    static func rankedDecisions(_ spec: ChartSpec, _ v: ChartSpec.DecisionValue, _ context: ChartContext,
                                _ lang: Language) throws -> (ChartData, [String]) {
        let rows = try context.main.decisionPlatforms ?? []
        func value(_ r: DecisionPlatformRow) -> Double? {
            switch v {
            case .total: return Double(r.total)
            case .sexual_abuse: return r.sexualAbuse.map(Double.init)
            case .automated_detection_share: return r.automatedDetectionShare
            case .automated_decision_share: return r.automatedDecisionShare
            case .removed_share: return r.removedShare
            case .disclosure_delay_median_hours: return r.disclosureMedianHours
            case .moderation_delay_median_days: return r.moderationMedianDays
            }
        }
        let ascending = v == .disclosure_delay_median_hours || v == .moderation_delay_median_days
        let shown = rows.filter { !spec.rankedOnly || $0.rank != nil }.sorted { a, b in
            let x = value(a) ?? (ascending ? .infinity : -.infinity), y = value(b) ?? (ascending ? .infinity : -.infinity)
            return x != y ? (ascending ? x < y : x > y) : a.platform < b.platform
        }
        var data = ChartData(categories: shown.map(\.platform), series: [Series(label: v.rawValue, values: shown.map(value))],
                             format: v.format)
        data.valueName = v.name
        var notes: [String] = []
        let left = rows.filter { $0.rank == nil }.map(\.platform).sorted()
        if spec.rankedOnly && !left.isEmpty {
            let n = context.settings.minDecisions
            notes.append(lang == .ko ? "결정이 \(n)건 미만이라 제외: \(left.joined(separator: ", "))."
                                     : "Not shown (fewer than \(n) decisions): \(left.joined(separator: ", ")).")
        }
        return (data, notes)
    }

    /// A platform's name, after its rank when it has one ("2. Telegram").
    static func rankedName(_ r: PlatformRow) -> String {
        r.rank.map { "\($0). \(r.platform)" } ?? r.platform
    }

    /// The note naming, by name, the platforms with too few due requests to be ranked, and
    /// what became of them (`ko`/`en`: "Not ranked", "Not shown", …).
    static func fewDueNote(_ unranked: [PlatformRow], _ context: ChartContext, _ lang: Language,
                           ko: String, en: String) -> String {
        let names = unranked.map(\.platform).sorted().joined(separator: ", ")
        let n = context.settings.minDue
        return lang == .ko
            ? "기한 도래 요청이 \(n)건 미만이라 \(ko): \(names)."
            : "\(en) (fewer than \(n) due requests): \(names)."
    }

    /// One panel per platform (ranked ones in rank order, then, with `platforms: all`, the
    /// others by compliance and name): the histogram of its hours to removal, titled with
    /// its name and compliance.
    static func smallMultiples(_ spec: ChartSpec, _ context: ChartContext, _ lang: Language) throws -> (ChartData, [String]) {
        let report = try context.main
        let hours = try context.hoursToRemovalByPlatform()
        let ranked = report.rankedPlatforms
        let unranked = report.unrankedPlatforms.sorted { a, b in
            let x = a.compliance ?? -1, y = b.compliance ?? -1
            return x != y ? x > y : a.platform < b.platform
        }
        let rows = spec.rankedOnly ? ranked : ranked + unranked
        let panels = rows.map { r in
            Panel(title: rankedName(r),
                  detail: r.compliance.map { ValueFormat.percent.label($0, lang) } ?? "–",
                  bins: Bins(hours[r.platform] ?? [], width: spec.binHours, limit: spec.maxHours))
        }
        var data = ChartData(format: .hours, panels: panels, panelFormat: spec.panelFormat)
        if spec.markDeadline {
            let h = context.settings.deadlineHours
            data.reference = ReferenceLine(value: Double(h), label: lang == .ko ? "\(h)시간 기한" : "\(h) h deadline")
        }
        var notes: [String] = []
        if spec.rankedOnly && !unranked.isEmpty {
            notes.append(fewDueNote(unranked, context, lang, ko: "빠진 플랫폼", en: "Not shown"))
        } else if !unranked.isEmpty {
            notes.append(fewDueNote(unranked, context, lang, ko: "순위 없음", en: "Not ranked"))
        }
        return (data, notes)
    }

    /// Fills `{period}`, `{year}`, `{month}` … (see `ChartSpec.placeholders`).
    static func placeholders(_ text: String, _ context: ChartContext, _ lang: Language) -> String {
        guard text.contains("{") else { return text }
        let p = context.period
        let first = CivilDate.civil(days: p.first), last = CivilDate.civil(days: p.last)
        let zone = context.settings.zone
        let localDay = zone.localDay(utcMicros: context.asOf)
        func month(_ m: Int) -> String { lang == .ko ? "\(m)월" : monthsLongEN[m - 1] }
        let values: [String: String] = [
            "period": p.label,
            "year": String(last.year),
            "previous_year": String(last.year - 1),
            "month": month(last.month),
            "first_month": month(first.month),
            "as_of": CivilDate.isoString(days: Int(localDay)),
            "deadline_hours": String(context.settings.deadlineHours),
            "min_due": String(context.settings.minDue),
            "minor_age_limit": String(context.settings.minorAgeLimit),
        ]
        var out = text
        for (k, v) in values { out = out.replacingOccurrences(of: "{\(k)}", with: v) }
        return out
    }
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        guard !a.isEmpty else { return self }
        var out = "", rest = Substring(self)
        while let r = rest.range(of: a) {
            out += rest[..<r.lowerBound]
            out += b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension ChartBuilder {
    /// First estimate and latest value of a figure by month, from the context's revisions
    /// triangle; the note gives the mean revision and the mean absolute revision.
    static func revisions(_ spec: ChartSpec, _ context: ChartContext, _ lang: Language) throws -> (ChartData, [String]) {
        guard let provider = context.revisionTriangle else {
            throw SpecError(file: spec.file, message: "kind 'revisions' needs the store's vintages: draw it with `tally chart`")
        }
        let ms = months(spec, context.period)
        let t = try provider(spec.revisionFigure, ms.map { Period.month($0.year, $0.month) })
        let years = Set(ms.map(\.year))
        let categories = ms.enumerated().map { i, m in
            monthLabel(m.year, m.month, lang, withYear: years.count > 1 && (i == 0 || m.month == 1))
        }
        let first = t.months.indices.map { t.first($0)?.value }
        let latest = t.months.indices.map { t.latest($0) }
        let ko = lang == .ko
        let format: ValueFormat
        switch FigureFormat.kind(of: spec.revisionFigure) {
        case .share: format = .percent
        case .hours: format = .hours
        case .days: format = .days
        default: format = .count
        }
        let data = ChartData(categories: categories, series: [
            Series(label: ko ? "첫 추정치" : "First estimate", values: first, role: .muted),
            Series(label: ko ? "최신 값" : "Latest", values: latest),
        ], format: format)
        func signed(_ v: Double?) -> String {
            guard let v else { return "–" }
            if format == .percent { return (v > 0 ? "+" : v < 0 ? "−" : "") + FigureFormat.fixed(abs(v) * 100, 1) + (ko ? "%p" : " pp") }
            let sign = v > 0 ? "+" : v < 0 ? "−" : ""
            if format == .count && v != v.rounded() { return sign + FigureFormat.fixed(abs(v), 1) }
            return sign + format.label(abs(v), lang)
        }
        let n = t.revisions.count
        let vintages = t.vintages.first.map { a in "\(a.batch)–\(t.vintages.last!.batch)" } ?? "–"
        let note = ko
            ? "\(spec.revisionFigure): 달마다 처음 기록이 있던 시점의 값(첫 추정치)과 최신 값. 평균 수정 \(signed(t.meanRevision)), 평균 절대 수정 \(signed(t.meanAbsoluteRevision).replacingOccurrences(of: "+", with: "")) (\(n)개월, 적재 \(vintages))."
            : "\(spec.revisionFigure): each month's value when it first had records (first estimate) and now. Mean revision \(signed(t.meanRevision)), mean absolute revision \(signed(t.meanAbsoluteRevision).replacingOccurrences(of: "+", with: "")) over \(n) month\(n == 1 ? "" : "s") (batches \(vintages))."
        return (data, [note])
    }
}
