import Testing
@testable import TallyCharts

@Suite struct SmokeTests {
    @Test func cairoIsLinked() { #expect(TallyCharts.cairoVersion.split(separator: ".").count == 3) }
}
