import TallyCore

/// One cell of a revisions triangle: the month had no record yet at that vintage, or the
/// figure's value then (nil when it was not computable, e.g. a compliance with nothing due).
public enum RevisionCell: Equatable, Sendable {
    case noData
    case value(Double?)

    public var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// The revisions triangle of one figure (revisions.md): one row per month, one column per
/// vintage, each cell the month's figure as computed at that vintage with that vintage's
/// default as-of time ("as at publication"). Summaries: per month the first estimate (the
/// first vintage at which the month had records), the latest (the last vintage), the
/// revision latest − first; over months the mean revision and the mean absolute revision.
public struct RevisionTriangle: Sendable {
    public var figure: String
    public var months: [Period]
    public var vintages: [Vintage]
    /// `cells[month][vintage]`.
    public var cells: [[RevisionCell]]

    public init(figure: String, months: [Period], vintages: [Vintage], cells: [[RevisionCell]]) {
        self.figure = figure; self.months = months; self.vintages = vintages; self.cells = cells
    }

    /// The first vintage (column index) at which month `m` had records, and the value then.
    public func first(_ m: Int) -> (column: Int, value: Double?)? {
        guard let i = cells[m].firstIndex(where: { $0 != .noData }) else { return nil }
        return (i, cells[m][i].value)
    }

    /// The month's value at the last vintage (nil: no records then, or not computable).
    public func latest(_ m: Int) -> Double? { cells[m].last?.value }

    /// latest − first, when both are numbers.
    public func revision(_ m: Int) -> Double? {
        guard let f = first(m)?.value, let l = latest(m) else { return nil }
        return l - f
    }

    /// The months with a revision (both first estimate and latest are numbers).
    public var revisions: [Double] { months.indices.compactMap(revision) }

    /// Mean of latest − first over the months that have both (the bias of first estimates).
    public var meanRevision: Double? {
        let r = revisions
        return r.isEmpty ? nil : r.reduce(0, +) / Double(r.count)
    }

    /// Mean of |latest − first| over the same months.
    public var meanAbsoluteRevision: Double? {
        let r = revisions
        return r.isEmpty ? nil : r.reduce(0) { $0 + abs($1) } / Double(r.count)
    }

    /// Whether the figure is a count (printed as a whole number).
    public var isCount: Bool { FigureFormat.kind(of: figure) == .count || FigureFormat.kind(of: figure) == .krw }
}
