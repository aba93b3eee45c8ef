/// Exact type-7 quantile (linear interpolation between closest ranks) of the non-null values,
/// as float64. The values of a column per group are partitioned once and shared by every
/// quantile of the same column and filter (a median and a p90); groups are spread over the
/// threads by size, largest first.
struct QuantileAggregate: AggregateKernel {
    let column: String
    let p: Double

    func compute(_ input: AggregateInput) throws -> Column {
        guard p >= 0 && p <= 1 else { throw EngineError.invalidArgument("a quantile's p is from 0 to 1, not \(p)") }
        let c = try input.numericColumn(column)
        let shared = input.shared, g = input.groups, groups = input.groupCount, p = self.p
        let key = Table.SharedWork.Pair(column: column, filter: input.filter)
        let partition = shared.partitions[key] ?? {
            let made = Table.SharedWork.Partition(g.partitionedValues(c, mask: input.mask))
            shared.partitions[key] = made
            return made
        }()
        let offsets = partition.offsets
        var out = [Double](repeating: 0, count: groups)
        var none = [Bool](repeating: true, count: groups)
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
        return Table.float64Column(out, nullWhere: none)
    }
}
