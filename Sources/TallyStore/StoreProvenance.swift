import TallyCore

extension Store {
    /// The files loaded up to the vintage after batch `vintage` (all when nil).
    public func provenance(vintage: Int? = nil) throws -> Provenance {
        var files: [Provenance.File] = []
        let s = try db.prepare("""
            SELECT batch_id, path, sha256, coalesce(kind, ''), rows_read, loaded, duplicates, quarantined, updated, corrected,
              member, archive_sha256, sheet
            FROM files WHERE status = 'loaded' AND batch_id <= ? ORDER BY id
            """)
        try s.bind([.int(Int64(vintage ?? Int(Int32.max)))])
        while try s.step() {
            files.append(.init(batch: Int(s.int(0)), path: s.text(1) ?? "", sha256: s.text(2) ?? "", kind: s.text(3) ?? "",
                               rowsRead: Int(s.int(4)), loaded: Int(s.int(5)), duplicates: Int(s.int(6)),
                               updated: Int(s.int(8)), corrected: Int(s.int(9)), quarantined: Int(s.int(7)),
                               member: s.text(10), archiveSHA256: s.text(11), sheet: s.text(12)))
        }
        var versions: [String] = []
        let v = try db.prepare("SELECT DISTINCT tool_version FROM batches ORDER BY tool_version")
        while try v.step() { versions.append(v.text(0) ?? "") }
        return Provenance(files: files, batches: try db.scalarInt("SELECT count(*) FROM batches WHERE id <= ?",
                                                                 [.int(Int64(vintage ?? Int(Int32.max)))]) ?? 0,
                          toolVersions: versions)
    }
}
