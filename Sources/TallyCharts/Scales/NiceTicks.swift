import Foundation

/// Axis ticks by the extended Wilkinson algorithm (Talbot, Lin and Hanrahan, "An Extension
/// of Wilkinson's Algorithm for Positioning Tick Labels on Axes", InfoVis 2010): among
/// steps `j × q × 10^z` with q from a list of nice numbers, the labelling that maximises a
/// weighted sum of simplicity, coverage and density (legibility taken as constant).
public struct NiceTicks: Equatable, Sendable {
    /// First and last tick, and the step between ticks.
    public let min: Double
    public let max: Double
    public let step: Double

    /// The tick values, rounded to the step's precision (no `0.30000000000000004`).
    public var values: [Double] {
        guard step > 0 else { return [min] }
        let n = Int(((max - min) / step).rounded())
        let decimals = Swift.max(NiceTicks.decimals(step), NiceTicks.decimals(min))
        return (0...n).map { NiceTicks.round(min + Double($0) * step, decimals) }
    }

    /// Decimal places a step needs (0.25 → 2, 5 → 0, 2000 → 0).
    public static func decimals(_ step: Double) -> Int {
        var d = 0, s = abs(step)
        while d < 12 && abs(s - s.rounded()) > 1e-9 * Swift.max(1, s) { s *= 10; d += 1 }
        return d
    }

    static func round(_ v: Double, _ decimals: Int) -> Double {
        let p = pow(10, Double(decimals))
        let r = (v * p).rounded() / p
        return r == 0 ? 0 : r
    }

    static let q: [Double] = [1, 5, 2, 2.5, 4, 3]
    static let weights = (simplicity: 0.25, coverage: 0.2, density: 0.5, legibility: 0.05)

    /// Ticks for data in `[lo, hi]` with about `target` ticks. `loose`: the ticks cover the
    /// data (first ≤ lo, last ≥ hi), as a bar chart's axis must. Axes with a natural step
    /// (24 hours) use `NiceTicks(fixedStep:)` instead.
    public init(_ lo: Double, _ hi: Double, target: Int = 5, loose: Bool = true) {
        var dmin = Swift.min(lo, hi), dmax = Swift.max(lo, hi)
        if !(dmax - dmin > 1e-12) {
            // A single value: an axis around it (zero gets 0–1).
            if dmin == 0 { dmax = 1 } else if dmin > 0 { dmin = 0 } else { dmax = 0 }
        }
        let m = Double(Swift.max(2, target))
        let w = NiceTicks.weights, qs = NiceTicks.q, n = Double(qs.count)
        var best: (Double, Double, Double)? = nil
        var bestScore = -2.0

        func simplicity(_ i: Int, _ j: Double, _ lmin: Double, _ lmax: Double, _ lstep: Double) -> Double {
            let eps = 1e-10
            let r = lmin.truncatingRemainder(dividingBy: lstep)
            let v: Double = ((abs(r) < eps || lstep - abs(r) < eps) && lmin <= 0 && lmax >= 0) ? 1 : 0
            return 1 - Double(i) / (n - 1) - j + v
        }
        func simplicityMax(_ i: Int, _ j: Double) -> Double { 1 - Double(i) / (n - 1) - j + 1 }
        func coverage(_ lmin: Double, _ lmax: Double) -> Double {
            let range = dmax - dmin
            return 1 - 0.5 * (pow(dmax - lmax, 2) + pow(dmin - lmin, 2)) / pow(0.1 * range, 2)
        }
        func coverageMax(_ span: Double) -> Double {
            let range = dmax - dmin
            guard span > range else { return 1 }
            let half = (span - range) / 2
            return 1 - 0.5 * (2 * half * half) / pow(0.1 * range, 2)
        }
        func density(_ k: Double, _ lmin: Double, _ lmax: Double) -> Double {
            let r = (k - 1) / (lmax - lmin)
            let rt = (m - 1) / (Swift.max(lmax, dmax) - Swift.min(dmin, lmin))
            return 2 - Swift.max(r / rt, rt / r)
        }
        func densityMax(_ k: Double) -> Double { k >= m ? 2 - (k - 1) / (m - 1) : 1 }

        var j = 1.0
        search: while j < 100 {
            for (i, q) in qs.enumerated() {
                let sm = simplicityMax(i, j)
                if w.simplicity * sm + w.coverage + w.density + w.legibility < bestScore { break search }
                var k = 2.0
                while k < 100 {
                    let dm = densityMax(k)
                    if w.simplicity * sm + w.coverage + w.density * dm + w.legibility < bestScore { break }
                    let delta = (dmax - dmin) / (k + 1) / j / q
                    var z = ceil(log10(delta))
                    while z < 30 {
                        let step = j * q * pow(10, z)
                        let cm = coverageMax(step * (k - 1))
                        if w.simplicity * sm + w.coverage * cm + w.density * dm + w.legibility < bestScore { break }
                        let minStart = floor(dmax / step) * j - (k - 1) * j
                        let maxStart = ceil(dmin / step) * j
                        if minStart <= maxStart {
                            var start = minStart
                            while start <= maxStart {
                                let lmin = start * (step / j), lmax = lmin + step * (k - 1)
                                if !loose || (lmin <= dmin + 1e-9 * step && lmax >= dmax - 1e-9 * step) {
                                    let s = simplicity(i, j, lmin, lmax, step)
                                    let c = coverage(lmin, lmax)
                                    let g = density(k, lmin, lmax)
                                    let score = w.simplicity * s + w.coverage * c + w.density * g + w.legibility
                                    if score > bestScore { bestScore = score; best = (lmin, lmax, step) }
                                }
                                start += 1
                            }
                        }
                        z += 1
                    }
                    k += 1
                }
            }
            j += 1
        }
        let b = best ?? (dmin, dmax, dmax - dmin)
        // The first tick is a multiple of step / j, which may need a decimal more than the step.
        let d = Swift.max(NiceTicks.decimals(b.2), NiceTicks.decimals(b.0))
        self.min = NiceTicks.round(b.0, d)
        self.max = NiceTicks.round(b.1, d)
        self.step = b.2
    }

    /// Ticks every `step` (e.g. 24 hours) from `lo` rounded down to `hi` rounded up.
    public init(fixedStep step: Double, _ lo: Double, _ hi: Double) {
        self.step = step
        self.min = floor(lo / step) * step
        self.max = Swift.max(self.min + step, ceil(hi / step) * step)
    }
}
