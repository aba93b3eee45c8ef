/// Exact quantiles by linear interpolation between closest ranks: R's type 7, numpy's
/// default, DuckDB's `quantile_cont`. For sorted x[0..n-1] and p in [0, 1]:
/// h = (n - 1)p, q = x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋ + 1] - x[⌊h⌋]).
public enum Quantile {
    /// The p-quantile of `values` (reordered in place), or nil when empty.
    public static func type7(_ values: UnsafeMutableBufferPointer<Double>, _ p: Double) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        let h = Double(n - 1) * p
        let lo = Int(h.rounded(.down))
        let low = select(values, lo)
        guard lo + 1 < n, h > Double(lo) else { return low }
        // After selection everything right of `lo` is ≥ x[lo]: the next rank is their minimum.
        var high = Double.infinity
        for i in (lo + 1)..<n where values[i] < high { high = values[i] }
        return low + (h - Double(lo)) * (high - low)
    }

    /// The p-quantile (type 7) of `values` without reordering them: a histogram of the top 16
    /// bits of each value's order-preserving bit pattern finds the bucket holding rank ⌊h⌋, whose
    /// few values are then gathered and selected. Two or three sequential passes instead of a
    /// branchy partition over every value: several times faster on millions of values.
    public static func type7Radix(_ values: UnsafeBufferPointer<Double>, _ p: Double) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        if n < 4096 {
            var copy = Array(values)
            return copy.withUnsafeMutableBufferPointer { type7($0, p) }
        }
        let h = Double(n - 1) * p
        let k = Int(h.rounded(.down))
        @inline(__always) func key(_ x: Double) -> UInt64 {
            let b = x.bitPattern
            return b >> 63 == 1 ? ~b : b | (1 << 63)
        }
        let histogram = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 1 << 16)
        histogram.initialize(repeating: 0)
        defer { histogram.deallocate() }
        for x in values { histogram[Int(key(x) >> 48)] &+= 1 }
        var below = 0, bucket = 0
        while below + Int(histogram[bucket]) <= k { below += Int(histogram[bucket]); bucket += 1 }
        var inBucket: [Double] = []
        inBucket.reserveCapacity(Int(histogram[bucket]))
        for x in values where Int(key(x) >> 48) == bucket { inBucket.append(x) }
        let rank = k - below
        return inBucket.withUnsafeMutableBufferPointer { b -> Double in
            let low = select(b, rank)
            guard k + 1 < n, h > Double(k) else { return low }
            var high = Double.infinity
            if rank + 1 < b.count {
                for i in (rank + 1)..<b.count where b[i] < high { high = b[i] }
            } else {
                // The next rank is the smallest value of the next non-empty bucket.
                var next = bucket + 1
                while histogram[next] == 0 { next += 1 }
                for x in values where Int(key(x) >> 48) == next && x < high { high = x }
            }
            return low + (h - Double(k)) * (high - low)
        }
    }

    /// Rearranges `a` so that `a[k]` is the value a sort would put there, everything before it
    /// no greater and everything after no smaller (Hoare's selection, median-of-three pivots,
    /// falling back to sorting a range that shrinks too slowly).
    @discardableResult
    public static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0, hi = a.count - 1
        var budget = 2 * (Int.bitWidth - a.count.leadingZeroBitCount) + 8
        while hi > lo {
            if hi - lo < 16 || budget == 0 {
                var range = UnsafeMutableBufferPointer(rebasing: a[lo...hi])
                range.sort()
                return a[k]
            }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
        }
        return a[k]
    }
}
