/// A fast path of `groupBy` for the commonest question — rows per value of one dictionary
/// string column, optionally also rows where a condition holds (`count_if`): one parallel
/// pass over the codes into per-chunk counters, no group index.
extension Table {
    /// nil when the query is not of that shape (one string key; only `count` aggregations).
    func dictionaryCounts(_ keys: [String], _ aggregations: [Aggregation], _ selection: Selection,
                          _ shared: SharedWork) throws -> Table? {
        guard keys.count == 1, let key = try? column(keys[0]), key.type == .string,
              aggregations.allSatisfy({ if case .count = $0.function { return true } else { return false } }) else { return nil }
        let masks = try aggregations.map { a in try a.filter.map { try mask($0, shared) } }
        let dictionary = key.dictionary!
        let slots = dictionary.count + 1            // the last slot counts null keys
        let nullSlot = slots - 1
        let lanes = aggregations.count + 1          // lane 0: selected rows (which groups exist)
        let chunks = Parallel.chunks(selection.count)
        let counts = UnsafeMutableBufferPointer<Int64>.allocate(capacity: chunks.count * lanes * slots)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let codes = key.codes
        let validity = key.nullCount == 0 ? nil : key.validity    // a bitmap without nulls is no bitmap
        withPointers(masks) { maskPointers in
            Parallel.run(chunks) { c, range in
                let base = counts.baseAddress! + c * lanes * slots
                @inline(__always) func add(_ row: Int) {
                    let slot = validity == nil || validity!.isValid(row) ? Int(codes[row]) : nullSlot
                    base[slot] &+= 1
                    for (a, m) in maskPointers.enumerated() {
                        if let m, m[row] == Truth.yes { base[(a + 1) * slots + slot] &+= 1 }
                    }
                }
                if let idx = selection.indices {
                    for i in range { add(Int(idx[i])) }
                } else if maskPointers.allSatisfy({ $0 == nil }) && validity == nil {
                    // Only rows per code: the tightest loop, with four sets of counters so that
                    // consecutive rows of the same value do not wait on one another.
                    let four = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 4 * slots)
                    four.initialize(repeating: 0)
                    defer { four.deallocate() }
                    let f = four.baseAddress!
                    var i = range.lowerBound
                    while i + 4 <= range.upperBound {
                        f[Int(codes[i])] &+= 1
                        f[slots + Int(codes[i + 1])] &+= 1
                        f[2 * slots + Int(codes[i + 2])] &+= 1
                        f[3 * slots + Int(codes[i + 3])] &+= 1
                        i += 4
                    }
                    while i < range.upperBound { f[Int(codes[i])] &+= 1; i += 1 }
                    for s in 0..<slots { base[s] += f[s] + f[slots + s] + f[2 * slots + s] + f[3 * slots + s] }
                } else {
                    for i in range { add(i) }
                }
            }
        }
        func total(_ lane: Int, _ slot: Int) -> Int64 {
            var t: Int64 = 0
            for c in 0..<chunks.count { t += counts[(c * lanes + lane) * slots + slot] }
            return t
        }
        // Groups: null first, then values by text.
        var present = (0..<dictionary.count).filter { total(0, $0) > 0 }
        present.sort { dictionary.strings[$0] < dictionary.strings[$1] }
        let slotsInOrder = (total(0, nullSlot) > 0 ? [nullSlot] : []) + present
        var keyBuilder = ColumnBuilder(type: .string, capacity: slotsInOrder.count)
        for s in slotsInOrder { if s == nullSlot { keyBuilder.appendNull() } else { keyBuilder.append(dictionary.strings[s]) } }
        var pairs: [(String, Column)] = [(keys[0], keyBuilder.build())]
        for (a, agg) in aggregations.enumerated() {
            // An unfiltered count is the rows of the group (lane 0).
            let lane = agg.filter == nil ? 0 : a + 1
            pairs.append((agg.name, Self.int64Column(slotsInOrder.map { total(lane, $0) }, nullWhereZero: false)))
        }
        return Table(pairs)
    }
}

/// Calls `body` with a pointer to each array's elements (nil for a nil array), all valid
/// for the duration of the call.
func withPointers<R>(_ arrays: [[UInt8]?], _ body: ([UnsafePointer<UInt8>?]) throws -> R) rethrows -> R {
    func step(_ i: Int, _ acc: [UnsafePointer<UInt8>?]) throws -> R {
        if i == arrays.count { return try body(acc) }
        guard let a = arrays[i] else { return try step(i + 1, acc + [nil]) }
        return try a.withUnsafeBufferPointer { try step(i + 1, acc + [$0.baseAddress]) }
    }
    return try step(0, [])
}

