import CBuildID

extension Tally {
    /// The GNU build ID the linker wrote into the running program (hex): it differs between
    /// any two builds of different code, so a manifest that records it says which build made
    /// the bulletin, beyond `version`. Nil where the linker wrote none.
    public static let buildID: String? = {
        var bytes = [UInt8](repeating: 0, count: 64)
        let n = tally_build_id(&bytes, bytes.count)
        guard n > 0 else { return nil }
        let hex = Array("0123456789abcdef")
        return bytes[0..<n].map { String(hex[Int($0 >> 4)]) + String(hex[Int($0 & 15)]) }.joined()
    }()
}
