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
    /// Loads of the file marked as retracted (`--file`; more than one when it was loaded again
    /// as a revision).
    public var filesRetracted = 0

    /// Whether the retraction changed the store (else no batch is written).
    var changedSomething: Bool { withdrawn + reverted + filesRetracted > 0 }

    enum CodingKeys: String, CodingKey {
        case batch, withdrawn, reverted, notFound = "not_found", filesRetracted = "files_retracted"
    }
}

public enum RetractionError: Error, CustomStringConvertible {
    case noSuchFile(String)
    case ambiguousFile(String, [String])
    case noReason
    case alreadyRetracted(String, batch: Int)

    public var description: String {
        switch self {
        case .noSuchFile(let f): return "no loaded file matches '\(f)' (give its name as loaded, or its SHA-256 or a prefix of it; tally status lists files)"
        case let .ambiguousFile(f, matches): return "'\(f)' matches \(matches.count) loaded files (\(matches.joined(separator: ", "))); give its SHA-256 (or, for a sheet of a workbook, FILE!SHEET)"
        case .noReason: return "a retraction needs a reason (--reason TEXT)"
        case let .alreadyRetracted(f, batch): return "'\(f)' was retracted in batch \(batch) already; nothing to do"
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
        // Every load of the file's content (a revision loads a file again): all are retracted.
        let (fileIDs, kindName) = try loadedFile(matching: file)
        guard let kind = RecordKind(rawValue: kindName) else { throw RetractionError.noSuchFile(file) }
        let ids = fileIDs.map(String.init).joined(separator: ", ")
        if let done = try db.scalarInt("SELECT max(retracted_in) FROM files WHERE id IN (\(ids))") {
            throw RetractionError.alreadyRetracted(file, batch: done)
        }
        return try retracting(reason: reason, wait: wait) { batch, report in
            let table = kind.rawValue, key = kind.schema.key
            var current: [(String, String, Int)] = []
            let s = try db.prepare("SELECT \(key), change, file_id FROM \(table) WHERE file_id IN (\(ids)) ORDER BY \(key)")
            while try s.step() { current.append((s.text(0) ?? "", s.text(1) ?? "new", Int(s.int(2)))) }
            // The batch of each load of the file, read once (not once per record).
            var batchOf: [Int: Int] = [:]
            let b = try db.prepare("SELECT id, batch_id FROM files WHERE id IN (\(ids))")
            while try b.step() { batchOf[Int(b.int(0))] = Int(b.int(1)) }
            for (k, change, fileID) in current {
                let fileBatch = batchOf[fileID] ?? 0
                // The version before this file's, if the file did not bring the record as new:
                // from an earlier batch, or from an earlier file of the same batch (a load of
                // several files is one batch); never one a retracted file (or this one) brought.
                let previous = change == "new" ? nil : try db.scalarInt("""
                    SELECT rowid FROM \(table)_history WHERE \(key) = ? AND coalesce(file_id, -1) NOT IN (\(ids))
                      AND coalesce(file_id, -1) NOT IN (SELECT id FROM files WHERE retracted_in IS NOT NULL)
                      AND (valid_from < ? OR (valid_from = ? AND coalesce(file_id, -1) < ?))
                    ORDER BY valid_from DESC, rowid DESC LIMIT 1
                    """, [.text(k), .int(Int64(fileBatch)), .int(Int64(fileBatch)), .int(Int64(fileID))])
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
            // The file is retracted even when none of its records is current any more: its
            // versions are then never restored by a later retraction.
            try db.execute("UPDATE files SET retracted_in = \(batch) WHERE id IN (\(ids))")
            report.filesRetracted = fileIDs.count
        }
    }

    /// Runs `body` in one transaction of a new retract batch, holding the writer lock; no batch
    /// is left when nothing changed.
    func retracting(reason: String, wait: Double, _ body: (Int, inout RetractionReport) throws -> Void) throws -> RetractionReport {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw RetractionError.noReason }
        let lock = db.path == ":memory:" ? nil : try WriterLock(store: db.path, wait: wait)
        defer { withExtendedLifetime(lock) {} }
        var report = RetractionReport()
        do {
            try db.transaction {
                let s = try db.prepare("""
                    INSERT INTO batches (started_at, tool_version, time_zone, encoding, kind, reason)
                    VALUES (?, ?, '-', '-', 'retract', ?)
                    """)
                try s.bind([.text(Self.now()), .text(Tally.version), .text(reason)])
                try s.step()
                let batch = Int(db.lastInsertRowID)
                try body(batch, &report)
                // A batch is a call that changed something (revisions.md): none otherwise.
                guard report.changedSomething else { throw NothingChanged() }
                try db.execute("UPDATE batches SET finished_at = '\(Self.now())' WHERE id = \(batch)")
                report.batch = batch
            }
        } catch is NothingChanged {
            report.batch = nil
        }
        return report
    }

    private struct NothingChanged: Error {}

    /// Moves the current version of `key` into the history, superseded by `batch` as a
    /// retraction, and removes it from the record table. False when the key is not current.
    func withdraw(kind: RecordKind, key: String, batch: Int) throws -> Bool {
        let table = kind.rawValue, k = kind.schema.key
        let columns = StoreSchema.columns(of: kind.schema).map(\.name) + ["file_id", "line", "row_hash", "change", "changed_fields"]
            + StoreSchema.extraColumns(of: kind)
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
            + StoreSchema.extraColumns(of: kind)
        try db.prepare("""
            INSERT INTO \(table) (\(columns.joined(separator: ", ")), change, valid_from)
            SELECT \(columns.joined(separator: ", ")), 'restored', ? FROM \(table)_history WHERE rowid = ?
            """).bindAndStep([.int(Int64(batch)), .int(Int64(historyRow))])
        if kind == .takedowns {
            // A restored version has the canonical name of its time, perhaps of an earlier
            // platform registry: an empty fingerprint makes the next load with a registry check
            // (and re-map) the names again. Once per batch, and only once a registry was recorded.
            try db.prepare("""
                INSERT INTO platform_registries (fingerprint, applied_at, batch_id, remapped)
                SELECT '', ?, NULL, 0 WHERE (SELECT fingerprint FROM platform_registries ORDER BY id DESC LIMIT 1) <> ''
                """).bindAndStep([.text(Self.now())])
        }
    }

    func recordRetraction(batch: Int, kind: RecordKind, key: String, outcome: String) throws {
        try db.prepare("INSERT INTO retractions (batch_id, kind, record_id, outcome) VALUES (?, ?, ?, ?)")
            .bindAndStep([.int(Int64(batch)), .text(kind.rawValue), .text(key), .text(outcome)])
    }

    /// The loaded file a name, path or SHA-256 prefix names: its loads (more than one when the
    /// same content was loaded again as a revision) and kind. A workbook's sheet is named
    /// `book.xlsx!Sheet`; the workbook's name alone matches each sheet loaded from it, which is
    /// ambiguous when there are several.
    func loadedFile(matching text: String) throws -> (ids: [Int], kind: String) {
        let s = try db.prepare("SELECT id, path, sha256, coalesce(kind, ''), sheet FROM files WHERE status = 'loaded' ORDER BY id")
        var matches: [(id: Int, path: String, sha: String, kind: String, sheet: String?)] = []
        let lower = text.lowercased()
        while try s.step() {
            let path = s.text(1) ?? "", sha = s.text(2) ?? "", sheet = s.text(4)
            let place = sheet.map { path + "!" + $0 }
            if path == text || Provenance.fileName(path) == text || (lower.count >= 8 && sha.hasPrefix(lower))
                || place == text || place.map { Provenance.fileName($0) } == text {
                matches.append((Int(s.int(0)), path, sha, s.text(3) ?? "", sheet))
            }
        }
        guard let first = matches.first else { throw RetractionError.noSuchFile(text) }
        guard matches.allSatisfy({ $0.sha == first.sha && $0.sheet == first.sheet }) else {
            throw RetractionError.ambiguousFile(text, matches.map {
                Provenance.fileName($0.path) + ($0.sheet.map { "!" + $0 } ?? "") + " (" + $0.sha.prefix(12) + "…)"
            })
        }
        return (matches.map(\.id), first.kind)
    }
}

extension Statement {
    /// Binds `values` and steps once (a statement that returns no rows).
    func bindAndStep(_ values: [SQLValue]) throws {
        try bind(values)
        try step()
    }
}
