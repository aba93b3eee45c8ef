import Foundation
import Testing
@testable import TallyCore

@Suite struct PlatformRegistryTests {
    static func registry() throws -> PlatformRegistry {
        try PlatformRegistry([
            .init(name: "Naver", aliases: ["네이버"], origin: "domestic"),
            .init(name: "X", aliases: ["트위터", "Twitter", "X(구 트위터)"], origin: "overseas"),
            .init(name: "Telegram", aliases: ["텔레그램"], origin: "overseas"),
            .init(name: "Kakao", aliases: ["카카오"], origin: "domestic"),
        ])
    }

    /// Each case written out by its code points, so the test does not depend on how this
    /// file's own text is normalised.
    @Test func normalisation() {
        let nfc = "\u{B124}\u{C774}\u{BC84}"  // 네이버 precomposed
        let nfd = "\u{1102}\u{1166}\u{110B}\u{1175}\u{1107}\u{1165}"  // the same, as conjoining jamo
        #expect(nfc.unicodeScalars.count == 3 && nfd.unicodeScalars.count == 6)
        #expect(PlatformRegistry.normalise(nfd) == nfc)
        #expect(PlatformRegistry.normalise("Na\u{200B}ver") == "naver")           // zero-width space
        #expect(PlatformRegistry.normalise("\u{200F}Naver\u{202C}\u{2066}") == "naver")  // RLM, PDF, LRI
        #expect(PlatformRegistry.normalise("\u{FEFF}Naver") == "naver")           // BOM
        #expect(PlatformRegistry.normalise("  naver \t") == "naver")             // trimmed
        #expect(PlatformRegistry.normalise("Naver   Blog") == "naver blog")       // inner runs of space: one
        #expect(PlatformRegistry.normalise("NAVER") == "naver")
        #expect(PlatformRegistry.normalise("TikTok") == PlatformRegistry.normalise("tiktok"))
        // Not the same: a letter changed, and a Cyrillic а (U+0430) is not a Latin a.
        #expect(PlatformRegistry.normalise("Navar") != "naver")
        #expect(PlatformRegistry.normalise("N\u{0430}ver") != "naver")
    }

    @Test func aliasesMapToTheCanonicalName() throws {
        let r = try Self.registry()
        for (written, canonical) in [("네이버", "Naver"), ("NAVER", "Naver"), ("naver ", "Naver"),
                                     ("Na\u{200B}ver", "Naver"), ("\u{1102}\u{1166}\u{110B}\u{1175}\u{1107}\u{1165}", "Naver"),
                                     ("트위터", "X"), ("twitter", "X"), ("X(구 트위터)", "X"), ("x", "X"),
                                     ("텔레그램", "Telegram"), ("Telegram", "Telegram")] {
            #expect(r.canonical(for: written) == canonical, "\(written)")
        }
        #expect(r.canonical(for: "Weverse") == nil)
        #expect(r.canonical(for: "Telegr\u{0430}m") == nil)
        #expect(r.origin(of: "트위터") == "overseas")
        #expect(r.origin(of: "카카오") == "domestic")
    }

    @Test func lookAlikesAndNearMisses() throws {
        let r = try Self.registry()
        #expect(r.resembling("Telegr\u{0430}m") == ["Telegram"])        // Cyrillic а
        // Too many look-alikes for the edit distance: only the confusable table finds these.
        #expect(r.resembling("\u{0422}\u{0435}l\u{0435}gr\u{0430}m") == ["Telegram"])  // Cyrillic Т, е, е, а
        #expect(r.resembling("N\u{0430}v\u{0435}r") == ["Naver"])                      // Cyrillic а, е (5 letters: distance 1 only)
        #expect(PlatformRegistry.editDistance(Array("n\u{0430}v\u{0435}r"), Array("naver"), limit: 5) == 2)
        #expect(r.resembling("\u{03A4}elegram") == ["Telegram"])        // Greek capital tau
        #expect(r.resembling("\u{FF2E}\u{FF41}\u{FF56}\u{FF45}\u{FF52}") == ["Naver"])  // fullwidth Ｎａｖｅｒ
        #expect(r.resembling("Telegarm") == ["Telegram"])              // two edits (a transposition)
        #expect(r.resembling("Naber") == ["Naver"])                    // one edit
        #expect(r.resembling("Weverse") == [])
        #expect(r.resembling("Naver") == [])                            // registered: nothing to suggest
        #expect(r.resembling("Kakaotalk") == [])                        // four letters more than Kakao
    }

    @Test func editDistanceAgreesWithHandWorkedValues() {
        func d(_ a: String, _ b: String) -> Int { PlatformRegistry.editDistance(Array(a), Array(b), limit: 10) }
        #expect(d("kitten", "sitting") == 3)
        #expect(d("telegram", "telegarm") == 2)
        #expect(d("", "abc") == 3)
        #expect(d("naver", "naver") == 0)
        #expect(PlatformRegistry.editDistance(Array("abcdef"), Array("uvwxyz"), limit: 2) == 3)  // stops past the limit
    }

    @Test func aNameClaimedByTwoPlatformsIsRefused() {
        #expect(throws: PlatformRegistry.Problem.claimedTwice(name: "twitter ", first: 0, second: 1)) {
            try PlatformRegistry([.init(name: "X", aliases: ["Twitter"], origin: "overseas"),
                                  .init(name: "Twitter Inc", aliases: ["twitter "], origin: "overseas")])
        }
        #expect(throws: PlatformRegistry.Problem.emptyName(platform: 0)) {
            try PlatformRegistry([.init(name: "X", aliases: ["\u{200B} "], origin: "overseas")])
        }
        // The same alias twice for one platform is harmless.
        #expect(throws: Never.self) { try PlatformRegistry([.init(name: "X", aliases: ["x", "X "], origin: "overseas")]) }
    }

    @Test func fingerprintFollowsTheMappingNotItsLayout() throws {
        let a = try Self.registry()
        let b = try PlatformRegistry(a.platforms.reversed())
        #expect(a.fingerprint == b.fingerprint)
        var changed = a.platforms
        changed[0].aliases.append("Naver Blog")
        #expect(try PlatformRegistry(changed).fingerprint != a.fingerprint)
    }
}
