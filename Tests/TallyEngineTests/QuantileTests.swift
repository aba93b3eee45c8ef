import Foundation
import Testing
import TallyTestSupport
@testable import TallyEngine

/// Quantiles checked against an independent reference: sort, then interpolate exactly as
/// R's type 7 documents it (1-based: h = (n-1)p + 1, x[⌊h⌋] + (h-⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋])).
@Suite struct QuantileTests {
    /// A seeded generator per test, its seed printed (`TALLY_SEED` replays a run).
    static let base = SeededRandom.seed("TALLY_SEED")
    static func generator(_ test: String) -> SeededRandom {
        let seed = base &+ UInt64(truncatingIfNeeded: test.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
        print("QuantileTests.\(test): seed \(seed) (TALLY_SEED=\(base) replays)")
        return SeededRandom(seed: seed)
    }

    static func reference(_ xs: [Double], _ p: Double) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let h = Double(s.count - 1) * p + 1
        let j = Int(h.rounded(.down))
        let g = h - Double(j)
        if j >= s.count { return s[s.count - 1] }
        return s[j - 1] + g * (s[j] - s[j - 1])
    }

    @Test func knownValuesFromR() {
        // R: quantile(c(1, 2, 3, 4, 10), c(.5, .9)) = 3, 7.6 ; quantile(c(7), .9) = 7
        var a: [Double] = [10, 2, 4, 1, 3]
        a.withUnsafeMutableBufferPointer { #expect(Quantile.type7($0, 0.5) == 3) }
        a.withUnsafeMutableBufferPointer { #expect(abs(Quantile.type7($0, 0.9)! - 7.6) < 1e-12) }
        var one: [Double] = [7]
        one.withUnsafeMutableBufferPointer { #expect(Quantile.type7($0, 0.9) == 7) }
        var none: [Double] = []
        none.withUnsafeMutableBufferPointer { #expect(Quantile.type7($0, 0.5) == nil) }
    }

    @Test(arguments: [1, 2, 3, 16, 17, 100, 1001, 50_000])
    func matchesSortingReference(n: Int) {
        var rng = QuantileTests.generator(#function)
        for round in 0..<5 {
            // Many ties in some rounds, continuous values in others.
            let xs: [Double] = (0..<n).map { _ in
                round % 2 == 0 ? Double(Int.random(in: 0...9, using: &rng)) : Double.random(in: -1e6...1e6, using: &rng)
            }
            for p in [0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0] {
                var work = xs
                let got = work.withUnsafeMutableBufferPointer { Quantile.type7($0, p) }
                let want = Self.reference(xs, p)
                #expect(abs(got! - want!) <= 1e-9 * max(1, abs(want!)), "n=\(n) p=\(p)")
            }
        }
    }

    @Test func selectPlacesTheKthValue() {
        var rng = QuantileTests.generator(#function)
        let xs: [Double] = (0..<5000).map { _ in Double(Int.random(in: 0...300, using: &rng)) }
        let sorted = xs.sorted()
        for k in [0, 1, 2499, 4998, 4999] {
            var w = xs
            let v = w.withUnsafeMutableBufferPointer { Quantile.select($0, k) }
            #expect(v == sorted[k])
            #expect(w[..<k].allSatisfy { $0 <= v } && w[(k + 1)...].allSatisfy { $0 >= v })
        }
    }

    /// The histogram-then-select path (large inputs) against the sorting reference, with ties,
    /// negative values, zeros of both signs and values spread over many orders of magnitude.
    @Test(arguments: [1, 4095, 4096, 5000, 70_000])
    func radixSelectionMatchesSortingReference(n: Int) {
        var rng = QuantileTests.generator(#function)
        for round in 0..<6 {
            let xs: [Double] = (0..<n).map { _ in
                switch round {
                case 0: return Double(Int.random(in: 0...9, using: &rng))
                case 1: return Double.random(in: -1e6...1e6, using: &rng)
                case 2: return [0.0, -0.0, 1.0, -1.0].randomElement(using: &rng)!
                case 3: return exp(Double.random(in: -20...20, using: &rng))
                case 4: return 42
                default: return Double.random(in: 0...1, using: &rng) < 0.999 ? 1 : 1e300
                }
            }
            for p in [0.0, 0.1, 0.5, 0.9, 0.99, 1.0, Double.random(in: 0...1, using: &rng)] {
                let got = xs.withUnsafeBufferPointer { Quantile.type7Radix($0, p) }
                let want = Self.reference(xs, p)!
                #expect(abs(got! - want) <= 1e-9 * max(1, abs(want)), "n=\(n) round=\(round) p=\(p)")
            }
        }
    }
}
