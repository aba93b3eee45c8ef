import Testing
@testable import TallyCSV

/// Reads `text` fed in chunks of `chunk` bytes; returns (line, fields) per row.
func read(_ text: String, chunk: Int = .max) throws -> [(line: Int, fields: [String], openQuote: Bool)] {
    var rows: [(Int, [String], Bool)] = []
    let reader = CSVReader { row in
        rows.append((row.line, (0..<row.count).map(row.string), row.endsInOpenQuote))
    }
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { raw in
        var i = 0
        while i < raw.count {
            let end = min(raw.count, i + min(chunk, raw.count))
            try reader.feed(UnsafeRawBufferPointer(rebasing: raw[i..<end]))
            i = end
        }
    }
    try reader.finish()
    return rows
}

@Suite struct CSVReaderTests {
    @Test func quotedCommasNewlinesAndEscapedQuotes() throws {
        let rows = try read("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,row,here\n")
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "row", "here"]])
        #expect(rows.map(\.line) == [1, 2, 4], "a row's line is that of its first line")
    }

    /// A field over `maxFieldBytes` keeps limit + 1 bytes (so it is known to be too long);
    /// fields at the limit are whole, and lines inside the cut part are still counted.
    @Test func fieldsBeyondTheLimitAreCutButLinesCounted() throws {
        var rows: [(Int, [Int])] = []
        let text = "abcde,x\n\"abcdef\n\n\nghi\",y\nlast,z\n"
        for chunk in [1, 3, 1000] {
            rows = []
            let r = CSVReader { row in rows.append((row.line, (0..<row.count).map { row.field($0).count })) }
            r.maxFieldBytes = 5
            try Array(text.utf8).withUnsafeBytes { raw in
                var i = 0
                while i < raw.count {
                    let end = min(raw.count, i + chunk)
                    try r.feed(UnsafeRawBufferPointer(rebasing: raw[i..<end]))
                    i = end
                }
            }
            try r.finish()
            #expect(rows.map(\.1) == [[5, 1], [6, 1], [4, 1]], "chunk \(chunk)")
            #expect(rows.map(\.0) == [1, 2, 6], "chunk \(chunk)")
        }
    }

    @Test func crlfAndLoneCRAndNoFinalNewline() throws {
        let rows = try read("h1,h2\r\n1,2\r\n3,\"4\r\n5\"\r\n6,7")
        #expect(rows.map(\.fields) == [["h1", "h2"], ["1", "2"], ["3", "4\r\n5"], ["6", "7"]])
        #expect(rows.map(\.line) == [1, 2, 3, 5])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let rows = try read("h\n\n1\r\n\r\n\r\n2\n")
        #expect(rows.map(\.fields) == [["h"], ["1"], ["2"]])
        #expect(rows.map(\.line) == [1, 3, 6])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let rows = try read("\u{FEFF}request_id,platform\nT1,X\n")
        #expect(rows.first?.fields == ["request_id", "platform"])
    }

    @Test func unquotedSpacesAreTrimmedQuotedKept() throws {
        let rows = try read("  a  ,\tb\t,\" c \",  \" d\"  \n")
        #expect(rows.first?.fields == ["a", "b", " c ", " d"])
    }

    @Test func emptyFieldsAndUnicode() throws {
        let rows = try read("a,,\"\",서울\n")
        #expect(rows.first?.fields == ["a", "", "", "서울"])
    }

    @Test func unterminatedQuoteAtEndIsFlagged() throws {
        let rows = try read("a,b\n1,\"open\n2,3\n")
        #expect(rows.count == 2)
        #expect(rows[1].line == 2)
        #expect(rows[1].openQuote)
        #expect(rows[0].openQuote == false)
    }

    @Test func chunkBoundariesDoNotMatter() throws {
        let text = "\u{FEFF}id,text\r\n1,\"a,\"\"b\"\"\r\nc\"\r\n\r\n2,서울특별시\n3,\"\"\n"
        let whole = try read(text)
        for size in [1, 2, 3, 5, 7] {
            let chunked = try read(text, chunk: size)
            #expect(chunked.map(\.fields) == whole.map(\.fields), "chunk \(size)")
            #expect(chunked.map(\.line) == whole.map(\.line), "chunk \(size)")
        }
        #expect(whole.map(\.line) == [1, 2, 5, 6])
    }

    @Test func handlerErrorStopsTheRead() throws {
        struct Stop: Error {}
        var seen = 0
        let reader = CSVReader { _ in
            seen += 1
            if seen == 2 { throw Stop() }
        }
        #expect(throws: Stop.self) {
            try Array("a\nb\nc\nd\n".utf8).withUnsafeBytes { try reader.feed($0) }
        }
        #expect(seen == 2)
    }

    @Test func manyFieldsGrowTheBuffers() throws {
        let wide = (0..<300).map { "field\($0)" }
        let rows = try read(wide.joined(separator: ",") + "\n" + String(repeating: "x", count: 100_000) + "\n")
        #expect(rows[0].fields == wide)
        #expect(rows[1].fields[0].count == 100_000)
    }
}

@Suite struct TextEncodingTests {
    @Test func utf8Validation() {
        func bad(_ bytes: [UInt8]) -> Int? { bytes.withUnsafeBytes { TextEncoding.firstInvalidUTF8($0) } }
        #expect(bad(Array("서울, Seoul".utf8)) == nil)
        #expect(bad([0x61, 0xB0, 0xA1]) == 1, "EUC-KR bytes are not UTF-8")
        #expect(bad([0x61, 0xC0, 0x80]) == 1, "overlong encoding")
        #expect(bad([0xED, 0xA0, 0x80]) == 0, "surrogate")
        #expect(bad([0xE4, 0xB8]) == 0, "truncated sequence")
        #expect(bad([0xF0, 0x9F, 0x98, 0x80]) == nil, "emoji")
    }

    @Test func cp949ToUTF8() throws {
        // "서울" in EUC-KR / CP949 is BC AD BF EF; "똠" (8C 63) exists only in CP949, not in EUC-KR.
        let bytes: [UInt8] = [0xBC, 0xAD, 0xBF, 0xEF, 0x2C, 0x8C, 0x63]
        let utf8 = try bytes.withUnsafeBytes { try TextEncoding.cp949.toUTF8($0) }
        #expect(String(decoding: utf8, as: UTF8.self) == "서울,똠")
        #expect(throws: EncodingError.self) {
            try [0x61, 0xFF, 0xFF].withUnsafeBytes { try TextEncoding.cp949.toUTF8($0) }
        }
    }

    @Test func encodingNames() {
        #expect(TextEncoding(name: "EUC-KR") == .cp949)
        #expect(TextEncoding(name: "cp949") == .cp949)
        #expect(TextEncoding(name: "UTF8") == .utf8)
        #expect(TextEncoding(name: "latin1") == nil)
    }

    @Test func lineOfOffset() {
        let b = Array("a\nb\nc".utf8)
        #expect(b.withUnsafeBytes { TextEncoding.line(ofOffset: 4, in: $0) } == 3)
    }
}
