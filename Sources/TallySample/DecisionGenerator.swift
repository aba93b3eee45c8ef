import TallyTime

/// Synthetic statements of reasons in the DSA Transparency Database's 37-column layout (full
/// dump, schema v1), for benchmarks: one day's dump (created_at on 2024-03-14, UTC), with
/// the column order, JSON-array cells, `YYYY-MM-DD 00:00:00` dates and text lengths of the
/// real rows (the fixtures average about 1,100 bytes a row: explanations of 50–800 and facts
/// of 60–400 characters, territorial scopes of 1–30 countries).
struct DecisionGenerator {
    static let header = [
        "uuid", "decision_visibility", "decision_visibility_other", "end_date_visibility_restriction", "decision_monetary",
        "decision_monetary_other", "end_date_monetary_restriction", "decision_provision", "end_date_service_restriction",
        "decision_account", "end_date_account_restriction", "account_type", "decision_ground", "decision_ground_reference_url",
        "illegal_content_legal_ground", "illegal_content_explanation", "incompatible_content_ground",
        "incompatible_content_explanation", "incompatible_content_illegal", "category", "category_addition",
        "category_specification", "category_specification_other", "content_type", "content_type_other", "content_language",
        "content_date", "territorial_scope", "application_date", "decision_facts", "source_type", "source_identity",
        "automated_detection", "automated_decision", "platform_name", "platform_uid", "created_at",
    ]

    static let platforms: [(String, Double)] = [
        ("TikTok", 30), ("Google Shopping", 25), ("Amazon Store", 10), ("Facebook", 8), ("Instagram", 6), ("Pinterest", 5),
        ("YouTube", 4), ("AliExpress", 3), ("Snapchat", 2), ("X", 2), ("LinkedIn", 1), ("Temu", 1), ("Reddit", 1),
        ("Pornhub", 0.5), ("Discord Netherlands B.V.", 0.5), ("Quora Ireland Limited", 0.3), ("Booking.com", 0.2),
    ]
    static let categories: [(String, Double)] = [
        ("STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", 60), ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", 8),
        ("STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT", 7), ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS", 6),
        ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", 5), ("STATEMENT_CATEGORY_VIOLENCE", 4), ("STATEMENT_CATEGORY_SELF_HARM", 2),
        ("STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS", 3), ("STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", 2),
        ("STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", 1.5), ("STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", 0.5),
        ("STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR", 0.5), ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", 0.3),
        ("STATEMENT_CATEGORY_ANIMAL_WELFARE", 0.2),
    ]
    static let visibilities: [(String, Double)] = [
        ("[\"DECISION_VISIBILITY_CONTENT_DISABLED\"]", 50), ("[\"DECISION_VISIBILITY_CONTENT_REMOVED\"]", 25),
        ("[\"DECISION_VISIBILITY_OTHER\"]", 15), ("[\"DECISION_VISIBILITY_CONTENT_DEMOTED\"]", 4),
        ("[\"DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED\"]", 2),
        ("[\"DECISION_VISIBILITY_CONTENT_REMOVED\",\"DECISION_VISIBILITY_CONTENT_LABELLED\"]", 1), ("", 3),
    ]
    static let contentTypes: [(String, Double)] = [
        ("[\"CONTENT_TYPE_PRODUCT\"]", 40), ("[\"CONTENT_TYPE_VIDEO\"]", 25), ("[\"CONTENT_TYPE_IMAGE\"]", 15),
        ("[\"CONTENT_TYPE_TEXT\"]", 10), ("[\"CONTENT_TYPE_OTHER\"]", 6), ("[\"CONTENT_TYPE_IMAGE\",\"CONTENT_TYPE_TEXT\"]", 4),
    ]
    static let keywords: [(String, Double)] = [
        ("", 90), ("[\"KEYWORD_ADULT_SEXUAL_MATERIAL\"]", 4), ("[\"KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL\"]", 1),
        ("[\"KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS\"]", 1), ("[]", 1), ("[\"KEYWORD_HATE_SPEECH\"]", 2),
        ("[\"KEYWORD_NON_CONSENSUAL_IMAGE_SHARING\"]", 0.5), ("[\"KEYWORD_PHISHING\",\"KEYWORD_INAUTHENTIC_LISTINGS\"]", 0.5),
    ]
    static let countries = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT",
                            "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"]
    /// Territorial scopes: the whole EEA (most rows), the EEA without Iceland, or a few countries.
    static let scopes: [(String, Double)] = {
        func json(_ cs: [String]) -> String { "[" + cs.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        return [(json(countries), 60), (json(countries.filter { $0 != "IS" }), 30), (json(["DE"]), 3), (json(["FR", "BE", "LU"]), 3),
                (json(["NL", "DE", "AT", "PL", "IT", "ES"]), 4)]
    }()
    static let sentences = [
        "We have detected this policy violation using automated measures.",
        "Users must be 13 years and older to have an account.",
        "This product listing does not comply with our policies on restricted goods and services.",
        "We proactively enforce our Community Guidelines through a mix of technology and human moderation.",
        "Content created by anyone under 16 is ineligible for the recommendation feed and harder to find in search.",
        "The decision was taken pursuant to own-initiative investigations.",
        "We removed this content because it violates our policy on adult nudity and sexual activity.",
        "The offer was disabled, as it contains misleading information about the product's characteristics.",
        "The account was suspended, because it repeatedly shared content that breaks our rules on harassment; an appeal is possible.",
        "Nous avons retiré ce contenu car il enfreint nos règles.",
        "Wir haben diesen Inhalt entfernt, weil er gegen unsere Richtlinien verstößt.",
        "该商品因违反平台政策已被下架。",
    ]

    let seed: UInt64

    func write(to out: CSVOut, count: Int) {
        var rng = Random(seed: seed &+ 7)
        let createdDay = Int64(CivilDate.days(year: 2024, month: 3, day: 14))
        let platformWeights = Self.platforms.map(\.1), categoryWeights = Self.categories.map(\.1)
        let visibilityWeights = Self.visibilities.map(\.1), typeWeights = Self.contentTypes.map(\.1)
        let keywordWeights = Self.keywords.map(\.1), scopeWeights = Self.scopes.map(\.1)
        let hex = Array("0123456789abcdef".utf8)
        func text(_ minLength: Int, _ maxLength: Int) -> String {
            let target = rng.int(minLength...maxLength)
            var s = ""
            while s.utf8.count < target {
                if !s.isEmpty { s += " " }
                s += Self.sentences[rng.int(0...(Self.sentences.count - 1))]
            }
            return s
        }
        for i in 0..<count {
            // created_at spread over the day in order, as a dump is.
            let second = Int64(i) * 86_400 / Int64(max(count, 1))
            let created = createdDay * 86_400 + second
            var uuid = [UInt8]()
            uuid.reserveCapacity(36)
            for k in 0..<32 {
                if k == 8 || k == 12 || k == 16 || k == 20 { uuid.append(UInt8(ascii: "-")) }
                uuid.append(hex[Int(rng.next() & 15)])
            }
            out.field(String(decoding: uuid, as: UTF8.self))
            let visibility = Self.visibilities[rng.pick(visibilityWeights)].0
            if visibility.isEmpty { out.null() } else { out.quoted(visibility) }
            if visibility.contains("OTHER") { out.quoted(text(40, 100)) } else { out.null() }
            for _ in 0..<6 { out.null() }                                    // end dates, monetary, provision
            if visibility.isEmpty { out.field("DECISION_ACCOUNT_SUSPENDED") } else { out.null() }
            out.null()                                                       // end_date_account_restriction
            if rng.chance(0.04) { out.field("ACCOUNT_TYPE_BUSINESS") } else { out.null() }
            let illegal = rng.chance(0.08)
            out.field(illegal ? "DECISION_GROUND_ILLEGAL_CONTENT" : "DECISION_GROUND_INCOMPATIBLE_CONTENT")
            out.null()                                                       // decision_ground_reference_url
            if illegal { out.quoted("Art. 6 of the national law on consumer protection"); out.quoted(text(50, 600)) } else { out.null(); out.null() }
            if illegal { out.null(); out.null() } else { out.quoted(text(20, 50)); out.quoted(text(30, 420)) }
            out.null()                                                       // incompatible_content_illegal
            out.field(Self.categories[rng.pick(categoryWeights)].0)
            out.null()                                                       // category_addition
            let keyword = Self.keywords[rng.pick(keywordWeights)].0
            if keyword.isEmpty { out.null() } else { out.quoted(keyword) }
            out.null()                                                       // category_specification_other
            out.quoted(Self.contentTypes[rng.pick(typeWeights)].0)
            out.null()                                                       // content_type_other
            if rng.chance(0.5) { out.field("EN") } else { out.null() }
            let applicationDay = createdDay - Int64(rng.pick([70, 20, 6, 2, 1, 1]))
            let contentDay = applicationDay - Int64(rng.chance(0.5) ? rng.int(0...3) : rng.int(0...3000))
            out.quoted(Self.midnight(contentDay))
            out.quoted(Self.scopes[rng.pick(scopeWeights)].0)
            out.quoted(Self.midnight(applicationDay))
            out.quoted(text(60, 400))
            out.field(rng.chance(0.9) ? "SOURCE_VOLUNTARY" : "SOURCE_ARTICLE_16")
            out.null()                                                       // source_identity
            out.field(rng.chance(0.85) ? "Yes" : "No")
            out.field(["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"][rng.pick([75, 8, 17])])
            let platform = Self.platforms[rng.pick(platformWeights)].0
            if platform.contains(" ") || platform.contains(",") { out.quoted(platform) } else { out.field(platform) }
            // PUIDs: digits (some with leading zeros) or uuid-like.
            out.field(rng.chance(0.3) ? "0" + String(rng.int(100_000_000...999_999_999_999)) : String(rng.next() >> 2))
            out.quoted(Self.timestamp(created))
            out.endRow()
        }
    }

    static func midnight(_ day: Int64) -> String {
        CivilDate.isoString(days: Int(day)) + " 00:00:00"
    }

    static func timestamp(_ seconds: Int64) -> String {
        let day = seconds / 86_400, s = Int(seconds % 86_400)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return CivilDate.isoString(days: Int(day)) + " " + two(s / 3600) + ":" + two(s / 60 % 60) + ":" + two(s % 60)
    }
}
