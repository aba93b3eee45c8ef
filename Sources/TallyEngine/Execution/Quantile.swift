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

    /// The p-quantile of `values` when earlier selections have already placed the ranks in
    /// `pivots` (sorted): every value left of a pivot is no greater than it, every value right
    /// of it no smaller. Only the stretch between the neighbouring pivots is searched; the rank
    /// selected here is added to `pivots`.
    public static func type7(_ values: UnsafeMutableBufferPointer<Double>, _ p: Double, pivots: inout [Int]) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        let h = Double(n - 1) * p
        let k = Int(h.rounded(.down))
        let lo = (pivots.last { $0 <= k } ?? -1) + 1
        let hi = pivots.first { $0 >= k } ?? n          // exclusive unless it is k itself
        let low: Double
        if hi == k {
            low = values[k]
        } else {
            var part = UnsafeMutableBufferPointer(rebasing: values[lo..<hi])
            low = select(part, k - lo)
            _ = part
            pivots.append(k)
            pivots.sort()
        }
        guard k + 1 < n, h > Double(k) else { return low }
        // The next rank is the smallest value right of k: within k+1..<hi when that stretch is
        // not empty (everything beyond hi is no smaller), else right of hi.
        let end = hi > k + 1 ? hi : n
        var high = Double.infinity
        for i in (k + 1)..<end where values[i] < high { high = values[i] }
        return low + (h - Double(k)) * (high - low)
    }

    /// Several quantiles of the same values (reordered in place).
    public static func type7(_ values: UnsafeMutableBufferPointer<Double>, _ ps: [Double]) -> [Double?] {
        ps.map { type7(values, $0) }
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
