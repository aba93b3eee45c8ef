/// Tables put one after another: the merge of column segments (a store's records loaded file
/// by file), paid in copying column bytes only.
extension Table {
    /// The rows of `parts`, one part after another, of the columns `names` (each part must
    /// have them, with one type per name). A part's `rows`, when given, are the indices of
    /// the rows kept, in order; nil keeps every row. String columns get one dictionary, in
    /// first-seen order over the parts, and their codes are remapped (copied as they are when
    /// a part's dictionary is a prefix of the merged one, as the first part's always is).
    public static func concatenating(_ parts: [(table: Table, rows: [Int]?)], columns names: [String]) -> Table {
        let total = parts.reduce(0) { $0 + ($1.rows?.count ?? $1.table.rowCount) }
        var out: [(String, Column)] = []
        for name in names {
            let columns = parts.map { $0.table[name] }
            let type = columns.first?.type ?? .int64
            precondition(columns.allSatisfy { $0.type == type }, "column '\(name)' has one type in every part")
            out.append((name, concatenate(columns, rows: parts.map(\.rows), type: type, total: total)))
        }
        return Table(out)
    }

    private static func concatenate(_ columns: [Column], rows: [[Int]?], type: DataType, total: Int) -> Column {
        let width = type.width
        let storage = Storage(byteCount: max(total * width, 1))
        let anyNull = columns.contains { $0.validity != nil }
        let wordCount = max(Bitmap.wordCount(total), 1)
        let bits = anyNull ? Storage(byteCount: wordCount * 8) : nil  // zeroed
        let words = bits?.base.assumingMemoryBound(to: UInt64.self)

        // Strings: one dictionary, each part's codes mapped into it.
        var merged: [String] = []
        var remaps: [[UInt32]?] = []
        if type == .string {
            var index: [String: UInt32] = [:]
            for c in columns {
                var remap: [UInt32] = []
                var identity = true
                for s in c.dictionary!.strings {
                    let code: UInt32
                    if let k = index[s] { code = k } else {
                        code = UInt32(merged.count)
                        index[s] = code
                        merged.append(s)
                    }
                    if code != UInt32(remap.count) { identity = false }
                    remap.append(code)
                }
                remaps.append(identity ? nil : remap)
            }
        }

        var at = 0
        for (p, c) in columns.enumerated() {
            let picked = rows[p]
            let n = picked?.count ?? c.count
            let src = c.data.base + c.dataOffset
            let dst = storage.base + at * width
            if let picked {
                switch width {
                case 8:
                    let s = src.assumingMemoryBound(to: UInt64.self), d = dst.assumingMemoryBound(to: UInt64.self)
                    for (k, i) in picked.enumerated() { d[k] = s[i] }
                case 4:
                    let s = src.assumingMemoryBound(to: UInt32.self), d = dst.assumingMemoryBound(to: UInt32.self)
                    for (k, i) in picked.enumerated() { d[k] = s[i] }
                default:
                    let s = src.assumingMemoryBound(to: UInt8.self), d = dst.assumingMemoryBound(to: UInt8.self)
                    for (k, i) in picked.enumerated() { d[k] = s[i] }
                }
            } else if n > 0 {
                dst.copyMemory(from: src, byteCount: n * width)
            }
            if type == .string, let remap = remaps[p] {
                // A null row holds 0, which an empty dictionary has no entry for: nulls stay 0.
                let d = dst.assumingMemoryBound(to: UInt32.self)
                for k in 0..<n where d[k] < remap.count { d[k] = remap[Int(d[k])] }
                if let v = c.validity {
                    for k in 0..<n where !v.isValid(picked?[k] ?? k) { d[k] = 0 }
                }
            }
            if let words {
                if let v = c.validity {
                    for k in 0..<n where v.isValid(picked?[k] ?? k) { words[(at + k) >> 6] |= 1 << UInt64((at + k) & 63) }
                } else {
                    for k in 0..<n { words[(at + k) >> 6] |= 1 << UInt64((at + k) & 63) }
                }
            }
            at += n
        }
        let validity = bits.map { Bitmap(words: Buffer<UInt64>(storage: $0, count: Bitmap.wordCount(total)), count: total) }
        return Column(type: type, count: total, data: storage, validity: validity,
                      dictionary: type == .string ? StringDictionary(merged) : nil)
    }
}
