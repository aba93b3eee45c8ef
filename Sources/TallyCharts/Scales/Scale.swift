import Foundation

/// Maps values to positions along one axis, linearly: `domain.lo → range.lo`.
public struct LinearScale: Sendable {
    public var domain: (lo: Double, hi: Double)
    public var range: (lo: Double, hi: Double)
    public init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = (domain.0, domain.1)
        self.range = (range.0, range.1)
    }
    public func callAsFunction(_ v: Double) -> Double {
        let span = domain.hi - domain.lo
        guard span != 0 else { return range.lo }
        return range.lo + (v - domain.lo) / span * (range.hi - range.lo)
    }
}

/// Maps positive values to positions along one axis by their logarithm (delays that run
/// from minutes to years): equal ratios take equal lengths.
public struct LogScale: Sendable {
    public var domain: (lo: Double, hi: Double)
    public var range: (lo: Double, hi: Double)
    public init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = (domain.0, domain.1)
        self.range = (range.0, range.1)
    }
    public func callAsFunction(_ v: Double) -> Double {
        guard domain.lo > 0, domain.hi > domain.lo else { return range.lo }
        let t = (log10(max(v, domain.lo)) - log10(domain.lo)) / (log10(domain.hi) - log10(domain.lo))
        return range.lo + t * (range.hi - range.lo)
    }
    /// The powers of ten from `lo` to `hi` (the ticks of a log axis).
    public static func decades(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi >= lo else { return [] }
        var out: [Double] = []
        var k = Int((log10(lo) - 1e-9).rounded(.up))
        while pow(10, Double(k)) <= hi * (1 + 1e-9) {
            out.append(pow(10, Double(k)))
            k += 1
        }
        return out
    }
}

/// Places categories in equal bands along an axis, with `padding` (a fraction of the
/// band) left empty between bars.
public struct BandScale: Sendable {
    public let count: Int
    public let start: Double
    public let length: Double
    public let padding: Double
    public init(count: Int, start: Double, length: Double, padding: Double = 0.25) {
        self.count = count; self.start = start; self.length = length; self.padding = padding
    }
    /// The width of one band (bar plus gap).
    public var band: Double { count == 0 ? length : length / Double(count) }
    /// The width of a bar in a band.
    public var barWidth: Double { band * (1 - padding) }
    /// The start of the bar of category `i`.
    public func barStart(_ i: Int) -> Double { start + band * Double(i) + band * padding / 2 }
    /// The centre of category `i`.
    public func center(_ i: Int) -> Double { start + band * (Double(i) + 0.5) }
}
