import Foundation
import TallyCore

/// What `tally retract` did.
public struct RetractionReport: Codable, Sendable, Equatable {
    /// The retraction's batch (nil when nothing changed: no batch is written).
    public var batch: Int?
    /// Records withdrawn: they are in no later vintage.
    public var withdrawn = 0
    /// Records whose current version came from the retracted file as an update or correction:
    /// the version before it is current again.
    public var reverted = 0
    /// Keys asked for that the store does not hold (or that are already withdrawn).
    public var notFound: [String] = []

    enum CodingKeys: String, CodingKey {
        case batch, withdrawn, reverted, notFound = "not_found"
    }
}

public enum RetractionError: Error, CustomStringConvertible {
    case noSuchFile(String)
    case ambiguousFile(String, [String])
    case noReason

    public var description: String {
        switch self {
        case .noSuchFile(let f): return "no loaded file matches '\(f)' (give its name as loaded, or its SHA-256 or a prefix of it; tally status lists files)"
        case let .ambiguousFile(f, matches): return "'\(f)' matches \(matches.count) loaded files (\(matches.joined(separator: ", "))); give its SHA-256"
        case .noReason: return "a retraction needs a reason (--reason TEXT)"
        }
    }
}

extension Store {
    /// Withdraws records: by key (`ids`, of `kind`), or everything the loaded file `file` (a
    /// name, path or SHA-256 prefix) brought that is still current. A record the file brought
    /// as new is withdrawn; one it updated or corrected goes back to its version before.
    /// History is kept: each version leaves the record table for `<kind>_history`,
    /// superseded by the retraction's batch, which records `reason`.
    public func retract(kind: RecordKind, ids: [String], reason: String, wait: Double = 600) throws -> RetractionReport {
        try retracting(reason: reason, wait: wait) { batch, report in
            for id in ids {
                let key = id.trimmingCharacters(in: .whitespaces)
                if key.isEmpty { continue }
                if try withdraw(kind: kind, key: key, batch: batch) {
                    report.withdrawn += 1
                    try recordRetraction(batch: batch, kind: kind, key: key, outcome: "withdrawn")
                } else {
                    report.notFound.append(key)
                    try recordRetraction(batch: batch, kind: kind, key: key, outcome: "not_found")
                }
            }
        }
    }

    public func retract(file: String, reason: String, wait: Double = 600) throws -> RetractionReport {
        let (fileID, kindName) = try loadedFile(matching: file)
        guard let kind = RecordKind(rawValue: kindName) else { throw RetractionError.noSuchFile(file) }
        return try retracting(reason: reason, wait: wait) { batch, report in
            let table = kind.rawValue, key = kind.schema.key
            var current: [(String, String)] = []
            let s = try db.prepare("SELECT \(key), change FROM \(table) WHERE file_id = ? ORDER BY \(key)")
            try s.bind([.int(Int64(fileID))])
            while try s.step() { current.append((s.text(0) ?? "", s.text(1) ?? "new")) }
            for (k, change) in current {
                let fileBatch = try db.scalarInt("SELECT batch_id FROM files WHERE id = ?", [.int(Int64(fileID))]) ?? 0
                // The version before this file's, if the file did not bring the record as new:
                // from an earlier batch, or from an earlier file of the same batch (a load of
                // several files is one batch).
                let previous = change == "new" ? nil : try db.scalarInt("""
                    SELECT rowid FROM \(table)_history WHERE \(key) = ? AND coalesce(file_id, -1) != ?
                      AND (valid_from < ? OR (valid_from = ? AND coalesce(file_id, -1) < ?))
                    ORDER BY valid_from DESC, rowid DESC LIMIT 1
                    """, [.text(k), .int(Int64(fileID)), .int(Int64(fileBatch)), .int(Int64(fileBatch)), .int(Int64(fileID))])
                _ = try withdraw(kind: kind, key: k, batch: batch)
                if let previous {
                    try restore(kind: kind, historyRow: previous, batch: batch)
                    report.reverted += 1
                    try recordRetraction(batch: batch, kind: kind, key: k, outcome: "reverted")
                } else {
                    report.withdrawn += 1
                    try recordRetraction(batch: batch, kind: kind, key: k, outcome: "withdrawn")
                }
            }
        }
    }

    /// Runs `body` in one transaction of a new retract batch, holding the writer lock; no batch
    /// is left when nothing changed.
    func retracting(reason: String, wait: Double, _ body: (Int, inout RetractionReport) throws -> Void) throws -> RetractionReport {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw RetractionError.noReason }
        let lock = db.path == ":memory:" ? nil : try WriterLock(store: db.path, wait: wait)
        defer { withExtendedLifetime(lock) {} }
        var report = RetractionReport()
        try db.transaction {
            let s = try db.prepare("""
                INSERT INTO batches (started_at, tool_version, time_zone, encoding, kind, reason)
                VALUES (?, ?, '-', '-', 'retract', ?)
                """)
            try s.bind([.text(Self.now()), .text(Tally.version), .text(reason)])
            try s.step()
            let batch = Int(db.lastInsertRowID)
            try body(batch, &report)
            try db.execute("UPDATE batches SET finished_at = '\(Self.now())' WHERE id = \(batch)")
            report.batch = batch
        }
        return report
    }

    /// Moves the current version of `key` into the history, superseded by `batch` as a
    /// retraction, and removes it from the record table. False when the key is not current.
    func withdraw(kind: RecordKind, key: String, batch: Int) throws -> Bool {
        let table = kind.rawValue, k = kind.schema.key
        let columns = StoreSchema.columns(of: kind.schema).map(\.name) + ["file_id", "line", "row_hash", "change", "changed_fields"]
        try db.prepare("""
            INSERT INTO \(table)_history (\(columns.joined(separator: ", ")), valid_from, superseded_in, superseded_as)
            SELECT \(columns.map { "t." + $0 }.joined(separator: ", ")),
                   coalesce(t.valid_from, (SELECT f.batch_id FROM files f WHERE f.id = t.file_id)), ?, 'retraction'
            FROM \(table) t WHERE t.\(k) = ?
            """).bindAndStep([.int(Int64(batch)), .text(key)])
        guard db.changes == 1 else { return false }
        try db.prepare("DELETE FROM \(table) WHERE \(k) = ?").bindAndStep([.text(key)])
        return true
    }

    /// Makes a history version current again, valid from `batch`.
    func restore(kind: RecordKind, historyRow: Int, batch: Int) throws {
        let table = kind.rawValue
        let columns = StoreSchema.columns(of: kind.schema).map(\.name) + ["file_id", "line", "row_hash", "changed_fields"]
        try db.prepare("""
            INSERT INTO \(table) (\(columns.joined(separator: ", ")), change, valid_from)
            SELECT \(columns.joined(separator: ", ")), 'restored', ? FROM \(table)_history WHERE rowid = ?
            """).bindAndStep([.int(Int64(batch)), .int(Int64(historyRow))])
    }

    func recordRetraction(batch: Int, kind: RecordKind, key: String, outcome: String) throws {
        try db.prepare("INSERT INTO retractions (batch_id, kind, record_id, outcome) VALUES (?, ?, ?, ?)")
            .bindAndStep([.int(Int64(batch)), .text(kind.rawValue), .text(key), .text(outcome)])
    }

    /// The loaded file a name, path or SHA-256 prefix names.
    func loadedFile(matching text: String) throws -> (id: Int, kind: String) {
        let s = try db.prepare("SELECT id, path, sha256, coalesce(kind, '') FROM files WHERE status = 'loaded' ORDER BY id")
        var matches: [(Int, String, String)] = []
        let lower = text.lowercased()
        while try s.step() {
            let path = s.text(1) ?? "", sha = s.text(2) ?? ""
            if path == text || Provenance.fileName(path) == text || (lower.count >= 8 && sha.hasPrefix(lower)) {
                matches.append((Int(s.int(0)), path, s.text(3) ?? ""))
            }
        }
        guard !matches.isEmpty else { throw RetractionError.noSuchFile(text) }
        guard matches.count == 1 else { throw RetractionError.ambiguousFile(text, matches.map { Provenance.fileName($0.1) }) }
        return (matches[0].0, matches[0].2)
    }
}

extension Statement {
    /// Binds `values` and steps once (a statement that returns no rows).
    func bindAndStep(_ values: [SQLValue]) throws {
        try bind(values)
        try step()
    }
}
