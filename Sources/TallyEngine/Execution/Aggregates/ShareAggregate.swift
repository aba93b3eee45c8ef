/// `share(predicate)`: rows where the predicate is true / rows where it is true or false
/// (unknown excluded); null for a group with no known rows. Rows outside the aggregation's own
/// filter count as unknown.
struct ShareAggregate: AggregateKernel {
    let predicate: Predicate

    func compute(_ input: AggregateInput) throws -> Column {
        let counts: [[Int64]]
        if let mask = input.mask {
            let t = try input.table.mask(predicate, input.shared)
            counts = input.groups.parallelTruthCounts(zip(mask, t).map { $0 == Truth.yes ? $1 : Truth.unknown })
        } else {
            counts = try input.table.truthCounts(predicate, input.groups, input.shared)
        }
        let yes = counts[Int(Truth.yes)]
        let known = zip(yes, counts[Int(Truth.no)]).map { $0 + $1 }
        return Table.float64Column(zip(yes, known).map { $1 == 0 ? 0 : Double($0) / Double($1) },
                                   nullWhere: known.map { $0 == 0 })
    }
}
