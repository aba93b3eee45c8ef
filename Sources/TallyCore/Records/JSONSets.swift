import Foundation

/// The distinct values of a file's JSON-array columns (`FieldKind.jsonSet`), each read once
/// with Foundation's JSONSerialization and kept as its canonical text.
///
/// A day's dump has tens of millions of rows but few distinct arrays per column (a platform
/// writes the same `["CONTENT_TYPE_VIDEO"]` or list of 30 countries again and again), so a
/// cell's bytes are looked up first and parsed only the first time they are seen. A row's
/// slot holds the id of its canonical text; the parsing thread adds ids (the dictionaries
/// under a lock), the fingerprint and the writing thread read their texts (without one).
///
/// Canonical text: the members sorted by their bytes, each once, as a JSON array without
/// spaces (`["AT","BE"]`). Members are upper-case identifiers (checked), so they need no
/// escaping. The empty array is not interned: it is the empty set, stored as null.
public final class JSONSets: @unchecked Sendable {
    public typealias CString = (pointer: UnsafeMutablePointer<CChar>, length: Int32)

    private let lock = NSLock()
    /// Per column: raw cell bytes → canonical id (only columns of kind `jsonSet` are used).
    private var byBytes: [[[UInt8]: Int32]]
    private var byCanonical: [String: Int32] = [:]
    /// Canonical texts by id, in a buffer that never moves (allocated once; pages are only
    /// touched as ids are added), so that `text` reads it without the lock: an id reaches
    /// another thread only inside a batch sent through a channel, after its text was written.
    private let canonical: UnsafeMutablePointer<CString>
    private var canonicalCount = 0
    /// Distinct sets per file, at most; a cell that would add one more is refused.
    public static let maxSets = 1 << 20
    private var members: [[String]] = []
    /// Raw spellings remembered per column, at most: beyond it, cells are parsed every time
    /// (memory stays bounded on a file of all-different arrays).
    static let rawLimit = 65_536

    /// A small direct-mapped cache of recent cells per column, touched only by the parsing
    /// thread (the only caller of `intern`): a cell seen before costs a hash and a memcmp,
    /// without taking the lock or allocating. Slot: the bytes' hash, the bytes, the outcome's
    /// id (-1: the empty set).
    private struct Slot {
        var hash: UInt64 = 0
        var bytes: [UInt8] = []
        var id: Int32 = -2
    }
    private var recent: [[Slot]]
    static let recentSlots = 256

    public init(columns: Int) {
        byBytes = Array(repeating: [:], count: columns)
        recent = Array(repeating: [], count: columns)
        canonical = .allocate(capacity: Self.maxSets)
    }

    deinit {
        for i in 0..<canonicalCount { free(canonical[i].pointer) }
        canonical.deallocate()
    }

    public enum Outcome: Equatable {
        case empty
        case set(Int32)
        case invalid(String)
    }

    /// The id of the canonical set `bytes` spells in column `column`, or why it is not a
    /// valid set of the kind (`prefix` nil: two-letter country codes). Called by one thread.
    public func intern(_ bytes: UnsafeBufferPointer<UInt8>, column: Int, prefix: String?) -> Outcome {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        if recent[column].isEmpty { recent[column] = Array(repeating: Slot(), count: Self.recentSlots) }
        let k = Int(h & UInt64(Self.recentSlots - 1))
        let slot = recent[column][k]
        if slot.id != -2, slot.hash == h, slot.bytes.count == bytes.count,
           slot.bytes.withUnsafeBufferPointer({ bytes.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
            return slot.id < 0 ? .empty : .set(slot.id)
        }
        let outcome = internSlowly(bytes, column: column, prefix: prefix)
        switch outcome {
        case .empty: recent[column][k] = Slot(hash: h, bytes: Array(bytes), id: -1)
        case .set(let id): recent[column][k] = Slot(hash: h, bytes: Array(bytes), id: id)
        case .invalid: break
        }
        return outcome
    }

    func internSlowly(_ bytes: UnsafeBufferPointer<UInt8>, column: Int, prefix: String?) -> Outcome {
        let key = Array(bytes)
        lock.lock()
        if let id = byBytes[column][key] { lock.unlock(); return .set(id) }
        lock.unlock()
        let items: [String]
        switch Self.parse(bytes, prefix: prefix) {
        case .success(let x): items = x
        case .failure(let e): return .invalid(e.reason)
        }
        if items.isEmpty { return .empty }
        let text = "[" + items.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        lock.lock()
        defer { lock.unlock() }
        let id: Int32
        if let known = byCanonical[text] {
            id = known
        } else {
            guard canonicalCount < Self.maxSets else {
                return .invalid("more than \(Self.maxSets) distinct arrays in one file")
            }
            id = Int32(canonicalCount)
            (canonical + canonicalCount).initialize(to: (strdup(text)!, Int32(text.utf8.count)))
            canonicalCount += 1
            members.append(items)
            byCanonical[text] = id
        }
        if byBytes[column].count < Self.rawLimit { byBytes[column][key] = id }
        return .set(id)
    }

    /// The canonical text of set `id`, as a C string owned by this table (no lock: see
    /// `canonical`).
    @inline(__always)
    public func text(_ id: Int64) -> CString {
        canonical[Int(id)]
    }

    /// The members of set `id`, sorted.
    public func members(_ id: Int64) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return members[Int(id)]
    }

    /// The sorted distinct members of a JSON array of identifiers, or why it is not one.
    /// An empty cell or `[]` is the empty set.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, prefix: String?) -> Result<[String], SetError> {
        if bytes.isEmpty { return .success([]) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            return .failure(SetError("not a JSON array"))
        }
        guard let array = object as? [Any] else { return .failure(SetError("not a JSON array")) }
        var items = Set<String>()
        for element in array {
            guard let s = element as? String else {
                return .failure(SetError("a member of the JSON array is not a string"))
            }
            if let prefix {
                guard s.hasPrefix(prefix), s.utf8.count > prefix.utf8.count,
                      s.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
                    return .failure(SetError("member '\(s.prefix(60))' is not a \(prefix)* value"))
                }
            } else {
                guard s.utf8.count == 2, s.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                    return .failure(SetError("member '\(s.prefix(60))' is not a two-letter country code"))
                }
            }
            items.insert(s)
        }
        return .success(items.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    /// The strings of a stored set's JSON text (no checks: it was written by `intern`).
    public static func stringArray(_ text: String) -> [String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [])) as? [String]
    }

    public struct SetError: Error, Equatable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
