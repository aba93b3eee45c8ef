import TallyTime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes CSV rows as bytes into a buffer that is flushed to the file in large blocks:
/// no String per field, so ten million rows take seconds. Fields written here never need
/// quoting except where `quoted` is used.
final class CSVOut {
    private let fd: Int32
    private var buf: [UInt8] = []
    private var firstField = true
    let path: String
    private(set) var rows = 0

    init(path: String, header: [String]) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SampleError("cannot write \(path): \(String(cString: strerror(errno)))") }
        buf.reserveCapacity(1 << 20)
        for h in header { field(h) }
        endRow()
        rows = 0
    }

    private func sep() {
        if !firstField { buf.append(UInt8(ascii: ",")) }
        firstField = false
    }

    func field(_ s: String) {
        sep()
        buf.append(contentsOf: s.utf8)
    }

    func null() { sep() }

    /// A field in double quotes (e.g. a value holding a comma).
    func quoted(_ s: String) {
        sep()
        buf.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { buf.append(b) }
            buf.append(b)
        }
        buf.append(UInt8(ascii: "\""))
    }

    func int(_ v: Int) {
        sep()
        appendInt(v)
    }

    private func appendInt(_ v: Int, width: Int = 0) {
        var x = v
        if x < 0 { buf.append(UInt8(ascii: "-")); x = -x }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[n] = UInt8(48 + x % 10); x /= 10; n += 1 } while x > 0
            while n < width { d[n] = 48; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { buf.append(d[i]) }
        }
    }

    /// `YYYY-MM-DD` of a day number (days since 1970-01-01).
    func date(days: Int) {
        sep()
        appendDate(days)
    }

    private func appendDate(_ days: Int) {
        let c = CivilDate.civil(days: days)
        appendInt(c.year, width: 4); buf.append(UInt8(ascii: "-"))
        appendInt(c.month, width: 2); buf.append(UInt8(ascii: "-"))
        appendInt(c.day, width: 2)
    }

    enum Style { case offset, utc, local, localSpace }

    /// An instant (seconds since the epoch, plus milliseconds) in one of the contract's
    /// spellings: `+09:00`, `Z`, no offset (local time of `offsetSeconds`), or a space for `T`.
    func timestamp(utcSeconds: Int64, millis: Int = 0, offsetSeconds: Int64, style: Style) {
        sep()
        let shown = style == .utc ? utcSeconds : utcSeconds + offsetSeconds
        let days = floorDiv(shown, 86_400)
        let sod = Int(shown - days * 86_400)
        appendDate(Int(days))
        buf.append(style == .localSpace ? UInt8(ascii: " ") : UInt8(ascii: "T"))
        appendInt(sod / 3600, width: 2); buf.append(UInt8(ascii: ":"))
        appendInt(sod / 60 % 60, width: 2); buf.append(UInt8(ascii: ":"))
        appendInt(sod % 60, width: 2)
        if millis != 0 { buf.append(UInt8(ascii: ".")); appendInt(millis, width: 3) }
        switch style {
        case .utc: buf.append(UInt8(ascii: "Z"))
        case .local, .localSpace: break
        case .offset:
            let a = Int(abs(offsetSeconds))
            buf.append(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendInt(a / 3600, width: 2); buf.append(UInt8(ascii: ":")); appendInt(a / 60 % 60, width: 2)
        }
    }

    func endRow() {
        buf.append(UInt8(ascii: "\n"))
        firstField = true
        rows += 1
        if buf.count >= 1 << 20 { flush() }
    }

    private func flush() {
        var off = 0
        buf.withUnsafeBytes { p in
            while off < p.count {
                let n = write(fd, p.baseAddress! + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buf.removeAll(keepingCapacity: true)
    }

    func finish() {
        flush()
        _ = close(fd)
    }
}

struct SampleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
