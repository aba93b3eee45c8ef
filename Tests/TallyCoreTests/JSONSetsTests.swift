import Foundation
import Testing
@testable import TallyCore

/// The JSON-array fast path (`JSONSets.plainArray`) against JSONSerialization: `JSONSets.parse`
/// (fast path first) and `parseWithJSONSerialization` must give the same members or the same
/// error for every cell — the array cells of the real DSA fixtures, hand-worked cells, and
/// seeded random cells with escapes, unicode, `[]`, whitespace and malformed arrays.
@Suite struct JSONSetsTests {
    static let prefixes: [String?] = [nil, "KEYWORD_", "CONTENT_TYPE_", "DECISION_VISIBILITY_"]

    static func both(_ cell: String, _ prefix: String?) -> (fast: Result<[String], JSONSets.SetError>, slow: Result<[String], JSONSets.SetError>, plain: Bool) {
        withBytes(cell) { b in
            (JSONSets.parse(b, prefix: prefix), JSONSets.parseWithJSONSerialization(b, prefix: prefix), JSONSets.plainArray(b) != nil)
        }
    }

    /// The array cells of the fixtures, found in the raw CSV text (quoted with `""` escapes).
    static func fixtureCells() throws -> [String] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../TallyStoreTests/Fixtures/dsa").standardized
        var cells: [String] = []
        let pattern = try NSRegularExpression(pattern: #"\[(?:""[^"]*""(?:,|(?=\])))*\]"#)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".csv") {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                cells.append(String(text[Range(m.range, in: text)!]).replacingOccurrences(of: "\"\"", with: "\""))
            }
        }
        return cells
    }

    @Test func theFixturesCellsReadAsJSONSerializationReadsThem() throws {
        let cells = try Self.fixtureCells()
        #expect(cells.count > 300, "\(cells.count) cells")
        #expect(cells.contains("[]"))
        var plain = 0
        for cell in cells {
            for prefix in Self.prefixes {
                let r = Self.both(cell, prefix)
                #expect(r.fast == r.slow, "\(cell) \(prefix ?? "country")")
                if r.plain { plain += 1 }
            }
        }
        // The dump writes every array plainly: the fast path reads all of them.
        #expect(plain == cells.count * Self.prefixes.count)
        // One cell, checked by hand.
        #expect(Self.both("[\"SK\",\"AT\",\"SK\"]", nil).fast == .success(["AT", "SK"]))
    }

    @Test func handWorkedCells() {
        let cases: [(String, String?, Result<[String], JSONSets.SetError>, Bool)] = [
            ("[]", "KEYWORD_", .success([]), true),
            ("[\"KEYWORD_B\",\"KEYWORD_A\"]", "KEYWORD_", .success(["KEYWORD_A", "KEYWORD_B"]), true),
            ("[ \"KEYWORD_A\" ]", "KEYWORD_", .success(["KEYWORD_A"]), false),                      // spaces: JSONSerialization
            ("[\"KEYWORD\\u005FA\"]", "KEYWORD_", .success(["KEYWORD_A"]), false),                   // an escape
            // Foundation's JSONSerialization accepts a trailing comma; the fast path leaves it to it.
            ("[\"AT\",]", nil, .success(["AT"]), false),
            ("[\"AT\"", nil, .failure(.init("not a JSON array")), false),
            ("[\"at\"]", nil, .failure(.init("member 'at' is not a two-letter country code")), false),
            ("[\"AT\",1]", nil, .failure(.init("a member of the JSON array is not a string")), false),
            ("[\"ATX\",1]", nil, .failure(.init("member 'ATX' is not a two-letter country code")), false),
            ("[\"KEYWORD_\"]", "KEYWORD_", .failure(.init("member 'KEYWORD_' is not a KEYWORD_* value")), true),
            ("{\"a\":1}", nil, .failure(.init("not a JSON array")), false),
            ("\"AT\"", nil, .failure(.init("not a JSON array")), false),
        ]
        for (cell, prefix, expected, plain) in cases {
            let r = Self.both(cell, prefix)
            #expect(r.fast == expected, "\(cell)")
            #expect(r.slow == expected, "\(cell)")
            #expect(r.plain == plain, "\(cell)")
        }
    }

    @Test func seededRandomCells() {
        let seed = UInt64(ProcessInfo.processInfo.environment["TALLY_TEST_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
        print("JSONSetsTests.seededRandomCells seed \(seed) (TALLY_TEST_SEED=\(seed) to repeat)")
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
        let members = ["AT", "DE", "SK", "KEYWORD_HATE_SPEECH", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", "CONTENT_TYPE_VIDEO",
                       "DECISION_VISIBILITY_CONTENT_REMOVED", "A", "KEYWORD_", "X1_2", ""]
        let noise = [" ", "\t", "\n", "\\\"", "\\\\", "\\u0041", "\\u00e9", "\\n", "é", "서울", "\u{200F}", "a", "\"", ",", "[", "]",
                     "null", "1", "{}", "true", "\\ud83d\\ude00", "\\x"]
        var plain = 0, slowOnly = 0, failures = 0
        for _ in 0..<5000 {
            var items: [String] = []
            for _ in 0..<Int(next() % 5) {
                var m = pick(members)
                if next() % 4 == 0 { m.insert(contentsOf: pick(noise), at: m.index(m.startIndex, offsetBy: Int(next() % UInt64(m.count + 1)))) }
                items.append(next() % 12 == 0 ? pick(["1", "null", "[]", "{}", "true"]) : "\"" + m + "\"")
            }
            var cell = "[" + items.joined(separator: next() % 8 == 0 ? ", " : ",") + "]"
            switch next() % 10 {
            case 0: cell = " " + cell
            case 1: cell += pick(noise)
            case 2: cell.removeLast()
            case 3: cell.insert(contentsOf: pick(noise), at: cell.index(cell.startIndex, offsetBy: Int(next() % UInt64(cell.count + 1))))
            default: break
            }
            for prefix in Self.prefixes {
                let r = Self.both(cell, prefix)
                #expect(r.fast == r.slow, "seed \(seed): \(cell.debugDescription) \(prefix ?? "country")")
                if r.plain { plain += 1 } else { slowOnly += 1 }
                if case .failure = r.slow { failures += 1 }
            }
        }
        // Both readings were exercised, and so were errors.
        #expect(plain > 1000 && slowOnly > 1000 && failures > 1000, "\(plain) plain, \(slowOnly) not, \(failures) errors")
    }
}
