/// One output column of a group-by: a function over each group's rows, optionally only
/// the rows where `filter` is true (SQL's `FILTER (WHERE …)`).
public struct Aggregation: Sendable {
    public var name: String
    public var function: AggregateFunction
    public var filter: Predicate?

    public init(_ name: String, _ function: AggregateFunction, filter: Predicate? = nil) {
        self.name = name
        self.function = function
        self.filter = filter
    }
}

public enum AggregateFunction: Sendable {
    /// Rows.
    case count
    /// Rows where the column is not null.
    case countValid(String)
    /// Sum of non-null values (null when there are none); int64 for integer columns.
    case sum(String)
    case mean(String)
    case min(String)
    case max(String)
    /// Exact type-7 quantile of the non-null values, as float64.
    case quantile(String, Double)
    /// Rows where the predicate is true / rows where it is true or false (unknown excluded).
    case share(Predicate)
}

extension Table {
    /// Groups the selected rows by the key columns and aggregates each group. The result has
    /// the key columns, then one column per aggregation, one row per group, ordered by the
    /// keys (nulls first; strings by their text). No keys: one row over all selected rows.
    public func groupBy(_ keys: [String], _ aggregations: [Aggregation], where selection: Selection? = nil) throws -> Table {
        var seen = Set<String>()
        for name in keys + aggregations.map(\.name) where !seen.insert(name).inserted {
            throw EngineError.invalidArgument("two result columns are named '\(name)'; give one another name (NAME=…)")
        }
        let sel = selection ?? .all(rowCount)
        let shared = SharedWork()
        if let counted = try dictionaryCounts(keys, aggregations, sel, shared) { return counted }
        let grouping = try GroupIndex(table: self, keys: keys, selection: sel)
        var pairs: [(String, Column)] = []
        for (k, name) in keys.enumerated() { pairs.append((name, grouping.keyColumns[k])) }
        for a in aggregations {
            pairs.append((a.name, try aggregate(a, grouping, shared)))
        }
        return Table(pairs)
    }

    /// Work that several aggregations of one group-by can share: the truth of a filter
    /// (e.g. `within` and `share` of the same condition) and the values of a column per
    /// group (e.g. a median and a p90 of the same column and filter).
    final class SharedWork {
        var masks: [Predicate: [UInt8]] = [:]
        var partitions: [Pair: Partition] = [:]
        /// Rows per group and truth value (no, unknown, yes) of a filter.
        var truthCounts: [Predicate: [[Int64]]] = [:]
        struct Pair: Hashable { let column: String; let filter: Predicate? }
        /// A column's values group after group (group k: `values[offsets[k]..<offsets[k + 1]]`).
        struct Partition {
            let values: [Double]
            let offsets: [Int]
            init(_ p: (values: [Double], offsets: [Int])) {
                values = p.values
                offsets = p.offsets
            }
        }
    }

    func mask(_ p: Predicate, _ shared: SharedWork) throws -> [UInt8] {
        if let m = shared.masks[p] { return m }
        let m = try truth(p)
        shared.masks[p] = m
        return m
    }

    /// Rows per group where `p` is false, unknown, true: one pass, shared by a `count_if` and
    /// a `share` of the same condition.
    func truthCounts(_ p: Predicate, _ g: GroupIndex, _ shared: SharedWork) throws -> [[Int64]] {
        if let c = shared.truthCounts[p] { return c }
        let c = g.parallelTruthCounts(try mask(p, shared))
        shared.truthCounts[p] = c
        return c
    }

    func aggregate(_ a: Aggregation, _ g: GroupIndex, _ shared: SharedWork) throws -> Column {
        if case .count = a.function, let f = a.filter {
            return Self.int64Column(try truthCounts(f, g, shared)[Int(Truth.yes)], nullWhereZero: false)
        }
        let mask = try a.filter.map { try self.mask($0, shared) }
        let groups = g.groupCount
        // Rows taking part: selected, and filter true.
        func rows(_ body: (_ row: Int, _ group: Int) -> Void) {
            g.forEachRow { row, group in
                if let mask, mask[row] != Truth.yes { return }
                body(row, group)
            }
        }
        switch a.function {
        case .count:
            return Self.int64Column(g.parallelCount(mask: mask), nullWhereZero: false)
        case .countValid(let name):
            let c = try column(name)
            var counts = [Int64](repeating: 0, count: groups)
            rows { r, k in if c.isValid(r) { counts[k] += 1 } }
            return Self.int64Column(counts, nullWhereZero: false)
        case .sum(let name), .mean(let name):
            let c = try column(name)
            var isMean = false
            if case .mean = a.function { isMean = true }
            var n = [Int64](repeating: 0, count: groups)
            if (c.type == .int64 || c.type == .bool) && !isMean {
                var sums = [Int64](repeating: 0, count: groups)
                if c.type == .int64 {
                    let v = c.int64s
                    var overflow = false
                    rows { r, k in
                        if c.isValid(r) {
                            let (x, o) = sums[k].addingReportingOverflow(v[r])
                            sums[k] = x; overflow = overflow || o; n[k] += 1
                        }
                    }
                    if overflow { throw EngineError.overflow("sum of '\(name)' overflows a 64-bit integer") }
                } else {
                    let v = c.bools
                    rows { r, k in if c.isValid(r) { sums[k] += Int64(v[r]); n[k] += 1 } }
                }
                return Self.int64Column(sums, nullWhere: n.map { $0 == 0 })
            }
            guard c.type != .string else {
                throw EngineError.typeMismatch(column: name, expected: "a number", found: c.type)
            }
            let v = c.doubles()!
            var sums = [Double](repeating: 0, count: groups)
            rows { r, k in if c.isValid(r) { sums[k] += v[r]; n[k] += 1 } }
            let out = isMean ? zip(sums, n).map { $1 == 0 ? 0 : $0 / Double($1) } : sums
            return Self.float64Column(out, nullWhere: n.map { $0 == 0 })
        case .min(let name), .max(let name):
            let c = try column(name)
            var isMin = false
            if case .min = a.function { isMin = true }
            var best = [Int](repeating: -1, count: groups)  // row holding the extreme
            switch c.type {
            case .string:
                let s = c.dictionary!.strings, codes = c.codes
                rows { r, k in
                    guard c.isValid(r) else { return }
                    if best[k] < 0 { best[k] = r; return }
                    let x = s[Int(codes[r])], y = s[Int(codes[best[k]])]
                    if isMin ? x < y : x > y { best[k] = r }
                }
            case .int64, .timestamp:
                // Exact on int64 (doubles would tie values beyond 2^53).
                let v = c.int64s
                rows { r, k in
                    guard c.isValid(r) else { return }
                    if best[k] < 0 || (isMin ? v[r] < v[best[k]] : v[r] > v[best[k]]) { best[k] = r }
                }
            default:
                let v = c.doubles()!
                rows { r, k in
                    guard c.isValid(r) else { return }
                    if best[k] < 0 || (isMin ? v[r] < v[best[k]] : v[r] > v[best[k]]) { best[k] = r }
                }
            }
            return c.gather(best)
        case let .quantile(name, p):
            guard p >= 0 && p <= 1 else { throw EngineError.invalidArgument("a quantile's p is from 0 to 1, not \(p)") }
            let c = try column(name)
            guard c.type != .string else { throw EngineError.typeMismatch(column: name, expected: "a number", found: c.type) }
            let key = SharedWork.Pair(column: name, filter: a.filter)
            let partition = try shared.partitions[key] ?? {
                let made = SharedWork.Partition(g.partitionedValues(c, mask: mask))
                shared.partitions[key] = made
                return made
            }()
            let offsets = partition.offsets
            var out = [Double](repeating: 0, count: groups)
            var none = [Bool](repeating: true, count: groups)
            // Groups go to the threads by size, largest first, each to the least loaded.
            let threads = Parallel.chunks(partition.values.count).count > 1 && groups > 1 ? 2 : 1
            var assigned = [[Int]](repeating: [], count: threads), load = [Int](repeating: 0, count: threads)
            let sizes: [Int] = (0..<groups).map { offsets[$0 + 1] - offsets[$0] }
            let largestFirst: [Int] = (0..<groups).sorted { sizes[$0] > sizes[$1] }
            for k in largestFirst {
                let t: Int = load[0] <= load[threads - 1] ? 0 : threads - 1
                assigned[t].append(k)
                load[t] += sizes[k]
            }
            partition.values.withUnsafeBufferPointer { all in
                let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: groups)
                let found = UnsafeMutableBufferPointer<Bool>.allocate(capacity: groups)
                defer { results.deallocate(); found.deallocate() }
                Parallel.run((0..<threads).map { $0..<($0 + 1) }) { t, _ in
                    for k in assigned[t] {
                        let slice = UnsafeBufferPointer(rebasing: all[offsets[k]..<offsets[k + 1]])
                        if let q = Quantile.type7Radix(slice, p) { results[k] = q; found[k] = true } else { found[k] = false }
                    }
                }
                for k in 0..<groups { out[k] = results[k]; none[k] = !found[k] }
            }
            return Self.float64Column(out, nullWhere: none)
        case .share(let predicate):
            // Rows outside the aggregation's own filter count as unknown.
            let counts: [[Int64]]
            if a.filter == nil { counts = try truthCounts(predicate, g, shared) } else {
                let t = try self.mask(predicate, shared), m = mask!
                counts = g.parallelTruthCounts(zip(m, t).map { $0 == Truth.yes ? $1 : Truth.unknown })
            }
            let yes = counts[Int(Truth.yes)]
            let known = zip(yes, counts[Int(Truth.no)]).map { $0 + $1 }
            return Self.float64Column(zip(yes, known).map { $1 == 0 ? 0 : Double($0) / Double($1) },
                                      nullWhere: known.map { $0 == 0 })
        }
    }

    static func int64Column(_ values: [Int64], nullWhereZero: Bool) -> Column {
        int64Column(values, nullWhere: nullWhereZero ? values.map { $0 == 0 } : [])
    }

    static func int64Column(_ values: [Int64], nullWhere: [Bool]) -> Column {
        var b = ColumnBuilder(type: .int64, capacity: values.count)
        for (i, v) in values.enumerated() { if !nullWhere.isEmpty && nullWhere[i] { b.appendNull() } else { b.append(v) } }
        return b.build()
    }

    static func float64Column(_ values: [Double], nullWhere: [Bool]) -> Column {
        var b = ColumnBuilder(type: .float64, capacity: values.count)
        for (i, v) in values.enumerated() { if nullWhere[i] { b.appendNull() } else { b.append(v) } }
        return b.build()
    }
}
