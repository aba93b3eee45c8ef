import Foundation

/// One name per platform (`Data/platforms.yaml`): each platform's canonical name, the other
/// spellings it arrives under (Korean and English, former names) and its origin.
///
/// Names are compared after `normalise`: Unicode NFC, zero-width and bidirectional controls
/// removed, white space trimmed and runs of it made one space, case folded. So `NAVER`,
/// `naver ` and `Na\u{200B}ver` are the same name, and a Hangul name in NFD is the same as in NFC.
/// A name not in the registry is not guessed at: it loads as written, and `resembling`
/// lists the registered names it looks like (confusable letters, or a small edit distance).
public struct PlatformRegistry: Sendable, Equatable {
    public struct Platform: Sendable, Equatable {
        public var name: String
        public var aliases: [String]
        public var origin: String

        public init(name: String, aliases: [String] = [], origin: String) {
            self.name = name
            self.aliases = aliases
            self.origin = origin
        }
    }

    public let platforms: [Platform]
    /// Normalised name or alias → index into `platforms`.
    let index: [String: Int]
    /// Confusable skeleton of every normalised name or alias → indices of its platforms.
    let skeletons: [(skeleton: [Character], platform: Int)]

    public enum Problem: Error, Equatable {
        /// `name` (normalised `normalised`) is claimed by platforms `first` and `second` (indices).
        case claimedTwice(name: String, first: Int, second: Int)
        /// A name or alias that is empty once normalised; `platform` is its index.
        case emptyName(platform: Int)
    }

    /// Throws `Problem` when a name is claimed by two platforms or is empty once normalised.
    public init(_ platforms: [Platform]) throws {
        var index: [String: Int] = [:]
        var skeletons: [(skeleton: [Character], platform: Int)] = []
        for (i, p) in platforms.enumerated() {
            for name in [p.name] + p.aliases {
                let key = Self.normalise(name)
                if key.isEmpty { throw Problem.emptyName(platform: i) }
                if let other = index[key], other != i { throw Problem.claimedTwice(name: name, first: other, second: i) }
                if index[key] == nil { skeletons.append((Self.skeleton(key), i)) }
                index[key] = i
            }
        }
        self.platforms = platforms
        self.index = index
        self.skeletons = skeletons
    }

    public static func == (a: PlatformRegistry, b: PlatformRegistry) -> Bool { a.platforms == b.platforms }

    /// The canonical name of `name`, or nil when it is not registered.
    public func canonical(for name: String) -> String? {
        index[Self.normalise(name)].map { platforms[$0].name }
    }

    /// The origin (`domestic` or `overseas`) of a registered name.
    public func origin(of name: String) -> String? {
        index[Self.normalise(name)].map { platforms[$0].origin }
    }

    /// Registered platforms (canonical names, in registry order) that `name` resembles: the
    /// same once confusable characters are replaced by the letters they look like, or within
    /// a small edit distance (1 for names of up to 5 characters, else 2) of a name or alias.
    /// Empty for a registered name.
    public func resembling(_ name: String) -> [String] {
        let key = Self.normalise(name)
        guard index[key] == nil, !key.isEmpty else { return [] }
        let s = Self.skeleton(key)
        let limit = s.count <= 5 ? 1 : 2
        var found = Set<Int>()
        for (other, i) in skeletons where !found.contains(i) {
            if other == s || Self.editDistance(s, other, limit: limit) <= limit { found.insert(i) }
        }
        return found.sorted().map { platforms[$0].name }
    }

    /// A content fingerprint of the mapping (normalised name → canonical name, and origins):
    /// the store records it, and a registry with another fingerprint re-maps loaded records.
    /// Comments, order and formatting of the file do not change it. 64-bit FNV-1a, hex.
    public var fingerprint: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h = (h ^ 0x1F) &* 0x0000_0100_0000_01B3
        }
        for key in index.keys.sorted() {
            let p = platforms[index[key]!]
            mix(key); mix(p.name); mix(p.origin)
        }
        return String(format: "%016llx", h)
    }

    // MARK: Normalisation

    /// Zero-width characters and bidirectional controls, removed from names: invisible, so a
    /// name holding one looks like the name without it.
    static let invisible: Set<Unicode.Scalar> = {
        var s = Set<Unicode.Scalar>()
        let ranges: [ClosedRange<UInt32>] = [
            0x00AD...0x00AD,  // soft hyphen
            0x061C...0x061C,  // Arabic letter mark
            0x180E...0x180E,  // Mongolian vowel separator
            0x200B...0x200F,  // zero-width space, non-joiner, joiner; LRM, RLM
            0x202A...0x202E,  // bidi embeddings and overrides
            0x2060...0x2064,  // word joiner, invisible operators
            0x2066...0x2069,  // bidi isolates
            0xFEFF...0xFEFF,  // zero-width no-break space (BOM)
        ]
        for r in ranges { for v in r { s.insert(Unicode.Scalar(v)!) } }
        return s
    }()

    /// The invisible characters' code points, ascending (an engine outside Swift normalises
    /// names with the same list).
    public static var invisibleCodePoints: [UInt32] { invisible.map(\.value).sorted() }

    /// NFC; invisible characters removed; white space trimmed and collapsed; case folded.
    public static func normalise(_ name: String) -> String {
        let nfc = name.precomposedStringWithCanonicalMapping
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for u in nfc.unicodeScalars where !invisible.contains(u) {
            if u.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace { scalars.append(" "); pendingSpace = false }
            scalars.append(u)
        }
        return String(scalars).folding(options: .caseInsensitive, locale: nil)
    }

    // MARK: Look-alikes

    /// Characters that look like a Latin letter or digit (Unicode's confusables, the common
    /// few): Cyrillic and Greek letters. Fullwidth forms (U+FF01…U+FF5E) are mapped by their
    /// fixed offset to ASCII in `skeleton`. Keys are lower case: names are case folded first.
    static let confusables: [Character: Character] = [
        // Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m",
        "н": "h", "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԁ": "d", "ԛ": "q",
        "ԝ": "w", "ү": "y", "ɡ": "g",
        // Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "γ": "y", "ω": "w",
        // Latin look-alikes
        "ı": "i", "ł": "l", "ø": "o", "ß": "b",
        // Digits that pass for letters
        "0": "o", "1": "l", "|": "l",
    ]

    /// The name with each confusable character replaced by what it looks like.
    static func skeleton(_ normalised: String) -> [Character] {
        normalised.map { c -> Character in
            if let u = c.unicodeScalars.first, c.unicodeScalars.count == 1, (0xFF01...0xFF5E).contains(u.value) {
                let ascii = Character(Unicode.Scalar(u.value - 0xFEE0)!)
                return Character(String(ascii).lowercased())
            }
            return confusables[c] ?? c
        }
    }

    /// Levenshtein distance, stopping early once every entry of a row exceeds `limit`.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var best = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                best = min(best, current[j])
            }
            if best > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
