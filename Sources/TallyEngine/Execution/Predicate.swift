/// A row condition, evaluated a column at a time with SQL's three-valued logic: a
/// comparison with null is unknown; AND/OR/NOT follow Kleene; a filter keeps rows where the
/// condition is true.
public indirect enum Predicate: Sendable, Hashable {
    case isNull(String)
    case isNotNull(String)
    /// `column op literal`.
    case compare(String, CompareOp, Value)
    /// `column op column` (both numeric, dates, timestamps or both strings).
    case compareColumns(String, CompareOp, String)
    /// `column IN (values)`.
    case isIn(String, [Value])
    case and([Predicate])
    case or([Predicate])
    case not(Predicate)
}

public enum CompareOp: String, Sendable, CaseIterable, Hashable {
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="

    @inline(__always)
    func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .eq: return a == b
        case .ne: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        }
    }
}

/// Truth values, ordered so that AND is min, OR is max and NOT is `2 - x`.
enum Truth {
    static let no: UInt8 = 0, unknown: UInt8 = 1, yes: UInt8 = 2
}

extension Table {
    /// Rows where `predicate` is true, within `selection` (all rows when nil).
    public func filter(_ predicate: Predicate, within selection: Selection? = nil) throws -> Selection {
        let mask = try truth(predicate)
        return Selection(keeping: mask, within: selection, count: rowCount)
    }

    /// The truth value of `predicate` for every row.
    func truth(_ p: Predicate) throws -> [UInt8] {
        var out = [UInt8](repeating: Truth.no, count: rowCount)
        try out.withUnsafeMutableBufferPointer { try evaluate(p, into: $0) }
        return out
    }

    func evaluate(_ p: Predicate, into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let n = rowCount
        switch p {
        case .isNull(let name), .isNotNull(let name):
            let c = try column(name)
            let wantNull: Bool
            if case .isNull = p { wantNull = true } else { wantNull = false }
            for i in 0..<n { out[i] = c.isValid(i) != wantNull ? Truth.yes : Truth.no }
        case let .compare(name, op, literal):
            try compare(try column(name), name: name, op, literal, into: out)
        case let .compareColumns(a, op, b):
            try compareColumns(try column(a), a, op, try column(b), b, into: out)
        case let .isIn(name, values):
            let c = try column(name)
            var partial = [UInt8](repeating: Truth.no, count: n)
            try partial.withUnsafeMutableBufferPointer { buf in
                for i in 0..<n { out[i] = c.isValid(i) ? Truth.no : Truth.unknown }
                for v in values where !v.isNull {
                    try compare(c, name: name, .eq, v, into: buf)
                    for i in 0..<n where buf[i] == Truth.yes { out[i] = Truth.yes }
                }
            }
            // SQL: `x IN (…, NULL)` is unknown, not false, where no listed value matches.
            if values.contains(where: \.isNull) {
                for i in 0..<n where out[i] == Truth.no { out[i] = Truth.unknown }
            }
        case .and(let parts), .or(let parts):
            let isAnd: Bool
            if case .and = p { isAnd = true } else { isAnd = false }
            for i in 0..<n { out[i] = isAnd ? Truth.yes : Truth.no }
            var part = [UInt8](repeating: 0, count: n)
            try part.withUnsafeMutableBufferPointer { buf in
                for q in parts {
                    try evaluate(q, into: buf)
                    if isAnd { for i in 0..<n { out[i] = min(out[i], buf[i]) } }
                    else { for i in 0..<n { out[i] = max(out[i], buf[i]) } }
                }
            }
        case .not(let q):
            try evaluate(q, into: out)
            for i in 0..<n { out[i] = Truth.yes - out[i] }
        }
    }

    private func compare(_ c: Column, name: String, _ op: CompareOp, _ literal: Value,
                         into out: UnsafeMutableBufferPointer<UInt8>) throws {
        if literal.isNull {
            for i in 0..<rowCount { out[i] = Truth.unknown }
            return
        }
        func mismatch() -> EngineError {
            .invalidArgument("cannot compare column '\(name)' (\(c.type.rawValue)) with \(literal)")
        }
        switch c.type {
        case .string:
            guard case .string(let s) = literal else { throw mismatch() }
            // Decide once per distinct value, then per row by code.
            // Null rows carry code 0, which an empty dictionary (all rows null) lacks.
            var verdicts = c.dictionary!.strings.map { op.holds($0, s) ? Truth.yes : Truth.no }
            if verdicts.isEmpty { verdicts = [Truth.unknown] }
            verdicts.withUnsafeBufferPointer { v in
                let codes = c.codes
                for i in 0..<rowCount { out[i] = v[Int(codes[i])] }
            }
        case .int64, .timestamp:
            let x: Int64
            switch literal {
            case .int(let v), .timestamp(let v): x = v
            case .double(let d):
                try compareDoubles(c, op, d, into: out)
                return
            default: throw mismatch()
            }
            Self.loop(c.int64s, op, x, out)
        case .float64:
            guard let d = literal.asDouble else { throw mismatch() }
            Self.loop(c.float64s, op, d, out)
        case .date:
            guard case .date(let d) = literal else { throw mismatch() }
            Self.loop(c.int32s, op, d, out)
        case .bool:
            guard case .bool(let b) = literal else { throw mismatch() }
            Self.loop(c.bools, op, UInt8(b ? 1 : 0), out)
        }
        markNulls(c, out)
    }

    private func compareDoubles(_ c: Column, _ op: CompareOp, _ d: Double, into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let v = c.int64s
        for i in 0..<rowCount { out[i] = op.holds(Double(v[i]), d) ? Truth.yes : Truth.no }
        markNulls(c, out)
    }

    @inline(__always)
    static func loop<T: Comparable>(_ v: UnsafeBufferPointer<T>, _ op: CompareOp, _ x: T,
                                    _ out: UnsafeMutableBufferPointer<UInt8>) {
        // One loop per operator keeps the comparison out of the loop body.
        switch op {
        case .eq: for i in 0..<v.count { out[i] = v[i] == x ? 2 : 0 }
        case .ne: for i in 0..<v.count { out[i] = v[i] != x ? 2 : 0 }
        case .lt: for i in 0..<v.count { out[i] = v[i] < x ? 2 : 0 }
        case .le: for i in 0..<v.count { out[i] = v[i] <= x ? 2 : 0 }
        case .gt: for i in 0..<v.count { out[i] = v[i] > x ? 2 : 0 }
        case .ge: for i in 0..<v.count { out[i] = v[i] >= x ? 2 : 0 }
        }
    }

    private func markNulls(_ c: Column, _ out: UnsafeMutableBufferPointer<UInt8>) {
        guard let validity = c.validity else { return }
        for i in 0..<rowCount where !validity.isValid(i) { out[i] = Truth.unknown }
    }

    private func compareColumns(_ a: Column, _ an: String, _ op: CompareOp, _ b: Column, _ bn: String,
                                into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let n = rowCount
        switch (a.type, b.type) {
        case (.int64, .int64), (.timestamp, .timestamp), (.int64, .timestamp), (.timestamp, .int64):
            let x = a.int64s, y = b.int64s
            for i in 0..<n { out[i] = op.holds(x[i], y[i]) ? 2 : 0 }
        case (.date, .date):
            let x = a.int32s, y = b.int32s
            for i in 0..<n { out[i] = op.holds(x[i], y[i]) ? 2 : 0 }
        case (.string, .string):
            // Null rows carry code 0, which an empty dictionary (all rows null) lacks.
            let x = a.codes, y = b.codes
            let dx = a.dictionary!.strings.isEmpty ? [""] : a.dictionary!.strings
            let dy = b.dictionary!.strings.isEmpty ? [""] : b.dictionary!.strings
            for i in 0..<n { out[i] = op.holds(dx[Int(x[i])], dy[Int(y[i])]) ? 2 : 0 }
        default:
            guard let xs = a.doubles(), let ys = b.doubles() else {
                throw EngineError.invalidArgument("cannot compare '\(an)' (\(a.type.rawValue)) with '\(bn)' (\(b.type.rawValue))")
            }
            for i in 0..<n { out[i] = op.holds(xs[i], ys[i]) ? 2 : 0 }
        }
        markNulls(a, out)
        markNulls(b, out)
    }
}

extension Column {
    /// Numeric values as doubles (nil for strings); nulls read as 0.
    func doubles() -> [Double]? {
        switch type {
        case .int64, .timestamp: return int64s.map(Double.init)
        case .float64: return Array(float64s)
        case .date: return int32s.map(Double.init)
        case .bool: return bools.map(Double.init)
        case .string: return nil
        }
    }
}

/// Row numbers of a table, ascending; `nil` indices mean every row.
public struct Selection: Sendable {
    public let indices: [UInt32]?
    public let count: Int

    public static func all(_ rowCount: Int) -> Selection { Selection(indices: nil, count: rowCount) }

    public init(indices: [UInt32]?, count: Int) {
        self.indices = indices
        self.count = count
    }

    /// Rows whose truth is `yes`, restricted to `within`.
    init(keeping mask: [UInt8], within: Selection?, count rowCount: Int) {
        var out: [UInt32] = []
        if let base = within?.indices {
            out.reserveCapacity(base.count)
            for i in base where mask[Int(i)] == Truth.yes { out.append(i) }
        } else {
            out.reserveCapacity(rowCount / 2)
            mask.withUnsafeBufferPointer { m in
                for i in 0..<rowCount where m[i] == Truth.yes { out.append(UInt32(i)) }
            }
        }
        indices = out
        count = out.count
    }

    /// Calls `body` with each selected row number, in order.
    @inline(__always)
    public func forEach(_ body: (Int) throws -> Void) rethrows {
        if let idx = indices { for i in idx { try body(Int(i)) } }
        else { for i in 0..<count { try body(i) } }
    }
}
