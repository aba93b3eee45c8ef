import CQPDF
import Foundation
import TallyCharts
#if canImport(Glibc)
import Glibc
#endif

/// Finishes Cairo's tagged PDF with qpdf, writing what Cairo 1.16 cannot (it ignores tag
/// attributes): the document's `/Lang`, `DisplayDocTitle`, XMP metadata with the title and
/// `pdfuaid:part`, `/Alt` on every figure (the text alternative of the HTML), `/Scope` on
/// table headers, `/Contents` on the contents' links, `/Tabs /S` on pages, and every piece of
/// content outside the structure tree (running headers, footers, page numbers, rules and
/// fills) marked as an artifact. The bytes stay reproducible (qpdf's deterministic /ID).
enum PDFFinisher {
    struct Info {
        var lang: String
        var title: String
        var author: String
        var subject: String
        var keywords: String
        var creator: String
        /// `YYYY-MM-DDThh:mm:ssZ`.
        var date: String
        /// Text alternatives of the figures, in reading order.
        var figures: [String]
        /// Titles of the contents' entries, in order (the cover's links).
        var links: [String]
    }

    static func finish(_ pdf: [UInt8], _ info: Info) throws -> [UInt8] {
        guard let q = qpdf_init() else { throw BulletinError("qpdf: cannot start") }
        var handle: qpdf_data? = q
        defer { qpdf_cleanup(&handle) }
        qpdf_silence_errors(q)
        qpdf_set_suppress_warnings(q, QPDF_TRUE)
        func check(_ what: String) throws {
            if qpdf_has_error(q) != QPDF_FALSE {
                let e = qpdf_get_error(q)
                throw BulletinError("qpdf: \(what): \(String(cString: qpdf_get_error_full_text(q, e)))")
            }
        }
        try pdf.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
                _ = qpdf_read_memory(q, "bulletin.pdf", p, UInt64(buf.count), nil)
            }
            try check("reading Cairo's PDF")
        }
        let root = qpdf_get_root(q)
        func name(_ n: String) -> qpdf_oh { qpdf_oh_new_name(q, n) }
        func text(_ s: String) -> qpdf_oh { qpdf_oh_new_unicode_string(q, s) }
        func dict(_ pairs: [(String, qpdf_oh)]) -> qpdf_oh {
            let d = qpdf_oh_new_dictionary(q)
            for (k, v) in pairs { qpdf_oh_replace_key(q, d, k, v) }
            return d
        }
        func isName(_ oh: qpdf_oh, _ n: String) -> Bool { qpdf_oh_is_name_and_equals(q, oh, n) != QPDF_FALSE }
        func items(_ oh: qpdf_oh) -> [qpdf_oh] {
            if qpdf_oh_is_array(q, oh) != QPDF_FALSE { return (0..<qpdf_oh_get_array_n_items(q, oh)).map { qpdf_oh_get_array_item(q, oh, $0) } }
            return qpdf_oh_is_null(q, oh) != QPDF_FALSE ? [] : [oh]
        }

        // Catalogue: language, title shown by viewers, XMP.
        qpdf_oh_replace_key(q, root, "/Lang", text(info.lang))
        qpdf_oh_replace_key(q, root, "/ViewerPreferences", dict([("/DisplayDocTitle", qpdf_oh_new_bool(q, QPDF_TRUE))]))
        qpdf_oh_replace_key(q, root, "/MarkInfo", dict([("/Marked", qpdf_oh_new_bool(q, QPDF_TRUE))]))
        let xmp = Array(xmpPacket(info).utf8)
        let metadata = qpdf_oh_new_stream(q)
        xmp.withUnsafeBufferPointer { qpdf_oh_replace_stream_data(q, metadata, $0.baseAddress, $0.count, qpdf_oh_new_null(q), qpdf_oh_new_null(q)) }
        let md = qpdf_oh_get_dict(q, metadata)
        qpdf_oh_replace_key(q, md, "/Type", name("/Metadata"))
        qpdf_oh_replace_key(q, md, "/Subtype", name("/XML"))
        qpdf_oh_replace_key(q, root, "/Metadata", metadata)
        try check("catalogue")

        // The structure tree: /Alt on figures, /Scope on header cells.
        var figure = 0
        var figuresSeen = 0
        func visit(_ node: qpdf_oh, depth: Int) {
            guard depth < 64, qpdf_oh_is_dictionary(q, node) != QPDF_FALSE else { return }
            let s = qpdf_oh_get_key(q, node, "/S")
            if isName(s, "/Figure") {
                figuresSeen += 1
                if figure < info.figures.count { qpdf_oh_replace_key(q, node, "/Alt", text(info.figures[figure])) }
                figure += 1
            }
            let kids = items(qpdf_oh_get_key(q, node, "/K"))
            if isName(s, "/TR") {
                let cells = kids.filter { qpdf_oh_is_dictionary(q, $0) != QPDF_FALSE }
                let heads = cells.filter { isName(qpdf_oh_get_key(q, $0, "/S"), "/TH") }
                let scope = heads.count == cells.count && cells.count > 1 ? "/Column" : "/Row"
                for th in heads { qpdf_oh_replace_key(q, th, "/A", dict([("/O", name("/Table")), ("/Scope", name(scope))])) }
            }
            for k in kids { visit(k, depth: depth + 1) }
        }
        visit(qpdf_oh_get_key(q, root, "/StructTreeRoot"), depth: 0)
        guard figuresSeen == info.figures.count else {
            throw BulletinError("the PDF has \(figuresSeen) figures in its structure tree, expected \(info.figures.count)")
        }
        try check("structure tree")

        // Pages: tab order by structure; content outside the tree marked as artifacts; link texts.
        var link = 0
        for i in 0..<Int(qpdf_get_num_pages(q)) {
            let page = qpdf_get_page_n(q, i)
            qpdf_oh_replace_key(q, page, "/Tabs", name("/S"))
            for annot in items(qpdf_oh_get_key(q, page, "/Annots")) where isName(qpdf_oh_get_key(q, annot, "/Subtype"), "/Link") {
                if link < info.links.count { qpdf_oh_replace_key(q, annot, "/Contents", text(info.links[link])) }
                link += 1
            }
            for stream in items(qpdf_oh_get_key(q, page, "/Contents")) where qpdf_oh_is_stream(q, stream) != QPDF_FALSE {
                var buf: UnsafeMutablePointer<UInt8>?
                var len = 0
                var filtered: QPDF_BOOL = QPDF_FALSE
                _ = qpdf_oh_get_stream_data(q, stream, qpdf_dl_generalized, &filtered, &buf, &len)
                try check("page \(i + 1) content")
                guard let buf, filtered != QPDF_FALSE else { throw BulletinError("qpdf: cannot decode the content of page \(i + 1)") }
                let content = Array(UnsafeBufferPointer(start: buf, count: len))
                free(buf)
                let marked = try artifacts(content, page: i + 1)
                marked.withUnsafeBufferPointer {
                    qpdf_oh_replace_stream_data(q, stream, $0.baseAddress, $0.count, qpdf_oh_new_null(q), qpdf_oh_new_null(q))
                }
            }
        }
        try check("pages")

        _ = qpdf_init_write_memory(q)
        qpdf_set_deterministic_ID(q, QPDF_TRUE)
        qpdf_set_compress_streams(q, QPDF_TRUE)
        qpdf_set_object_stream_mode(q, qpdf_o_preserve)
        _ = qpdf_write(q)
        try check("writing")
        guard let out = qpdf_get_buffer(q) else { throw BulletinError("qpdf: no output") }
        return Array(UnsafeBufferPointer(start: out, count: qpdf_get_buffer_length(q)))
    }

    /// Wraps every run of content outside a marked-content sequence in `/Artifact BMC … EMC`.
    /// Cairo writes `… BDC` and `EMC` on lines of their own, outside text objects; a run is
    /// wrapped only when its text objects are whole (it never is otherwise with Cairo).
    static func artifacts(_ content: [UInt8], page: Int) throws -> [UInt8] {
        let lines = content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 256)
        var depth = 0
        var run: [ArraySlice<UInt8>] = []
        func trimmed(_ l: ArraySlice<UInt8>) -> String {
            String(decoding: l, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        func flush() throws {
            defer { run = [] }
            guard run.contains(where: { !trimmed($0).isEmpty }) else {
                for l in run { out += l; out.append(UInt8(ascii: "\n")) }
                return
            }
            var bt = 0
            for l in run {
                let t = trimmed(l)
                if t == "BT" || t.hasSuffix(" BT") { bt += 1 }
                if t == "ET" || t.hasPrefix("ET ") { bt -= 1 }
            }
            if bt != 0 { throw BulletinError("page \(page): content outside the structure tree splits a text object") }
            out += Array("/Artifact BMC\n".utf8)
            for l in run { out += l; out.append(UInt8(ascii: "\n")) }
            out += Array("EMC\n".utf8)
        }
        for l in lines {
            let t = trimmed(l)
            if t.hasSuffix("BDC") || t.hasSuffix("BMC") {
                if depth == 0 { try flush() }
                depth += 1
                out += l; out.append(UInt8(ascii: "\n"))
            } else if t == "EMC" {
                depth -= 1
                if depth < 0 { throw BulletinError("page \(page): unbalanced marked content") }
                out += l; out.append(UInt8(ascii: "\n"))
            } else if depth == 0 {
                run.append(l)
            } else {
                out += l; out.append(UInt8(ascii: "\n"))
            }
        }
        if depth != 0 { throw BulletinError("page \(page): unbalanced marked content") }
        try flush()
        while out.last == UInt8(ascii: "\n") && content.last != UInt8(ascii: "\n") { out.removeLast() }
        return out
    }

    static func xml(_ s: String) -> String { SVGMarkup.escape(s) }

    static func xmpPacket(_ i: Info) -> String {
        """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/">
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
        <dc:format>application/pdf</dc:format>
        <dc:title><rdf:Alt><rdf:li xml:lang="x-default">\(xml(i.title))</rdf:li></rdf:Alt></dc:title>
        <dc:creator><rdf:Seq><rdf:li>\(xml(i.author))</rdf:li></rdf:Seq></dc:creator>
        <dc:description><rdf:Alt><rdf:li xml:lang="x-default">\(xml(i.subject))</rdf:li></rdf:Alt></dc:description>
        <dc:language><rdf:Bag><rdf:li>\(xml(i.lang))</rdf:li></rdf:Bag></dc:language>
        <pdf:Keywords>\(xml(i.keywords))</pdf:Keywords>
        <xmp:CreatorTool>\(xml(i.creator))</xmp:CreatorTool>
        <xmp:CreateDate>\(i.date)</xmp:CreateDate>
        <xmp:ModifyDate>\(i.date)</xmp:ModifyDate>
        <pdfuaid:part>1</pdfuaid:part>
        </rdf:Description>
        </rdf:RDF>
        </x:xmpmeta>
        <?xpacket end="w"?>
        """
    }
}
