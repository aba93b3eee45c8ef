import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum Terminal {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func writeError(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    /// Text made safe for a terminal: every control character from the data — C0 (ESC,
    /// BEL, CR, backspace, …), DEL and C1 (U+0080…U+009F, CSI and OSC among them) — is
    /// written as a visible `\xHH` (or `\u{HHHH}`), so that records cannot move the cursor,
    /// recolour or retitle the terminal, or hide text. Line feeds and tabs are kept when
    /// `keepLineBreaks` (whole outputs), escaped otherwise (table cells).
    static func escape(_ s: String, keepLineBreaks: Bool = false) -> String {
        func unsafe(_ v: UInt32) -> Bool {
            v < 0x20 ? !(keepLineBreaks && (v == 0x0A || v == 0x09)) : (v == 0x7F || (v >= 0x80 && v <= 0x9F))
        }
        guard s.unicodeScalars.contains(where: { unsafe($0.value) }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if unsafe(u.value) {
                let hex = String(u.value, radix: 16, uppercase: true)
                let text = u.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{" + hex + "}"
                out.append(contentsOf: text.unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// Prints terminal text (not JSON or CSV, which are data) with `escape`, line breaks kept.
    static func print(_ s: String) {
        Swift.print(escape(s, keepLineBreaks: true))
    }
}

/// Number and table formatting for terminal output.
enum Format {
    /// Left-aligned first column, right-aligned numbers; widths by content.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let all = ([header] + rows).map { $0.map { Terminal.escape($0) } }
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
