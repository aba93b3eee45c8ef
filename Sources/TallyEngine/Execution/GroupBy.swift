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

    /// The truth of `p` for every row. AND, OR and NOT are combined from their parts' masks,
    /// which are kept too: aggregations of one group-by often share a condition inside
    /// different filters (a report's "due" in four counts), evaluated so once. Kleene's
    /// AND = min, OR = max, NOT = 2 − x, as `evaluate` does.
    func mask(_ p: Predicate, _ shared: SharedWork) throws -> [UInt8] {
        if let m = shared.masks[p] { return m }
        var m: [UInt8]
        switch p {
        case .and(let parts) where parts.count > 1, .or(let parts) where parts.count > 1:
            var isAnd = false
            if case .and = p { isAnd = true }
            m = try mask(parts[0], shared)
            for q in parts.dropFirst() {
                let b = try mask(q, shared)
                m.withUnsafeMutableBufferPointer { out in
                    b.withUnsafeBufferPointer { x in
                        if isAnd { for i in 0..<out.count { out[i] = Swift.min(out[i], x[i]) } }
                        else { for i in 0..<out.count { out[i] = Swift.max(out[i], x[i]) } }
                    }
                }
            }
        case .not(let q):
            m = try mask(q, shared)
            m.withUnsafeMutableBufferPointer { out in for i in 0..<out.count { out[i] = Truth.yes - out[i] } }
        default:
            m = try truth(p)
        }
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

    /// One aggregation over the groups, by its function's kernel.
    func aggregate(_ a: Aggregation, _ g: GroupIndex, _ shared: SharedWork) throws -> Column {
        let mask = try a.filter.map { try self.mask($0, shared) }
        return try a.function.kernel.compute(AggregateInput(table: self, groups: g, mask: mask, filter: a.filter, shared: shared))
    }
}
