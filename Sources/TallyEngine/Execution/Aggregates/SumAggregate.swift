/// `sum` and `mean` of the non-null values (null for a group without any): exact int64 sums of
/// integer and boolean columns (an overflow is an error, not a wrapped figure), doubles otherwise.
struct SumAggregate: AggregateKernel {
    let column: String
    let mean: Bool

    func compute(_ input: AggregateInput) throws -> Column {
        let c = try input.column(column)
        let groups = input.groupCount
        var n = [Int64](repeating: 0, count: groups)
        if (c.type == .int64 || c.type == .bool) && !mean {
            var sums = [Int64](repeating: 0, count: groups)
            if c.type == .int64 {
                let v = c.int64s
                var overflow = false
                input.forEachRow { r, k in
                    if c.isValid(r) {
                        let (x, o) = sums[k].addingReportingOverflow(v[r])
                        sums[k] = x; overflow = overflow || o; n[k] += 1
                    }
                }
                if overflow { throw EngineError.overflow("sum of '\(column)' overflows a 64-bit integer") }
            } else {
                let v = c.bools
                input.forEachRow { r, k in if c.isValid(r) { sums[k] += Int64(v[r]); n[k] += 1 } }
            }
            return Table.int64Column(sums, nullWhere: n.map { $0 == 0 })
        }
        let numbers = try input.numericColumn(column)
        let v = numbers.doubles()!
        var sums = [Double](repeating: 0, count: groups)
        input.forEachRow { r, k in if numbers.isValid(r) { sums[k] += v[r]; n[k] += 1 } }
        let out = mean ? zip(sums, n).map { $1 == 0 ? 0 : $0 / Double($1) } : sums
        return Table.float64Column(out, nullWhere: n.map { $0 == 0 })
    }
}
