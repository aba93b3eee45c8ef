import Foundation
import TallyStore

/// A temporary folder with a store in it, removed when the test ends.
public final class Sandbox {
    public let dir: URL
    public let storePath: String

    public init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        storePath = dir.appendingPathComponent("store.sqlite").path
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let path = dir.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    public func store() throws -> Store { try Store(path: storePath) }

    /// Runs a query and returns every row as strings (null as "NULL").
    public func rows(_ store: Store, _ sql: String) throws -> [[String]] {
        let s = try store.db.prepare(sql)
        var out: [[String]] = []
        while try s.step() {
            out.append((0..<s.columnCount).map { i in
                switch s.value(i) {
                case .null: return "NULL"
                case .int(let x): return String(x)
                case .double(let x): return String(x)
                case .text(let t): return t
                }
            })
        }
        return out
    }

    public func count(_ store: Store, _ table: String) throws -> Int {
        try store.db.scalarInt("SELECT count(*) FROM \(table)") ?? -1
    }
}

public let takedownHeader = "request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome"
