import TallyCore

/// Runs `body` with the bytes of `s`, as the CSV reader hands fields over.
func withBytes<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    var copy = s
    return copy.withUTF8 { body($0) }
}

/// A row of strings posing as the CSV reader's buffer.
struct StringRow: FieldSource {
    var storage: [[UInt8]]
    init(_ fields: [String]) { storage = fields.map { Array($0.utf8) } }
    var fieldCount: Int { storage.count }
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        storage[i].withUnsafeBufferPointer { UnsafeBufferPointer(start: $0.baseAddress, count: $0.count) }
    }
}

let seoul = ZoneOffsets(identifier: "Asia/Seoul")!
let berlin = ZoneOffsets(identifier: "Europe/Berlin")!

/// UTC microseconds of a civil time, computed with the calendar functions under test only
/// where those are checked elsewhere against Foundation.
func utcMicros(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Int64 {
    Int64(CivilDate.days(year: y, month: mo, day: d) * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000
}
