import ArgumentParser
import TallyBulletin
import TallyPublication
import TallyCSV
import TallyCharts
import TallyCore

// The enums options take, parsed by swift-argument-parser (which lists their values in help
// and in its error for a value outside them) instead of by hand in each command.
extension Language: ExpressibleByArgument {}
extension ChartFormat: ExpressibleByArgument {}
extension BulletinFormat: ExpressibleByArgument {}
extension TextEncoding: ExpressibleByArgument {
    /// Any name `TextEncoding(name:)` knows (`utf-8`, `UTF8`, `cp949`, `euc-kr`, …).
    public init?(argument: String) { self.init(name: argument) }
}
