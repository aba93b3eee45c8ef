/// Appends values to a new column; grows by doubling, so appending allocates nothing per row.
public struct ColumnBuilder {
    public let type: DataType
    private var storage: Storage
    private var capacity: Int
    private var bits: Storage
    public private(set) var count = 0
    private var nulls = 0
    private var dictionary = StringDictionaryBuilder()

    public init(type: DataType, capacity: Int = 1024) {
        self.type = type
        self.capacity = max(capacity, 16)
        storage = Storage(byteCount: self.capacity * type.width)
        bits = Storage(byteCount: Bitmap.wordCount(self.capacity) * 8)
    }

    private mutating func reserveOne() {
        if count == capacity {
            let c = capacity * 2
            let s = Storage(byteCount: c * type.width)
            s.base.copyMemory(from: storage.base, byteCount: count * type.width)
            let b = Storage(byteCount: Bitmap.wordCount(c) * 8)
            b.base.copyMemory(from: bits.base, byteCount: Bitmap.wordCount(capacity) * 8)
            storage = s
            bits = b
            capacity = c
        }
    }

    @inline(__always)
    private mutating func markValid() {
        bits.base.assumingMemoryBound(to: UInt64.self)[count >> 6] |= 1 << UInt64(count & 63)
    }

    @inline(__always)
    private mutating func put<T>(_ v: T) {
        reserveOne()
        (storage.base.assumingMemoryBound(to: T.self))[count] = v
        markValid()
        count += 1
    }

    /// For `int64` and `timestamp`.
    public mutating func append(_ v: Int64) {
        precondition(type == .int64 || type == .timestamp)
        put(v)
    }
    public mutating func append(_ v: Double) {
        precondition(type == .float64)
        put(v)
    }
    public mutating func append(_ v: Bool) {
        precondition(type == .bool)
        put(UInt8(v ? 1 : 0))
    }
    /// For `date`: days since 1970-01-01.
    public mutating func append(days: Int32) {
        precondition(type == .date)
        put(days)
    }
    /// For `string`, from UTF-8 bytes (no String is made unless the value is new).
    public mutating func append(utf8 bytes: UnsafeRawBufferPointer) {
        precondition(type == .string)
        let code = dictionary.code(of: bytes)
        put(code)
    }
    public mutating func append(_ s: String) {
        precondition(type == .string)
        let code = dictionary.code(of: s)
        put(code)
    }

    /// For `string`: the dictionary code of these bytes (added when new), to be appended with
    /// `append(code:)` — so that a caller who knows a value recurs (an enum's value, a set)
    /// can look its code up once and append it without hashing the bytes again.
    public mutating func code(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        precondition(type == .string)
        return dictionary.code(of: bytes)
    }

    /// For `string`: a row holding `code`, which `code(of:)` of this builder returned.
    @inline(__always)
    public mutating func append(code: UInt32) {
        precondition(type == .string && Int(code) < dictionary.count)
        put(code)
    }

    public mutating func appendNull() {
        reserveOne()
        count += 1
        nulls += 1
    }

    /// Appends a boxed value of the builder's type, or null.
    public mutating func append(_ v: Value) {
        switch (type, v) {
        case (_, .null): appendNull()
        case (.int64, .int(let x)), (.timestamp, .timestamp(let x)), (.timestamp, .int(let x)): append(x)
        case (.float64, .double(let x)): append(x)
        case (.float64, .int(let x)): append(Double(x))
        case (.bool, .bool(let b)): append(b)
        case (.date, .date(let d)): append(days: d)
        case (.string, .string(let s)): append(s)
        default: preconditionFailure("a \(v) does not fit a \(type) column")
        }
    }

    public func build() -> Column {
        let validity = nulls == 0 ? nil
            : Bitmap(words: Buffer<UInt64>(storage: bits, count: Bitmap.wordCount(count)), count: count)
        return Column(type: type, count: count, data: storage, validity: validity,
                      dictionary: type == .string ? dictionary.build() : nil)
    }
}
