import Foundation
import Testing
import TallyCore
import TallyStore
import TallyTestSupport
@testable import TallyMetrics
@testable import TallyBulletin
import TallyPublication

/// The figure catalogue's SQL against the engine (`StatsReport`): two computations of every
/// definition that share nothing but the catalogue, on the sample year and on seeded random
/// stores with the edge cases metrics.md names; and `tally verify` catching a wrong
/// definition injected into the engine.
@Suite(.serialized) struct FigureSQLTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The engine's figures by id as a manifest gives them: the metrics, and every column of
    /// the per-platform table as `platforms.NAME.COLUMN`.
    static func engine(_ r: StatsReport) -> [String: JSONValue] {
        let s = FigureSource(report: r)
        var ids = r.metrics.ids
        for p in r.platforms { for c in FigureCatalogue.platformColumns { ids.append("platforms.\(p.platform).\(c)") } }
        for p in r.decisionPlatforms ?? [] {
            for c in FigureCatalogue.decisionPlatformColumns { ids.append("decision_platforms.\(p.platform).\(c)") }
        }
        var out: [String: JSONValue] = [:]
        for id in ids { out[id] = s.value(id) ?? .string("(missing)") }
        return out
    }

    static func sql(_ store: Store, _ r: StatsReport, vintage: Int, suppress: Bool) throws -> [String: JSONValue] {
        let p = FigureSQL.Parameters(vintage: vintage, period: r.period, asOf: r.asOf, settings: r.settings)
        let f = try store.db.read { try FigureSQL.recompute(p, fines: r.fines, suppress: suppress, runner: StoreFigureSQL(store)) }
        var out: [String: JSONValue] = [:]
        for (id, v) in f.figures.items { out[id] = v.json }
        return out
    }

    /// Whether two values agree: integers and text exactly, numbers within 1e-9 relative.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x == y || abs(x - y) <= 1e-9 * max(abs(x), abs(y))
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default: return a == b
        }
    }

    static func differences(_ e: [String: JSONValue], _ s: [String: JSONValue]) -> [String] {
        var out: [String] = []
        for id in Set(e.keys).union(s.keys).sorted() {
            let a = e[id], b = s[id]
            if a == nil { out.append("\(id): only in SQL (\(b!.rendered(pretty: false)))"); continue }
            if b == nil { out.append("\(id): only in the engine (\(a!.rendered(pretty: false)))"); continue }
            if !same(a!, b!) { out.append("\(id): engine \(a!.rendered(pretty: false)), SQL \(b!.rendered(pretty: false))") }
        }
        return out
    }

    // MARK: The sample year

    final class Sample: @unchecked Sendable {
        let box = Sandbox()
        let store: Store
        let tables: RecordTables
        let settings: Settings
        let fines: FineSchedule
        init() throws {
            store = try box.store()
            _ = try store.ingest(["arrests", "victims", "takedowns"].map { FigureSQLTests.root.appendingPathComponent("Data/sample/\($0)-2024.csv").path })
            tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table)
            settings = try Settings.load(FigureSQLTests.root.appendingPathComponent("Data/settings.yaml").path)
            fines = try FineSchedule.load(settings.finesFile!)
        }
    }
    /// Built once, by the first test that asks (a static `let` is initialised exactly once,
    /// even when tests run in parallel).
    nonisolated(unsafe) static let shared = Result { try Sample() }
    static func sample() throws -> Sample { try shared.get() }

    @Test(arguments: ["2024-08", "2024-01", "2024-Q3", "2024", "2024-01-15..2024-03-10", "2023-05"])
    func sampleYearEngineEqualsSQL(period: String) throws {
        let s = try Self.sample()
        let vintage = try s.store.vintage(nil).batch
        for (asOf, suppress) in [(nil, true), (Int64(1_724_166_000_000_000), false)] as [(Int64?, Bool)] {   // 2024-08-21T00:00+09:00
            let r = try StatsReport(tables: s.tables, period: try Period.parse(period), asOf: asOf, settings: s.settings,
                                    fines: s.fines, suppress: suppress)
            let e = Self.engine(r)
            #expect(e.count > 60)
            let d = Self.differences(e, try Self.sql(s.store, r, vintage: vintage, suppress: suppress))
            #expect(d.isEmpty, "\(period) as of \(r.asOfText): \(d.prefix(10))")
        }
    }

    @Test func defaultAsOfInSQLIsTheEngines() throws {
        let s = try Self.sample()
        let st = try s.store.db.prepare(AsOf.defaultSQL)
        try st.bind(named: [("vintage", .int(Int64(try s.store.vintage(nil).batch)))])
        #expect(try st.step())
        let period = try Period.parse("2024-08")
        #expect(st.int(0) == StatsReport.defaultAsOf(s.tables.takedowns, period: period, zone: s.settings.zone))
    }

    // MARK: The DSA fixtures

    /// The sample year and the real DSA statements of reasons in one store.
    final class DSA: @unchecked Sendable {
        let box = Sandbox()
        let store: Store
        let tables: RecordTables
        let settings: Settings
        let fines: FineSchedule
        init() throws {
            store = try box.store()
            let dsa = FigureSQLTests.root.appendingPathComponent("Tests/TallyStoreTests/Fixtures/dsa")
            _ = try store.ingest(["arrests", "victims", "takedowns"].map { FigureSQLTests.root.appendingPathComponent("Data/sample/\($0)-2024.csv").path }
                + ["00000-00000", "00000-00001", "00001-00001"].map { dsa.appendingPathComponent("sor-global-2024-03-14-full-\($0).csv").path })
            tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table,
                                  decisions: try store.table(.decisions, useCache: false).table)
            settings = try Settings.load(FigureSQLTests.root.appendingPathComponent("Data/settings.yaml").path)
            fines = try FineSchedule.load(settings.finesFile!)
        }
    }
    nonisolated(unsafe) static let sharedDSA = Result { try DSA() }
    static func dsa() throws -> DSA { try sharedDSA.get() }

    /// Engine == SQL on a store with decisions: the decisions' figures, their comparisons and
    /// `decision_platforms` columns with the list and min_decisions as set, and without a list.
    @Test(arguments: ["2024-03", "2024-02", "2024-Q1", "2024-03-12", "2024-02-12..2024-03-13", "2023-05"])
    func dsaFixturesEngineEqualsSQL(period: String) throws {
        let s = try Self.dsa()
        #expect(s.settings.sexualAbuse != nil, "Data/settings.yaml names the sexual-abuse list")
        let vintage = try s.store.vintage(nil).batch
        for (minDecisions, list) in [(100, true), (10, true), (1, false)] {
            var settings = s.settings
            settings.minDecisions = minDecisions
            if !list { settings.sexualAbuse = nil }
            let r = try StatsReport(tables: s.tables, period: try Period.parse(period), settings: settings, fines: s.fines)
            let e = Self.engine(r)
            #expect(e.keys.contains("decisions.total") && e.keys.contains { $0.hasPrefix("decision_platforms.") } == (period != "2023-05"))
            let d = Self.differences(e, try Self.sql(s.store, r, vintage: vintage, suppress: true))
            #expect(d.isEmpty, "\(period), min_decisions \(minDecisions), list \(list): \(d.prefix(10))")
        }
        // The month's hand-checked figures (DecisionFigureTests.marchByHand) through the SQL.
        if period == "2024-03" {
            var settings = s.settings
            settings.minDecisions = 10
            let r = try StatsReport(tables: s.tables, period: try Period.parse(period), settings: settings, fines: s.fines)
            let q = try Self.sql(s.store, r, vintage: vintage, suppress: true)
            #expect(q["decisions.total"] == .int(111))
            #expect(q["decisions.total.prev"] == .int(38))
            #expect(q["decisions.by_category.pornography_or_sexualized_content"] == .int(11))
            #expect(q["decision_platforms.Pinterest.rank"] == .int(1) && q["decision_platforms.TikTok.rank"] == .int(2))
            #expect(q["decision_platforms.Snapchat.rank"] == .null)
        }
    }

    /// Decisions at a vintage: the fixtures loaded in two batches, each vintage's engine
    /// tables against the SQL at that vintage (`decisions_at_vintage`).
    @Test func dsaVintagesEngineEqualsSQL() throws {
        let box = Sandbox()
        let store = try box.store()
        let dsa = Self.root.appendingPathComponent("Tests/TallyStoreTests/Fixtures/dsa")
        let files = ["00000-00000", "00000-00001", "00001-00001"].map { dsa.appendingPathComponent("sor-global-2024-03-14-full-\($0).csv").path }
        _ = try store.ingest([files[0]])
        let first = try store.vintage(nil).batch
        _ = try store.ingest(Array(files[1...]))
        let second = try store.vintage(nil).batch
        #expect(second > first)
        var settings = try Settings.load(Self.root.appendingPathComponent("Data/settings.yaml").path)
        settings.minDecisions = 5
        var totals: [Int] = []
        for vintage in [first, second] {
            let tables = RecordTables(arrests: try store.table(.arrests, useCache: false, vintage: vintage).table,
                                      victims: try store.table(.victims, useCache: false, vintage: vintage).table,
                                      takedowns: try store.table(.takedowns, useCache: false, vintage: vintage).table,
                                      decisions: try store.table(.decisions, useCache: false, vintage: vintage).table)
            let r = try StatsReport(tables: tables, period: try Period.parse("2024-03"), settings: settings, fines: nil)
            let d = Self.differences(Self.engine(r), try Self.sql(store, r, vintage: vintage, suppress: true))
            #expect(d.isEmpty, "vintage \(vintage): \(d.prefix(10))")
            totals.append(r.metrics["decisions.total"]?.countValue ?? -1)
        }
        // The first file alone has fewer of March's decisions than all three (111).
        #expect(totals[0] < totals[1] && totals[1] == 111, "\(totals)")
    }

    /// Every id of stats JSON and CSV with decisions is catalogued, `decision_platforms`
    /// columns are the catalogue's, and ids have definitions in both languages.
    @Test func dsaIdsAreCatalogued() throws {
        let s = try Self.dsa()
        let r = try StatsReport(tables: s.tables, period: try Period.parse("2024-03"), settings: s.settings, fines: s.fines)
        guard case .object(let top) = r.json, case .object(let metrics)? = top.first(where: { $0.0 == "metrics" })?.1,
              case .array(let rows)? = top.first(where: { $0.0 == "decision_platforms" })?.1 else {
            Issue.record("stats JSON without metrics or decision_platforms"); return
        }
        #expect(metrics.map(\.0).filter { $0.hasPrefix("decisions.") }.count > 30)
        let missing = metrics.map(\.0).filter { !FigureCatalogue.contains($0) }
        #expect(missing.isEmpty, "stats JSON ids the catalogue lacks: \(missing)")
        #expect(rows.count == 5)
        for case .object(let row) in rows {
            #expect(row.map(\.0).filter { $0 != "platform" } == FigureCatalogue.decisionPlatformColumns)
            let name = row.first { $0.0 == "platform" }.map { "\($0.1)" } ?? ""
            #expect(!name.isEmpty)
        }
        for id in metrics.map(\.0) + FigureCatalogue.decisionPlatformColumns.map({ "decision_platforms.TikTok.\($0)" }) {
            #expect(!FigureCatalogue.definition(id).isEmpty && !FigureCatalogue.definition(id, lang: .ko).isEmpty, "\(id)")
        }
        // Kinds: days and hours read as such, counts get comparisons, per-platform columns do not.
        #expect(FigureFormat.text("decisions.moderation_delay_median_days", .number(2)) == "2.0 d")
        #expect(FigureFormat.text("decision_platforms.TikTok.disclosure_delay_median_hours", .number(24.06)) == "24.1 h")
        #expect(FigureFormat.text("decisions.removed_share", .number(0.5)) == "50.0%")
        #expect(FigureCatalogue.hasComparisons("decisions.by_category.scams_and_fraud"))
        #expect(!FigureCatalogue.hasComparisons("decision_platforms.TikTok.total"))
        #expect(!FigureCatalogue.hasComparisons("decisions.removed_share"))
        #expect(!FigureCatalogue.contains("decisions.totals"))
    }

    // MARK: Seeded random stores

    static func iso(_ micros: Int64) -> String { Timestamp.iso(micros: micros, offsetSeconds: 0) }

    /// Victims, arrests and takedowns over January to April 2024 with the edge cases: unknown
    /// ages and regions, requests resolved exactly at the deadline, a second either side,
    /// pending ones, requests at local midnight; then a second batch resolving some pending ones.
    static func randomStore(_ seed: UInt64, _ box: Sandbox) throws -> (Store, [Int]) {
        var g = SeededRandom(seed: seed)
        func pick<T>(_ xs: [T]) -> T { xs[g.below(xs.count)] }
        let jan1 = Int64(CivilDate.days(year: 2024, month: 1, day: 1))
        let regions = ["Seoul", "Busan", "Jeju", "Daegu"]
        var victims = "victim_id,contacted_on,age,gender,channel,services,region\n"
        for i in 0..<(40 + g.below(200)) {
            let day = CivilDate.isoString(days: Int(jan1) + g.below(121))
            let age = g.chance(0.15) ? "" : String(8 + g.below(50))
            let services = RecordSchema.services.filter { _ in g.chance(0.3) }.joined(separator: ";")
            let region = g.chance(0.1) ? "" : pick(regions)
            victims += "V\(i),\(day),\(age),\(pick(RecordSchema.genders)),\(pick(RecordSchema.channels)),\(services),\(region)\n"
        }
        var arrests = "arrest_id,arrested_on,agency,offense,suspect_age,victim_minor,undercover,confessed,proceeds_seized_krw\n"
        for i in 0..<(20 + g.below(100)) {
            let day = CivilDate.isoString(days: Int(jan1) + g.below(121))
            let age = g.chance(0.2) ? "" : String(12 + g.below(40))
            let proceeds = g.chance(0.5) ? "" : String(g.below(50_000_000))
            arrests += "A\(i),\(day),\(pick(regions)),\(pick(RecordSchema.offenses)),\(age),,\(g.chance(0.3) ? "true" : "false"),,\(proceeds)\n"
        }
        let hour: Int64 = 3_600_000_000
        let start = jan1 * 86_400_000_000 - 9 * hour   // local midnight of 2024-01-01 in Seoul
        var takedowns = takedownHeader + "\n", updates = takedownHeader + "\n"
        var updated = 0
        let platforms = ["Alpha", "Beta", "Gamma", "Delta.net"]
        for i in 0..<(100 + g.below(400)) {
            // Some requests exactly at a local midnight, the rest anywhere.
            let requested = g.chance(0.1) ? start + Int64(g.below(121)) * 24 * hour : start + Int64(g.below(121 * 24 * 3600)) * 1_000_000
            let outcome = pick(RecordSchema.outcomes)
            var resolved = ""
            if outcome != "pending" || g.chance(0.1) {
                let d: Int64
                switch g.below(6) {
                case 0: d = 24 * hour                                   // exactly 24:00:00
                case 1: d = 24 * hour + 1_000_000                       // a second late
                case 2: d = 48 * hour                                   // exactly 48:00:00
                default: d = Int64(g.below(100 * 3600)) * 1_000_000
                }
                resolved = iso(requested + d)
            }
            let detector = g.chance(0.2) ? "" : pick(RecordSchema.detectors)
            let platform = pick(platforms)
            let row = "R\(i),\(platform),,,police,\(detector),\(iso(requested)),\(resolved),\(outcome)\n"
            takedowns += row
            // An update (revisions.md): a pending request resolved in the next batch, same
            // platform (another platform would be a correction: a conflict without --revise).
            if outcome == "pending" && resolved.isEmpty && g.chance(0.6) {
                updates += "R\(i),\(platform),,,police,\(detector),\(iso(requested)),\(iso(requested + 5 * hour)),removed\n"
                updated += 1
            }
        }
        // Some seeds draw no update at all: one pending request resolved
        // later is always there, so that the vintages differ.
        if updated == 0 {
            let requested = start + Int64(g.below(100 * 24)) * hour
            takedowns += "R-pending,Alpha,,,police,,\(iso(requested)),,pending\n"
            updates += "R-pending,Alpha,,,police,,\(iso(requested)),\(iso(requested + 30 * hour)),removed\n"
        }
        let store = try box.store()
        _ = try store.ingest([box.write("victims.csv", victims), box.write("arrests.csv", arrests), box.write("takedowns.csv", takedowns)])
        _ = try store.ingest([box.write("takedowns-updates.csv", updates)])
        let batches = try box.rows(store, "SELECT id FROM batches ORDER BY id").map { Int($0[0])! }
        return (store, batches)
    }

    @Test func randomStoresEngineEqualsSQL() throws {
        let base = SeededRandom.seed("TALLY_FIGURE_SQL_SEED")
        print("FigureSQLTests.randomStoresEngineEqualsSQL seed \(base) (replay: TALLY_FIGURE_SQL_SEED=\(base))")
        for k in 0..<4 {
            let seed = base &+ UInt64(k)
            let box = Sandbox()
            let (store, batches) = try Self.randomStore(seed, box)
            #expect(try box.count(store, "takedowns_history") > 0, "the second batch updates requests: vintages differ")
            var g = SeededRandom(seed: seed ^ 0xF16)
            var settings = Settings()
            settings.deadlineHours = g.chance(0.5) ? 24 : 48
            settings.minorAgeLimit = g.chance(0.5) ? 19 : 18
            settings.minDue = 1 + g.below(20)
            let fines: FineSchedule? = g.chance(0.2) ? nil
                : FineSchedule(deadlineHours: settings.deadlineHours, lateKRW: 1_000_000, unresolvedKRW: 3_000_000,
                               monthlyCapKRW: g.chance(0.5) ? 40_000_000 : nil, repeatMultiplier: g.chance(0.5) ? 1.5 : nil)
            for vintage in batches {
                let tables = RecordTables(arrests: try store.table(.arrests, useCache: false, vintage: vintage).table,
                                          victims: try store.table(.victims, useCache: false, vintage: vintage).table,
                                          takedowns: try store.table(.takedowns, useCache: false, vintage: vintage).table)
                // The as-of default, a cut inside March (local midnight), and one a second after a deadline.
                let cut = Int64(CivilDate.days(year: 2024, month: 3, day: 15)) * 86_400_000_000 - 9 * 3_600_000_000
                for period in ["2024-02", "2024-03", "2024-01-10..2024-02-20", "2024-Q1", "2024", "2023-07"] {
                    for asOf in [nil, cut] as [Int64?] {
                        let suppress = g.chance(0.5)
                        let r = try StatsReport(tables: tables, period: try Period.parse(period), asOf: asOf, settings: settings,
                                                fines: fines, suppress: suppress)
                        let d = Self.differences(Self.engine(r), try Self.sql(store, r, vintage: vintage, suppress: suppress))
                        #expect(d.isEmpty, "seed \(seed), vintage \(vintage), \(period) as of \(r.asOfText): \(d.prefix(8))")
                    }
                }
            }
        }
    }

    // MARK: verify catches a wrong definition

    /// A bulletin written by an engine with a wrong definition publishes wrong figures; `tally
    /// verify`, recomputing from figure SQL, reports them — which rerunning the same engine
    /// could not.
    @Test(arguments: [InjectedFault.minorsInclusive, .withinDeadlineExclusive])
    func verifyCatchesAWrongDefinition(fault: InjectedFault) throws {
        let s = try Self.sample()
        var settings = s.settings
        settings.injectedFault = fault
        let box = Sandbox()
        // The sample has requests resolved exactly at 24:00:00 (checked below), and victims aged 19.
        let exact = try box.rows(s.store, "SELECT count(*) FROM takedowns WHERE resolved_at - requested_at = 86400000000")[0][0]
        #expect(Int(exact)! > 0)
        let spec = try BulletinSpec.load(Self.root.appendingPathComponent("Charts/bulletin.yaml").path)
        var input = BulletinInput(tables: s.tables, period: try Period.parse("2024-08"), asOf: nil, settings: settings, fines: s.fines,
                                  provenance: try s.store.provenance(), spec: spec, lang: .en, outDir: box.dir.path + "/out",
                                  sourceDateEpoch: 1_725_580_800)
        input.vintage = try s.store.vintage(nil)
        input.format = .html
        _ = try Bulletin.write(input)
        let v = try Verification.run(manifestPath: box.dir.path + "/out/manifest.json", store: s.store)
        let differing = Set(v.lines.filter { !$0.matches }.map(\.id))
        let expected: Set<String> = fault == .minorsInclusive ? ["victims.minors", "victims.minors_share"] : ["takedowns.within_deadline", "takedowns.compliance"]
        #expect(!differing.isEmpty && differing.isSuperset(of: expected.intersection(v.lines.map(\.id))), "\(differing)")
        #expect(!expected.intersection(v.lines.map(\.id)).isEmpty, "the bulletin prints none of \(expected)")
        #expect(!v.passed)

        // The same bulletin from the engine as it is verifies.
        input.settings = s.settings
        input.outDir = box.dir.path + "/right"
        _ = try Bulletin.write(input)
        let ok = try Verification.run(manifestPath: box.dir.path + "/right/manifest.json", store: s.store)
        #expect(ok.differences == 0, "\(ok.lines.filter { !$0.matches }.map(\.id))")
    }

    // MARK: The catalogue covers every output

    @Test func everyPublishedIdIsCatalogued() throws {
        let s = try Self.sample()
        for period in ["2024-08", "2024-Q3", "2024-01-15..2024-03-10"] {
            let r = try StatsReport(tables: s.tables, period: try Period.parse(period), settings: s.settings, fines: s.fines)
            // Stats JSON: every metric id, every platform column.
            guard case .object(let top) = r.json, case .object(let metrics)? = top.first(where: { $0.0 == "metrics" })?.1,
                  case .array(let rows)? = top.first(where: { $0.0 == "platforms" })?.1 else {
                Issue.record("stats JSON without metrics or platforms"); continue
            }
            let missing = metrics.map(\.0).filter { !FigureCatalogue.contains($0) }
            #expect(missing.isEmpty, "stats JSON ids the catalogue lacks: \(missing)")
            for case .object(let row) in rows {
                let columns = row.map(\.0).filter { $0 != "platform" }
                #expect(columns == FigureCatalogue.platformColumns, "platform table columns \(columns)")
            }
            // Every id has a definition in both languages.
            for id in metrics.map(\.0) {
                #expect(!FigureCatalogue.definition(id).isEmpty && !FigureCatalogue.definition(id, lang: .ko).isEmpty, "\(id)")
            }
        }
        // An id the catalogue lacks is refused, with or without a comparison.
        #expect(!FigureCatalogue.contains("victims.totals"))
        #expect(!FigureCatalogue.contains("victims.minors_share.prev"))
        #expect(FigureCatalogue.contains("victims.by_region.Seoul.ytd"))
        #expect(FigureCatalogue.contains("platforms.Delta.net.fine_krw"))
    }

    @Test func manifestIdsAreCatalogued() throws {
        let s = try Self.sample()
        let box = Sandbox()
        let spec = try BulletinSpec.load(Self.root.appendingPathComponent("Charts/bulletin.yaml").path)
        var input = BulletinInput(tables: s.tables, period: try Period.parse("2024-08"), asOf: nil, settings: s.settings, fines: s.fines,
                                  provenance: try s.store.provenance(), spec: spec, lang: .ko, outDir: box.dir.path + "/out",
                                  sourceDateEpoch: 1_725_580_800)
        input.format = .html
        _ = try Bulletin.write(input)
        let data = try Data(contentsOf: URL(fileURLWithPath: box.dir.path + "/out/manifest.json"))
        let top = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let ids = (top["figures"] as! [[String: Any]]).map { $0["id"] as! String }
        #expect(ids.count > 20)
        let missing = ids.filter { !FigureCatalogue.contains($0) }
        #expect(missing.isEmpty, "manifest ids the catalogue lacks: \(missing)")
        for f in top["figures"] as! [[String: Any]] {
            #expect((f["definition"] as? String)?.isEmpty == false, "\(f["id"] ?? "")")
        }
    }

    /// Figure ids named by the chart specs and the notebooks are catalogued.
    @Test func chartSpecsAndNotebooksNameCataloguedIds() throws {
        let fm = FileManager.default
        var texts: [(String, String)] = []
        for dir in ["Charts", "Notebooks"] {
            let path = Self.root.appendingPathComponent(dir).path
            for f in try fm.contentsOfDirectory(atPath: path) where f.hasSuffix(".yaml") || f.hasSuffix(".ipynb") {
                texts.append((f, try String(contentsOfFile: path + "/" + f, encoding: .utf8)))
            }
        }
        #expect(texts.count > 4)
        // Anything that reads like a figure id: a record-kind prefix, a dot, a lower-case name.
        let prefixes = ["victims.", "arrests.", "takedowns.", "fines.", "decisions.", "decision_platforms."]
        var checked = 0
        for (file, text) in texts {
            var i = text.startIndex
            while i < text.endIndex {
                guard let p = prefixes.first(where: { text[i...].hasPrefix($0) }),
                      i == text.startIndex || !(text[text.index(before: i)].isLetter || text[text.index(before: i)] == "_" || text[text.index(before: i)] == "/") else {
                    i = text.index(after: i); continue
                }
                var j = text.index(i, offsetBy: p.count)
                while j < text.endIndex, text[j].isLetter || text[j].isNumber || text[j] == "_" || text[j] == "." || text[j] == "-" { j = text.index(after: j) }
                var id = String(text[i..<j])
                while id.hasSuffix(".") { id.removeLast() }
                // File names and the bulletin's table names (`decisions.headline`) are not figures.
                if id.count > p.count, !id.hasSuffix(".csv"), !id.hasSuffix(".yaml"), !id.hasSuffix(".md"), !BulletinSpec.tables.contains(id) {
                    checked += 1
                    // An id, a family's name (`victims.by_channel`) or a prefix code filters by (`victims.by_`).
                    let known = FigureCatalogue.contains(id) || FigureCatalogue.entries.contains { $0.shortName == id }
                        || (id.hasSuffix("_") && FigureCatalogue.entries.contains { $0.pattern.hasPrefix(id) })
                    #expect(known, "\(file): \(id) is not in the figure catalogue")
                }
                i = j
            }
        }
        #expect(checked > 10)
    }
}
