import Foundation
import Testing
@testable import TallyCSV

/// The one-record-per-line fast path (`CSVReader.splitPlainLine`) against libcsv itself: the
/// same text read with the fast path on and off must give the same rows — fields, lines, broken
/// rows, open quote at the end — on the real DSA fixtures and on seeded random lines built from
/// the shapes a dump holds and the ones that break it (leaked `\"`, quotes inside unquoted
/// fields, CRs, spaces around quotes, blank lines, a missing last newline), in random chunks.
@Suite struct PlainLineTests {
    struct Row: Equatable, CustomStringConvertible {
        var line: Int
        var fields: [[UInt8]]
        var broken: Bool
        var openQuote: Bool
        var description: String {
            "line \(line) broken \(broken) open \(openQuote): " + fields.map { String(decoding: $0, as: UTF8.self).debugDescription }.joined(separator: " | ")
        }
    }

    /// Reads `bytes` one record per line from the second line on (the header first, as the
    /// ingest does), in chunks of the given sizes (cycled); returns the rows and the reader.
    static func read(_ bytes: [UInt8], fastPath: Bool, chunks: [Int] = [1 << 20], maxFieldBytes: Int = .max) throws -> ([Row], CSVReader) {
        var rows: [Row] = []
        let reader = CSVReader { _ in }
        reader.handler = { [unowned reader] row in
            rows.append(Row(line: row.line, fields: (0..<row.count).map { Array(row.field($0)) },
                            broken: row.brokenAtLineEnd, openQuote: row.endsInOpenQuote))
            reader.oneRecordPerLine = true
            reader.maxFieldBytes = maxFieldBytes
        }
        reader.plainLineFastPath = fastPath
        try bytes.withUnsafeBytes { raw in
            var i = 0, k = 0
            // The header's line alone first, as `RowParser` feeds it.
            if let lf = raw.firstIndex(of: 0x0A) {
                try reader.feed(UnsafeRawBufferPointer(rebasing: raw[0...lf]))
                i = lf + 1
            }
            while i < raw.count {
                let end = min(raw.count, i + chunks[k % chunks.count])
                try reader.feed(UnsafeRawBufferPointer(rebasing: raw[i..<end]))
                i = end
                k += 1
            }
        }
        try reader.finish()
        return (rows, reader)
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../TallyStoreTests/Fixtures/dsa").standardized

    @Test func theFixturesReadAsLibcsvReadsThem() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".csv") }.sorted()
        #expect(names.count == 3)
        for name in names {
            let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
            let (slow, slowReader) = try Self.read(bytes, fastPath: false)
            let (fast, fastReader) = try Self.read(bytes, fastPath: true)
            #expect(slow.count == 51, "\(name)")
            #expect(fast == slow, "\(name)")
            #expect(slowReader.plainLines == 0)
            // Every data row of the real files has the plain shape.
            #expect(fastReader.plainLines == 50 && fastReader.libcsvLines == 0, "\(name): \(fastReader.plainLines) plain, \(fastReader.libcsvLines) by libcsv")
            // In small chunks lines are cut between chunks; the rows stay the same.
            let (chunked, _) = try Self.read(bytes, fastPath: true, chunks: [997, 61, 4096])
            #expect(chunked == slow, "\(name) in chunks")
        }
    }

    @Test func handWorkedLines() throws {
        let text = "h1,h2,h3\n"
            + "a, b ,\"c, d\"\n"               // trimmed unquoted, quoted comma
            + "\"say \"\"hi\"\"\",,\"\"\n"      // escaped quotes, empty, empty quoted
            + "  \"x\",y,z\n"                   // spaces before a quote: quoted
            + "\"leak \\\"\",\"b\",c\n"         // a leaked \" that balances: libcsv's reading
            + "\"open \\\"\",b,c\n"             // a leaked \" that leaves the quote open: broken
            + "a\"b,c,d\n"                      // quote inside an unquoted field
            + "   \n"                           // blank
            + "\"x\" ,y,z\n"                    // space after the closing quote
            + "p,q,r"                           // no final newline
        let (slow, _) = try Self.read(Array(text.utf8), fastPath: false)
        let (fast, reader) = try Self.read(Array(text.utf8), fastPath: true)
        #expect(fast == slow)
        #expect(fast.map(\.line) == [1, 2, 3, 4, 5, 6, 7, 9, 10])
        #expect(fast[1].fields.map { String(decoding: $0, as: UTF8.self) } == ["a", "b", "c, d"])
        #expect(fast[2].fields.map { String(decoding: $0, as: UTF8.self) } == ["say \"hi\"", "", ""])
        #expect(fast[5].broken)
        #expect(reader.plainLines == 3, "the lines read without libcsv: 2, 3, 4")
    }

    /// A field that may be longer than the limit leaves the line to libcsv, which cuts it.
    @Test func longLinesGoToLibcsv() throws {
        let text = "h1,h2\n" + "abcdefgh,x\n" + "abc,x\n"
        let (slow, _) = try Self.read(Array(text.utf8), fastPath: false, maxFieldBytes: 5)
        let (fast, reader) = try Self.read(Array(text.utf8), fastPath: true, maxFieldBytes: 5)
        #expect(fast == slow)
        #expect(fast[1].fields[0].count == 6)
        #expect(reader.plainLines == 1 && reader.libcsvLines == 1)
    }

    @Test func seededRandomLines() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["TALLY_TEST_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
        print("PlainLineTests.seededRandomLines seed \(seed) (TALLY_TEST_SEED=\(seed) to repeat)")
        var rng = SplitMix(seed)
        let pieces: [String] = ["", "a", "abc", "Yes", "2024-03-14 00:00:00", "서울", "该商品", "é", " ", "\t", ",", "\"", "\"\"",
                                "\\\"", "\\", "\r", "x y", "[\"A\",\"B\"]", "'", ";", "\u{200F}"]
        func piece() -> String { pieces[Int(rng.next() % UInt64(pieces.count))] }
        func field() -> String {
            let body = (0..<Int(rng.next() % 5)).map { _ in piece() }.joined()
            switch rng.next() % 6 {
            case 0, 1: return body.replacingOccurrences(of: "\"", with: "")                    // plain unquoted
            case 2, 3: return "\"" + body.replacingOccurrences(of: "\"", with: "\"\"") + "\""  // well quoted
            case 4: return (rng.next() % 2 == 0 ? " " : "") + "\"" + body + "\"" + (rng.next() % 2 == 0 ? " " : "")  // maybe broken
            default: return body                                                              // anything
            }
        }
        var total = (plain: 0, libcsv: 0)
        for round in 0..<200 {
            var text = "h1,h2,h3,h4\n"
            for _ in 0..<Int(1 + rng.next() % 30) {
                text += (0..<Int(1 + rng.next() % 6)).map { _ in field() }.joined(separator: ",")
                text += rng.next() % 10 == 0 ? "\r\n" : "\n"
                if rng.next() % 20 == 0 { text += rng.next() % 2 == 0 ? "\n" : "  \n" }
            }
            if rng.next() % 3 == 0 { text += field() }  // no final newline
            let bytes = Array(text.utf8)
            let (slow, _) = try Self.read(bytes, fastPath: false)
            let chunks = [Int(1 + rng.next() % 200), Int(1 + rng.next() % 7), 1 << 20]
            let (fast, reader) = try Self.read(bytes, fastPath: true, chunks: rng.next() % 2 == 0 ? [1 << 20] : chunks)
            #expect(fast == slow, "seed \(seed) round \(round): \(text.debugDescription)")
            if fast != slow { break }
            total.plain += reader.plainLines
            total.libcsv += reader.libcsvLines
        }
        // Both paths were exercised.
        #expect(total.plain > 500 && total.libcsv > 500, "\(total)")
    }
}

/// SplitMix64: a small seeded generator, so a failing case can be repeated from its seed.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
