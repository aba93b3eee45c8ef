extension Column {
    /// Lends the validity bitmap's words to `body` — row `i` has a value when bit `i & 63` of
    /// word `i >> 6` is set — or nil when the column has no nulls; valid only inside `body`.
    /// For row-at-a-time kernels outside the engine (`TallyMetrics`' takedown pass), where a
    /// call of `isValid` per row and column would cost more than the work itself.
    public func withValidityWords<R>(_ body: (UnsafeBufferPointer<UInt64>?) throws -> R) rethrows -> R {
        guard let v = validity else { return try body(nil) }
        return try withExtendedLifetime(v.words.storage) { try body(v.words.values) }
    }
}

/// Whether row `i` has a value, given a column's validity words (nil: no nulls).
@inlinable @inline(__always)
public func isValidRow(_ words: UnsafeBufferPointer<UInt64>?, _ i: Int) -> Bool {
    guard let words else { return true }
    return words[i &>> 6] & (1 &<< UInt64(i & 63)) != 0
}
