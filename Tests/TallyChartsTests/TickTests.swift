import Foundation
import Testing
@testable import TallyCharts

/// The extended Wilkinson ticks and the labels of ticks and values.
@Suite struct TickTests {
    @Test(arguments: [
        // (lo, hi, expected ticks)
        (0.0, 179.0, [0.0, 50, 100, 150, 200]),
        (0.0, 1602.0, [0.0, 250, 500, 750, 1000, 1250, 1500, 1750]),
        (0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]),      // R: labeling::extended(0, 1, 5)
        (0.0, 272.0, [0.0, 100, 200, 300]),
        (0.0, 7.0, [0.0, 2, 4, 6, 8]),
        (0.0, 0.37, [0.0, 0.1, 0.2, 0.3, 0.4]),
        (-13.0, 42.0, [-15.0, 0, 15, 30, 45]),
        (0.0065, 0.0111, [0.0065, 0.0075, 0.0085, 0.0095, 0.0105, 0.0115]),
    ])
    func niceTicks(_ c: (Double, Double, [Double])) {
        let t = NiceTicks(c.0, c.1)
        #expect(t.values == c.2, "\(c.0)…\(c.1): \(t.values)")
    }

    @Test func looseTicksCoverTheData() {
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<300 {
            let scale = [0.01, 1, 37, 1000, 123_456][Int(next() * 5)]
            let a = next() * scale, b = a + next() * scale + 1e-6
            let t = NiceTicks(a, b)
            #expect(t.min <= a && t.max >= b, "\(a)…\(b) → \(t)")
            #expect(t.values.count >= 2 && t.values.count <= 12, "\(a)…\(b) → \(t.values)")
            // Steps are nice: j × q × 10^z with q in 1, 5, 2, 2.5, 4, 3 and a small skip j.
            let m = t.step / pow10(Int((log10(t.step)).rounded(.down)))
            let nice = (1...4).flatMap { j in NiceTicks.q.map { Double(j) * $0 } }
            #expect(nice.contains { q in [0.1, 1, 10].contains { abs(q * $0 - m) < 1e-9 } }, "step \(t.step)")
            // Ticks are exact decimals, a whole number of steps apart.
            #expect(t.values.last == t.max && t.values.first == t.min)
        }
    }

    @Test func degenerateRanges() {
        #expect(NiceTicks(0, 0).values == [0, 0.25, 0.5, 0.75, 1.0])
        #expect(NiceTicks(5, 5).values.first == 0)
        #expect(NiceTicks(fixedStep: 24, 0, 96).values == [0, 24, 48, 72, 96])
        #expect(NiceTicks(fixedStep: 24, 0, 100).values == [0, 24, 48, 72, 96, 120])
    }

    @Test func noFloatingPointNoise() {
        let t = NiceTicks(0, 0.7)
        #expect(t.values.allSatisfy { v in String(v).count <= 4 }, "\(t.values)")
        #expect(NiceTicks.decimals(0.25) == 2)
        #expect(NiceTicks.decimals(5) == 0)
        #expect(NiceTicks.decimals(0.1) == 1)
    }

    @Test func tickLabels() {
        #expect(ValueFormat.count.tick(1750, step: 250, .en) == "1,750")
        #expect(ValueFormat.count.tick(1_000_000, step: 500_000, .ko) == "1,000,000")
        #expect(ValueFormat.percent.tick(0.25, step: 0.25, .en) == "25%")
        #expect(ValueFormat.percent.tick(0.4, step: 0.2, .en) == "40%")
        #expect(ValueFormat.percent.tick(0.025, step: 0.025, .en) == "2.5%")
        #expect(ValueFormat.hours.tick(48, step: 24, .en) == "48 h")
        #expect(ValueFormat.hours.tick(48, step: 24, .ko) == "48시간")
        #expect(ValueFormat.count.tick(2.5, step: 0.5, .en) == "2.5")
    }

    @Test func valueLabels() {
        #expect(ValueFormat.count.label(1602, .en) == "1,602")
        #expect(ValueFormat.percent.label(0.98765, .ko) == "98.8%")
        #expect(ValueFormat.percent.label(0.0005, .en) == "0.1%")
        #expect(ValueFormat.hours.label(12.25, .en) == "12.3 h")
        #expect(ValueFormat.hours.label(1234.5, .ko) == "1,234.5시간")
        #expect(NumberText.grouped(-12345.678, 1) == "-12,345.7")
        #expect(NumberText.grouped(0, 0) == "0")
    }

    @Test func bins() {
        // Closed on the right: exactly 24 h is in the bin ending at the deadline.
        let b = Bins([0, 3.9, 4, 4.01, 23.99, 24, 24.001, 95.9, 96, 96.01, 500, -1], width: 4, limit: 96)
        #expect(b.counts.count == 24)
        #expect(b.counts[0] == 4)   // -1, 0, 3.9, 4
        #expect(b.counts[1] == 1)   // 4.01
        #expect(b.counts[5] == 2)   // 23.99, 24
        #expect(b.counts[6] == 1)   // 24.001
        #expect(b.counts[23] == 2)  // 95.9, 96
        #expect(b.overflow == 2)    // 96.01, 500
    }

    /// Log bins (decisions' delays): equal ratios, closed on the right, the first bin taking
    /// everything at or below its upper edge (0 and values below the first edge too).
    @Test func logBins() {
        // Edges 0.5 · 10^(k/2): 0.5, 1.581, 5, 15.81, 50, 158.1, 500, 1581, 5000 (8 bins).
        let b = Bins(logValues: [0, 0.2, 1, 1.58, 1.59, 5, 5.01, 36, 1283, 5000, 5000.1, 9999], lo: 0.5, hi: 5000, perDecade: 2)
        #expect(b.counts.count == 8)
        #expect(abs(b.edges[1] - 0.5 * 10.0.squareRoot()) < 1e-12 && abs(b.edges[8] - 5000) < 1e-9)
        #expect(b.counts[0] == 4)   // 0, 0.2, 1, 1.58
        #expect(b.counts[1] == 2)   // 1.59, 5
        #expect(b.counts[2] == 1)   // 5.01
        #expect(b.counts[3] == 1)   // 36 (15.8, 50]
        #expect(b.counts[6] == 1)   // 1283 in (500, 1581]
        #expect(b.counts[7] == 1)   // 5000
        #expect(b.overflow == 2)    // 5000.1, 9999
        #expect(b.counts.reduce(0, +) + b.overflow == 12)
    }

    /// A log scale: equal ratios, equal lengths; ticks at the powers of ten.
    @Test func logScale() {
        let s = LogScale(domain: (0.01, 10_000), range: (0, 600))
        #expect(abs(s(0.01)) < 1e-9 && abs(s(10_000) - 600) < 1e-9)
        #expect(abs(s(1) - 200) < 1e-9)      // 2 of 6 decades
        #expect(abs(s(100) - s(10) - (s(10) - s(1))) < 1e-9)
        #expect(LogScale.decades(0.01, 10_000) == [0.01, 0.1, 1, 10, 100, 1000, 10_000].map { pow10Exact($0) })
        #expect(LogScale.decades(0.5, 5000) == [1, 10, 100, 1000])
        #expect(ValueFormat.days.label(36, .en) == "36.0 d" && ValueFormat.days.label(36, .ko) == "36.0일")
    }

    func pow10Exact(_ v: Double) -> Double { pow(10, log10(v).rounded()) }

    func pow10(_ e: Int) -> Double {
        var r = 1.0
        if e >= 0 { for _ in 0..<e { r *= 10 } } else { for _ in 0..<(-e) { r /= 10 } }
        return r
    }
}
