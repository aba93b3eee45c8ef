extension Column {
    /// The rows at `indices` (in that order) as a new column: values copied, validity rebuilt,
    /// the dictionary shared.
    public func gather(_ indices: UnsafeBufferPointer<Int>) -> Column {
        let n = indices.count
        let w = type.width
        let storage = Storage(byteCount: max(n * w, 1))
        let src = data.base + dataOffset
        let dst = storage.base
        switch w {
        case 8:
            let s = src.assumingMemoryBound(to: UInt64.self), d = dst.assumingMemoryBound(to: UInt64.self)
            for (k, i) in indices.enumerated() { d[k] = s[i] }
        case 4:
            let s = src.assumingMemoryBound(to: UInt32.self), d = dst.assumingMemoryBound(to: UInt32.self)
            for (k, i) in indices.enumerated() { d[k] = s[i] }
        default:
            let s = src.assumingMemoryBound(to: UInt8.self), d = dst.assumingMemoryBound(to: UInt8.self)
            for (k, i) in indices.enumerated() { d[k] = s[i] }
        }
        var bitmap: Bitmap?
        if let v = validity {
            let wordCount = max(Bitmap.wordCount(n), 1)
            let bits = Storage(byteCount: wordCount * 8)  // zeroed
            let p = bits.base.assumingMemoryBound(to: UInt64.self)
            for (k, i) in indices.enumerated() where v.isValid(i) { p[k >> 6] |= 1 << UInt64(k & 63) }
            bitmap = Bitmap(words: Buffer<UInt64>(storage: bits, count: wordCount), count: n)
        }
        return Column(type: type, count: n, data: storage, validity: bitmap, dictionary: dictionary)
    }
}

extension Table {
    /// The rows at `indices` of the columns `names` (all when nil), as a new table.
    public func gather(_ indices: [Int], columns names: [String]? = nil) -> Table {
        let keep = names ?? self.names
        return indices.withUnsafeBufferPointer { idx in
            Table(keep.map { ($0, self[$0].gather(idx)) })
        }
    }
}
