/// Named columns of equal length.
public struct Table: @unchecked Sendable {
    public private(set) var names: [String]
    public private(set) var columns: [Column]
    public let rowCount: Int

    public init(_ pairs: [(String, Column)]) {
        names = pairs.map(\.0)
        columns = pairs.map(\.1)
        rowCount = columns.first?.count ?? 0
        precondition(columns.allSatisfy { $0.count == rowCount }, "columns of a table have equal length")
        precondition(Set(names).count == names.count, "column names of a table are distinct")
    }

    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// The column named `name`; a missing name is a programming error in the caller's query.
    public subscript(name: String) -> Column {
        guard let i = index(of: name) else { preconditionFailure("no column '\(name)' in \(names)") }
        return columns[i]
    }

    public func column(_ name: String) throws -> Column {
        guard let i = index(of: name) else { throw EngineError.unknownColumn(name, available: names) }
        return columns[i]
    }

    /// The table with `column` added (or replacing one of the same name).
    public func adding(_ name: String, _ column: Column) -> Table {
        precondition(column.count == rowCount || columns.isEmpty)
        var pairs = Array(zip(names, columns)).filter { $0.0 != name }
        pairs.append((name, column))
        return Table(pairs)
    }

    /// Row `i` as boxed values, for display and tests.
    public func row(_ i: Int) -> [Value] { columns.map { $0.value(i) } }

    /// Bytes held by the columns (values, validity and dictionaries).
    public var byteCount: Int { columns.reduce(0) { $0 + $1.byteCount } }
}

public enum EngineError: Error, CustomStringConvertible, Equatable {
    case unknownColumn(String, available: [String])
    case typeMismatch(column: String, expected: String, found: DataType)
    case invalidArgument(String)
    /// An integer result beyond the 64-bit range (the message names the column).
    case overflow(String)

    public var description: String {
        switch self {
        case let .unknownColumn(name, available):
            return "no column '\(name)'; columns are: \(available.joined(separator: ", "))"
        case let .typeMismatch(column, expected, found):
            return "column '\(column)' is \(found.rawValue), expected \(expected)"
        case .invalidArgument(let m), .overflow(let m):
            return m
        }
    }
}
