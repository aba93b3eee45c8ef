/// What one aggregate function computes for every group of a group-by. Each function of
/// `AggregateFunction` has its own kernel type, in its own file (as DuckDB registers each
/// function once); `Table.groupBy` only picks the kernel and hands it the groups.
protocol AggregateKernel {
    func compute(_ input: AggregateInput) throws -> Column
}

/// What a kernel sees: the table, its groups, the rows taking part (selected, and the
/// aggregation's filter true), and the work the group-by's aggregations share.
struct AggregateInput {
    let table: Table
    let groups: GroupIndex
    /// The truth of the aggregation's filter per row (nil: no filter).
    let mask: [UInt8]?
    let filter: Predicate?
    let shared: Table.SharedWork

    var groupCount: Int { groups.groupCount }

    /// Calls `body` for each row taking part, with its group.
    func forEachRow(_ body: (_ row: Int, _ group: Int) -> Void) {
        groups.forEachRow { row, group in
            if let mask, mask[row] != Truth.yes { return }
            body(row, group)
        }
    }

    func column(_ name: String) throws -> Column { try table.column(name) }

    /// A column of numbers, or a type mismatch naming it.
    func numericColumn(_ name: String) throws -> Column {
        let c = try column(name)
        guard c.type != .string else { throw EngineError.typeMismatch(column: name, expected: "a number", found: c.type) }
        return c
    }
}

extension AggregateFunction {
    /// The kernel that computes this function.
    var kernel: any AggregateKernel {
        switch self {
        case .count: return CountAggregate()
        case .countValid(let name): return CountValidAggregate(column: name)
        case .sum(let name): return SumAggregate(column: name, mean: false)
        case .mean(let name): return SumAggregate(column: name, mean: true)
        case .min(let name): return ExtremeAggregate(column: name, minimum: true)
        case .max(let name): return ExtremeAggregate(column: name, minimum: false)
        case let .quantile(name, p): return QuantileAggregate(column: name, p: p)
        case .share(let predicate): return ShareAggregate(predicate: predicate)
        }
    }
}

extension Table {
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
