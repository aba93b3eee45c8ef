import Foundation

/// CSV cells that a spreadsheet opens as data, never as a formula: every CSV Tally writes
/// (tables, exports, command output) makes its text cells through this one function.
public enum SafeCSV {
    /// Text cells starting with `=`, `+`, `-`, `@` (or a tab or carriage return) get a
    /// leading `'`; cells with a comma, quote or line break are quoted (RFC 4180).
    public static func cell(_ s: String) -> String {
        var v = s
        if let f = v.first, "=+-@\t\r".contains(f) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            v = "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
