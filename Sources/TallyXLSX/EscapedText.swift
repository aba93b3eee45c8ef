/// SpreadsheetML's escape for characters XML cannot hold (ECMA-376 ST_Xstring): `_xHHHH_` is the
/// UTF-16 code unit HHHH — Excel writes a carriage return in a cell as `_x000D_`, and a literal
/// `_x` followed by four hex digits and `_` as `_x005F_x…`.
enum EscapedText {
    /// The text with every `_xHHHH_` replaced by its character, or nil when it holds none
    /// (the common case: no copy). Surrogate pairs are joined; a lone surrogate becomes U+FFFD.
    static func decode(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard b.count >= 7, let first = firstEscape(b, from: 0) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        var next: Int? = first
        var pendingHigh: UInt32?
        func flushHigh() {
            if pendingHigh != nil { append(0xFFFD, to: &out); pendingHigh = nil }
        }
        while let e = next {
            if e > i { flushHigh() }
            out.append(contentsOf: b[i..<e])
            let unit = hex(b, e + 2)
            if unit >= 0xD800 && unit <= 0xDBFF {
                flushHigh()
                pendingHigh = unit
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                if let high = pendingHigh {
                    append(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: &out)
                    pendingHigh = nil
                } else {
                    append(0xFFFD, to: &out)
                }
            } else {
                flushHigh()
                append(unit, to: &out)
            }
            i = e + 7
            next = firstEscape(b, from: i)
        }
        flushHigh()
        out.append(contentsOf: b[i...])
        return out
    }

    static func firstEscape(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i + 7 <= b.count {
            if b[i] == UInt8(ascii: "_") && b[i + 1] == UInt8(ascii: "x") && b[i + 6] == UInt8(ascii: "_")
                && (2..<6).allSatisfy({ isHex(b[i + $0]) }) {
                return i
            }
            i += 1
        }
        return nil
    }

    static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
    }

    static func hex(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = b[at + k]
            v = v << 4 + UInt32(c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10)
        }
        return v
    }

    static func append(_ scalar: UInt32, to out: inout [UInt8]) {
        let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(s)).utf8))
    }
}
