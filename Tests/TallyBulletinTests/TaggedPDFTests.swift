import Foundation
import Testing
import TallyCharts
import TallyMetrics
@testable import TallyBulletin
import TallyPublication

/// The PDF's structure tree, read back with poppler (`pdfinfo -struct`, `-struct-text`):
/// a tagged PDF whose headings, lists, tables and figures follow the layout.
@Suite(.serialized) struct TaggedPDFTests {
    /// A store of the sample year of its own (see `HTMLTests.own`).
    nonisolated(unsafe) static let own = Result { try BulletinTests.Sample() }
    static func sample() throws -> BulletinTests.Sample { try own.get() }

    /// `pdfinfo -struct` as (depth, element) in document order.
    static func tree(_ pdf: String) throws -> [(depth: Int, name: String)] {
        try BulletinTests.tool("pdfinfo", ["-struct", pdf]).split(separator: "\n").compactMap { line in
            let depth = line.prefix { $0 == " " }.count / 2
            var name = line.drop { $0 == " " }.split(separator: " ").first.map(String.init) ?? ""
            if name.hasSuffix(":") { name.removeLast() }          // an element with attributes
            if name.hasPrefix("/") { return (depth, "@" + line.drop { $0 == " " }) }  // an attribute: `/Scope /Column`
            return name.isEmpty || name == "Object" ? nil : (depth, name)
        }
    }

    @Test(arguments: [Language.en, .ko])
    func structureTree(_ lang: Language) throws {
        let s = try Self.sample()
        let result = try s.bulletin("2024-08", lang, out: "tagged-\(lang.rawValue)")
        let info = try BulletinTests.tool("pdfinfo", [result.pdf])
        #expect(info.contains("Tagged:          yes"))
        #expect(info.contains("Metadata Stream: yes"))
        let tree = try Self.tree(result.pdf)
        #expect(tree.first?.name == "Document" && tree.first?.depth == 0)
        #expect(tree.dropFirst().allSatisfy { $0.depth >= 1 })
        func count(_ n: String) -> Int { tree.filter { $0.name == n }.count }
        #expect(count("H1") == 1)
        #expect(count("H2") == s.spec.sections.count + 1)           // the contents, then every section
        #expect(count("Figure") == s.spec.sections.reduce(0) { $0 + $1.charts.count })
        #expect(count("Link") == s.spec.sections.count)             // the contents' entries
        // Every table: a caption first, then rows; its first row is all header cells; every
        // other row has one row header.
        var tables = 0
        for (i, e) in tree.enumerated() where e.name == "Table" {
            tables += 1
            let inside = tree[(i + 1)...].prefix { $0.depth > e.depth }
            #expect(inside.first?.name == "Caption")
            let rows = inside.enumerated().filter { $0.element.name == "TR" }.map { r in
                inside.dropFirst(r.offset + 1).prefix { $0.depth > r.element.depth }.map(\.name).filter { !$0.hasPrefix("@") }
            }
            // Header cells carry their scope (written by qpdf after Cairo): columns in the first row.
            let scopes = inside.map(\.name).filter { $0.hasPrefix("@/Scope") }
            #expect(scopes.count == inside.filter { $0.name == "TH" }.count)
            #expect(scopes.first == "@/Scope /Column")
            #expect(scopes.contains("@/Scope /Row"))
            #expect(rows.count >= 2)
            #expect(rows.first.map { $0.allSatisfy { $0 == "TH" } } == true)
            for cells in rows.dropFirst() where cells.contains("TD") { #expect(cells.filter { $0 == "TH" }.count == 1) }
        }
        #expect(tables >= 12)
        // The heading texts are the layout's section titles, in order.
        let text = try BulletinTests.tool("pdfinfo", ["-struct-text", result.pdf]).split(separator: "\n").map(String.init)
        var h2: [String] = []
        for (i, line) in text.enumerated() where line.trimmingCharacters(in: .whitespaces).hasPrefix("H2") && i + 1 < text.count {
            h2.append(text[i + 1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        #expect(Array(h2.dropFirst()) == s.spec.sections.map { $0.title.text(lang) })
    }
}
