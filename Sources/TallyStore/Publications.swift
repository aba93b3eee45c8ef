import Foundation
import TallyCore

extension Store {
    /// Records a bulletin written from the store (needs a store opened for writing).
    @discardableResult
    public func recordPublication(period: String, lang: String, vintage: Int, asOfMicros: Int64,
                                  manifestSHA256: String, writtenAt: String) throws -> Int {
        try db.transaction {
            let s = try db.prepare("INSERT INTO publications (period, lang, vintage, as_of_micros, manifest_sha256, written_at) VALUES (?, ?, ?, ?, ?, ?)")
            try s.bind([.text(period), .text(lang), .int(Int64(vintage)), .int(asOfMicros), .text(manifestSHA256), .text(writtenAt)])
            _ = try s.step()
            return try db.scalarInt("SELECT last_insert_rowid()") ?? 0
        }
    }

    /// Every publication recorded, oldest first.
    public func publications() throws -> [Publication] {
        let s = try db.prepare("SELECT id, period, lang, vintage, as_of_micros, manifest_sha256, written_at FROM publications ORDER BY id")
        var out: [Publication] = []
        while try s.step() {
            out.append(Publication(id: Int(s.int(0)), period: s.text(1) ?? "", lang: s.text(2) ?? "", vintage: Int(s.int(3)),
                                   asOfMicros: s.int(4), manifestSHA256: s.text(5) ?? "", writtenAt: s.text(6) ?? ""))
        }
        return out
    }

    /// Every batch number, oldest first.
    public func batchNumbers() throws -> [Int] {
        let s = try db.prepare("SELECT id FROM batches ORDER BY id")
        var out: [Int] = []
        while try s.step() { out.append(Int(s.int(0))) }
        return out
    }

    /// The batches after `after` up to and including `through`, with their reasons and files.
    public func batches(after: Int, through: Int) throws -> [BatchNote] {
        let s = try db.prepare("SELECT id, kind, reason, finished_at FROM batches WHERE id > ? AND id <= ? ORDER BY id")
        try s.bind([.int(Int64(after)), .int(Int64(through))])
        var out: [BatchNote] = []
        while try s.step() {
            out.append(BatchNote(batch: Int(s.int(0)), kind: s.text(1) ?? "ingest", reason: s.isNull(2) ? nil : s.text(2),
                                 finishedAt: s.isNull(3) ? nil : s.text(3), files: []))
        }
        let f = try db.prepare("SELECT path FROM files WHERE batch_id = ? AND status = 'loaded' ORDER BY id")
        for i in out.indices {
            f.reset()
            try f.bind([.int(Int64(out[i].batch))])
            while try f.step() { out[i].files.append(Provenance.fileName(f.text(0) ?? "")) }
        }
        return out
    }

    /// The record versions that batches after `after` up to `through` brought or withdrew:
    /// for each, the batch and the record's date — a day number (days since 1970-01-01) for
    /// victims (`contacted_on`) and arrests (`arrested_on`), `requested_at` (UTC microseconds)
    /// for takedowns, which the caller turns into a local day. A record updated by batch B
    /// appears twice (its old version superseded in B and its new one valid from B).
    public func changes(after: Int, through: Int) throws -> [(batch: Int, kind: RecordKind, date: Int64)] {
        var out: [(Int, RecordKind, Int64)] = []
        for (kind, column) in [(RecordKind.victims, "contacted_on"), (.arrests, "arrested_on"), (.takedowns, "requested_at")] {
            let t = kind.rawValue
            let sql = """
                SELECT b, d FROM (
                  SELECT coalesce(valid_from, (SELECT f.batch_id FROM files f WHERE f.id = \(t).file_id)) AS b, \(column) AS d FROM \(t)
                  UNION ALL SELECT valid_from, \(column) FROM \(t)_history
                  UNION ALL SELECT superseded_in, \(column) FROM \(t)_history
                ) WHERE b > ? AND b <= ?
                """
            let s = try db.prepare(sql)
            try s.bind([.int(Int64(after)), .int(Int64(through))])
            while try s.step() {
                let b = Int(s.int(0))
                if kind == .takedowns {
                    out.append((b, kind, s.int(1)))
                } else if let text = s.text(1) {
                    let bytes = Array(text.utf8)
                    if let d = bytes.withUnsafeBufferPointer({ FieldParser.date($0) }) { out.append((b, kind, Int64(d))) }
                }
            }
        }
        return out
    }
}
