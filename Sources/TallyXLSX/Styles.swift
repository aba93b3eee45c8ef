/// `xl/styles.xml`: for each cell format (`cellXfs`), whether its number format shows a date,
/// a time of day, or neither.
final class Styles: XMLEvents {
    private var custom: [Int: String] = [:]
    private var xfFormats: [Int] = []
    private var inCellXfs = false
    private var depth = 0
    private(set) var kinds: [NumberFormat.Kind] = []

    override func start(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) throws {
        if XMLName.equals(name, "numFmt") {
            if let id = attributes.string("numFmtId").flatMap(Int.init), let code = attributes.string("formatCode") {
                custom[id] = code
            }
        } else if XMLName.equals(name, "cellXfs") {
            inCellXfs = true
        } else if inCellXfs && XMLName.equals(name, "xf") {
            xfFormats.append(attributes.string("numFmtId").flatMap(Int.init) ?? 0)
        }
    }
    override func end(_ name: UnsafePointer<UInt8>) throws {
        if XMLName.equals(name, "cellXfs") {
            inCellXfs = false
            kinds = xfFormats.map { NumberFormat.kind(id: $0, code: custom[$0]) }
        }
    }
    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {}

    /// The kind of cell format `s` (a cell's `s` attribute); unknown indices are plain numbers.
    @inline(__always)
    func kind(_ s: Int) -> NumberFormat.Kind {
        s >= 0 && s < kinds.count ? kinds[s] : .number
    }
}
