import CXML2

/// What a streaming XML parse calls for each event (a class, not a protocol: the parser calls
/// it through an unmanaged reference, with no reference counting per event). Names are local
/// names (without a namespace prefix: some writers prefix SpreadsheetML elements with `x:`), as
/// NUL-terminated UTF-8 owned by libxml2 and valid only during the call.
class XMLEvents {
    func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {}
    func end(_ name: UnsafePointer<UInt8>) throws {}
    func text(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

/// The attributes of a start tag, as libxml2's SAX2 hands them over: five pointers per
/// attribute (local name, prefix, URI, value start, value end), values already unescaped.
struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// The value of the attribute with this local name (no namespace check: SpreadsheetML's
    /// attributes of interest are unprefixed, except `r:id`, asked for as `id`).
    @inline(__always)
    func value(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for i in 0..<count {
            let a = base + 5 * i
            if let local = a[0], XMLName.equals(local, name), let start = a[3], let end = a[4] {
                return UnsafeBufferPointer(start: start, count: end - start)
            }
        }
        return nil
    }

    /// The value of an attribute with this local name and a namespace prefix, or without one.
    func string(_ name: StaticString) -> String? {
        value(name).map { String(decoding: $0, as: UTF8.self) }
    }
}

enum XMLName {
    /// Whether the NUL-terminated `p` is the ASCII text `s`.
    @inline(__always)
    static func equals(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        let q = s.utf8Start
        for i in 0..<n where p[i] != q[i] { return false }
        return p[n] == 0
    }
}

/// A streaming parse of one XML part with libxml2's SAX2 push parser: bytes go in chunk by
/// chunk as libarchive inflates them, events come out as they are found, nothing of the
/// document is kept (unlike a DOM, or `xmlTextReader`, which builds and frees a node per
/// element: the push parser is about twice as fast on a sheet, and a sheet is most of the work).
///
/// No DTD is loaded, no entity other than XML's own is expanded, no network is touched.
final class XMLStream {
    private var ctxt: xmlParserCtxtPtr?
    /// Not retained: the caller keeps the handler alive for the parse (`Package.parse`), and
    /// an unowned or strong reference costs an atomic count per event, a third of a sheet's time.
    private let events: Unmanaged<XMLEvents>
    /// The first error a handler threw; the parse stops at it.
    private var failure: Error?
    private(set) var stopped = false
    let part: String

    init(part: String, events: XMLEvents) {
        self.part = part
        self.events = Unmanaged.passUnretained(events)
        XMLStream.initialize
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        // The callbacks reach the stream without retaining it (`_withUnsafeGuaranteedRef`):
        // it outlives the parse, and a retain and release per event would be most of the work.
        sax.startElementNs = { ctx, localname, _, _, _, _, nbAttributes, _, attributes in
            guard let ctx, let localname else { return }
            Unmanaged<XMLStream>.fromOpaque(ctx)._withUnsafeGuaranteedRef { me in
                guard me.failure == nil else { return }
                do {
                    try me.events._withUnsafeGuaranteedRef {
                        try $0.start(localname, XMLAttributes(base: attributes, count: Int(nbAttributes)))
                    }
                } catch {
                    me.fail(error)
                }
            }
        }
        sax.endElementNs = { ctx, localname, _, _ in
            guard let ctx, let localname else { return }
            Unmanaged<XMLStream>.fromOpaque(ctx)._withUnsafeGuaranteedRef { me in
                guard me.failure == nil else { return }
                do { try me.events._withUnsafeGuaranteedRef { try $0.end(localname) } } catch { me.fail(error) }
            }
        }
        let characters: charactersSAXFunc = { ctx, ch, len in
            guard let ctx, let ch, len > 0 else { return }
            Unmanaged<XMLStream>.fromOpaque(ctx)._withUnsafeGuaranteedRef { me in
                me.events._withUnsafeGuaranteedRef { $0.text(UnsafeBufferPointer(start: ch, count: Int(len))) }
            }
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.cdataBlock = characters
        // Errors are read from the context after the parse; nothing is printed on stderr.
        sax.serror = { _, _ in }
        let me = Unmanaged.passUnretained(self).toOpaque()
        ctxt = part.withCString { xmlCreatePushParserCtxt(&sax, me, nil, 0, $0) }
        if let ctxt {
            xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue))
        }
    }

    deinit {
        if let ctxt {
            if ctxt.pointee.myDoc != nil { xmlFreeDoc(ctxt.pointee.myDoc) }
            xmlFreeParserCtxt(ctxt)
        }
    }

    /// libxml2's global set-up, once per process (it is not thread-safe itself).
    private static let initialize: Void = { xmlInitParser() }()

    private func fail(_ error: Error) {
        if error is StopParsing { stop(); return }
        failure = error
        stopped = true
        if let ctxt { xmlStopParser(ctxt) }
    }

    /// Stops the parse from inside a handler: the rest of the part is not needed.
    func stop() {
        stopped = true
        if let ctxt { xmlStopParser(ctxt) }
    }

    /// Parses the next chunk (`last`: the end of the part). Throws what a handler threw, or
    /// a `WorkbookError.malformed` naming the part, line and libxml2's message.
    func feed(_ chunk: UnsafeRawBufferPointer, last: Bool = false) throws {
        guard let ctxt else { throw WorkbookError.malformed(part: part, line: 0, message: "cannot create an XML parser") }
        if stopped {
            if let failure { throw failure }
            return
        }
        let status = chunk.withMemoryRebound(to: CChar.self) { c in
            xmlParseChunk(ctxt, c.baseAddress, Int32(c.count), last ? 1 : 0)
        }
        if let failure { throw failure }
        if stopped { return }
        if status != 0 || ctxt.pointee.wellFormed == 0 {
            var line = 0
            var message = "not well-formed XML"
            if let error = xmlCtxtGetLastError(ctxt), error.pointee.code != 0 {
                line = Int(error.pointee.line)
                if let m = error.pointee.message {
                    message = String(cString: m).trimmingCharacters(in: " \n")
                }
            }
            throw WorkbookError.malformed(part: part, line: line, message: message)
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
