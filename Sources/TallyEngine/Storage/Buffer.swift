#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Owner of a block of memory that column data lives in: a heap allocation, or a region of
/// a memory-mapped cache file. Columns keep their owner alive; the memory goes with it.
final class Storage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    private let release: (UnsafeMutableRawPointer, Int) -> Void

    /// A zeroed block, 64-byte aligned. Large blocks (a column of millions of rows) come
    /// straight from the kernel: already zero, no memset, faulted in by the threads that first
    /// write them, and in transparent huge pages where the system allows, so that filling a
    /// new 80 MB column is not dominated by page faults.
    ///
    /// With `zeroed: false` the bytes are unspecified, for an output every byte of which is
    /// written next (a derived column): a large block may then be one a column just let go
    /// (`recycle`), reused as it is. A query over a table in slices (`Table.slice`) makes
    /// the same columns slice after slice; without reuse each would be new pages the kernel
    /// clears and maps, a fifth of such a query's time.
    init(byteCount: Int, zeroed: Bool = true) {
        let n = max(byteCount, 1)
        self.byteCount = byteCount
        if n >= Storage.largeBlock {
            let size = (n + Storage.hugePage - 1) / Storage.hugePage * Storage.hugePage
            if let p = Storage.reuse(size) {
                if zeroed { p.initializeMemory(as: UInt8.self, repeating: 0, count: n) }
                base = p
                release = { p, _ in Storage.recycle(p, size) }
                return
            }
            if let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED {
                _ = madvise(p, size, MADV_HUGEPAGE)
                base = p
                release = { p, _ in Storage.recycle(p, size) }
                return
            }
        }
        base = .allocate(byteCount: n, alignment: 64)
        if zeroed { base.initializeMemory(as: UInt8.self, repeating: 0, count: n) }
        release = { p, _ in p.deallocate() }
    }

    static let largeBlock = 1 << 20
    static let hugePage = 2 << 20

    /// Large blocks let go of, by size, kept for `reuse` up to `poolLimit` bytes in all
    /// (beyond that they go back to the kernel): a bounded, small addition to peak memory;
    /// two slices at work at once (day, duration, hours of 2M rows each) fit in it.
    private static let pool = Mutex<(blocks: [Int: [UncheckedSendable<UnsafeMutableRawPointer>]], bytes: Int)>(([:], 0))
    static let poolLimit = 64 << 20

    private static func reuse(_ size: Int) -> UnsafeMutableRawPointer? {
        pool.withLock { p -> UncheckedSendable<UnsafeMutableRawPointer>? in
            guard let b = p.blocks[size]?.popLast() else { return nil }
            p.bytes -= size
            return UncheckedSendable(b.value)
        }?.value
    }

    private static func recycle(_ block: UnsafeMutableRawPointer, _ size: Int) {
        let item = UncheckedSendable(block)
        let kept = pool.withLock { p in
            guard p.bytes + size <= poolLimit else { return false }
            p.blocks[size, default: []].append(item)
            p.bytes += size
            return true
        }
        if !kept { munmap(block, size) }
    }

    /// Memory owned elsewhere, released by `release` when the last column lets go.
    init(base: UnsafeMutableRawPointer, byteCount: Int,
                release: @escaping (UnsafeMutableRawPointer, Int) -> Void) {
        self.base = base
        self.byteCount = byteCount
        self.release = release
    }

    deinit { release(base, byteCount) }
}

/// A typed view of part of a `Storage`: contiguous values for the hot loops.
struct Buffer<T>: @unchecked Sendable {
    let storage: Storage
    let offset: Int
    let count: Int

    init(storage: Storage, offset: Int = 0, count: Int) {
        precondition(offset + count * MemoryLayout<T>.stride <= storage.byteCount || count == 0)
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    /// A new zeroed buffer of `count` values.
    init(zeroed count: Int) {
        self.init(storage: Storage(byteCount: count * MemoryLayout<T>.stride), count: count)
    }

    /// A new buffer of `count` unspecified values, every one of which the caller writes.
    init(uninitialized count: Int) {
        self.init(storage: Storage(byteCount: count * MemoryLayout<T>.stride, zeroed: false), count: count)
    }

    init(_ values: [T]) {
        self.init(zeroed: values.count)
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { mutablePointer.update(from: s, count: values.count) }
        }
    }

    @inline(__always)
    var pointer: UnsafePointer<T> {
        UnsafePointer((storage.base + offset).assumingMemoryBound(to: T.self))
    }

    @inline(__always)
    var mutablePointer: UnsafeMutablePointer<T> {
        (storage.base + offset).assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    var values: UnsafeBufferPointer<T> { UnsafeBufferPointer(start: pointer, count: count) }

    @inline(__always)
    subscript(i: Int) -> T { pointer[i] }

    var byteCount: Int { count * MemoryLayout<T>.stride }
}

/// Validity of each row, a bit per row (1 = a value, 0 = null), in 64-bit words.
public struct Bitmap: @unchecked Sendable {
    let words: Buffer<UInt64>
    public let count: Int

    init(words: Buffer<UInt64>, count: Int) {
        self.words = words
        self.count = count
    }

    public static func wordCount(_ bits: Int) -> Int { (bits + 63) >> 6 }

    @inline(__always)
    public func isValid(_ i: Int) -> Bool {
        words.pointer[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Number of valid (non-null) rows.
    public var validCount: Int {
        var n = 0
        let w = words.pointer
        let full = count >> 6
        for k in 0..<full { n += w[k].nonzeroBitCount }
        // A slice's last word may hold bits of rows past its end (`Column.slice`).
        if count & 63 != 0 { n += (w[full] & ((1 << UInt64(count & 63)) - 1)).nonzeroBitCount }
        return n
    }
}
