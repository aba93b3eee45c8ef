#if canImport(Glibc)
import Glibc
#endif

/// The distinct strings of a string column, in first-seen order; a row holds an index.
public final class StringDictionary: @unchecked Sendable {
    public let strings: [String]
    private lazy var lookup: [String: UInt32] = {
        var d = [String: UInt32](minimumCapacity: strings.count)
        for (i, s) in strings.enumerated() { d[s] = UInt32(i) }
        return d
    }()

    public init(_ strings: [String]) { self.strings = strings }

    public var count: Int { strings.count }

    /// The code of `s`, or nil when no row has it.
    public func code(of s: String) -> UInt32? { lookup[s] }
}

/// Builds a dictionary from raw UTF-8 bytes without making a String per row: an open-
/// addressing table over an arena of the distinct values' bytes.
public struct StringDictionaryBuilder {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var slots: [Int32]
    private var mask: Int

    public init() {
        slots = Array(repeating: -1, count: 64)
        mask = 63
    }

    public var count: Int { starts.count }

    /// The code of these bytes, adding them when new.
    public mutating func code(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            let e = Int(entry)
            if lengths[e] == bytes.count && equalBytes(e, bytes) { return UInt32(e) }
            slot = (slot + 1) & mask
        }
        let code = starts.count
        starts.append(arena.count)
        lengths.append(bytes.count)
        arena.append(contentsOf: bytes)
        slots[slot] = Int32(code)
        if starts.count * 2 > slots.count { grow() }
        return UInt32(code)
    }

    public mutating func code(of s: String) -> UInt32 {
        var copy = s
        return copy.withUTF8 { code(of: UnsafeRawBufferPointer($0)) }
    }

    private func equalBytes(_ e: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        arena.withUnsafeBytes { a in
            guard bytes.count > 0 else { return true }
            return memcmp(a.baseAddress! + starts[e], bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        for e in 0..<starts.count {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for k in 0..<lengths[e] { h = (h ^ UInt64(arena[starts[e] + k])) &* 0x0000_0100_0000_01B3 }
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(e)
        }
    }

    public func build() -> StringDictionary {
        StringDictionary((0..<starts.count).map { e in
            String(decoding: arena[starts[e]..<(starts[e] + lengths[e])], as: UTF8.self)
        })
    }
}
