import TallyCore
import TallyEngine

/// Counts of `column`'s values among the selected rows (null under the key "").
func valueCounts(_ t: Table, _ column: String, _ sel: Selection) throws -> [String: Int] {
    let g = try t.groupBy([column], [Aggregation("n", .count)], where: sel)
    var out: [String: Int] = [:]
    for i in 0..<g.rowCount {
        let v = g[column].value(i)
        out[v.isNull ? "" : v.description, default: 0] += Int(g["n"].int64(at: i))
    }
    return out
}

/// The non-null values of `column` over every row, sorted: figure ids that stay the same in
/// every period.
func distinctValues(_ t: Table, _ column: String) throws -> [String] {
    t.rowCount == 0 ? [] : try valueCounts(t, column, .all(t.rowCount)).keys.filter { !$0.isEmpty }.sorted()
}

func dateRange(_ column: String, _ p: Period) -> Predicate {
    .and([.compare(column, .ge, .date(Int32(p.first))), .compare(column, .le, .date(Int32(p.last)))])
}

/// The victim figures (`victims.*`), with the breakdowns disclosure control applies to.
struct VictimFigures {
    let table: Table
    let settings: Settings
    /// Every region in the loaded victims, so ids are the same in every period.
    let regions: [String]

    init(_ table: Table, settings: Settings) throws {
        self.table = table
        self.settings = settings
        regions = try distinctValues(table, "region")
    }

    var bands: [(label: String, lo: Int, hi: Int?)] { settings.ageBands }

    /// Adds the period's figures; returns the breakdowns (ids and the groups of them whose
    /// sums are published) for disclosure control.
    func add(_ p: Period, to f: inout Figures) throws -> [(ids: [String], groups: [[Int]])] {
        let sel = try table.filter(dateRange("contacted_on", p))
        let ages = try valueCounts(table, "age", sel)
        var total = 0, unknown = 0, minors = 0
        var bandCounts = Array(repeating: 0, count: bands.count)
        for (a, n) in ages {
            total += n
            guard let age = Int(a) else { unknown += n; continue }
            if age < settings.minorAgeLimit || (settings.injectedFault == .minorsInclusive && age == settings.minorAgeLimit) { minors += n }
            if let b = bands.firstIndex(where: { age >= $0.lo && ($0.hi == nil || age < $0.hi!) }) { bandCounts[b] += n }
        }
        f["victims.total"] = .count(total)
        f["victims.age_unknown"] = .count(unknown)
        f["victims.minors"] = .count(minors)
        f["victims.minors_share"] = .number(share(minors, total - unknown))
        f["victims.minors_share_ci95"] = .ci(wilson(minors, total - unknown))

        var out: [(ids: [String], groups: [[Int]])] = []
        let channels = try valueCounts(table, "channel", sel)
        let channelIDs = RecordSchema.channels.map { "victims.by_channel.\($0)" }
        for (c, id) in zip(RecordSchema.channels, channelIDs) { f[id] = .count(channels[c] ?? 0) }
        out.append((channelIDs, [Array(channelIDs.indices)]))          // channels sum to the total

        var services: [String: Int] = [:]
        for (set, n) in try valueCounts(table, "services", sel) where !set.isEmpty {
            for s in set.split(separator: ";") { services[String(s), default: 0] += n }
        }
        let serviceIDs = RecordSchema.services.map { "victims.by_service.\($0)" }
        for (s, id) in zip(RecordSchema.services, serviceIDs) { f[id] = .count(services[s] ?? 0) }
        out.append((serviceIDs, []))                                     // a victim may have several: no sum

        let byRegion = try valueCounts(table, "region", sel)
        let regionKeys = regions + (byRegion[""] != nil || regions.isEmpty ? ["unknown"] : [])
        let regionIDs = regionKeys.map { "victims.by_region.\($0)" }
        for (r, id) in zip(regionKeys, regionIDs) { f[id] = .count(byRegion[r == "unknown" ? "" : r] ?? 0) }
        out.append((regionIDs, [Array(regionIDs.indices)]))

        let bandIDs = bands.map { "victims.by_age_band.\($0.label)" }
        for (n, id) in zip(bandCounts, bandIDs) { f[id] = .count(n) }
        let minorBands = bands.indices.filter { (bands[$0].hi ?? Int.max) <= settings.minorAgeLimit }
        let adultBands = bands.indices.filter { !minorBands.contains($0) }
        out.append((bandIDs, [minorBands, adultBands]))                  // minors, and known − minors, are published
        return out
    }
}

/// The arrest figures (`arrests.*`).
struct ArrestFigures {
    let table: Table
    let settings: Settings
    let agencies: [String]

    init(_ table: Table, settings: Settings) throws {
        self.table = table
        self.settings = settings
        agencies = try distinctValues(table, "agency")
    }

    func add(_ p: Period, to f: inout Figures) throws {
        let sel = try table.filter(dateRange("arrested_on", p))
        let limit = Int64(settings.minorAgeLimit)
        let g = try table.groupBy([], [
            Aggregation("total", .count),
            Aggregation("known", .countValid("suspect_age")),
            Aggregation("minors", .count, filter: .compare("suspect_age", .lt, .int(limit))),
            Aggregation("undercover", .count, filter: .compare("undercover", .eq, .bool(true))),
        ], where: sel)
        func n(_ c: String) -> Int { Self.int(g[c].value(0)) }
        f["arrests.total"] = .count(n("total"))
        let offenses = try valueCounts(table, "offense", sel)
        for o in RecordSchema.offenses { f["arrests.by_offense.\(o)"] = .count(offenses[o] ?? 0) }
        let byAgency = try valueCounts(table, "agency", sel)
        for a in agencies { f["arrests.by_agency.\(a)"] = .count(byAgency[a] ?? 0) }
        f["arrests.suspect_minors_share"] = .number(share(n("minors"), n("known")))
        f["arrests.undercover_share"] = .number(share(n("undercover"), n("total")))
        f["arrests.proceeds_seized_krw"] = try proceeds(sel)
    }

    /// The sum of seized proceeds, or not computable when it exceeds the 64-bit range (the
    /// other figures are computed all the same).
    func proceeds(_ sel: Selection) throws -> FigureValue {
        do {
            let g = try table.groupBy([], [Aggregation("proceeds", .sum("proceeds_seized_krw"))], where: sel)
            return .count(Self.int(g["proceeds"].value(0)))
        } catch EngineError.overflow {
            return .notComputable("the sum of proceeds_seized_krw exceeds \(FigureFormat.thousands(Int.max)), the largest 64-bit integer")
        }
    }

    /// A count or integer sum as an Int (0 for null), without going through Double.
    static func int(_ v: Value) -> Int {
        switch v {
        case .int(let x): return Int(x)
        case .double(let d) where d.isFinite && abs(d) < 9e18: return Int(d)
        default: return 0
        }
    }
}
