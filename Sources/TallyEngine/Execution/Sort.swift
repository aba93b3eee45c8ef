/// A sort key: a column and its direction. Nulls sort first ascending, last descending.
public struct SortKey: Sendable {
    public var column: String
    public var ascending: Bool
    public init(_ column: String, ascending: Bool = true) {
        self.column = column
        self.ascending = ascending
    }
}

extension Table {
    /// The selected rows ordered by the keys; ties keep row order (a stable sort).
    public func sorted(by keys: [SortKey], within selection: Selection? = nil) throws -> Selection {
        let comparers = try keys.map { key -> (Int, Int) -> Int in
            let c = try column(key.column)
            let sign = key.ascending ? 1 : -1
            let raw: (Int, Int) -> Int
            switch c.type {
            case .int64, .timestamp:
                let v = c.int64s
                raw = { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
            case .float64:
                let v = c.float64s
                raw = { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
            case .date:
                let v = c.int32s
                raw = { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
            case .bool:
                let v = c.bools
                raw = { Int(v[$0]) - Int(v[$1]) }
            case .string:
                // Rank the dictionary once; compare ranks.
                let strings = c.dictionary!.strings
                let order = strings.indices.sorted { strings[$0] < strings[$1] }
                var rank = [Int32](repeating: 0, count: strings.count)
                for (r, code) in order.enumerated() { rank[code] = Int32(r) }
                let codes = c.codes
                raw = { Int(rank[Int(codes[$0])]) - Int(rank[Int(codes[$1])]) }
            }
            return { a, b in
                let va = c.isValid(a), vb = c.isValid(b)
                if va != vb { return (va ? 1 : -1) * sign }
                if !va { return 0 }
                return raw(a, b) * sign
            }
        }
        var rows = selection?.indices ?? (0..<rowCount).map { UInt32($0) }
        rows.sort { a, b in
            for cmp in comparers {
                let r = cmp(Int(a), Int(b))
                if r != 0 { return r < 0 }
            }
            return a < b
        }
        return Selection(indices: rows, count: rows.count)
    }

    /// The first `k` rows by the keys.
    public func top(_ k: Int, by keys: [SortKey], within selection: Selection? = nil) throws -> Selection {
        let all = try sorted(by: keys, within: selection)
        let rows = Array(all.indices!.prefix(max(0, k)))
        return Selection(indices: rows, count: rows.count)
    }

    /// The selected rows as a new table, in selection order.
    public func take(_ selection: Selection) -> Table {
        Table(zip(names, columns.map { $0.take(selection) }).map { ($0, $1) })
    }

    /// A left join with a small table whose `rightKey` values are unique: every row of this
    /// table, with the other table's columns (but its key) from the matching row, or nulls.
    public func join(_ right: Table, on leftKey: String, _ rightKey: String) throws -> Table {
        let l = try column(leftKey), r = try right.column(rightKey)
        var lookup: [Value: Int] = [:]
        for i in 0..<right.rowCount where r.isValid(i) {
            let v = r.value(i)
            if lookup.updateValue(i, forKey: v) != nil {
                throw EngineError.invalidArgument("join key '\(rightKey)' is not unique in the right table: \(v)")
            }
        }
        var matches = [Int](repeating: -1, count: rowCount)
        if l.type == .string {
            // Resolve each distinct left value once.
            let perCode = l.dictionary!.strings.map { lookup[.string($0)] ?? -1 }
            let codes = l.codes
            for i in 0..<rowCount where l.isValid(i) { matches[i] = perCode[Int(codes[i])] }
        } else {
            for i in 0..<rowCount where l.isValid(i) { matches[i] = lookup[l.value(i)] ?? -1 }
        }
        var pairs = Array(zip(names, columns))
        for (name, c) in zip(right.names, right.columns) where name != rightKey {
            pairs.append((names.contains(name) ? "\(name)_right" : name, c.gather(matches)))
        }
        return Table(pairs)
    }
}
