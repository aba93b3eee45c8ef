import Testing
@testable import TallyCharts

@Suite struct SmokeTests {
    /// The Cairo that is linked is one Tally can use: 1.16 or later writes PDF structure tags
    /// (the tagged bulletin) and metadata.
    @Test func linkedCairoWritesTaggedPDF() throws {
        let parts = TallyCharts.cairoVersion.split(separator: ".").compactMap { Int($0) }
        try #require(parts.count == 3, "version \(TallyCharts.cairoVersion)")
        #expect(parts[0] > 1 || (parts[0] == 1 && parts[1] >= 16), "Cairo \(TallyCharts.cairoVersion) is older than 1.16")
    }
}
