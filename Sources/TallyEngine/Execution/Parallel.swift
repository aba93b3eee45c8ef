import Dispatch

/// Splits `0..<count` into one chunk per core when the input is large enough to pay for
/// the threads (above `threshold` rows), else runs one chunk on the calling thread.
public enum Parallel {
    /// Rows above which scans use every core. Task-local, so that a test can move its own work
    /// between the single- and multi-threaded paths (`Parallel.$threshold.withValue(64) { … }`)
    /// without changing what other code running at the same time sees.
    @TaskLocal public static var threshold = 1_000_000
    public static let cores = max(1, min(8, ProcessInfo_activeProcessorCount()))

    public static func chunks(_ count: Int) -> [Range<Int>] {
        let k = count > threshold ? cores : 1
        let size = (count + k - 1) / max(k, 1)
        return (0..<k).map { c in min(count, c * size)..<min(count, (c + 1) * size) }
    }

    /// Runs `body` for each chunk, concurrently when there are several.
    public static func run(_ chunks: [Range<Int>], _ body: (Int, Range<Int>) -> Void) {
        if chunks.count == 1 {
            body(0, chunks[0])
        } else {
            // The chunks touch disjoint rows and outputs; `concurrentPerform` returns only
            // when all are done, so `body` does not outlive this call.
            withoutActuallyEscaping(body) { escapable in
                let box = UncheckedSendable(escapable)
                DispatchQueue.concurrentPerform(iterations: chunks.count) { box.value($0, chunks[$0]) }
            }
        }
    }
}

extension Parallel {
    /// `body(0) … body(count − 1)`, up to one per core at a time, results in index order; the
    /// first error thrown (by index) is rethrown once all are done. For independent pieces of
    /// work that each are partly sequential (a group-by per slice of a table): running two at
    /// once keeps both cores busy where one piece alone would leave one idle. `body` must be
    /// safe to call concurrently (the engine's tables and columns are immutable).
    public static func map<R>(_ count: Int, _ body: (Int) throws -> R) throws -> [R] {
        if count <= 1 || cores == 1 { return try (0..<count).map(body) }
        let results = UnsafeMutableBufferPointer<Result<R, any Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        // Each iteration writes only its own slot; `concurrentPerform` returns when all are done.
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable((escapable, results))
            DispatchQueue.concurrentPerform(iterations: count) { i in
                box.value.1[i] = Result { try box.value.0(i) }
            }
        }
        return try results.map { try $0!.get() }
    }
}

struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
import Glibc
func ProcessInfo_activeProcessorCount() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
import Foundation
func ProcessInfo_activeProcessorCount() -> Int { ProcessInfo.processInfo.activeProcessorCount }
#endif
