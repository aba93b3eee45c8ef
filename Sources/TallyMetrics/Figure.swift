import TallyCore

/// The value of one figure: a count or amount, a share or duration (null when undefined),
/// an interval, or a cell hidden by disclosure control.
public enum FigureValue: Equatable, Sendable {
    case count(Int)
    case number(Double?)
    case interval(Double, Double)
    case suppressed
    /// A figure that cannot be computed from the records (say, a sum beyond the largest
    /// 64-bit integer), with the reason; null in JSON, the reason under `not_computable`.
    case notComputable(String)

    public var json: JSONValue {
        switch self {
        case .count(let n): return .int(Int64(n))
        case .number(let d): return .number(d)
        case .interval(let lo, let hi): return .array([.double(lo), .double(hi)])
        case .suppressed: return .string("<5")
        case .notComputable: return .null
        }
    }

    /// An interval, or null when there is none (no trials).
    public static func ci(_ t: (Double, Double)?) -> FigureValue { t.map { .interval($0.0, $0.1) } ?? .number(nil) }

    /// The reason a figure could not be computed, or nil.
    public var notComputableReason: String? { if case .notComputable(let r) = self { return r } else { return nil } }

    public var countValue: Int? { if case .count(let n) = self { return n } else { return nil } }
    public var doubleValue: Double? {
        switch self {
        case .count(let n): return Double(n)
        case .number(let d): return d
        default: return nil
        }
    }
}

/// Figures in the order they are defined and printed, each with its stable id.
public struct Figures: Sendable {
    public private(set) var ids: [String] = []
    private var values: [String: FigureValue] = [:]

    public init() {}

    public subscript(id: String) -> FigureValue? {
        get { values[id] }
        set {
            if values[id] == nil, newValue != nil { ids.append(id) }
            values[id] = newValue
            if newValue == nil { ids.removeAll { $0 == id } }
        }
    }

    public var items: [(id: String, value: FigureValue)] { ids.map { ($0, values[$0]!) } }

    public var json: JSONValue { .object(items.map { ($0.id, $0.value.json) }) }

    /// Figures that could not be computed, with the reasons, in figure order.
    public var notComputable: [(id: String, reason: String)] {
        items.compactMap { item in item.value.notComputableReason.map { (item.id, $0) } }
    }
}

/// Wilson score interval for x successes in n trials (z = 1.959964 for 95%); nil when n = 0.
public func wilson(_ x: Int, _ n: Int, z: Double = 1.959964) -> (Double, Double)? {
    guard n > 0 else { return nil }
    let nn = Double(n), p = Double(x) / nn, z2 = z * z
    let denom = 1 + z2 / nn
    let center = (p + z2 / (2 * nn)) / denom
    let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denom
    return (max(0, center - half), min(1, center + half))
}

/// x / n, or nil when n = 0.
public func share(_ x: Int, _ n: Int) -> Double? { n == 0 ? nil : Double(x) / Double(n) }
