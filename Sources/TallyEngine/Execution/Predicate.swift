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

    /// The truth value of `predicate` for every row; large tables in chunks on every core.
    func truth(_ p: Predicate) throws -> [UInt8] {
        var out = [UInt8](repeating: Truth.no, count: rowCount)
        // Validate names and types once, so the chunks below cannot fail half-way.
        try check(p)
        out.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            Parallel.run(Parallel.chunks(rowCount)) { _, range in
                try! evaluate(p, range, into: UnsafeMutableBufferPointer(start: base + range.lowerBound, count: range.count))
            }
        }
        return out
    }

    /// Throws what evaluating `p` would throw (unknown columns, type mismatches), on no rows.
    func check(_ p: Predicate) throws {
        var none: [UInt8] = [0]
        try none.withUnsafeMutableBufferPointer { try evaluate(p, 0..<0, into: UnsafeMutableBufferPointer(rebasing: $0[0..<0])) }
    }

    /// Evaluates `p` for the rows of `range`; `out[j]` is row `range.lowerBound + j`.
    func evaluate(_ p: Predicate, _ range: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let n = range.count, lo = range.lowerBound
        switch p {
        case .isNull(let name), .isNotNull(let name):
            let c = try column(name)
            var isNull = false
            if case .isNull = p { isNull = true }
            for j in 0..<n { out[j] = isNull ? Truth.no : Truth.yes }
            if c.validity != nil { Self.forEachNull(c, range) { j in out[j] = isNull ? Truth.yes : Truth.no } }
        case let .compare(name, op, literal):
            try compare(try column(name), name: name, op, literal, range, into: out)
        case let .compareColumns(a, op, b):
            try compareColumns(try column(a), a, op, try column(b), b, range, into: out)
        case let .isIn(name, values) where (try column(name)).type == .string:
            // Strings: one verdict per dictionary code, then one pass over the codes.
            let c = try column(name)
            var wanted = Set<String>()
            for v in values {
                switch v {
                case .string(let s): wanted.insert(s)
                case .null: break
                default: throw EngineError.invalidArgument("cannot compare column '\(name)' (string) with \(v)")
                }
            }
            let miss = values.contains(where: \.isNull) ? Truth.unknown : Truth.no
            var verdicts = c.dictionary!.strings.map { wanted.contains($0) ? Truth.yes : miss }
            if verdicts.isEmpty { verdicts = [Truth.unknown] }
            verdicts.withUnsafeBufferPointer { v in
                let codes = c.codes
                for j in 0..<n { out[j] = v[Int(codes[lo + j])] }
            }
            Self.forEachNull(c, range) { j in out[j] = Truth.unknown }
        case let .isIn(name, values):
            let c = try column(name)
            let partial = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(n, 1))
            defer { partial.deallocate() }
            let buf = UnsafeMutableBufferPointer(rebasing: partial[0..<n])
            for j in 0..<n { out[j] = Truth.no }
            for v in values where !v.isNull {
                try compare(c, name: name, .eq, v, range, into: buf)
                for j in 0..<n where buf[j] == Truth.yes { out[j] = Truth.yes }
            }
            // SQL: `x IN (…, NULL)` is unknown, not false, where no listed value matches.
            if values.contains(where: \.isNull) {
                for j in 0..<n where out[j] == Truth.no { out[j] = Truth.unknown }
            }
            if c.validity != nil { Self.forEachNull(c, range) { j in out[j] = Truth.unknown } }
        case .and(let parts), .or(let parts):
            var isAnd = false
            if case .and = p { isAnd = true }
            for j in 0..<n { out[j] = isAnd ? Truth.yes : Truth.no }
            let part = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(n, 1))
            defer { part.deallocate() }
            let buf = UnsafeMutableBufferPointer(rebasing: part[0..<n])
            for q in parts {
                try evaluate(q, range, into: buf)
                if isAnd { for j in 0..<n { out[j] = min(out[j], buf[j]) } }
                else { for j in 0..<n { out[j] = max(out[j], buf[j]) } }
            }
        case .not(let q):
            try evaluate(q, range, into: out)
            for j in 0..<n { out[j] = Truth.yes - out[j] }
        }
    }

    /// Calls `body(j)` for every null row `range.lowerBound + j`, a validity word at a time.
    @inline(__always)
    static func forEachNull(_ c: Column, _ range: Range<Int>, _ body: (Int) -> Void) {
        guard let v = c.validity, !range.isEmpty else { return }
        let w = v.words.pointer
        var i = range.lowerBound
        while i < range.upperBound {
            let word = i >> 6, bit = i & 63
            let end = Swift.min(range.upperBound, (word + 1) << 6)
            let bits = w[word]
            if bits == ~0 { i = end; continue }
            for r in i..<end where bits & (1 << UInt64(r & 63)) == 0 { body(r - range.lowerBound) }
            _ = bit
            i = end
        }
    }

    private func compare(_ c: Column, name: String, _ op: CompareOp, _ literal: Value, _ range: Range<Int>,
                         into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let n = range.count, lo = range.lowerBound
        if literal.isNull {
            for j in 0..<n { out[j] = Truth.unknown }
            return
        }
        func mismatch() -> EngineError {
            .invalidArgument("cannot compare column '\(name)' (\(c.type.rawValue)) with \(literal)")
        }
        func slice<T>(_ b: UnsafeBufferPointer<T>) -> UnsafeBufferPointer<T> {
            UnsafeBufferPointer(rebasing: b[range])
        }
        switch c.type {
        case .string:
            guard case .string(let s) = literal else { throw mismatch() }
            // Decide once per distinct value, then per row by code. Null rows carry code 0,
            // which an empty dictionary (all rows null) lacks.
            var verdicts = c.dictionary!.strings.map { op.holds($0, s) ? Truth.yes : Truth.no }
            if verdicts.isEmpty { verdicts = [Truth.unknown] }
            verdicts.withUnsafeBufferPointer { v in
                let codes = c.codes
                for j in 0..<n { out[j] = v[Int(codes[lo + j])] }
            }
        case .int64, .timestamp:
            let x: Int64
            switch literal {
            case .int(let v), .timestamp(let v): x = v
            case .double(let d):
                let v = c.int64s
                for j in 0..<n { out[j] = op.holds(Double(v[lo + j]), d) ? Truth.yes : Truth.no }
                Self.forEachNull(c, range) { j in out[j] = Truth.unknown }
                return
            default: throw mismatch()
            }
            Self.loop(slice(c.int64s), op, x, out)
        case .float64:
            guard let d = literal.asDouble else { throw mismatch() }
            Self.loop(slice(c.float64s), op, d, out)
        case .date:
            guard case .date(let d) = literal else { throw mismatch() }
            Self.loop(slice(c.int32s), op, d, out)
        case .bool:
            guard case .bool(let b) = literal else { throw mismatch() }
            Self.loop(slice(c.bools), op, UInt8(b ? 1 : 0), out)
        }
        Self.forEachNull(c, range) { j in out[j] = Truth.unknown }
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

    private func compareColumns(_ a: Column, _ an: String, _ op: CompareOp, _ b: Column, _ bn: String, _ range: Range<Int>,
                                into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let n = range.count, lo = range.lowerBound
        switch (a.type, b.type) {
        case (.int64, .int64), (.timestamp, .timestamp), (.int64, .timestamp), (.timestamp, .int64):
            let x = a.int64s, y = b.int64s
            for j in 0..<n { out[j] = op.holds(x[lo + j], y[lo + j]) ? 2 : 0 }
        case (.date, .date):
            let x = a.int32s, y = b.int32s
            for j in 0..<n { out[j] = op.holds(x[lo + j], y[lo + j]) ? 2 : 0 }
        case (.string, .string):
            // Null rows carry code 0, which an empty dictionary (all rows null) lacks.
            let x = a.codes, y = b.codes
            let dx = a.dictionary!.strings.isEmpty ? [""] : a.dictionary!.strings
            let dy = b.dictionary!.strings.isEmpty ? [""] : b.dictionary!.strings
            for j in 0..<n { out[j] = op.holds(dx[Int(x[lo + j])], dy[Int(y[lo + j])]) ? 2 : 0 }
        default:
            guard a.type != .string, b.type != .string else {
                throw EngineError.invalidArgument("cannot compare '\(an)' (\(a.type.rawValue)) with '\(bn)' (\(b.type.rawValue))")
            }
            for j in 0..<n { out[j] = op.holds(a.double(lo + j), b.double(lo + j)) ? 2 : 0 }
        }
        Self.forEachNull(a, range) { j in out[j] = Truth.unknown }
        Self.forEachNull(b, range) { j in out[j] = Truth.unknown }
    }
}

extension Column {
    /// Row `i` of a numeric column as a double (0 for a null).
    @inline(__always)
    func double(_ i: Int) -> Double {
        switch type {
        case .int64, .timestamp: return Double(int64s[i])
        case .float64: return float64s[i]
        case .date: return Double(int32s[i])
        case .bool: return Double(bools[i])
        case .string: return 0
        }
    }

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
