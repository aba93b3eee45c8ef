#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Input encodings and the checks that keep non-text out of the store.
public enum TextEncoding: String, CaseIterable, Sendable {
    case utf8 = "utf-8"
    /// Windows Korean (a superset of EUC-KR), as Korean spreadsheets export CSV.
    case cp949

    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "utf-8", "utf8": self = .utf8
        case "cp949", "euc-kr", "euckr", "uhc", "ms949", "windows-949": self = .cp949
        default: return nil
        }
    }

    /// Converts `bytes` from this encoding to UTF-8 with iconv.
    public func toUTF8(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        if self == .utf8 { return Array(bytes) }
        guard let cd = Optional(iconv_open("UTF-8", "CP949")), cd != iconv_t(bitPattern: -1) else {
            throw EncodingError.unsupported(rawValue)
        }
        defer { iconv_close(cd) }
        var out = [UInt8](repeating: 0, count: bytes.count * 3 / 2 + 16)
        var inLeft = bytes.count
        var outUsed = 0
        var inPtr = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: CChar.self))
        while inLeft > 0 {
            var outLeft = out.count - outUsed
            let result = out.withUnsafeMutableBytes { ob -> Int in
                var outPtr: UnsafeMutablePointer<CChar>? = ob.baseAddress!.assumingMemoryBound(to: CChar.self) + outUsed
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return r == -1 ? Int(errno) : 0
            }
            outUsed = out.count - outLeft
            if result == 0 { break }
            if result == E2BIG {
                out.append(contentsOf: repeatElement(0, count: out.count))
            } else {
                let offset = bytes.count - inLeft
                throw EncodingError.invalid(encoding: rawValue, offset: offset)
            }
        }
        out.removeSubrange(outUsed...)
        return out
    }

    /// Offset of the first byte that is not part of valid UTF-8, or nil.
    public static func firstInvalidUTF8(_ b: UnsafeRawBufferPointer) -> Int? {
        let n = b.count
        var i = 0
        while i < n {
            // ASCII runs eight bytes at a time.
            while i + 8 <= n && b.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            if i == n { break }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let len: Int
            var minNext: UInt8 = 0x80, maxNext: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: len = 2
            case 0xE0: len = 3; minNext = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: len = 3
            case 0xED: len = 3; maxNext = 0x9F
            case 0xF0: len = 4; minNext = 0x90
            case 0xF1...0xF3: len = 4
            case 0xF4: len = 4; maxNext = 0x8F
            default: return i
            }
            guard i + len <= n, b[i + 1] >= minNext, b[i + 1] <= maxNext else { return i }
            for k in 2..<len where b[i + k] < 0x80 || b[i + k] > 0xBF { return i }
            i += len
        }
        return nil
    }

    /// Offset of the first NUL byte, which no text file holds, or nil.
    public static func firstNUL(_ b: UnsafeRawBufferPointer) -> Int? {
        guard let base = b.baseAddress, let hit = memchr(base, 0, b.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// 1-based line number of a byte offset.
    public static func line(ofOffset offset: Int, in b: UnsafeRawBufferPointer) -> Int {
        var line = 1
        for k in 0..<min(offset, b.count) where b[k] == 0x0A { line += 1 }
        return line
    }
}

public enum EncodingError: Error, CustomStringConvertible {
    case unsupported(String)
    case invalid(encoding: String, offset: Int)

    public var description: String {
        switch self {
        case .unsupported(let e): return "encoding \(e) is not supported by this system's iconv"
        case let .invalid(e, offset): return "not valid \(e) at byte \(offset)"
        }
    }
}
