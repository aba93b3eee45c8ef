/// `xl/sharedStrings.xml`: every string, rich-text runs concatenated, phonetic runs (`rPh`,
/// furigana) left out, `_xHHHH_` escapes decoded, in one byte buffer.
final class SharedStrings: XMLEvents {
    private(set) var bytes: [UInt8] = []
    /// Start of string i is offsets[i], its end offsets[i + 1].
    private(set) var offsets: [Int] = [0]
    private var inItem = false
    private var inText = false
    private var phonetic = 0

    var count: Int { offsets.count - 1 }

    override func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {
        if XMLName.equals(name, "si") { inItem = true }
        else if XMLName.equals(name, "t") { inText = inItem && phonetic == 0 }
        else if XMLName.equals(name, "rPh") { phonetic += 1 }
    }
    override func end(_ name: UnsafePointer<UInt8>) throws {
        if XMLName.equals(name, "si") {
            inItem = false
            let start = offsets[offsets.count - 1]
            if bytes.count - start >= 7,
               let decoded = bytes.withUnsafeBufferPointer({ EscapedText.decode(UnsafeBufferPointer(rebasing: $0[start...])) }) {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: decoded)
            }
            offsets.append(bytes.count)
        } else if XMLName.equals(name, "t") { inText = false }
        else if XMLName.equals(name, "rPh") { phonetic -= 1 }
    }
    override func text(_ b: UnsafeBufferPointer<UInt8>) {
        if inText { bytes.append(contentsOf: b) }
    }
}
