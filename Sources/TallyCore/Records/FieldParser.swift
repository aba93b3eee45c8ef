/// Parsers for the field kinds of the record contract, working on raw UTF-8 bytes.
///
/// Each returns nil (or a reason) instead of trapping, allocates nothing, and accepts exactly
/// the forms that `records.md` lists. Bytes are already trimmed of surrounding spaces by
/// the CSV reader.
public enum FieldParser {
    public typealias Bytes = UnsafeBufferPointer<UInt8>

    /// `int`: decimal digits with an optional leading `-`. No `+`, no separators.
    @inlinable
    public static func int(_ b: Bytes) -> Int64? {
        var i = 0
        var negative = false
        if b.count > 0 && b[0] == 0x2D { negative = true; i = 1 }
        guard i < b.count, b.count - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        return negative ? -v : v
    }

    /// `bool`: true/false, 1/0, yes/no, y/n, in any letter case.
    @inlinable
    public static func bool(_ b: Bytes) -> Bool? {
        switch b.count {
        case 1:
            switch b[0] | 0x20 {
            case 0x31, 0x79: return true   // "1", "y"
            case 0x30, 0x6E: return false  // "0", "n"
            default: return nil
            }
        case 2: return lowerEquals(b, "no") ? false : nil
        case 3: return lowerEquals(b, "yes") ? true : nil
        case 4: return lowerEquals(b, "true") ? true : nil
        case 5: return lowerEquals(b, "false") ? false : nil
        default: return nil
        }
    }

    /// `date`: `YYYY-MM-DD` naming a real calendar day. Returns days since 1970-01-01.
    @inlinable
    public static func date(_ b: Bytes) -> Int64? {
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2),
              m >= 1, m <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: m)
        else { return nil }
        return Int64(CivilDate.days(year: y, month: m, day: d))
    }

    public enum TimestampError: Error, Equatable {
        case malformed
        case nonexistentLocalTime
    }

    /// `timestamp`: `YYYY-MM-DD(T| )HH:MM[:SS[.f…]]` then `Z`, `±HH:MM`, or nothing (local to
    /// `zone`). Up to six fraction digits. Returns microseconds since the Unix epoch, UTC.
    @inlinable
    public static func timestamp(_ b: Bytes, zone: ZoneOffsets) -> Result<Int64, TimestampError> {
        let n = b.count
        guard n >= 16, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20 || b[10] == 0x74,
              b[13] == 0x3A,
              let y = digits(b, 0, 4), let mo = digits(b, 5, 2), let d = digits(b, 8, 2),
              let h = digits(b, 11, 2), let mi = digits(b, 14, 2),
              mo >= 1, mo <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: mo),
              h <= 23, mi <= 59
        else { return .failure(.malformed) }
        var i = 16
        var sec = 0
        var micros = 0
        if i < n && b[i] == 0x3A {
            guard i + 3 <= n, let s = digits(b, i + 1, 2), s <= 59 else { return .failure(.malformed) }
            sec = s
            i += 3
            if i < n && b[i] == 0x2E {
                i += 1
                var count = 0
                while i < n, b[i] &- 0x30 < 10 {
                    guard count < 6 else { return .failure(.malformed) }
                    micros = micros * 10 + Int(b[i] &- 0x30)
                    count += 1
                    i += 1
                }
                guard count > 0 else { return .failure(.malformed) }
                for _ in count..<6 { micros *= 10 }
            }
        }
        let local = Int64(CivilDate.days(year: y, month: mo, day: d)) * 86_400
            + Int64(h * 3600 + mi * 60 + sec)
        let utcSeconds: Int64
        if i == n {
            switch zone.utc(fromLocal: local) {
            case .success(let s): utcSeconds = s
            case .failure: return .failure(.nonexistentLocalTime)
            }
        } else if (b[i] == 0x5A || b[i] == 0x7A) && i + 1 == n {
            utcSeconds = local
        } else if (b[i] == 0x2B || b[i] == 0x2D) && i + 6 == n && b[i + 3] == 0x3A,
                  let oh = digits(b, i + 1, 2), let om = digits(b, i + 4, 2), oh <= 18, om <= 59 {
            let offset = Int64(oh * 3600 + om * 60)
            utcSeconds = b[i] == 0x2B ? local - offset : local + offset
        } else {
            return .failure(.malformed)
        }
        return .success(utcSeconds * 1_000_000 + Int64(micros))
    }

    /// Fixed-width run of ASCII digits.
    @inlinable @inline(__always)
    static func digits(_ b: Bytes, _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for k in start..<(start + count) {
            let d = b[k] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Case-insensitive comparison of ASCII bytes with a lower-case literal.
    @inlinable
    public static func lowerEquals(_ b: Bytes, _ literal: StaticString) -> Bool {
        guard b.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<b.count {
            var c = b[k]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if c != p[k] { return false }
        }
        return true
    }
}
