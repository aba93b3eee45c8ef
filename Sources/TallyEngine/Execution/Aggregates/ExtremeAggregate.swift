/// `min` and `max` of the non-null values: strings by their text, integers and instants
/// exactly (doubles would tie values beyond 2^53), other numbers as doubles. The result keeps
/// the column's type (the row holding the extreme is gathered).
struct ExtremeAggregate: AggregateKernel {
    let column: String
    let minimum: Bool

    func compute(_ input: AggregateInput) throws -> Column {
        let c = try input.column(column)
        let isMin = minimum
        var best = [Int](repeating: -1, count: input.groupCount)  // row holding the extreme
        switch c.type {
        case .string:
            let s = c.dictionary!.strings, codes = c.codes
            input.forEachRow { r, k in
                guard c.isValid(r) else { return }
                if best[k] < 0 { best[k] = r; return }
                let x = s[Int(codes[r])], y = s[Int(codes[best[k]])]
                if isMin ? x < y : x > y { best[k] = r }
            }
        case .int64, .timestamp:
            let v = c.int64s
            input.forEachRow { r, k in
                guard c.isValid(r) else { return }
                if best[k] < 0 || (isMin ? v[r] < v[best[k]] : v[r] > v[best[k]]) { best[k] = r }
            }
        default:
            let v = c.doubles()!
            input.forEachRow { r, k in
                guard c.isValid(r) else { return }
                if best[k] < 0 || (isMin ? v[r] < v[best[k]] : v[r] > v[best[k]]) { best[k] = r }
            }
        }
        return c.gather(best)
    }
}
