import TallyTime

/// Columns computed from other columns, a whole column at a time.
extension Table {
    /// `a − b` row by row: int64 from two int64 or two timestamp columns (microseconds), null
    /// where either is null.
    public func difference(_ a: String, _ b: String) throws -> Column {
        let (x, y) = try differenceOperands(a, b)
        let out = Buffer<Int64>(uninitialized: rowCount)   // every row written below
        let xv = x.int64s, yv = y.int64s, o = out.mutablePointer
        Parallel.run(Parallel.chunks(rowCount)) { _, range in
            for i in range { o[i] = xv[i] &- yv[i] }
        }
        return Column(type: .int64, count: rowCount, data: out.storage,
                      validity: Bitmap.and(x.validity, y.validity, count: rowCount))
    }

    /// `(a − b) / divisor` as float64 in one pass (e.g. two timestamps' difference in hours),
    /// null where either is null.
    public func scaledDifference(_ a: String, _ b: String, by divisor: Double) throws -> Column {
        let (x, y) = try differenceOperands(a, b)
        let out = Buffer<Double>(uninitialized: rowCount)   // every row written below
        let xv = x.int64s, yv = y.int64s, o = out.mutablePointer
        Parallel.run(Parallel.chunks(rowCount)) { _, range in
            for i in range { o[i] = Double(xv[i] &- yv[i]) / divisor }
        }
        return Column(type: .float64, count: rowCount, data: out.storage,
                      validity: Bitmap.and(x.validity, y.validity, count: rowCount))
    }

    /// Two int64 or two timestamp columns, whose difference is defined.
    private func differenceOperands(_ a: String, _ b: String) throws -> (Column, Column) {
        let x = try column(a), y = try column(b)
        guard (x.type == .int64 || x.type == .timestamp) && x.type == y.type else {
            throw EngineError.invalidArgument("'\(a)' − '\(b)' needs two int64 or two timestamp columns")
        }
        return (x, y)
    }

    /// The column's values divided by `divisor`, as float64 (e.g. microseconds to hours).
    public func scaled(_ name: String, by divisor: Double) throws -> Column {
        let c = try column(name)
        let out = Buffer<Double>(zeroed: rowCount)
        let o = out.mutablePointer
        switch c.type {
        case .int64, .timestamp:
            let v = c.int64s
            Parallel.run(Parallel.chunks(rowCount)) { _, range in for i in range { o[i] = Double(v[i]) / divisor } }
        case .float64:
            let v = c.float64s
            for i in 0..<rowCount { o[i] = v[i] / divisor }
        default:
            throw EngineError.typeMismatch(column: name, expected: "a number", found: c.type)
        }
        return Column(type: .float64, count: rowCount, data: out.storage, validity: c.validity)
    }

    /// The local calendar date, in `zone`, of each instant of a timestamp column.
    public func localDate(_ name: String, zone: ZoneOffsets) throws -> Column {
        let c = try column(name)
        guard c.type == .timestamp else { throw EngineError.typeMismatch(column: name, expected: "timestamp", found: c.type) }
        let out = Buffer<Int32>(uninitialized: rowCount)   // every row written below
        let v = c.int64s, o = out.mutablePointer
        Parallel.run(Parallel.chunks(rowCount)) { _, range in
            guard !range.isEmpty else { return }
            // Instants of a chunk (a month's block of rows) mostly share one offset: then the
            // day is one shift and one division per row, not a search of the zone's
            // transitions. floor((µs + offset·10⁶) / 86,400·10⁶) is the day `localDay` gives
            // (whole seconds first, then days), as the microseconds never carry past a second.
            // The bounds come from the column's zone map when it is a slice of blocks, else from
            // a scan, where null rows (holding 0) take part, which only makes the test stricter.
            var lo = Int64.max, hi = Int64.min
            if let (a, z) = c.memo.validBounds { lo = a; hi = z }
            else { for i in range { lo = Swift.min(lo, v[i]); hi = Swift.max(hi, v[i]) } }
            let day: Int64 = 86_400_000_000
            if lo > Int64.min / 2, hi < Int64.max / 2,
               let offset = zone.constantOffset(fromUTC: floorDiv(lo, 1_000_000), through: floorDiv(hi, 1_000_000)) {
                let shift = offset * 1_000_000
                for i in range {
                    let x = v[i] &+ shift
                    let q = x / day
                    o[i] = Int32(truncatingIfNeeded: x % day < 0 ? q - 1 : q)
                }
            } else {
                for i in range { o[i] = Int32(truncatingIfNeeded: zone.localDay(utcMicros: v[i])) }
            }
        }
        return Column(type: .date, count: rowCount, data: out.storage, validity: c.validity)
    }

    /// The first day of the month of each value: a date column's month, or a timestamp's
    /// local month in `zone` (required for timestamps).
    public func month(_ name: String, zone: ZoneOffsets? = nil) throws -> Column {
        let c = try column(name)
        let days: Column
        switch c.type {
        case .date: days = c
        case .timestamp:
            guard let zone else { throw EngineError.invalidArgument("the month of a timestamp needs a time zone") }
            days = try localDate(name, zone: zone)
        default: throw EngineError.typeMismatch(column: name, expected: "date or timestamp", found: c.type)
        }
        let out = Buffer<Int32>(zeroed: rowCount)
        let v = days.int32s, o = out.mutablePointer
        for i in 0..<rowCount {
            let (y, m, _) = CivilDate.civil(days: Int(v[i]))
            o[i] = Int32(CivilDate.days(year: y, month: m, day: 1))
        }
        return Column(type: .date, count: rowCount, data: out.storage, validity: c.validity)
    }
}

extension Bitmap {
    /// Rows valid in both (nil: no nulls).
    static func and(_ a: Bitmap?, _ b: Bitmap?, count: Int) -> Bitmap? {
        switch (a, b) {
        case (nil, nil): return nil
        case (let x?, nil), (nil, let x?): return x
        case let (x?, y?):
            let w = Buffer<UInt64>(zeroed: wordCount(count))
            for k in 0..<w.count { w.mutablePointer[k] = x.words[k] & y.words[k] }
            return Bitmap(words: w, count: count)
        }
    }
}
