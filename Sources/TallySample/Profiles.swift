import TallyTime

/// The assumptions behind the synthetic records. Every number here is invented to be
/// plausible; only the published totals (781 victims and 288 minors in January–August 2024,
/// 387 arrests in January–September 2024) are real figures, and the sample reproduces them.
enum Profiles {
    static let year = 2024
    /// Asia/Seoul has had no daylight saving time since 1988.
    static let seoulOffset: Int64 = 9 * 3600

    // MARK: victims
    /// Victims per month; January–August sum to 781 (the published figure).
    static let victimsPerMonth = [70, 72, 80, 85, 90, 95, 110, 179, 160, 130, 115, 105]
    static let victimsJanAug = 781
    static let minorsJanAug = 288
    static let minorAgeLimit = 19
    static let genders: [(String?, Double)] = [("female", 0.84), ("male", 0.12), ("other", 0.01), ("unknown", 0.01), (nil, 0.02)]
    static let channels: [(String, Double)] = [("hotline", 0.40), ("website", 0.35), ("visit", 0.10), ("referral", 0.15)]
    static let services: [(String, Double)] = [("deletion", 0.82), ("counseling", 0.58), ("legal", 0.24), ("medical", 0.05), ("investigation", 0.31)]
    /// Regions by rough share of victims: several small regions give the small cells that
    /// disclosure control has to hide.
    static let regions: [(String?, Double)] = [
        ("Seoul", 0.27), ("Gyeonggi", 0.26), ("Incheon", 0.07), ("Busan", 0.07), ("Daegu", 0.05),
        ("Gwangju", 0.03), ("Daejeon", 0.03), ("Ulsan", 0.02), ("Sejong", 0.008), ("Gangwon", 0.025),
        ("Chungbuk", 0.025), ("Chungnam", 0.03), ("Jeonbuk", 0.025), ("Jeonnam", 0.02),
        ("Gyeongbuk", 0.03), ("Gyeongnam", 0.04), ("Jeju", 0.01), (nil, 0.04),
    ]

    // MARK: arrests
    /// Arrests per month; January–September sum to 387 (the published figure).
    static let arrestsPerMonth = [22, 25, 28, 30, 33, 36, 40, 63, 110, 140, 120, 95]
    static let arrestsJanSep = 387
    static let agencies: [(String, Double)] = [
        ("Seoul", 0.22), ("Gyeonggi-Nambu", 0.16), ("Gyeonggi-Bukbu", 0.07), ("Incheon", 0.07),
        ("Busan", 0.07), ("Daegu", 0.05), ("Gwangju", 0.04), ("Daejeon", 0.04), ("Ulsan", 0.02),
        ("Gangwon", 0.03), ("Chungbuk", 0.03), ("Chungnam", 0.04), ("Jeonbuk", 0.03), ("Jeonnam", 0.03),
        ("Gyeongbuk", 0.04), ("Gyeongnam", 0.04), ("Jeju", 0.01), ("Sejong", 0.01),
        ("National Office of Investigation", 0.02),
    ]
    static let offenses: [(String, Double)] = [
        ("create", 0.30), ("distribute", 0.24), ("possess", 0.14), ("view", 0.10),
        ("purchase", 0.05), ("store", 0.05), ("blackmail", 0.08), ("coerce", 0.04),
    ]

    // MARK: takedowns
    /// Removal requests per month (the August–September 2024 surge).
    static let requestsPerMonth = [700, 680, 760, 780, 820, 850, 900, 1600, 2600, 1900, 1500, 1300]
    /// The data were extracted at this instant (2025-01-06 09:00 Seoul): a removal that
    /// would have happened later is still `pending` in the records.
    static let extractedAt: Int64 = Int64(CivilDate.days(year: 2025, month: 1, day: 6)) * 86_400
    static let requesters: [(String, Double)] = [("regulator", 0.50), ("police", 0.15), ("support_centre", 0.30), ("victim", 0.05)]
    static let contentKinds: [(String?, Double)] = [("image", 0.50), ("video", 0.29), ("link", 0.15), ("channel", 0.04), (nil, 0.02)]

    struct Platform {
        let name: String
        let origin: String
        let weight: Double
        /// Median hours to removal, and the spread (sigma of the log).
        let medianHours: Double
        let sigma: Double
        let refused: Double
        /// Share of requests the platform never acts on (they stay `pending`).
        let ignored: Double
        let blocked: Double
        /// From this month on (1–12) the platform behaves as `after` says.
        var changeMonth = 13
        var after: (medianHours: Double, refused: Double, ignored: Double)? = nil
    }

    /// A dozen platforms with very different speeds. Band and Tumblr receive too few
    /// requests a month to be ranked (fewer than `min_due` = 30).
    static let platforms: [Platform] = [
        Platform(name: "Naver", origin: "domestic", weight: 0.10, medianHours: 3, sigma: 0.9, refused: 0.002, ignored: 0, blocked: 0.10),
        Platform(name: "Kakao", origin: "domestic", weight: 0.08, medianHours: 5, sigma: 1.0, refused: 0.004, ignored: 0, blocked: 0.10),
        Platform(name: "Daum", origin: "domestic", weight: 0.05, medianHours: 6, sigma: 1.0, refused: 0.005, ignored: 0, blocked: 0.15),
        Platform(name: "SOOP", origin: "domestic", weight: 0.04, medianHours: 9, sigma: 1.1, refused: 0.01, ignored: 0.002, blocked: 0.20),
        Platform(name: "Band", origin: "domestic", weight: 0.008, medianHours: 7, sigma: 1.0, refused: 0.01, ignored: 0, blocked: 0.05),
        Platform(name: "X", origin: "overseas", weight: 0.20, medianHours: 30, sigma: 1.2, refused: 0.06, ignored: 0.03, blocked: 0.25),
        Platform(name: "Telegram", origin: "overseas", weight: 0.22, medianHours: 70, sigma: 1.3, refused: 0.15, ignored: 0.10, blocked: 0.45,
                 changeMonth: 9, after: (medianHours: 16, refused: 0.03, ignored: 0.01)),
        Platform(name: "Instagram", origin: "overseas", weight: 0.09, medianHours: 12, sigma: 1.0, refused: 0.02, ignored: 0.005, blocked: 0.10),
        Platform(name: "YouTube", origin: "overseas", weight: 0.07, medianHours: 8, sigma: 0.9, refused: 0.02, ignored: 0.003, blocked: 0.10),
        Platform(name: "TikTok", origin: "overseas", weight: 0.06, medianHours: 10, sigma: 1.0, refused: 0.03, ignored: 0.005, blocked: 0.10),
        Platform(name: "Discord", origin: "overseas", weight: 0.06, medianHours: 40, sigma: 1.2, refused: 0.08, ignored: 0.04, blocked: 0.20),
        Platform(name: "Tumblr", origin: "overseas", weight: 0.006, medianHours: 20, sigma: 1.1, refused: 0.05, ignored: 0.02, blocked: 0.10),
    ]
}
