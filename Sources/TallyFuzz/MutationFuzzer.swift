import Foundation

/// A small seeded mutation fuzzer for builds without libFuzzer (and for CI, where its runs
/// are bounded and replayable): it mutates corpus inputs with bit flips, byte and token
/// insertions, deletions, duplications and splices.
enum MutationFuzzer {
    static let usage = "usage: tally-fuzz csv|yaml [--seconds N] [--seed S] [--corpus DIR]"

    /// Bytes that matter to CSV and YAML readers and to the record contract.
    static let tokens: [[UInt8]] = [
        ",", "\"", "\"\"", "\n", "\r\n", "\r", "\0", "\u{FEFF}", ";", ":", "- ", "{", "}", "[", "]", "&a ", "*a",
        "!!binary ", "|", ">", "#", "~", "null", ".nan", ".inf", "-.inf", "1e308", "-1", "0", "99999999999999999999",
        "9223372036854775807", "-9223372036854775808", "2024-02-30", "2024-13-01", "9999-12-31T23:59:59Z",
        "2024-08-01T24:00:00+09:00", "2024-08-01 오후 1:05:09", "yes", "no", "true", "false", "removed", "pending",
        "request_id", "victim_id", "arrest_id", "\u{1B}]8;;x\u{7}", "\u{200B}", "\u{00A0}", "네이버", "\u{FFFD}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE0, 0x80], [0xED, 0xA0, 0x80]]

    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static func main(_ args: [String]) -> Int32 {
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        var seconds = 10.0
        var seed = UInt64(Date().timeIntervalSince1970 * 1000) & 0xFFFF_FFFF
        var corpusDir = "Tests/Fuzz/corpus/\(name)"
        var i = 1
        while i + 1 < args.count {
            switch args[i] {
            case "--seconds": seconds = Double(args[i + 1]) ?? seconds
            case "--seed": seed = UInt64(args[i + 1]) ?? seed
            case "--corpus": corpusDir = args[i + 1]
            default:
                FileHandle.standardError.write(Data((usage + "\n").utf8))
                return 2
            }
            i += 2
        }
        var corpus: [[UInt8]] = []
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: corpusDir)) ?? []).sorted() {
            if let d = FileManager.default.contents(atPath: corpusDir + "/" + file) { corpus.append(Array(d)) }
        }
        if corpus.isEmpty { corpus = [Array("a,b\n1,2\n".utf8)] }
        print("tally-fuzz \(name): seed \(seed), \(corpus.count) corpus inputs, \(seconds) s (replay: --seed \(seed))")
        var random = Random(state: seed)
        let deadline = Date().addingTimeInterval(seconds)
        var runs = 0
        // The corpus as it is first, then mutations.
        var queue = corpus
        while Date() < deadline {
            let input: [UInt8]
            if !queue.isEmpty { input = queue.removeFirst() } else { input = mutate(corpus, &random) }
            runs += 1
            let problem = input.withUnsafeBytes { target.run($0) }
            if let problem {
                print("FOUND after \(runs) inputs (seed \(seed)): \(problem)")
                print("input (\(input.count) bytes, hex): " + input.map { String(format: "%02x", $0) }.joined())
                return 1
            }
        }
        print("tally-fuzz \(name): \(runs) inputs, no finding")
        return 0
    }

    static func mutate(_ corpus: [[UInt8]], _ r: inout Random) -> [UInt8] {
        var b = corpus[r.below(corpus.count)]
        for _ in 0...r.below(4) {
            switch r.below(7) {
            case 0 where !b.isEmpty: // flip a bit
                let i = r.below(b.count)
                b[i] ^= UInt8(1 << r.below(8))
            case 1: // insert a random byte
                b.insert(UInt8(truncatingIfNeeded: r.next()), at: r.below(b.count + 1))
            case 2, 3: // insert a token
                b.insert(contentsOf: tokens[r.below(tokens.count)], at: r.below(b.count + 1))
            case 4 where !b.isEmpty: // delete a range
                let i = r.below(b.count)
                b.removeSubrange(i..<min(b.count, i + 1 + r.below(16)))
            case 5 where !b.isEmpty: // duplicate a range
                let i = r.below(b.count)
                let piece = Array(b[i..<min(b.count, i + 1 + r.below(64))])
                b.insert(contentsOf: piece, at: r.below(b.count + 1))
            default: // splice with another input
                let other = corpus[r.below(corpus.count)]
                let cut = r.below(b.count + 1), from = r.below(other.count + 1)
                b = Array(b[..<cut]) + Array(other[from...])
            }
        }
        return b.count > 65_536 ? Array(b.prefix(65_536)) : b
    }
}
