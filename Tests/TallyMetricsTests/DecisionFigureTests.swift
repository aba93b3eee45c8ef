import TallyTestSupport
import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyStore
@testable import TallyMetrics
import TallyPublication

/// The figures of decisions.md on the real DSA fixtures, three ways: the engine
/// (`DecisionFigures`), the figure catalogue's SQL (`FigureSQL.recompute`) run by
/// SQLite on the store, and python3 reading the CSV files with its csv and json modules.
/// Serialized: its tests share one store, and a store's connection serves one thread at a time
/// (two threads stepping statements on one connection at once is undefined behaviour in SQLite's
/// no-mutex mode; it once spun for ever).
@Suite(.serialized) struct DecisionFigureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/TallyStoreTests/Fixtures/dsa")
    static var paths: [String] {
        ["00000-00000", "00000-00001", "00001-00001"].map { fixtures.appendingPathComponent("sor-global-2024-03-14-full-\($0).csv").path }
    }

    final class Loaded: @unchecked Sendable {
        let box = Sandbox()
        let store: Store
        let table: Table
        let list: SexualAbuseList
        init() throws {
            store = try box.store()
            _ = try store.ingest(DecisionFigureTests.paths)
            table = try store.table(.decisions, useCache: false).table
            list = try SexualAbuseList.load(DecisionFigureTests.root.appendingPathComponent("Data/dsa-sexual-abuse.yaml").path)
        }
    }

    /// Built once, by the first test that asks (a static `let` is initialised exactly once,
    /// even when tests run in parallel).
    nonisolated(unsafe) static let shared = Result { try Loaded() }
    static func loaded() throws -> Loaded { try shared.get() }

    /// The catalogue's figure SQL (`FigureSQL.recompute`, no engine) on the store, at the latest vintage.
    static func sql(_ l: Loaded, _ p: Period, minDecisions: Int) throws -> Figures {
        var settings = Settings()
        settings.sexualAbuse = l.list
        settings.minDecisions = minDecisions
        let params = FigureSQL.Parameters(vintage: Int(Int64.max), period: p, asOf: 0, settings: settings)
        return try l.store.db.read { try FigureSQL.recompute(params, fines: nil, suppress: false, runner: StoreFigureSQL(db: l.store.db)) }.figures
    }

    /// python3's figures from the CSV files: {"figures": {id: value}, "platforms": {name: {field: value}}}.
    static func python(_ period: Period, _ list: SexualAbuseList, minDecisions: Int) throws -> [String: Any] {
        let script = """
            import sys, csv, json, calendar, time
            first, last, cats, kws, mind = sys.argv[1], sys.argv[2], set(sys.argv[3].split(',')), set(sys.argv[4].split(',')), int(sys.argv[5])
            rows, seen = [], set()
            for path in sys.argv[6:]:
                for r in csv.DictReader(open(path, encoding='utf-8', newline='')):
                    if r['uuid'] in seen: continue
                    seen.add(r['uuid'])
                    if first <= r['application_date'][:10] <= last: rows.append(r)
            def q7(xs, p):
                if not xs: return None
                s = sorted(xs); h = (len(s) - 1) * p; lo = int(h)
                return s[lo] + (h - lo) * (s[lo + 1] - s[lo]) if lo + 1 < len(s) else s[lo]
            def day(t): return calendar.timegm(time.strptime(t[:10], '%Y-%m-%d')) // 86400
            def sets(x): return set(json.loads(x)) if x else set()
            def figs(rs):
                n = len(rs)
                mod = [day(r['application_date']) - day(r['content_date']) for r in rs if r['content_date'] and day(r['application_date']) >= day(r['content_date'])]
                dis = [(calendar.timegm(time.strptime(r['created_at'], '%Y-%m-%d %H:%M:%S')) - day(r['application_date']) * 86400) / 3600 for r in rs]
                share = lambda k: k / n if n else None
                return {
                    'total': n,
                    'sexual_abuse': sum(1 for r in rs if r['category'] in cats or sets(r['category_specification']) & kws),
                    'automated_detection_share': share(sum(r['automated_detection'] == 'Yes' for r in rs)),
                    'automated_decision_share': share(sum(r['automated_decision'] in ('AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY') for r in rs)),
                    'moderation_delay_median_days': q7(mod, 0.5), 'moderation_delay_p90_days': q7(mod, 0.9),
                    'disclosure_delay_median_hours': q7(dis, 0.5), 'disclosure_delay_p90_hours': q7(dis, 0.9),
                    'removed_share': share(sum(bool(sets(r['decision_visibility']) & {'DECISION_VISIBILITY_CONTENT_REMOVED', 'DECISION_VISIBILITY_CONTENT_DISABLED'}) for r in rs)),
                }
            f = {'decisions.' + k: v for k, v in figs(rows).items()}
            for r in rows:
                k = 'decisions.by_category.' + r['category'][len('STATEMENT_CATEGORY_'):].lower()
                f[k] = f.get(k, 0) + 1
            f['decisions.by_ground.illegal'] = sum(r['decision_ground'] == 'DECISION_GROUND_ILLEGAL_CONTENT' for r in rows)
            f['decisions.by_ground.incompatible'] = sum(r['decision_ground'] == 'DECISION_GROUND_INCOMPATIBLE_CONTENT' for r in rows)
            plats = {}
            for name in sorted({r['platform_name'] for r in rows}):
                plats[name] = figs([r for r in rows if r['platform_name'] == name])
            ranked = sorted((p for p in plats if plats[p]['total'] >= mind), key=lambda p: (plats[p]['disclosure_delay_median_hours'], p))
            for p in plats: plats[p]['rank'] = ranked.index(p) + 1 if p in ranked else None
            print(json.dumps({'figures': f, 'platforms': plats}))
            """
        let out = try python3(script, [CivilDate.isoString(days: period.first), CivilDate.isoString(days: period.last),
                                                      list.categories.joined(separator: ","), list.keywords.joined(separator: ","),
                                                      String(minDecisions)] + paths)
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return abs(x - y) <= 1e-9 * max(1, abs(x))
        default: return false
        }
    }

    @Test(arguments: ["2024-03", "2024-02-12..2024-03-13", "2024-03-12", "2023-01"])
    func engineEqualsSQLEqualsPython(period text: String) throws {
        let l = try Self.loaded()
        let p = try Period.parse(text)
        let r = try DecisionFigures.compute(l.table, period: p, list: l.list, minDecisions: 10)
        let py = try Self.python(p, l.list, minDecisions: 10)
        let pyFigures = py["figures"] as! [String: Any]
        let sql = try Self.sql(l, p, minDecisions: 10)
        // Every decisions figure the engine writes is catalogued, and the SQL gives the same ids.
        #expect(r.figures.ids.allSatisfy { FigureCatalogue.contains($0) })
        #expect(r.figures.ids.sorted() == sql.ids.filter { $0.hasPrefix("decisions.") && !$0.hasSuffix(".prev") && !$0.hasSuffix(".ytd") && !$0.hasSuffix(".change_pct") }.sorted())
        for id in r.figures.ids {
            let engine = r.figures[id]?.doubleValue
            let kind = FigureCatalogue.lookup(id)!.entry.kind
            let python = (pyFigures[id] as? NSNumber)?.doubleValue ?? (kind == .count ? 0 : nil)
            #expect(Self.close(engine, sql[id]?.doubleValue), "\(id) \(text): engine \(String(describing: engine)), SQL \(String(describing: sql[id]))")
            #expect(Self.close(engine, python), "\(id) \(text): engine \(String(describing: engine)), python \(String(describing: python))")
        }
        // Per platform: each row's values by SQL and python; the ranks by python and SQL.
        let pyPlatforms = py["platforms"] as! [String: [String: Any]]
        #expect(r.platforms.map(\.platform) == pyPlatforms.keys.sorted())
        #expect(FigureCatalogue.decisionPlatformColumns.count == 10)
        for row in r.platforms {
            guard case .object(let pairs) = row.json else { continue }
            for field in FigureCatalogue.decisionPlatformColumns {
                let engine: Double? = switch pairs.first(where: { $0.0 == field })?.1 {
                case .int(let n)?: Double(n)
                case .double(let d)?: d
                default: nil
                }
                let sqlValue = sql["decision_platforms.\(row.platform).\(field)"]?.doubleValue
                #expect(sql["decision_platforms.\(row.platform).\(field)"] != nil, "\(row.platform) \(field) missing in SQL")
                #expect(Self.close(engine, sqlValue), "\(row.platform) \(field): engine \(String(describing: engine)), SQL \(String(describing: sqlValue))")
                if field == "rank" { continue }
                let python = (pyPlatforms[row.platform]?[field] as? NSNumber)?.doubleValue
                #expect(Self.close(engine, python), "\(row.platform) \(field): engine \(String(describing: engine)), python \(String(describing: python))")
            }
        }
        for row in r.platforms {
            #expect(row.rank == (pyPlatforms[row.platform]?["rank"] as? NSNumber)?.intValue, "rank of \(row.platform)")
        }
    }

    /// Hand-checked values for March 2024 (application dates 2024-03-01 to 2024-03-31).
    @Test func marchByHand() throws {
        let l = try Self.loaded()
        let r = try DecisionFigures.compute(l.table, period: try Period.parse("2024-03"), list: l.list, minDecisions: 10)
        #expect(r.figures["decisions.total"]?.countValue == 111)
        #expect(r.figures["decisions.by_ground.illegal"]?.countValue == 0)
        #expect(r.figures["decisions.by_category.pornography_or_sexualized_content"]?.countValue == 11)
        // Ranked (≥ 10 decisions): Pinterest (median 1.6 min), TikTok (24.1 h), Google Shopping
        // (168 h); AliExpress (6) and Snapchat (2) not ranked.
        #expect(r.platforms.filter { $0.rank != nil }.sorted { $0.rank! < $1.rank! }.map(\.platform) == ["Pinterest", "TikTok", "Google Shopping"])
        #expect(r.platforms.filter { $0.rank == nil }.map(\.platform) == ["AliExpress", "Snapchat"])
        // The default min_decisions (100) ranks none of the five.
        let strict = try DecisionFigures.compute(l.table, period: try Period.parse("2024-03"), list: l.list, minDecisions: 100)
        #expect(strict.platforms.allSatisfy { $0.rank == nil })
    }

    /// Through `StatsReport`: decisions' figures and `decision_platforms` appear when decisions
    /// are loaded (with comparisons for a month), and nothing changes when they are not.
    @Test func statsReportCarriesDecisionsOnlyWhenLoaded() throws {
        let l = try Self.loaded()
        let empty = Table([])
        var settings = Settings()
        settings.sexualAbuse = l.list
        let e = try l.store.table(.arrests, useCache: false).table
        let v = try l.store.table(.victims, useCache: false).table
        let t = try l.store.table(.takedowns, useCache: false).table
        let with = try StatsReport(tables: RecordTables(arrests: e, victims: v, takedowns: t, decisions: l.table),
                                   period: try Period.parse("2024-03"), settings: settings, fines: nil)
        #expect(with.metrics["decisions.total"]?.countValue == 111)
        #expect(with.metrics["decisions.total.prev"]?.countValue == 38)
        #expect(with.metrics["decisions.total.ytd"]?.countValue == 149)
        #expect(with.metrics["decisions.removed_share.prev"] == nil)
        #expect(with.metrics["decisions.moderation_delay_median_days.prev"] == nil)
        guard case .object(let pairs) = with.json else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0).contains("decision_platforms"))
        let without = try StatsReport(tables: RecordTables(arrests: e, victims: v, takedowns: t),
                                      period: try Period.parse("2024-03"), settings: settings, fines: nil)
        #expect(!without.metrics.ids.contains { $0.hasPrefix("decisions.") })
        guard case .object(let pairs2) = without.json else { Issue.record("not an object"); return }
        #expect(!pairs2.map(\.0).contains("decision_platforms"))
        _ = empty
        // Without a list the sexual-abuse figure is not computable, with the reason.
        let noList = try DecisionFigures.compute(l.table, period: try Period.parse("2024-03"), list: nil, minDecisions: 100)
        #expect(noList.figures["decisions.sexual_abuse"]?.notComputableReason?.contains("dsa-sexual-abuse.yaml") == true)
    }

    @Test func theListFileIsCheckedAndNamed() throws {
        let box = Sandbox()
        let bad = box.write("l.yaml", "categories: [PROTECTION_OF_MINORS]\nkeywords: []\n")
        #expect(throws: YAMLError(file: bad, message: "key 'categories': 'PROTECTION_OF_MINORS' is not a STATEMENT_CATEGORY_* value")) {
            try SexualAbuseList.load(bad)
        }
        let missing = box.write("m.yaml", "categories: []\n")
        #expect(throws: YAMLError(file: missing, message: "missing key 'keywords' (a list of KEYWORD_* values)")) {
            try SexualAbuseList.load(missing)
        }
    }
}
