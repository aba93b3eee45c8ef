import TallyCore
import TallyMetrics

/// The names of categories (channels, services, offenses, regions) in Korean and English.
/// The definitions of figure ids are the figure catalogue's (`FigureCatalogue`); these
/// forward to it.
public enum Definitions {
    /// The one-line definition of an id (in English unless `lang` is ko), from the catalogue.
    public static func definition(_ id: String, lang: Language = .en) -> String {
        FigureCatalogue.definition(id, lang: lang)
    }

    /// Whether an id (as templates and tiles name it) is one the bulletin can know: a
    /// catalogued figure, or a comparison of one; per-platform columns are printed from the
    /// league table, not named in templates.
    static func isKnown(_ id: String) -> Bool {
        FigureCatalogue.contains(id) && !id.hasPrefix("platforms.")
    }

    static let names: [String: String] = [
        // channels
        "hotline": "상담전화", "website": "누리집", "visit": "방문", "referral": "기관 연계",
        // services
        "deletion": "삭제 지원", "counseling": "상담", "legal": "법률 지원", "medical": "의료 지원", "investigation": "수사 지원",
        // offenses
        "create": "제작", "distribute": "유포", "possess": "소지", "purchase": "구입", "store": "저장", "view": "시청",
        "blackmail": "협박", "coerce": "강요",
        // regions and agencies
        "Seoul": "서울", "Busan": "부산", "Daegu": "대구", "Incheon": "인천", "Gwangju": "광주", "Daejeon": "대전",
        "Ulsan": "울산", "Sejong": "세종", "Gyeonggi": "경기", "Gangwon": "강원", "Chungbuk": "충북", "Chungnam": "충남",
        "Jeonbuk": "전북", "Jeonnam": "전남", "Gyeongbuk": "경북", "Gyeongnam": "경남", "Jeju": "제주",
        "Gyeonggi-Bukbu": "경기북부", "Gyeonggi-Nambu": "경기남부", "National Office of Investigation": "국가수사본부",
        "unknown": "미상",
    ]

    static let namesEN: [String: String] = [
        "hotline": "Hotline", "website": "Website", "visit": "Visit", "referral": "Referral",
        "deletion": "Deletion support", "counseling": "Counselling", "legal": "Legal aid", "medical": "Medical aid",
        "investigation": "Investigation support",
        "create": "Creating", "distribute": "Distributing", "possess": "Possessing", "purchase": "Purchasing",
        "store": "Storing", "view": "Viewing", "blackmail": "Blackmail", "coerce": "Coercion", "unknown": "Unknown",
    ]

    /// A category's name for readers (regions and agencies keep their romanised names in English).
    public static func name(_ key: String, _ lang: Language) -> String {
        lang == .ko ? (names[key] ?? key) : (namesEN[key] ?? key)
    }
}
