import Foundation
import TallyBulletin
import TallyCore
import TallyMetrics
import TallyStore
import TallyTables
import TallyTime

// What a publication needs from the store: the records at a vintage as engine tables, the
// revisions triangles over its batches, and the bulletins recorded in it.

extension Revisions {
    /// The vintages the columns show, oldest first.
    public static func vintages(_ store: Store, _ columns: Columns) throws -> [Vintage] {
        let all = try store.batchNumbers()
        guard let latest = all.last else { throw Failure(VintageError.empty.description) }
        var chosen: [Int]
        switch columns {
        case .all: chosen = all
        case .published: chosen = Array(Set(try store.publications().map(\.vintage) + [latest])).sorted()
        }
        return try chosen.map { try store.vintage(String($0)) }
    }

    /// The records of the store at a vintage as engine tables.
    public static func tables(_ store: Store, vintage: Int, useCache: Bool = true) throws -> RecordTables {
        RecordTables(arrests: try store.table(.arrests, useCache: useCache, vintage: vintage).table,
                     victims: try store.table(.victims, useCache: useCache, vintage: vintage).table,
                     takedowns: try store.table(.takedowns, useCache: useCache, vintage: vintage).table)
    }

    /// One triangle per figure over `months` and `vintages`.
    public static func triangles(_ store: Store, months: [Period], figures: [String], vintages: [Vintage],
                                 settings: Settings, fines: FineSchedule?, useCache: Bool = true) throws -> [RevisionTriangle] {
        var cells = Array(repeating: Array(repeating: [RevisionCell](), count: months.count), count: figures.count)
        for v in vintages {
            let t = try tables(store, vintage: v.batch, useCache: useCache)
            let col = try column(t, months: months, figures: figures, settings: settings, fines: fines)
            for k in figures.indices { for m in months.indices { cells[k][m].append(col[k][m]) } }
        }
        return figures.indices.map { RevisionTriangle(figure: figures[$0], months: months, vintages: vintages, cells: cells[$0]) }
    }
}

extension BulletinRevisions {
    /// Compares the figures of the months before `period` at the previous bulletin's vintage
    /// and as-of time with their values in `tables` (the store at `vintage`) at `asOf`.
    public static func compute(store: Store, period: Period, vintage: Int, asOf: Int64, tables: RecordTables,
                               settings: Settings, fines: FineSchedule?, useCache: Bool = true) throws -> BulletinRevisions {
        guard let prev = previous(of: period, vintage: vintage, in: try store.publications()) else { return BulletinRevisions(previous: nil) }
        var out = BulletinRevisions(previous: prev)
        out.batchesBetween = try store.batches(after: prev.vintage, through: vintage)
        let months = monthsBefore(period)
        let oldTables = try Revisions.tables(store, vintage: prev.vintage, useCache: useCache)
        let old = try Revisions.column(oldTables, months: months, figures: figures, asOf: prev.asOfMicros, settings: settings, fines: fines)
        let new = try Revisions.column(tables, months: months, figures: figures, asOf: asOf, settings: settings, fines: fines)

        // The batches that touched each month's records.
        var touched: [String: Set<Int>] = [:]
        for c in try store.changes(after: prev.vintage, through: vintage) {
            let day = c.kind == .takedowns ? Int(settings.zone.localDay(utcMicros: c.date)) : Int(c.date)
            let d = CivilDate.civil(days: day)
            touched[Period.month(d.year, d.month).label, default: []].insert(c.batch)
        }
        let notes = Dictionary(uniqueKeysWithValues: out.batchesBetween.map { ($0.batch, $0) })
        for (k, id) in figures.enumerated() {
            for (i, m) in months.enumerated() {
                guard case .value(let a) = old[k][i] else { continue }
                let b = new[k][i].value
                let same: Bool
                switch (a, b) {
                case (nil, nil): same = true
                case let (x?, y?): same = abs(x - y) <= 1e-12 * max(1, abs(x))
                default: same = false
                }
                if same { continue }
                let batches = (touched[m.label] ?? []).sorted().compactMap { notes[$0] }
                out.rows.append(Row(month: m, figure: id, old: a, new: b, batches: batches))
            }
        }
        out.rows.sort { ($0.month.first, figures.firstIndex(of: $0.figure) ?? 0) < ($1.month.first, figures.firstIndex(of: $1.figure) ?? 0) }
        if let p = period.previousMonth, period.kind == .month {
            for r in out.rows where r.month == p { out.marked.insert(r.figure + ".prev") }
        }
        return out
    }

    /// Records a bulletin just written in the store's `publications` (a write connection
    /// of its own, open only for this).
    public static func record(storePath: String, period: Period, lang: Language, vintage: Int, asOf: Int64,
                              manifest: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: manifest))
        let store = try Store(path: storePath, access: .write)
        let f = ISO8601DateFormatter()
        try store.recordPublication(period: period.label, lang: lang.rawValue, vintage: vintage, asOfMicros: asOf,
                                    manifestSHA256: Manifest.sha256(data), writtenAt: f.string(from: Date()))
    }
}
