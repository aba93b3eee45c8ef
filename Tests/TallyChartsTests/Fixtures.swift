import Foundation
@testable import TallyCharts

/// One chart of each kind on fixed data (no store), in both languages, including the
/// awkward cases: a missing value, a long platform name, values beyond the histogram.
enum Fixtures {
    static let monthsEN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"]
    static let monthsKO = (1...8).map { "\($0)월" }

    static func bars() -> Chart {
        Chart(kind: .bars,
              data: ChartData(categories: monthsEN, series: [Series(label: "Victims", values: [70, 72, 80, 85, 90, 95, 110, 1179])]),
              annotations: Annotations(title: "Victims who sought help, by month",
                                       subtitle: "January–August 2024", note: "Each victim counted once.", source: "Test data"),
              language: .en)
    }

    static func stacked() -> Chart {
        Chart(kind: .stackedBars,
              data: ChartData(categories: monthsKO, series: [
                  Series(label: "미성년자 (19세 미만)", values: [28, 27, 26, 36, 35, 31, 42, 63]),
                  Series(label: "성인", values: [40, 45, 54, 49, 55, 64, 68, 116]),
                  Series(label: "나이 모름", values: [2, 0, 0, 0, 3, 0, 0, 12], role: .unknown),
              ]),
              annotations: Annotations(title: "도움을 요청한 피해자, 나이별", subtitle: "2024년 1월–8월",
                                       note: "미성년자는 19세 미만.", source: "시험 자료"),
              language: .ko)
    }

    static func lines() -> Chart {
        Chart(kind: .lines,
              data: ChartData(categories: monthsEN, series: [
                  Series(label: "2023", values: [650, 640, 700, 720, 690, 760, 800, 820], role: .muted),
                  Series(label: "2024", values: [705, 684, 765, nil, 824, 854, 902, 1602]),
              ]),
              annotations: Annotations(title: "Takedown requests sent to platforms, by month",
                                       subtitle: "January–August", note: "April 2024 missing.", source: "Test data"),
              language: .en)
    }

    static func ranked() -> Chart {
        let names = ["1. Naver", "2. Kakao", "3. 아주 긴 이름을 가진 가상의 플랫폼 서비스 네트워크 주식회사 온라인 커뮤니티 게시판 운영 본부 국제 사업부", "4. YouTube", "5. X", "6. Telegram"]
        let values: [Double?] = [0.988, 0.923, 0.855, 0.872, 0.362, 0.167]
        let cis: [(Double, Double)?] = [(0.958, 0.997), (0.866, 0.957), (0.79, 0.90), (0.795, 0.922), (0.31, 0.415), (0.13, 0.21)]
        var theme = Theme()
        theme.height = 190 + 24 * 6
        return Chart(kind: .rankedBars,
                     data: ChartData(categories: names, series: [Series(label: "compliance", values: values, intervals: cis)], format: .percent),
                     annotations: Annotations(title: "24시간 안에 삭제한 비율, 플랫폼별 순위", subtitle: "2024-08",
                                              note: "가는 선은 95% 신뢰구간(Wilson).", source: "시험 자료"),
                     language: .ko, theme: theme)
    }

    static func histogram() -> Chart {
        let counts = [272, 257, 154, 109, 78, 55, 63, 36, 38, 30, 19, 23, 23, 15, 9, 12, 12, 9, 18, 8, 6, 4, 5, 7]
        let bins = Bins(edges: (0...24).map { Double($0) * 4 }, counts: counts, overflow: 192)
        return Chart(kind: .histogram,
                     data: ChartData(format: .hours, bins: bins, reference: ReferenceLine(value: 24, label: "24 h deadline")),
                     annotations: Annotations(title: "Hours from request to removal", subtitle: "4-hour bins",
                                              note: "Grey bar: more than 96 hours.", source: "Test data"),
                     language: .en, tickStep: 24)
    }

    /// Five platforms in three columns (a short last row), 6-hour bins to 96 h, shares: a
    /// long Korean name to cut, a panel without values, overflow in some panels only.
    static let multiplesCounts: [(String, String, [Int], Int)] = [
        ("1. 네이버", "98.8%", [120, 30, 8, 6, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 0),
        ("2. 아주 긴 이름을 가진 가상의 플랫폼 서비스 네트워크", "92.3%", [60, 40, 15, 10, 4, 2, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0], 2),
        ("3. YouTube", "87.2%", [30, 25, 20, 12, 6, 4, 3, 2, 1, 1, 1, 0, 1, 0, 0, 0], 3),
        ("4. Telegram", "16.7%", [6, 8, 9, 7, 9, 6, 5, 6, 4, 5, 4, 3, 5, 2, 3, 2], 110),
        ("5. Band", "–", Array(repeating: 0, count: 16), 0),
    ]

    static func smallMultiples() -> Chart {
        let edges = (0...16).map { Double($0) * 6 }
        let panels = multiplesCounts.map { Panel(title: $0.0, detail: $0.1, bins: Bins(edges: edges, counts: $0.2, overflow: $0.3)) }
        var theme = Theme()
        theme.height = 190 + SmallMultiplesGeometry.rowHeight * 2
        return Chart(kind: .smallMultiples,
                     data: ChartData(format: .hours, reference: ReferenceLine(value: 24, label: "24시간 기한"),
                                     panels: panels, panelFormat: .percent),
                     annotations: Annotations(title: "플랫폼별 삭제까지 걸린 시간", subtitle: "6시간 구간별 비율, 이름 옆은 준수율",
                                              note: "모든 칸의 눈금이 같습니다.", source: "시험 자료"),
                     language: .ko, theme: theme, tickStep: 24, columns: 3)
    }

    static let all: [(name: String, chart: Chart)] = [
        ("bars", bars()), ("stacked-bars", stacked()), ("lines", lines()), ("ranked-bars", ranked()), ("histogram", histogram()),
        ("small-multiples", smallMultiples()),
    ]
}
