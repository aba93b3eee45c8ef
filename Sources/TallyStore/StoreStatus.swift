import Foundation
import TallyCore

/// A summary of what a store holds, for `tally status`.
public struct StoreStatus: Codable, Sendable {
    public struct KindSummary: Codable, Sendable {
        public var kind: String
        public var rows: Int
        /// Earliest and latest date (`arrested_on`, `contacted_on`) or instant (`requested_at`, UTC).
        public var first: String?
        public var last: String?
    }
    public struct BatchSummary: Codable, Sendable {
        public var id: Int
        public var startedAt: String
        public var finishedAt: String?
        public var toolVersion: String
        public var timeZone: String
        public var files: Int
        /// `finished`; `running` (a load holds the store's writer lock now); or `interrupted`
        /// (not finished and nobody is loading: the process was killed between two files,
        /// whose committed files are in the store and whose later files are not).
        public var state: String

        enum CodingKeys: String, CodingKey {
            case id, startedAt = "started_at", finishedAt = "finished_at", toolVersion = "tool_version"
            case timeZone = "time_zone", files, state
        }
    }

    public var path: String
    public var schemaVersion: Int
    public var kinds: [KindSummary]
    public var filesLoaded: Int
    public var filesRejected: Int
    public var quarantined: Int
    public var duplicates: Int
    /// Versions written by updates and by corrections, and records withdrawn by retractions.
    public var updated: Int
    public var corrected: Int
    public var retracted: Int
    public var lastBatch: BatchSummary?
    /// Platform names of current takedowns not in the platform registry (set by the caller
    /// that has a registry; absent from the JSON without one).
    public var unregisteredPlatforms: [UnregisteredPlatform]?

    enum CodingKeys: String, CodingKey {
        case path, schemaVersion = "schema_version", kinds, filesLoaded = "files_loaded"
        case filesRejected = "files_rejected", quarantined, duplicates, updated, corrected, retracted, lastBatch = "last_batch"
        case unregisteredPlatforms = "unregistered_platforms"
    }
}

/// One quarantined row, for `tally quarantine`.
public struct QuarantineEntry: Codable, Sendable, Equatable {
    public var file: String
    /// The line in a CSV file; the row number in a sheet.
    public var line: Int
    public var column: String?
    public var value: String?
    public var reason: String
    /// For a workbook's row: its sheet, and the cell of the offending value (else the row's first cell).
    public var sheet: String? = nil
    public var cell: String? = nil

    /// Where the row is, as the user sees it: `file.csv:17`, or `file.xlsx!Sheet!C17`.
    public var place: String {
        guard let sheet else { return "\(file):\(line)" }
        return "\(file)!\(sheet)!\(cell ?? "A\(line)")"
    }

    enum CodingKeys: String, CodingKey { case file, line, column, value, reason, sheet, cell }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
        try c.encode(column, forKey: .column)
        try c.encode(value, forKey: .value)
        try c.encode(reason, forKey: .reason)
        try c.encodeIfPresent(sheet, forKey: .sheet)
        try c.encodeIfPresent(cell, forKey: .cell)
    }
}

extension Store {
    public func status() throws -> StoreStatus {
        try db.read { try readStatus() }
    }

    func readStatus() throws -> StoreStatus {
        var kinds: [StoreStatus.KindSummary] = []
        for kind in RecordKind.allCases {
            let rows = try db.scalarInt("SELECT count(*) FROM \(kind.rawValue)") ?? 0
            var first: String?, last: String?
            switch kind {
            case .arrests, .victims:
                let column = kind == .arrests ? "arrested_on" : "contacted_on"
                first = try db.scalarText("SELECT min(\(column)) FROM \(kind.rawValue)")
                last = try db.scalarText("SELECT max(\(column)) FROM \(kind.rawValue)")
            case .takedowns:
                first = try db.scalarInt("SELECT min(requested_at) FROM takedowns").map { Timestamp.isoUTC(micros: Int64($0)) }
                last = try db.scalarInt("SELECT max(requested_at) FROM takedowns").map { Timestamp.isoUTC(micros: Int64($0)) }
            }
            kinds.append(.init(kind: kind.rawValue, rows: rows, first: first, last: last))
        }
        var lastBatch: StoreStatus.BatchSummary?
        let b = try db.prepare("""
            SELECT b.id, b.started_at, b.finished_at, b.tool_version, b.time_zone,
                   (SELECT count(*) FROM files f WHERE f.batch_id = b.id)
            FROM batches b ORDER BY b.id DESC LIMIT 1
            """)
        if try b.step() {
            let finishedAt = b.text(2)
            let state = finishedAt != nil ? "finished"
                : WriterLock.currentHolder(store: db.path) != nil ? "running" : "interrupted"
            lastBatch = .init(id: Int(b.int(0)), startedAt: b.text(1) ?? "", finishedAt: finishedAt,
                              toolVersion: b.text(3) ?? "", timeZone: b.text(4) ?? "", files: Int(b.int(5)),
                              state: state)
        }
        return StoreStatus(
            path: db.path,
            schemaVersion: try db.userVersion,
            kinds: kinds,
            filesLoaded: try db.scalarInt("SELECT count(*) FROM files WHERE status = 'loaded'") ?? 0,
            filesRejected: try db.scalarInt("SELECT count(*) FROM files WHERE status = 'rejected'") ?? 0,
            quarantined: try db.scalarInt("SELECT count(*) FROM quarantine") ?? 0,
            duplicates: try db.scalarInt("SELECT coalesce(sum(duplicates), 0) FROM files") ?? 0,
            updated: try db.scalarInt("SELECT coalesce(sum(updated), 0) FROM files") ?? 0,
            corrected: try db.scalarInt("SELECT coalesce(sum(corrected), 0) FROM files") ?? 0,
            retracted: try db.scalarInt("SELECT count(*) FROM retractions WHERE outcome != 'not_found'") ?? 0,
            lastBatch: lastBatch)
    }

    /// Quarantined rows in file and line order; `file` filters by path (exact or suffix).
    public func quarantined(file: String? = nil, limit: Int? = nil) throws -> [QuarantineEntry] {
        var sql = """
            SELECT f.path, q.line, q.column_name, q.value, q.reason, f.sheet, q.cell
            FROM quarantine q JOIN files f ON f.id = q.file_id
            """
        var args: [SQLValue] = []
        if let file {
            sql += " WHERE f.path = ? OR f.path LIKE ? ESCAPE '\\'"
            let escaped = file.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            args += [.text(file), .text("%/" + escaped)]
        }
        sql += " ORDER BY f.id, q.line"
        if let limit { sql += " LIMIT \(limit)" }
        let s = try db.prepare(sql)
        try s.bind(args)
        var out: [QuarantineEntry] = []
        while try s.step() {
            out.append(.init(file: s.text(0) ?? "", line: Int(s.int(1)), column: s.text(2), value: s.text(3),
                             reason: s.text(4) ?? "", sheet: s.text(5), cell: s.text(6)))
        }
        return out
    }
}
