import Foundation
import Crypto

/// A file's SHA-256, computed on a thread of its own from the moment the load starts, so that
/// hashing a large file (11 GB for a day of DSA decisions: about six seconds) runs beside the
/// parse and the writes instead of before them. `value` waits for it.
final class BackgroundSHA256: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var digest = ""
    private var waited = false
    private let lock = NSLock()

    init(_ data: Data) {
        let thread = Thread { [self] in
            digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The hex digest; waits for the thread the first time.
    var value: String {
        lock.lock()
        defer { lock.unlock() }
        if !waited {
            done.wait()
            waited = true
        }
        return digest
    }

    deinit {
        // The thread reads the file's bytes: never leave it running past their owner.
        if !waited { done.wait() }
    }
}
