import PropertyBased
import Testing
@testable import TallyEngine

/// A random engine table for the differential tests, with the rows it was built from.
///
/// Every table has the same eleven columns, each cell null with probability 0.2:
///
/// | column    | type      | values                                                        |
/// |-----------|-----------|---------------------------------------------------------------|
/// | `i`, `j`  | int64     | −4…4 (so groups repeat and comparisons tie)                    |
/// | `x`, `y`  | float64   | halves in −4…4, or thousandths in −100…100                     |
/// | `s`       | string    | "a", "b", "c", "ab", "B", "" (upper case and empty sort first) |
/// | `u`       | string    | "a", "b", "c", "d"                                             |
/// | `d`, `e`  | date      | 2024-03-27 … 2024-04-04 (across a month edge)                  |
/// | `ts`,`tt` | timestamp | 15-minute steps within ±60 h of 2024-03-30T00:00Z              |
/// | `f`       | bool      |                                                                |
struct TestTable: CustomTestStringConvertible, @unchecked Sendable {
    static let schema: [(name: String, type: DataType)] = [
        ("i", .int64), ("j", .int64), ("x", .float64), ("y", .float64), ("s", .string), ("u", .string),
        ("d", .date), ("e", .date), ("ts", .timestamp), ("tt", .timestamp), ("f", .bool),
    ]
    static let sPool = ["a", "b", "c", "ab", "B", ""]
    static let uPool = ["a", "b", "c", "d"]
    /// 2024-03-27.
    static let day0: Int32 = 19_809
    /// 2024-03-30T00:00:00Z in microseconds.
    static let ts0: Int64 = 1_711_756_800_000_000
    static let quarterHour: Int64 = 900_000_000

    let rows: [[Value]]
    let table: Table

    init(rows: [[Value]]) {
        self.rows = rows
        table = makeTable(Self.schema.enumerated().map { k, c in (c.name, c.type, rows.map { $0[k] }) })
    }

    var testDescription: String {
        "\(rows.count) rows (i j x y s u d e ts tt f): "
            + rows.prefix(60).map { "(" + $0.map { $0 == .null ? "∅" : "\($0)" }.joined(separator: " ") + ")" }
                .joined(separator: " ") + (rows.count > 60 ? " …" : "")
    }

    // MARK: Generators

    /// A random row of the schema. (One plain closure per row: composing a generator per cell
    /// with `zip` made generation the slowest part of the tests in debug builds.)
    static let row = Generator<[Value], Shrink.None<[Value]>>(run: { rng in
        func cell(_ make: (inout any SeededRandomNumberGenerator) -> Value) -> Value {
            Int.random(in: 0..<5, using: &rng) == 0 ? .null : make(&rng)
        }
        return [
            cell { .int(Int64.random(in: -4...4, using: &$0)) },
            cell { .int(Int64.random(in: -4...4, using: &$0)) },
            cell { randomDouble(&$0) },
            cell { randomDouble(&$0) },
            cell { .string(sPool.randomElement(using: &$0)!) },
            cell { .string(uPool.randomElement(using: &$0)!) },
            cell { .date(day0 + Int32.random(in: 0...8, using: &$0)) },
            cell { .date(day0 + Int32.random(in: 0...8, using: &$0)) },
            cell { .timestamp(ts0 + Int64.random(in: -240...240, using: &$0) * quarterHour) },
            cell { .timestamp(ts0 + Int64.random(in: -240...240, using: &$0) * quarterHour) },
            cell { .bool(Bool.random(using: &$0)) },
        ]
    })

    /// Halves in −4…4 (ties) or thousandths in −100…100.
    static func randomDouble(_ rng: inout some RandomNumberGenerator) -> Value {
        Bool.random(using: &rng) ? .double(Double(Int.random(in: -8...8, using: &rng)) / 2)
            : .double(Double(Int.random(in: -100_000...100_000, using: &rng)) / 1000)
    }

    /// Tables of `rows` rows (shrinking drops rows).
    static func gen(rows: ClosedRange<Int> = 0...300) -> Generator<TestTable, some SendableSequenceType> {
        row.array(of: rows).map { TestTable(rows: $0) }
    }
}

/// A table built with `ColumnBuilder` from boxed values (`.null` for nulls).
func makeTable(_ columns: [(String, DataType, [Value])]) -> Table {
    Table(columns.map { name, type, values in
        var b = ColumnBuilder(type: type, capacity: values.count)
        for v in values { b.append(v) }
        return (name, b.build())
    })
}

func makeColumn(_ type: DataType, _ values: [Value]) -> Column {
    var b = ColumnBuilder(type: type, capacity: values.count)
    for v in values { b.append(v) }
    return b.build()
}

/// Random predicates over `TestTable`'s columns, and their SQL spelling.
enum RandomPredicate {
    static let comparable = ["i", "j", "x", "y", "s", "u", "d", "e", "ts", "tt", "f"]
    static let columnPairs: [(String, String)] = [
        ("i", "j"), ("x", "y"), ("i", "x"), ("y", "j"), ("s", "u"), ("u", "s"), ("d", "e"), ("ts", "tt"), ("f", "i"),
    ]

    /// A generator of predicates up to three levels deep.
    static let gen = Generator<Predicate, Shrink.None<Predicate>>(run: { rng in make(&rng, depth: 3) })

    /// A literal that fits `column` (sometimes a value no row has, sometimes of another
    /// numeric type); null only when `allowNull`.
    static func literal(for column: String, allowNull: Bool, _ rng: inout some RandomNumberGenerator) -> Value {
        if allowNull && Int.random(in: 0..<20, using: &rng) == 0 { return .null }
        switch column {
        case "i", "j":
            return Int.random(in: 0..<4, using: &rng) > 0
                ? .int(Int64.random(in: -5...5, using: &rng)) : .double(Double(Int.random(in: -5...4, using: &rng)) + 0.5)
        case "x", "y":
            return Int.random(in: 0..<4, using: &rng) > 0
                ? .double(Double(Int.random(in: -9...9, using: &rng)) / 2) : .int(Int64.random(in: -4...4, using: &rng))
        case "s", "u":
            return .string((TestTable.sPool + ["d", "zz", "aa", "A", "b "]).randomElement(using: &rng)!)
        case "d", "e":
            return .date(TestTable.day0 + Int32.random(in: -1...9, using: &rng))
        case "ts", "tt":
            return .timestamp(TestTable.ts0 + Int64.random(in: -241...241, using: &rng) * TestTable.quarterHour)
        case "f":
            return .bool(Bool.random(using: &rng))
        default:
            preconditionFailure("no column \(column)")
        }
    }

    /// Fixed literals per column for exhaustive checks: values rows have, values between and
    /// beyond them, and the other numeric type.
    static func literalSamples(for column: String) -> [Value] {
        switch column {
        case "i", "j": return [.int(-5), .int(-1), .int(0), .int(4), .double(-0.5), .double(2.5)]
        case "x", "y": return [.double(-4), .double(0), .double(0.5), .double(1.25), .int(-1), .int(3)]
        case "s", "u": return ["", "A", "B", "a", "aa", "ab", "b ", "c", "zz"].map(Value.string)
        case "d", "e": return [-1, 0, 4, 8, 9].map { .date(TestTable.day0 + Int32($0)) }
        case "ts", "tt": return [-241, -240, 0, 7, 240].map { .timestamp(TestTable.ts0 + Int64($0) * TestTable.quarterHour) }
        case "f": return [.bool(false), .bool(true)]
        default: preconditionFailure("no column \(column)")
        }
    }

    static func leaf(_ rng: inout some RandomNumberGenerator) -> Predicate {
        let column = comparable.randomElement(using: &rng)!
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .isNull(column)
        case 1: return .isNotNull(column)
        case 2, 3:
            let (a, b) = columnPairs.randomElement(using: &rng)!
            return .compareColumns(a, CompareOp.allCases.randomElement(using: &rng)!, b)
        case 4:
            return .isIn(column, (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                literal(for: column, allowNull: true, &rng)
            })
        default:
            return .compare(column, CompareOp.allCases.randomElement(using: &rng)!,
                            literal(for: column, allowNull: true, &rng))
        }
    }

    static func make(_ rng: inout some RandomNumberGenerator, depth: Int) -> Predicate {
        guard depth > 0, Int.random(in: 0..<5, using: &rng) < 2 else { return leaf(&rng) }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return .and((0..<Int.random(in: 0...3, using: &rng)).map { _ in make(&rng, depth: depth - 1) })
        case 1: return .or((0..<Int.random(in: 0...3, using: &rng)).map { _ in make(&rng, depth: depth - 1) })
        default: return .not(make(&rng, depth: depth - 1))
        }
    }

    /// The predicate in SQL, with SQL's own three-valued logic.
    static func sql(_ p: Predicate) -> String {
        let q = SQLiteOracle.ident
        switch p {
        case .isNull(let c): return "\(q(c)) IS NULL"
        case .isNotNull(let c): return "\(q(c)) IS NOT NULL"
        case let .compare(c, op, v): return "\(q(c)) \(op.rawValue == "!=" ? "<>" : op.rawValue) \(SQLiteOracle.literal(v))"
        case let .compareColumns(a, op, b): return "\(q(a)) \(op.rawValue == "!=" ? "<>" : op.rawValue) \(q(b))"
        case let .isIn(c, vs): return "\(q(c)) IN (\(vs.map(SQLiteOracle.literal).joined(separator: ", ")))"
        case .and(let ps): return ps.isEmpty ? "1" : "(" + ps.map(sql).joined(separator: " AND ") + ")"
        case .or(let ps): return ps.isEmpty ? "0" : "(" + ps.map(sql).joined(separator: " OR ") + ")"
        case .not(let p): return "NOT (\(sql(p)))"
        }
    }
}

extension Predicate: CustomTestStringConvertible {
    public var testDescription: String { RandomPredicate.sql(self) }
}

/// Records a thrown error as an issue: errors thrown out of a `propertyCheck` body are not
/// reported by PropertyBased 2.0.1 (its issue counter runs the body under `try?`).
func recordingErrors(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do { try body() } catch { Issue.record(error, sourceLocation: sourceLocation) }
}
