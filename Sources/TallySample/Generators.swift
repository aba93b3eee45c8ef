import TallyTime

/// Writes the three kinds of records. Each generator draws from its own stream of the
/// seeded generator, so changing one kind does not change the others.
struct Generators {
    let seed: UInt64
    /// Every timestamp in UTC with `Z` (benchmark data that other engines read without help).
    var utcOnly = false

    private func pick<T>(_ rng: inout Random, _ table: [(T, Double)]) -> T {
        table[rng.pick(table.map(\.1))].0
    }

    // MARK: victims

    /// Victims of 2024 by `perMonth`. When `exact` is set, exactly `minorsJanAug` of the
    /// January–August victims are minors and all of them have a known age.
    func victims(to out: CSVOut, perMonth: [Int], exact: Bool) {
        var rng = Random(seed: seed &+ 1)
        let janAug = perMonth.prefix(8).reduce(0, +)
        let minorShare = Double(Profiles.minorsJanAug) / Double(Profiles.victimsJanAug)
        let minors = exact ? rng.sample(Profiles.minorsJanAug, of: janAug) : []
        var n = 0
        for (m, count) in perMonth.enumerated() {
            for day in Self.sortedDays(count, month: m + 1, &rng) {
                let inJanAug = m < 8
                let minor = exact && inJanAug ? minors.contains(n) : rng.chance(minorShare)
                n += 1
                out.field("V24-" + pad(n, 6))
                out.date(days: day)
                if !(exact && inJanAug) && rng.chance(0.03) {
                    out.null()                       // age unknown (only outside the published months)
                } else if minor {
                    out.int(rng.pick([1, 1, 2, 3, 5, 8, 9, 9, 7]) + 10)   // 10…18, mostly 15–17
                } else {
                    let band = rng.pick([0.55, 0.28, 0.12, 0.05])
                    out.int([rng.int(19...24), rng.int(25...34), rng.int(35...49), rng.int(50...70)][band])
                }
                if let g: String = pick(&rng, Profiles.genders) { out.field(g) } else { out.null() }
                out.field(pick(&rng, Profiles.channels))
                let services = Profiles.services.filter { rng.chance($0.1) }.map(\.0)
                if services.isEmpty { out.null() } else { out.field(services.joined(separator: ";")) }
                if let r: String = pick(&rng, Profiles.regions) { out.field(r) } else { out.null() }
                out.endRow()
            }
        }
    }

    // MARK: arrests

    func arrests(to out: CSVOut, perMonth: [Int]) {
        var rng = Random(seed: seed &+ 2)
        var n = 0
        for (m, count) in perMonth.enumerated() {
            for day in Self.sortedDays(count, month: m + 1, &rng) {
                n += 1
                out.field("A24-" + pad(n, 6))
                out.date(days: day)
                let agency = pick(&rng, Profiles.agencies)
                if agency.contains(" ") { out.quoted(agency) } else { out.field(agency) }
                let offense = pick(&rng, Profiles.offenses)
                out.field(offense)
                // Most deepfake suspects are teenagers.
                if rng.chance(0.05) { out.null() } else {
                    let band = rng.pick([0.62, 0.26, 0.09, 0.03])
                    out.int([rng.int(13...19), rng.int(20...29), rng.int(30...49), rng.int(50...65)][band])
                }
                let victimMinor: Bool? = rng.chance(0.08) ? nil : rng.chance(0.55)
                if let v = victimMinor { out.field(v ? "true" : "false") } else { out.null() }
                // Undercover work was for cases with minor victims; from October adults too.
                let undercover = (victimMinor == true || m >= 9) && rng.chance(0.14)
                if rng.chance(0.3) { out.null() } else { out.field(undercover ? "yes" : "no") }
                if rng.chance(0.2) { out.null() } else { out.field(rng.chance(0.62) ? "Y" : "N") }
                if (offense == "distribute" || offense == "blackmail" || offense == "purchase") && rng.chance(0.3) {
                    out.int(rng.int(10...5000) * 10_000)
                } else if rng.chance(0.5) { out.int(0) } else { out.null() }
                out.endRow()
            }
        }
    }

    // MARK: takedowns

    /// Removal requests of 2024 by `perMonth`. With `edges`, each month also gets requests
    /// at its first and last local second (written in UTC, so they sit on the other side of
    /// the month line in UTC) and some removals at exactly 24:00:00 and 24:00:01.
    func takedowns(to out: CSVOut, perMonth: [Int], edges: Bool) {
        var rng = Random(seed: seed &+ 3)
        let weights = Profiles.platforms.map(\.weight)
        var n = 0
        for (m, count) in perMonth.enumerated() {
            let first = Int64(CivilDate.days(year: Profiles.year, month: m + 1, day: 1)) * 86_400 - Profiles.seoulOffset
            let next = Int64(CivilDate.days(year: Profiles.year, month: m + 1, day: 1) + CivilDate.daysInMonth(year: Profiles.year, month: m + 1)) * 86_400 - Profiles.seoulOffset
            var times = (0..<count).map { _ in first + Int64(rng.int(0...Int(next - first - 1))) }
            if edges { times += [first, next - 1] }
            times.sort()
            for t in times {
                n += 1
                let isEdge = edges && (t == first || t == next - 1)
                let p = Profiles.platforms[rng.pick(weights)]
                let later = m + 1 >= p.changeMonth ? p.after : nil
                out.field("R24-" + pad(n, 7))
                out.field(p.name)
                if rng.chance(0.03) { out.null() } else { out.field(p.origin) }
                let kind: String? = p.name == "Telegram" && rng.chance(0.15) ? "channel" : pick(&rng, Profiles.contentKinds)
                if let k = kind { out.field(k) } else { out.null() }
                out.field(pick(&rng, Profiles.requesters))
                // AI detection grows over the year.
                let ai = 0.2 + 0.025 * Double(m)
                let det = rng.pick([ai, 0.45, 0.25, 0.05])
                if det == 3 { out.null() } else { out.field(["ai", "report", "monitoring"][det]) }

                let style: CSVOut.Style
                if isEdge || utcOnly { style = .utc } else {
                    style = [CSVOut.Style.offset, .utc, .local, .localSpace][rng.pick([0.85, 0.10, 0.035, 0.015])]
                }
                let millis = rng.chance(0.02) ? rng.int(1...999) : 0
                out.timestamp(utcSeconds: t, millis: millis, offsetSeconds: Profiles.seoulOffset, style: style)

                let refused = rng.chance(later?.refused ?? p.refused)
                let ignored = !refused && rng.chance(later?.ignored ?? p.ignored)
                var hours = (later?.medianHours ?? p.medianHours) * exp(p.sigma * rng.normal())
                if refused { hours = 48 * exp(0.8 * rng.normal()) }
                var seconds = max(Int64(120), Int64(hours * 3600))
                if !refused && edges {
                    let r = rng.int(0...199)
                    if r == 0 { seconds = 86_400 } else if r == 1 { seconds = 86_401 }
                }
                let resolved = t + seconds
                if ignored || resolved > Profiles.extractedAt {
                    out.null()
                    out.field("pending")
                } else {
                    // Whole seconds: a millisecond request time keeps its fraction in the duration.
                    out.timestamp(utcSeconds: resolved, millis: millis, offsetSeconds: Profiles.seoulOffset, style: style)
                    out.field(refused ? "refused" : (rng.chance(p.blocked) ? "blocked" : "removed"))
                }
                out.endRow()
            }
        }
    }

    /// `count` random days of a month of the sample year, in order.
    static func sortedDays(_ count: Int, month: Int, _ rng: inout Random) -> [Int] {
        let first = CivilDate.days(year: Profiles.year, month: month, day: 1)
        let last = first + CivilDate.daysInMonth(year: Profiles.year, month: month) - 1
        return (0..<count).map { _ in rng.int(first...last) }.sorted()
    }

    /// Spreads `total` over the twelve months in the proportions of `shape`.
    static func spread(_ total: Int, like shape: [Int]) -> [Int] {
        let sum = shape.reduce(0, +)
        var out = shape.map { total * $0 / sum }
        out[out.count - 1] += total - out.reduce(0, +)
        return out
    }
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

#if canImport(Glibc)
import Glibc
#endif
