/// `count`: rows per group (with a filter, rows where it is true).
struct CountAggregate: AggregateKernel {
    func compute(_ input: AggregateInput) throws -> Column {
        if let f = input.filter {
            // One pass of the filter's truth per group, shared with a `share` of the same condition.
            return Table.int64Column(try input.table.truthCounts(f, input.groups, input.shared)[Int(Truth.yes)], nullWhereZero: false)
        }
        return Table.int64Column(input.groups.parallelCount(mask: input.mask), nullWhereZero: false)
    }
}

/// `count(column)`: rows per group where the column is not null.
struct CountValidAggregate: AggregateKernel {
    let column: String

    func compute(_ input: AggregateInput) throws -> Column {
        let c = try input.column(column)
        var counts = [Int64](repeating: 0, count: input.groupCount)
        input.forEachRow { r, k in if c.isValid(r) { counts[k] += 1 } }
        return Table.int64Column(counts, nullWhereZero: false)
    }
}
