import Foundation

/// Spark SQL text: literals and names written once, so that generated SQL never breaks on a
/// quote or backslash in a value (Spark's string literals treat `\` as an escape).
enum SQL {
    /// A string literal.
    static func lit(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// An identifier in back-quotes.
    static func name(_ s: String) -> String { "`" + s.replacingOccurrences(of: "`", with: "``") + "`" }

    /// `CASE … END` from (condition, value) pairs and a default.
    static func cases(_ pairs: [(String, String)], else other: String = "NULL") -> String {
        pairs.isEmpty ? other : "CASE " + pairs.map { "WHEN \($0.0) THEN \($0.1)" }.joined(separator: " ") + " ELSE \(other) END"
    }

    /// A value shortened as `RowProblem.shortened` does: the first 60 characters and `…`.
    static func shortened(_ e: String) -> String {
        "CASE WHEN char_length(\(e)) > \(60) THEN concat(substr(\(e), 1, 60), '…') ELSE \(e) END"
    }

    /// ASCII letters made lower case, nothing else (as the validator matches enumerations:
    /// Spark's `lower` would also fold the Kelvin sign to `k`).
    static func asciiLower(_ e: String) -> String {
        "translate(\(e), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    }
}

