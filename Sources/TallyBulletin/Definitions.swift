import TallyCharts
import TallyCore

/// One-line definitions of the figure ids (metrics.md), in English (the manifest's) and
/// Korean, and the names of categories (channels, services, offenses, regions) in both
/// languages.
public enum Definitions {
    /// Definitions of base ids; breakdown ids (`victims.by_channel.X`) use their prefix.
    static let base: [String: (en: String, ko: String)] = [
        "victims.total": ("victims whose contacted_on is in the period", "상담일(contacted_on)이 기간 안인 피해자 수"),
        "victims.age_unknown": ("of those, victims whose age is unknown (null)", "그중 나이를 모르는 피해자"),
        "victims.minors": ("of those, victims younger than the minor age limit", "그중 미성년 기준 나이 미만인 피해자"),
        "victims.minors_share": ("victims.minors / (victims.total - victims.age_unknown)", "victims.minors ÷ (victims.total − victims.age_unknown)"),
        "victims.minors_share_ci95": ("Wilson score interval of victims.minors_share, z = 1.959964", "victims.minors_share의 윌슨 95% 신뢰구간 (z = 1.959964)"),
        "victims.by_channel": ("victims of the period by the channel of first contact", "기간 중 피해자, 첫 연락 경로별"),
        "victims.by_service": ("victims of the period who received the service (a victim may receive several)", "기간 중 해당 지원을 받은 피해자 (한 사람이 여러 지원을 받을 수 있음)"),
        "victims.by_age_band": ("victims of the period by age band", "기간 중 피해자, 나이대별"),
        "victims.by_region": ("victims of the period by region (unknown: no region)", "기간 중 피해자, 지역별 (미상: 지역 없음)"),
        "arrests.total": ("arrests whose arrested_on is in the period", "검거일(arrested_on)이 기간 안인 검거 건수"),
        "arrests.by_offense": ("arrests of the period by offense", "기간 중 검거, 범죄 유형별"),
        "arrests.by_agency": ("arrests of the period by police agency", "기간 중 검거, 경찰청별"),
        "arrests.suspect_minors_share": ("suspects under the minor age limit / suspects of known age", "미성년 피의자 ÷ 나이를 아는 피의자"),
        "arrests.undercover_share": ("arrests made undercover / all arrests of the period", "위장수사로 검거한 건수 ÷ 전체 검거"),
        "arrests.proceeds_seized_krw": ("sum of criminal proceeds seized (KRW) in the period's arrests", "기간 중 검거에서 압수한 범죄수익 합계 (원)"),
        "takedowns.requests": ("takedown requests whose requested_at falls in the period (local date)", "요청 시각(현지 날짜)이 기간 안인 삭제 요청"),
        "takedowns.due": ("of those, requests whose deadline is at or before the as-of time", "그중 기한이 기준 시각 이전에 도래한 요청"),
        "takedowns.within_deadline": ("of the due, removed or blocked within the deadline (24:00:00 is within)", "기한 도래 요청 중 기한 안에 삭제·차단된 요청 (정확히 24:00:00은 기한 안)"),
        "takedowns.compliance": ("takedowns.within_deadline / takedowns.due", "takedowns.within_deadline ÷ takedowns.due"),
        "takedowns.compliance_ci95": ("Wilson score interval of takedowns.compliance", "takedowns.compliance의 윌슨 95% 신뢰구간"),
        "takedowns.overdue": ("of the due, not resolved by the as-of time (still online past the deadline)", "기한 도래 요청 중 기준 시각까지 처리되지 않은 요청"),
        "takedowns.refused": ("requests of the period with outcome refused", "기간 중 거부된 요청"),
        "takedowns.late": ("of the due, removed or blocked after the deadline, by the as-of time", "기한 도래 요청 중 기한을 넘겨 삭제·차단된 요청"),
        "takedowns.unresolved": ("of the due, neither within nor late (refused, pending, or resolved after the as-of time)", "기한 도래 요청 중 기한 내도 지연도 아닌 요청 (거부, 미처리 등)"),
        "takedowns.median_hours": ("median hours from request to removal (removed or blocked by the as-of time; type 7)", "요청부터 삭제까지 시간의 중앙값 (기준 시각까지 삭제·차단된 요청, type 7)"),
        "takedowns.p90_hours": ("90th percentile of those hours (type 7)", "그 시간의 90번째 백분위수 (type 7)"),
        "takedowns.ai_detected_share": ("requests detected by AI / requests with detected_by known", "AI가 탐지한 요청 ÷ 탐지 주체를 아는 요청"),
        "fines.total_krw": ("fines of the (illustrative) schedule over the period's late and unresolved due requests, summed over platforms", "(예시) 과징금 기준을 기간 중 지연·미처리 요청에 적용한 금액의 플랫폼 합계"),
        "platforms.requests": ("the platform's takedown requests in the period", "플랫폼의 기간 중 삭제 요청"),
        "platforms.due": ("the platform's due requests", "플랫폼의 기한 도래 요청"),
        "platforms.within_deadline": ("the platform's due requests removed within the deadline", "플랫폼의 기한 내 삭제 요청"),
        "platforms.compliance": ("the platform's within_deadline / due", "플랫폼의 기한 내 삭제 ÷ 기한 도래"),
        "platforms.compliance_ci95": ("Wilson 95% interval of the platform's compliance", "플랫폼 준수율의 윌슨 95% 신뢰구간"),
        "platforms.median_hours": ("the platform's median hours to removal", "플랫폼의 삭제까지 시간 중앙값"),
        "platforms.p90_hours": ("the platform's 90th percentile of hours to removal", "플랫폼의 삭제까지 시간 90번째 백분위수"),
        "platforms.overdue": ("the platform's overdue requests", "플랫폼의 미처리 기한 초과 요청"),
        "platforms.refused": ("the platform's refused requests", "플랫폼의 거부 요청"),
        "platforms.late": ("the platform's late requests", "플랫폼의 지연 삭제 요청"),
        "platforms.unresolved": ("the platform's unresolved due requests", "플랫폼의 미해결 기한 도래 요청"),
        "platforms.fine_krw": ("the platform's fine under the (illustrative) schedule", "플랫폼의 (예시) 과징금"),
        "platforms.rank": ("rank among platforms with at least min_due due requests: compliance desc, median hours asc, name", "기한 도래 요청이 min_due 이상인 플랫폼 중 순위 (준수율, 중앙값 시간, 이름 순)"),
    ]

    /// The id without a comparison suffix, and the suffix.
    static func split(_ id: String) -> (base: String, suffix: String?) {
        for s in [".prev", ".change_pct", ".ytd"] where id.hasSuffix(s) {
            return (String(id.dropLast(s.count)), String(s.dropFirst()))
        }
        return (id, nil)
    }

    /// The definition entry of an id's base (breakdowns by their prefix, platform figures
    /// `platforms.NAME.COLUMN` by their column).
    static func entry(_ base: String) -> (en: String, ko: String)? {
        if let e = Definitions.base[base] { return e }
        let parts = base.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 3, parts[0] == "platforms" { return Definitions.base["platforms." + parts[parts.count - 1]] }
        if parts.count >= 3 { return Definitions.base[parts[0] + "." + parts[1]] }
        return nil
    }

    /// The one-line definition of an id (in English unless `lang` is ko).
    public static func definition(_ id: String, lang: Language = .en) -> String {
        let (base, suffix) = split(id)
        guard let e = entry(base) else { return "" }
        var text = lang == .ko ? e.ko : e.en
        let parts = base.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 3 {
            let category = parts[0] == "platforms" ? parts[1..<(parts.count - 1)].joined(separator: ".") : parts[2...].joined(separator: ".")
            text += lang == .ko ? ": \(category)" : ": \(category)"
        }
        switch suffix {
        case "prev": text += lang == .ko ? " — 전월" : " — previous month"
        case "change_pct": text += lang == .ko ? " — 전월 대비 증감률(%)" : " — change on the previous month, percent"
        case "ytd": text += lang == .ko ? " — 1월부터 누계" : " — January to the period's month"
        default: break
        }
        return text
    }

    /// Whether an id (as templates and tiles name it) is one the bulletin can know: a base
    /// id, a breakdown of a known prefix, or either with a comparison suffix.
    static func isKnown(_ id: String) -> Bool {
        let (base, _) = split(id)
        if Definitions.base[base] != nil && !base.hasPrefix("platforms.") { return true }
        let parts = base.split(separator: ".").map(String.init)
        return parts.count >= 3 && Definitions.base[parts[0] + "." + parts[1]] != nil
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
