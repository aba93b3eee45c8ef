/// The group of every selected row, with one representative row per group, for a set of
/// key columns. Keys with few distinct values (dictionary codes, booleans, integers and
/// dates spanning a small range) are combined into a direct index; others go through a
/// hash table. Group numbers follow the order of the keys.
struct GroupIndex {
    let selection: Selection
    /// Group of the i-th selected row.
    let rowGroups: [Int32]
    let groupCount: Int
    /// The key columns of the result: one row per group.
    let keyColumns: [Column]

    init(table: Table, keys: [String], selection: Selection) throws {
        self.selection = selection
        let columns = try keys.map { try table.column($0) }
        let n = selection.count
        if columns.isEmpty {
            rowGroups = [Int32](repeating: 0, count: n)
            groupCount = 1
            keyColumns = []
            return
        }
        if columns.count == 1, columns[0].type == .string {
            (rowGroups, groupCount, keyColumns) = Self.dictionaryKey(columns[0], selection)
            return
        }
        let encoders = columns.map { KeyEncoder($0, selection) }
        var groups: [Int32]
        var representatives: [Int]
        if let product = encoders.reduce(Optional(1), { acc, e in
            guard let acc, let card = e.cardinality, acc * card <= 1 << 22 else { return nil }
            return acc * card
        }) {
            (groups, representatives) = Self.direct(encoders, selection, product)
        } else {
            guard encoders.count <= 4 else {
                throw EngineError.invalidArgument("at most 4 keys when a key has many distinct values")
            }
            (groups, representatives) = Self.hashed(columns, selection)
        }
        // Order groups by their keys (nulls first, strings by text).
        let keyValues = representatives.map { r in columns.map { $0.value(r) } }
        let order = keyValues.indices.sorted { a, b in
            for (x, y) in zip(keyValues[a], keyValues[b]) where x != y { return Self.less(x, y) }
            return false
        }
        var rank = [Int32](repeating: 0, count: order.count)
        for (newID, old) in order.enumerated() { rank[old] = Int32(newID) }
        rank.withUnsafeBufferPointer { r in
            groups.withUnsafeMutableBufferPointer { g in
                Parallel.run(Parallel.chunks(n)) { _, range in
                    for i in range { g[i] = r[Int(g[i])] }
                }
            }
        }
        let orderedReps = order.map { representatives[$0] }
        rowGroups = groups
        groupCount = order.count
        keyColumns = columns.map { $0.gather(orderedReps) }
    }

    /// One dictionary-encoded key: groups are the codes present (null first, then by text),
    /// found by counting codes; then one pass writes every row's group.
    static func dictionaryKey(_ c: Column, _ selection: Selection) -> ([Int32], Int, [Column]) {
        let n = selection.count
        let dictionary = c.dictionary!
        let slots = dictionary.count + 1, nullSlot = slots - 1
        let validity = c.nullCount == 0 ? nil : c.validity
        let codes = c.codes
        let chunks = Parallel.chunks(n)
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks.count * slots)
        seen.initialize(repeating: 0)
        defer { seen.deallocate() }
        @inline(__always) func slot(_ row: Int) -> Int {
            if let validity, !validity.isValid(row) { return nullSlot }
            return Int(codes[row])
        }
        Parallel.run(chunks) { ch, range in
            let base = seen.baseAddress! + ch * slots
            if let idx = selection.indices {
                for i in range { base[slot(Int(idx[i]))] &+= 1 }
            } else {
                for i in range { base[slot(i)] &+= 1 }
            }
        }
        func present(_ s: Int) -> Bool { (0..<chunks.count).contains { seen[$0 * slots + s] > 0 } }
        var order = (0..<dictionary.count).filter(present).sorted { dictionary.strings[$0] < dictionary.strings[$1] }
        if present(nullSlot) { order.insert(nullSlot, at: 0) }
        var group = [Int32](repeating: -1, count: slots)
        for (k, s) in order.enumerated() { group[s] = Int32(k) }
        let rowGroups = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            group.withUnsafeBufferPointer { gp in
                Parallel.run(chunks) { _, range in
                    if let idx = selection.indices {
                        for i in range { out[i] = gp[slot(Int(idx[i]))] }
                    } else {
                        for i in range { out[i] = gp[slot(i)] }
                    }
                }
            }
            initialized = n
        }
        var key = ColumnBuilder(type: .string, capacity: order.count)
        for s in order { if s == nullSlot { key.appendNull() } else { key.append(dictionary.strings[s]) } }
        return (rowGroups, order.count, [key.build()])
    }

    /// Nulls first; numbers by value; strings by text.
    static func less(_ x: Value, _ y: Value) -> Bool {
        switch (x, y) {
        case (.null, _): return true
        case (_, .null): return false
        case let (.string(a), .string(b)): return a < b
        case let (.bool(a), .bool(b)): return !a && b
        case let (.int(a), .int(b)), let (.timestamp(a), .timestamp(b)): return a < b   // exact beyond 2^53
        default: return (x.asDouble ?? 0) < (y.asDouble ?? 0)
        }
    }

    static func direct(_ encoders: [KeyEncoder], _ selection: Selection, _ product: Int) -> ([Int32], [Int]) {
        let n = selection.count
        var strides = [Int](repeating: 1, count: encoders.count)
        for k in stride(from: encoders.count - 2, through: 0, by: -1) {
            strides[k] = strides[k + 1] * encoders[k + 1].cardinality!
        }
        var combined = [Int32](repeating: 0, count: n)
        let chunks = Parallel.chunks(n)
        var present = [[UInt8]](repeating: [], count: chunks.count)
        combined.withUnsafeMutableBufferPointer { out in
            let presentBox = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: chunks.count)
            presentBox.initialize(repeating: [])
            defer { presentBox.deallocate() }
            Parallel.run(chunks) { c, range in
                var seen = [UInt8](repeating: 0, count: product)
                for k in encoders.indices {
                    encoders[k].encode(range, stride: strides[k], into: out)
                }
                for i in range { seen[Int(out[i])] = 1 }
                presentBox[c] = seen
            }
            for c in 0..<chunks.count { present[c] = presentBox[c] }
        }
        var dense = [Int32](repeating: -1, count: product)
        var count: Int32 = 0
        for code in 0..<product where present.contains(where: { $0[code] != 0 }) {
            dense[code] = count
            count += 1
        }
        var representatives = [Int](repeating: -1, count: Int(count))
        var missing = Int(count)
        dense.withUnsafeBufferPointer { d in
            combined.withUnsafeMutableBufferPointer { g in
                Parallel.run(chunks) { _, range in
                    for i in range { g[i] = d[Int(g[i])] }
                }
            }
        }
        var i = 0
        while missing > 0 && i < n {
            let k = Int(combined[i])
            if representatives[k] < 0 {
                representatives[k] = selection.indices.map { Int($0[i]) } ?? i
                missing -= 1
            }
            i += 1
        }
        return (combined, representatives)
    }

    struct HashKey: Hashable {
        var a: Int64 = 0, b: Int64 = 0, c: Int64 = 0, d: Int64 = 0
        var nulls: UInt8 = 0
    }

    static func hashed(_ columns: [Column], _ selection: Selection) -> ([Int32], [Int]) {
        var ids: [HashKey: Int32] = [:]
        var groups = [Int32](repeating: 0, count: selection.count)
        var representatives: [Int] = []
        var i = 0
        selection.forEach { row in
            var key = HashKey()
            for (k, c) in columns.enumerated() {
                var v: Int64 = 0
                if !c.isValid(row) {
                    key.nulls |= 1 << UInt8(k)
                } else {
                    switch c.type {
                    case .int64, .timestamp: v = c.int64s[row]
                    case .float64: v = Int64(bitPattern: (c.float64s[row] == 0 ? 0 : c.float64s[row]).bitPattern)  // −0.0 groups with 0.0
                    case .date: v = Int64(c.int32s[row])
                    case .bool: v = Int64(c.bools[row])
                    case .string: v = Int64(c.codes[row])
                    }
                }
                switch k {
                case 0: key.a = v
                case 1: key.b = v
                case 2: key.c = v
                default: key.d = v
                }
            }
            if let id = ids[key] {
                groups[i] = id
            } else {
                let id = Int32(representatives.count)
                ids[key] = id
                representatives.append(row)
                groups[i] = id
            }
            i += 1
        }
        return (groups, representatives)
    }

    /// Calls `body(row, group)` for every selected row.
    @inline(__always)
    func forEachRow(_ body: (Int, Int) -> Void) {
        rowGroups.withUnsafeBufferPointer { g in
            if let idx = selection.indices {
                idx.withUnsafeBufferPointer { ix in
                    for i in 0..<ix.count { body(Int(ix[i]), Int(g[i])) }
                }
            } else {
                for i in 0..<g.count { body(i, Int(g[i])) }
            }
        }
    }

    /// Rows per group (only where `mask` is `value`, when given), on every core for large inputs.
    func parallelCount(mask: [UInt8]?, value: UInt8 = Truth.yes) -> [Int64] {
        let chunks = Parallel.chunks(selection.count)
        let partial = UnsafeMutableBufferPointer<Int64>.allocate(capacity: chunks.count * groupCount)
        partial.initialize(repeating: 0)
        defer { partial.deallocate() }
        rowGroups.withUnsafeBufferPointer { g in
            Parallel.run(chunks) { c, range in
                let counts = partial.baseAddress! + c * groupCount
                if let mask {
                    mask.withUnsafeBufferPointer { m in
                        if let idx = selection.indices {
                            for i in range where m[Int(idx[i])] == value { counts[Int(g[i])] += 1 }
                        } else {
                            for i in range where m[i] == value { counts[Int(g[i])] += 1 }
                        }
                    }
                } else {
                    for i in range { counts[Int(g[i])] += 1 }
                }
            }
        }
        return (0..<groupCount).map { k in (0..<chunks.count).reduce(Int64(0)) { $0 + partial[$1 * groupCount + k] } }
    }

    /// Rows per group for each truth value of `mask` (indexed by `Truth.no`, `.unknown`,
    /// `.yes`), in one pass on every core.
    func parallelTruthCounts(_ mask: [UInt8]) -> [[Int64]] {
        let chunks = Parallel.chunks(selection.count)
        let lanes = 3 * groupCount
        let partial = UnsafeMutableBufferPointer<Int64>.allocate(capacity: chunks.count * lanes)
        partial.initialize(repeating: 0)
        defer { partial.deallocate() }
        rowGroups.withUnsafeBufferPointer { g in
            mask.withUnsafeBufferPointer { m in
                Parallel.run(chunks) { c, range in
                    let counts = partial.baseAddress! + c * lanes
                    if let idx = selection.indices {
                        for i in range { counts[Int(m[Int(idx[i])]) * groupCount + Int(g[i])] &+= 1 }
                    } else {
                        for i in range { counts[Int(m[i]) * groupCount + Int(g[i])] &+= 1 }
                    }
                }
            }
        }
        return (0..<3).map { t in
            (0..<groupCount).map { k in (0..<chunks.count).reduce(Int64(0)) { $0 + partial[$1 * lanes + t * groupCount + k] } }
        }
    }

    /// The non-null values of `column` (where `mask` is yes) as doubles, laid out group after
    /// group: group k's values are `values[offsets[k]..<offsets[k + 1]]`.
    func partitionedValues(_ column: Column, mask: [UInt8]?) -> (values: [Double], offsets: [Int]) {
        let chunks = Parallel.chunks(selection.count)
        let groups = groupCount
        // Rows that take part: selected, value not null, mask (if any) yes — decided once per
        // row into `keep`, then counted and scattered without branches on the options.
        let n = selection.count
        let keep = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(n, 1))
        defer { keep.deallocate() }
        let validity = column.nullCount == 0 ? nil : column.validity
        var counts = [Int](repeating: 0, count: chunks.count * groups)
        withPointers([mask]) { m in
            let maskPointer = m[0]
            counts.withUnsafeMutableBufferPointer { cnt in
                rowGroups.withUnsafeBufferPointer { g in
                    Parallel.run(chunks) { c, range in
                        let base = cnt.baseAddress! + c * groups
                        for i in range {
                            let row = selection.indices.map { Int($0[i]) } ?? i
                            var take: UInt8 = 1
                            if let maskPointer, maskPointer[row] != Truth.yes { take = 0 }
                            if let validity, !validity.isValid(row) { take = 0 }
                            keep[i] = take
                            base[Int(g[i])] &+= Int(take)
                        }
                    }
                }
            }
        }
        // Where each chunk writes each group's values.
        var offsets = [Int](repeating: 0, count: groups + 1)
        var starts = [Int](repeating: 0, count: chunks.count * groups)
        var total = 0
        for k in 0..<groups {
            offsets[k] = total
            for c in 0..<chunks.count {
                starts[c * groups + k] = total
                total += counts[c * groups + k]
            }
        }
        offsets[groups] = total
        // Not zeroed first: every slot is written by the scatter below.
        let values = [Double](unsafeUninitializedCapacity: total) { out, initialized in
            starts.withUnsafeMutableBufferPointer { st in
                rowGroups.withUnsafeBufferPointer { g in
                    Parallel.run(chunks) { c, range in
                        let pos = st.baseAddress! + c * groups
                        let o = out.baseAddress!
                        func scatter<T>(_ v: UnsafeBufferPointer<T>, _ convert: (T) -> Double) {
                            if let idx = selection.indices {
                                for i in range where keep[i] != 0 {
                                    let k = Int(g[i])
                                    o[pos[k]] = convert(v[Int(idx[i])])
                                    pos[k] += 1
                                }
                            } else {
                                for i in range where keep[i] != 0 {
                                    let k = Int(g[i])
                                    o[pos[k]] = convert(v[i])
                                    pos[k] += 1
                                }
                            }
                        }
                        switch column.type {
                        case .int64, .timestamp: scatter(column.int64s) { Double($0) }
                        case .float64: scatter(column.float64s) { $0 }
                        case .date: scatter(column.int32s) { Double($0) }
                        case .bool: scatter(column.bools) { Double($0) }
                        case .string: break
                        }
                    }
                }
            }
            initialized = total
        }
        return (values, offsets)
    }
}

/// Maps a key column's values to small codes (0 = null) for the direct-indexed path.
struct KeyEncoder {
    let column: Column
    let selection: Selection
    /// Distinct codes the column can produce, or nil when too many for a direct index.
    let cardinality: Int?
    let minimum: Int64

    init(_ column: Column, _ selection: Selection) {
        self.column = column
        self.selection = selection
        switch column.type {
        case .string:
            cardinality = column.dictionary!.count + 1
            minimum = 0
        case .bool:
            cardinality = 3
            minimum = 0
        case .int64, .timestamp, .date:
            var lo = Int64.max, hi = Int64.min
            selection.forEach { r in
                guard column.isValid(r) else { return }
                let v = column.type == .date ? Int64(column.int32s[r]) : column.int64s[r]
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
            if lo > hi { cardinality = 1; minimum = 0 }
            else if case let (span, overflow) = hi.subtractingReportingOverflow(lo), !overflow, span < 1 << 20 {
                cardinality = Int(span) + 2; minimum = lo
            }
            else { cardinality = nil; minimum = 0 }
        case .float64:
            cardinality = nil
            minimum = 0
        }
    }

    /// Adds `code × stride` to `out[i]` for the selected rows in `range`.
    func encode(_ range: Range<Int>, stride: Int, into out: UnsafeMutableBufferPointer<Int32>) {
        let s = Int32(stride)
        let validity = column.validity
        let idx = selection.indices
        @inline(__always) func row(_ i: Int) -> Int { idx.map { Int($0[i]) } ?? i }
        switch column.type {
        case .string:
            let codes = column.codes
            if validity == nil && idx == nil {
                for i in range { out[i] &+= Int32(codes[i] &+ 1) &* s }
            } else {
                for i in range {
                    let r = row(i)
                    if validity?.isValid(r) ?? true { out[i] &+= Int32(codes[r] &+ 1) &* s }
                }
            }
        case .bool:
            let v = column.bools
            for i in range {
                let r = row(i)
                if validity?.isValid(r) ?? true { out[i] &+= Int32(v[r] &+ 1) &* s }
            }
        case .int64, .timestamp:
            let v = column.int64s
            for i in range {
                let r = row(i)
                if validity?.isValid(r) ?? true { out[i] &+= Int32(v[r] - minimum + 1) &* s }
            }
        case .date:
            let v = column.int32s
            for i in range {
                let r = row(i)
                if validity?.isValid(r) ?? true { out[i] &+= Int32(Int64(v[r]) - minimum + 1) &* s }
            }
        case .float64:
            break
        }
    }
}

extension Column {
    /// The values at `rows` (−1 gives null), as a new column of the same type and dictionary.
    public func gather(_ rows: [Int]) -> Column {
        let n = rows.count
        let w = type.width
        let data = Storage(byteCount: n * w)
        let words = Buffer<UInt64>(zeroed: Bitmap.wordCount(n))
        var nulls = 0
        for (i, r) in rows.enumerated() {
            if r >= 0 && isValid(r) {
                (data.base + i * w).copyMemory(from: self.data.base + dataOffset + r * w, byteCount: w)
                words.mutablePointer[i >> 6] |= 1 << UInt64(i & 63)
            } else {
                nulls += 1
            }
        }
        return Column(type: type, count: n, data: data, validity: nulls == 0 ? nil : Bitmap(words: words, count: n),
                      dictionary: dictionary)
    }

    /// The values of the selected rows.
    public func take(_ selection: Selection) -> Column {
        guard let idx = selection.indices else { return self }
        return gather(idx.map { Int($0) })
    }
}
