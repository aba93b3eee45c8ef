/// The value types a column can hold.
public enum DataType: String, Sendable, Codable, CaseIterable {
    /// 64-bit integers.
    case int64
    /// 64-bit floating point.
    case float64
    /// Booleans, one byte each (0 or 1).
    case bool
    /// Calendar dates as days since 1970-01-01 (Int32).
    case date
    /// Instants as microseconds since 1970-01-01T00:00Z (Int64).
    case timestamp
    /// Strings, dictionary-encoded: a UInt32 code per row into a dictionary of distinct values.
    case string

    /// Bytes per value in the column's buffer.
    public var width: Int {
        switch self {
        case .int64, .float64, .timestamp: return 8
        case .date, .string: return 4
        case .bool: return 1
        }
    }
}

/// A typed, immutable column: contiguous values, an optional validity bitmap (nil: no
/// nulls), and for strings a dictionary. A null row's value slot holds 0.
public struct Column: @unchecked Sendable {
    public let type: DataType
    public let count: Int
    /// The values' bytes; read them through the typed accessors.
    let data: Storage
    let dataOffset: Int
    public let validity: Bitmap?
    public let dictionary: StringDictionary?
    /// What is worked out once about the column (its zone map), shared by its copies.
    let memo: ColumnMemo

    init(type: DataType, count: Int, data: Storage, dataOffset: Int = 0, validity: Bitmap?,
                dictionary: StringDictionary? = nil, memo: ColumnMemo = ColumnMemo()) {
        self.memo = memo
        precondition(type != .string || dictionary != nil, "a string column needs a dictionary")
        self.type = type
        self.count = count
        self.data = data
        self.dataOffset = dataOffset
        self.validity = validity
        self.dictionary = dictionary
    }

    @inline(__always) func typed<T>(_: T.Type) -> UnsafeBufferPointer<T> {
        UnsafeBufferPointer(start: (data.base + dataOffset).assumingMemoryBound(to: T.self), count: count)
    }

    // Unscoped views, for the engine's own loops only: outside the engine a pointer could
    // outlive the storage it points into. Other modules use the scoped `with…` forms below.

    /// Values of an `int64` or `timestamp` column.
    var int64s: UnsafeBufferPointer<Int64> {
        precondition(type == .int64 || type == .timestamp)
        return typed(Int64.self)
    }
    var float64s: UnsafeBufferPointer<Double> {
        precondition(type == .float64)
        return typed(Double.self)
    }
    /// Days of a `date` column.
    var int32s: UnsafeBufferPointer<Int32> {
        precondition(type == .date)
        return typed(Int32.self)
    }
    /// Dictionary codes of a `string` column.
    var codes: UnsafeBufferPointer<UInt32> {
        precondition(type == .string)
        return typed(UInt32.self)
    }
    var bools: UnsafeBufferPointer<UInt8> {
        precondition(type == .bool)
        return typed(UInt8.self)
    }

    /// Lends the values of an `int64` or `timestamp` column to `body`; the buffer is valid only
    /// inside it (the column's storage is kept alive for exactly that long).
    public func withInt64s<R>(_ body: (UnsafeBufferPointer<Int64>) throws -> R) rethrows -> R {
        try withExtendedLifetime(data) { try body(int64s) }
    }
    /// Lends the values of a `float64` column to `body`, valid only inside it.
    public func withFloat64s<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try withExtendedLifetime(data) { try body(float64s) }
    }
    /// Lends the days of a `date` column to `body`, valid only inside it.
    public func withInt32s<R>(_ body: (UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        try withExtendedLifetime(data) { try body(int32s) }
    }
    /// Lends the dictionary codes of a `string` column to `body`, valid only inside it.
    public func withCodes<R>(_ body: (UnsafeBufferPointer<UInt32>) throws -> R) rethrows -> R {
        try withExtendedLifetime(data) { try body(codes) }
    }

    /// One value of an `int64` or `timestamp` column (0 for a null row).
    public func int64(at i: Int) -> Int64 { withInt64s { $0[i] } }
    /// One day of a `date` column (0 for a null row).
    public func int32(at i: Int) -> Int32 { withInt32s { $0[i] } }

    @inline(__always)
    public func isValid(_ i: Int) -> Bool { validity?.isValid(i) ?? true }

    public var nullCount: Int { validity.map { count - $0.validCount } ?? 0 }

    /// The row's value, boxed: for display and tests, not for hot loops.
    public func value(_ i: Int) -> Value {
        guard isValid(i) else { return .null }
        switch type {
        case .int64: return .int(int64s[i])
        case .float64: return .double(float64s[i])
        case .bool: return .bool(bools[i] != 0)
        case .date: return .date(int32s[i])
        case .timestamp: return .timestamp(int64s[i])
        case .string: return .string(dictionary!.strings[Int(codes[i])])
        }
    }

    /// Value bytes plus validity: what the column costs in memory.
    public var byteCount: Int {
        count * type.width + (validity.map { $0.words.byteCount } ?? 0)
            + (dictionary.map { d in d.strings.reduce(0) { $0 + $1.utf8.count } } ?? 0)
    }
}

/// A single value, for literals, results and display.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case date(Int32)
    case timestamp(Int64)
    case string(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let x): return String(x)
        case .double(let x): return String(x)
        case .bool(let b): return String(b)
        case .date(let d): return isoDate(Int(d))
        case .timestamp(let t): return isoTimestamp(t)
        case .string(let s): return s
        }
    }

    public var isNull: Bool { self == .null }

    /// As a double, for numeric values.
    public var asDouble: Double? {
        switch self {
        case .int(let x): return Double(x)
        case .double(let x): return x
        case .bool(let b): return b ? 1 : 0
        case .date(let d): return Double(d)
        case .timestamp(let t): return Double(t)
        default: return nil
        }
    }
}

import TallyTime

func isoDate(_ days: Int) -> String { CivilDate.isoString(days: days) }
func isoTimestamp(_ micros: Int64) -> String { Timestamp.isoUTC(micros: micros) }
