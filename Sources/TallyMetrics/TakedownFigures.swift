import TallyCore
import TallyEngine
import TallyTime

/// Counts of one platform (or of all) over some days, as metrics.md defines them at an
/// as-of time. `due = within + late + unresolved` always.
public struct TakedownCounts: Equatable, Sendable {
    public var requests = 0, due = 0, within = 0, late = 0, overdue = 0, refused = 0, ai = 0, detectorKnown = 0
    public var unresolved: Int { due - within - late }

    static func + (a: TakedownCounts, b: TakedownCounts) -> TakedownCounts {
        TakedownCounts(requests: a.requests + b.requests, due: a.due + b.due, within: a.within + b.within,
                       late: a.late + b.late, overdue: a.overdue + b.overdue, refused: a.refused + b.refused,
                       ai: a.ai + b.ai, detectorKnown: a.detectorKnown + b.detectorKnown)
    }
}

/// One row of the per-platform table (`platforms` in the JSON).
public struct PlatformRow: Sendable {
    public var platform: String
    public var counts: TakedownCounts
    public var compliance: Double?
    public var complianceCI: (Double, Double)?
    public var medianHours: Double?
    public var p90Hours: Double?
    public var fineKRW: Int?
    /// Why `fineKRW` is null although there is a fine schedule (its sum overflows).
    public var fineNotComputable: String?
    public var rank: Int?

    public var json: JSONValue {
        .object([
            ("platform", .string(platform)), ("requests", .integer(counts.requests)), ("due", .integer(counts.due)),
            ("within_deadline", .integer(counts.within)), ("compliance", .number(compliance)),
            ("compliance_ci95", complianceCI.map { .array([.double($0.0), .double($0.1)]) } ?? .null),
            ("median_hours", .number(medianHours)), ("p90_hours", .number(p90Hours)),
            ("overdue", .integer(counts.overdue)), ("refused", .integer(counts.refused)),
            ("late", .integer(counts.late)), ("unresolved", .integer(counts.unresolved)),
            ("fine_krw", .integer(fineKRW)), ("rank", .integer(rank)),
        ])
    }
}

/// The takedown figures of a stretch of local days (`from...to`), from one pass over the
/// records: per (platform, local day of `requested_at`) the counts metrics.md defines at the
/// as-of time, and the hours to removal of that day's removals, kept in (platform, day) order.
/// Any period inside the stretch then costs sums over days and quantiles over contiguous
/// slices: the figures of a month, its previous month and year to date, its fines (per
/// calendar month and the month before), and every month of a bulletin's trend charts come
/// from the same pass, in which each record's local date and hours are derived once.
///
/// This is the engine's one definition of the takedown figures (the catalogue's
/// `takedowns.counts`, `takedowns.hours`, `platforms.*` and `fines.monthly` queries are the
/// other, in SQL; `FigureSQLTests` holds the two equal).
public final class TakedownFigures: @unchecked Sendable {
    public let asOf: Int64
    let settings: Settings
    /// The local days covered, inclusive.
    public let from: Int, to: Int
    /// Platform names by slot (the platform column's dictionary); slot `names.count` holds
    /// requests without a platform, which count in the totals of hours only, as a group-by
    /// over the platform would have them.
    let names: [String]
    let slotOfName: [String: Int]
    /// Slots of the named platforms, by name.
    let slotsByName: [Int]
    let dayCount: Int
    /// `slot × dayCount + (day − from)` of every (platform, day) with requests, ascending.
    let keys: [Int]
    let cells: [TakedownCounts]
    /// The hours of cell `k` are `hours[offsets[k] ..< offsets[k + 1]]`.
    let offsets: [Int]
    let hours: [Double]

    /// `source` has the store's takedown columns; counts cover local days `from...to`.
    /// `denseCells`: above this many (platform, day) cells, chunks keep a hash table of the
    /// cells they meet instead of a block of days per platform (tests lower it).
    public init(source: Table, asOf: Int64, settings: Settings, from: Int, to: Int, denseCells: Int = 1 << 22) throws {
        precondition(from <= to)
        self.asOf = asOf
        self.settings = settings
        self.from = from
        self.to = to
        let platform = try source.column("platform"), outcome = try source.column("outcome")
        let detected = try source.column("detected_by")
        let requested = try source.column("requested_at"), resolved = try source.column("resolved_at")
        for (name, c, t) in [("platform", platform, DataType.string), ("outcome", outcome, .string), ("detected_by", detected, .string),
                             ("requested_at", requested, .timestamp), ("resolved_at", resolved, .timestamp)] where c.type != t {
            throw EngineError.typeMismatch(column: name, expected: t.rawValue, found: c.type)
        }
        let names = platform.dictionary?.strings ?? []
        self.names = names
        var bySlot: [String: Int] = [:]
        for (i, n) in names.enumerated() { bySlot[n] = i }
        slotOfName = bySlot
        slotsByName = names.indices.sorted { names[$0] < names[$1] }
        let dayCount = to - from + 1
        self.dayCount = dayCount

        let pass = Pass(rows: source.rowCount, asOf: asOf, settings: settings, from: from, to: to,
                        slots: names.count + 1, dayCount: dayCount, denseCells: denseCells,
                        outcome: outcome.dictionary, detected: detected.dictionary)
        // Only the rows between the first and the last block whose `requested_at` can fall in
        // the stretch (zone maps): for records loaded month by month that is the stretch's
        // share of the table, not all of it; `locate` still tests every row it is given.
        let candidates = try source.rowRanges(where: "requested_at", from: pass.lo, through: pass.hi - 1)
        let span = candidates.isEmpty ? 0..<0 : candidates.first!.lowerBound..<candidates.last!.upperBound
        let r = pass.run(span: span, platform: platform, outcome: outcome, detected: detected, requested: requested, resolved: resolved)
        keys = r.keys; cells = r.cells; offsets = r.offsets; hours = r.hours
    }

    /// Whether the pass covers local days `a...b`.
    public func covers(_ a: Int, _ b: Int) -> Bool { a >= from && b <= to }

    /// The cells of `slot` on local days `a...b` (clamped to the pass): a range of `keys`.
    func cellRange(_ slot: Int, _ a: Int, _ b: Int) -> Range<Int> {
        let lo = slot * dayCount + max(0, a - from), hi = slot * dayCount + min(dayCount - 1, b - from)
        guard lo <= hi else { return 0..<0 }
        func lowerBound(_ key: Int) -> Int {
            var l = 0, h = keys.count
            while l < h { let m = (l + h) >> 1; if keys[m] < key { l = m + 1 } else { h = m } }
            return l
        }
        return lowerBound(lo)..<lowerBound(hi + 1)
    }

    func sum(_ r: Range<Int>) -> TakedownCounts {
        var c = TakedownCounts()
        for k in r { c = c + cells[k] }
        return c
    }

    /// Platforms with requests in `period`, by name, with their counts.
    func counts(_ period: Period) -> [(String, TakedownCounts)] {
        precondition(covers(period.first, period.last), "a period outside the takedown pass")
        return slotsByName.compactMap { s in
            let c = sum(cellRange(s, period.first, period.last))
            return c.requests > 0 ? (names[s], c) : nil
        }
    }

    /// Counts of `platform` in calendar month (year, month).
    func monthCounts(_ platform: String, _ year: Int, _ month: Int) -> TakedownCounts {
        let p = Period.month(year, month)
        precondition(covers(p.first, p.last), "a month outside the takedown pass")
        guard let s = slotOfName[platform] else { return TakedownCounts() }
        return sum(cellRange(s, p.first, p.last))
    }

    /// The hours of `slot`'s removals in local days `a...b`: contiguous, in (day, record) order.
    func hoursSlice(_ slot: Int, _ a: Int, _ b: Int) -> Range<Int> {
        let r = cellRange(slot, a, b)
        return r.isEmpty ? 0..<0 : offsets[r.lowerBound]..<offsets[r.upperBound]
    }

    /// Median and p90 hours to removal (type 7) in `period`, per platform (those with
    /// removals in it) and over all: removed or blocked, resolved at or before the as-of time.
    func durations(_ period: Period) -> (perPlatform: [String: (Double?, Double?)], all: (Double?, Double?)) {
        precondition(covers(period.first, period.last), "a period outside the takedown pass")
        let slices = (0...names.count).map { hoursSlice($0, period.first, period.last) }
        let named = names.indices.filter { !slices[$0].isEmpty }
        var per: [String: (Double?, Double?)] = [:]
        // Platforms spread over the cores, largest first, each quantile over its own slice.
        var results = [(Double?, Double?)](repeating: (nil, nil), count: named.count)
        hours.withUnsafeBufferPointer { all in
            let order = named.indices.sorted { slices[named[$0]].count > slices[named[$1]].count }
            let threads = Parallel.chunks(slices.reduce(0) { $0 + $1.count }).count > 1 && order.count > 1 ? 2 : 1
            var assigned = [[Int]](repeating: [], count: threads), load = [Int](repeating: 0, count: threads)
            for k in order {
                let t = load[0] <= load[threads - 1] ? 0 : threads - 1
                assigned[t].append(k); load[t] += slices[named[k]].count
            }
            results.withUnsafeMutableBufferPointer { out in
                Parallel.run((0..<threads).map { $0..<($0 + 1) }) { t, _ in
                    for k in assigned[t] {
                        let v = UnsafeBufferPointer(rebasing: all[slices[named[k]]])
                        out[k] = (Quantile.type7Radix(v, 0.5), Quantile.type7Radix(v, 0.9))
                    }
                }
            }
        }
        for (k, s) in named.enumerated() { per[names[s]] = results[k] }
        var gathered: [Double] = []
        gathered.reserveCapacity(slices.reduce(0) { $0 + $1.count })
        for s in slices { gathered.append(contentsOf: hours[s]) }
        let both = gathered.withUnsafeBufferPointer { (Quantile.type7Radix($0, 0.5), Quantile.type7Radix($0, 0.9)) }
        return (per, both)
    }

    /// Hours from request to removal of `period`'s requests counted by
    /// `takedowns.median_hours`, by platform (those with removals) or all under "": what
    /// charts of hours to removal draw.
    public func removalHours(_ period: Period, byPlatform: Bool) -> [String: [Double]] {
        precondition(covers(period.first, period.last), "a period outside the takedown pass")
        var out: [String: [Double]] = [:]
        for s in 0...names.count {
            let r = hoursSlice(s, period.first, period.last)
            guard !r.isEmpty else { continue }
            if !byPlatform {
                out["", default: []].append(contentsOf: hours[r])
            } else if s < names.count {
                out[names[s], default: []].append(contentsOf: hours[r])
            }
        }
        return out
    }

    /// Values held: cells and hours, in bytes (what the pass costs in memory).
    public var byteCount: Int {
        keys.count * (MemoryLayout<Int>.size * 2 + MemoryLayout<TakedownCounts>.stride) + hours.count * 8
    }
}

extension TakedownFigures {
    /// The pass itself: each core takes a chunk of rows, and each row in the stretch of days
    /// is classified once. First every chunk counts per (platform, day), removals included;
    /// then the removals' positions are laid out in (platform, day) order, and every chunk
    /// writes its removals' hours there in a second, lighter pass.
    struct Pass {
        let rows: Int
        let asOf: Int64
        let deadline: Int64
        let strict: Bool
        let zone: ZoneOffsets
        let from: Int, to: Int
        let slots: Int, dayCount: Int
        /// Per outcome code: bit 0 removed or blocked, bit 1 pending, bit 2 refused.
        let outcomeClass: [UInt8]
        let aiCode: UInt32?
        /// Rows whose `requested_at` lies outside [lo, hi) (UTC microseconds) are outside the
        /// stretch whatever the zone's offset: only the rest get a local date.
        let lo: Int64, hi: Int64
        /// The zone's one offset over [lo, hi) in microseconds, when it has one there (the
        /// local day is then a division), else nil (the zone's table for each row).
        let fixedOffset: Int64?
        /// Cells per chunk are one block of days per platform met (when slots × days is at
        /// most 4M), else a hash table of cells met.
        let dense: Bool

        static let removedOrBlocked: UInt8 = 1, pending: UInt8 = 2, refused: UInt8 = 4
        static let dayMicros: Int64 = 86_400_000_000
        /// Counters per cell: requests, due, within, late, overdue, refused, ai, known, removals.
        static let stride = 9

        init(rows: Int, asOf: Int64, settings: Settings, from: Int, to: Int, slots: Int, dayCount: Int, denseCells: Int,
             outcome: StringDictionary?, detected: StringDictionary?) {
            self.rows = rows
            self.asOf = asOf
            deadline = settings.deadlineMicros
            strict = settings.injectedFault == .withinDeadlineExclusive
            zone = settings.zone
            self.from = from; self.to = to; self.slots = slots; self.dayCount = dayCount
            outcomeClass = (outcome?.strings ?? []).map { s in
                switch s {
                case "removed", "blocked": return Self.removedOrBlocked
                case "pending": return Self.pending
                case "refused": return Self.refused
                default: return 0
                }
            }
            aiCode = detected?.code(of: "ai")
            // Offsets lie within ±26 hours: two days either side is a safe margin.
            lo = Int64(from - 2) * Self.dayMicros
            hi = Int64(to + 3) * Self.dayMicros
            let loS = floorDiv(lo, 1_000_000), hiS = floorDiv(hi, 1_000_000)
            let changes = zone.spans.contains { $0.fromUTC.map { $0 > loS && $0 <= hiS } ?? false }
            fixedOffset = changes ? nil : zone.offset(atUTC: loS) * 1_000_000
            dense = slots * dayCount <= denseCells
        }

        /// One chunk's cells: counters and where each cell's hours go.
        struct Chunk {
            var counters: [Int] = []
            /// Dense: the first cell of each slot met (−1: none yet).
            var slotBase: [Int]
            /// Sparse: cell of each key met.
            var cellOfKey: [Int: Int] = [:]
            /// Key of each cell (dense: computed from the slot's block).
            var keyOfCell: [Int] = []
            var cursor: [Int] = []
            init(slots: Int, dense: Bool) { slotBase = dense ? Array(repeating: -1, count: slots) : [] }
        }

        /// The columns' values and validity words (nil: no nulls), lent for one pass.
        struct Rows {
            var platform: UnsafeBufferPointer<UInt32>, platformValid: UnsafeBufferPointer<UInt64>?
            var outcome: UnsafeBufferPointer<UInt32>, outcomeValid: UnsafeBufferPointer<UInt64>?
            var detected: UnsafeBufferPointer<UInt32>, detectedValid: UnsafeBufferPointer<UInt64>?
            var requested: UnsafeBufferPointer<Int64>, requestedValid: UnsafeBufferPointer<UInt64>?
            var resolved: UnsafeBufferPointer<Int64>, resolvedValid: UnsafeBufferPointer<UInt64>?
        }

        static func withRows<R>(_ platform: Column, _ outcome: Column, _ detected: Column, _ requested: Column, _ resolved: Column,
                                _ body: (Rows) -> R) -> R {
            platform.withCodes { pc in platform.withValidityWords { pv in
            outcome.withCodes { oc in outcome.withValidityWords { ov in
            detected.withCodes { dc in detected.withValidityWords { dv in
            requested.withInt64s { rq in requested.withValidityWords { rqv in
            resolved.withInt64s { rs in resolved.withValidityWords { rsv in
                body(Rows(platform: pc, platformValid: pv, outcome: oc, outcomeValid: ov, detected: dc, detectedValid: dv,
                          requested: rq, requestedValid: rqv, resolved: rs, resolvedValid: rsv))
            }}}}}}}}}}
        }

        /// The row's (slot, day index) when its request falls in the stretch, else nil.
        @inline(__always)
        func locate(_ i: Int, _ rows: Rows) -> (slot: Int, day: Int)? {
            let r = rows.requested[i]
            guard r >= lo, r < hi, isValidRow(rows.requestedValid, i) else { return nil }
            let day = fixedOffset.map { Int(floorDiv(r &+ $0, Self.dayMicros)) } ?? Int(zone.localDay(utcMicros: r))
            guard day >= from, day <= to else { return nil }
            return (isValidRow(rows.platformValid, i) ? Int(rows.platform[i]) : slots - 1, day - from)
        }

        @inline(__always)
        func cell(_ c: inout Chunk, _ slot: Int, _ day: Int) -> Int {
            if dense {
                var base = c.slotBase[slot]
                if base < 0 {
                    base = c.counters.count / Self.stride
                    c.slotBase[slot] = base
                    c.counters.append(contentsOf: repeatElement(0, count: dayCount * Self.stride))
                    c.keyOfCell.append(contentsOf: (0..<dayCount).map { slot * dayCount + $0 })
                }
                return base + day
            }
            let key = slot * dayCount + day
            if let k = c.cellOfKey[key] { return k }
            let k = c.keyOfCell.count
            c.cellOfKey[key] = k
            c.keyOfCell.append(key)
            c.counters.append(contentsOf: repeatElement(0, count: Self.stride))
            return k
        }

        func run(span: Range<Int>, platform: Column, outcome: Column, detected: Column, requested: Column, resolved: Column)
            -> (keys: [Int], cells: [TakedownCounts], offsets: [Int], hours: [Double]) {
            let chunks = Parallel.chunks(span.count).map { ($0.lowerBound + span.lowerBound)..<($0.upperBound + span.lowerBound) }
            var states = (0..<chunks.count).map { _ in Chunk(slots: slots, dense: dense) }
            let due = asOf - deadline
            Self.withRows(platform, outcome, detected, requested, resolved) { rows in
                states.withUnsafeMutableBufferPointer { st in
                    Parallel.run(chunks) { k, range in
                        var c = Chunk(slots: 0, dense: false)
                        swap(&c, &st[k])
                        for i in range {
                            guard let (slot, day) = locate(i, rows) else { continue }
                            let b = cell(&c, slot, day) * Self.stride
                            let r = rows.requested[i]
                            let cls = isValidRow(rows.outcomeValid, i) ? outcomeClass[Int(rows.outcome[i])] : 0
                            let rb = cls & Self.removedOrBlocked != 0
                            let hasResolved = isValidRow(rows.resolvedValid, i)
                            let s = rows.resolved[i]
                            c.counters.withUnsafeMutableBufferPointer { n in
                                n[b] += 1
                                if r <= due {
                                    n[b + 1] += 1
                                    if rb && hasResolved {
                                        // Within: removed or blocked at most the deadline after the
                                        // request (exactly 24:00:00 is within); late: after it, by
                                        // the as-of time.
                                        let d = s &- r
                                        if strict ? d < deadline : d <= deadline { n[b + 2] += 1 }
                                        else if s <= asOf { n[b + 3] += 1 }
                                    }
                                    // Overdue: still pending, or resolved only after the as-of time.
                                    if cls & Self.pending != 0 || (hasResolved && s > asOf) { n[b + 4] += 1 }
                                }
                                if cls & Self.refused != 0 { n[b + 5] += 1 }
                                if isValidRow(rows.detectedValid, i) {
                                    n[b + 7] += 1
                                    if let ai = aiCode, rows.detected[i] == ai { n[b + 6] += 1 }
                                }
                                // Hours to removal: removed or blocked, resolved by the as-of time.
                                if rb && hasResolved && s <= asOf { n[b + 8] += 1 }
                            }
                        }
                        swap(&c, &st[k])
                    }
                }
            }

            // Cells with requests, in key order, summed over the chunks.
            var present: [Int: [(chunk: Int, cell: Int)]] = [:]
            for (k, c) in states.enumerated() {
                for (cellIndex, key) in c.keyOfCell.enumerated() where c.counters[cellIndex * Self.stride] > 0 {
                    present[key, default: []].append((k, cellIndex))
                }
            }
            let keys = present.keys.sorted()
            var cells: [TakedownCounts] = []
            cells.reserveCapacity(keys.count)
            var offsets = [0]
            offsets.reserveCapacity(keys.count + 1)
            for k in states.indices { states[k].cursor = Array(repeating: 0, count: states[k].keyOfCell.count) }
            var total = 0
            for key in keys {
                var n = TakedownCounts()
                for (k, ci) in present[key]! {
                    let b = ci * Self.stride
                    let v = states[k].counters
                    n = n + TakedownCounts(requests: v[b], due: v[b + 1], within: v[b + 2], late: v[b + 3], overdue: v[b + 4],
                                           refused: v[b + 5], ai: v[b + 6], detectorKnown: v[b + 7])
                    // This chunk's removals of the cell go after those of the chunks before it.
                    states[k].cursor[ci] = total
                    total += v[b + 8]
                }
                cells.append(n)
                offsets.append(total)
            }

            // The removals' hours, written where the layout puts them.
            let hours = [Double](unsafeUninitializedCapacity: total) { buffer, count in
                if total > 0 {
                    let out = buffer.baseAddress!
                    Self.withRows(platform, outcome, detected, requested, resolved) { rows in
                        states.withUnsafeMutableBufferPointer { st in
                            Parallel.run(chunks) { k, range in
                                var c = Chunk(slots: 0, dense: false)
                                swap(&c, &st[k])
                                for i in range {
                                    guard let (slot, day) = locate(i, rows) else { continue }
                                    let cls = isValidRow(rows.outcomeValid, i) ? outcomeClass[Int(rows.outcome[i])] : 0
                                    let s = rows.resolved[i], r = rows.requested[i]
                                    guard cls & Self.removedOrBlocked != 0, isValidRow(rows.resolvedValid, i), s <= asOf else { continue }
                                    let ci = dense ? c.slotBase[slot] + day : c.cellOfKey[slot * dayCount + day]!
                                    out[c.cursor[ci]] = Double(s &- r) / 3_600_000_000
                                    c.cursor[ci] += 1
                                }
                                swap(&c, &st[k])
                            }
                        }
                    }
                }
                count = total
            }
            return (keys, cells, offsets, hours)
        }
    }
}
