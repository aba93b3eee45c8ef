import Foundation

/// SplitMix64: a small seeded generator whose sequence is the same everywhere, for tests
/// that must print their seed and replay from it.
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n (0 when n is 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// True with probability `p` (in thousandths).
    public mutating func chance(_ p: Double) -> Bool { Double(below(1000)) < p * 1000 }

    /// `name` from the environment (a replay), else a fresh seed from the clock.
    public static func seed(_ name: String) -> UInt64 {
        ProcessInfo.processInfo.environment[name].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970 * 1000) & 0xFFFF_FFFF
    }
}
