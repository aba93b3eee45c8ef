import Foundation
import TallyCore

/// One name per platform in the store: re-mapping loaded takedowns when the registry changes,
/// and the names that are not registered.
extension Store {
    /// Re-maps loaded takedowns and decisions to `registry` when its fingerprint is not the one the store
    /// recorded last (`platform_registries`). Each record whose canonical name changes gets a
    /// new version in a batch of its own (reason "platform registry …"), its earlier version
    /// moving into `takedowns_history` as a correction, so vintages before that batch keep
    /// the names they had. The name as written (`platform_text`) is what is mapped.
    /// Returns nil when the registry is the one recorded, or when no record's name changed.
    func remapPlatforms(_ registry: PlatformRegistry, options: IngestOptions) throws -> PlatformRemap? {
        let fingerprint = registry.fingerprint
        if try db.scalarText("SELECT fingerprint FROM platform_registries ORDER BY id DESC LIMIT 1") == fingerprint { return nil }
        return try db.transaction { () -> PlatformRemap? in
            // Kinds with a platform column: takedowns (`platform`) and decisions (`platform_name`).
            let kinds = RecordKind.allCases.filter { $0.schema.platformColumn != nil }
            var changesByKind: [(kind: RecordKind, changes: [(raw: String, current: String, target: String)])] = []
            for kind in kinds {
                let col = kind.schema.platformColumn!
                var changes: [(raw: String, current: String, target: String)] = []
                let names = try db.prepare("SELECT DISTINCT coalesce(platform_text, \(col)), \(col) FROM \(kind.rawValue)")
                while try names.step() {
                    let raw = names.text(0) ?? "", current = names.text(1) ?? ""
                    let target = registry.canonical(for: raw) ?? raw
                    if target != current { changes.append((raw, current, target)) }
                }
                if !changes.isEmpty { changesByKind.append((kind, changes)) }
            }
            var batch: Int?
            var records = 0
            if !changesByKind.isEmpty {
                let insertBatch = try db.prepare("""
                    INSERT INTO batches (started_at, tool_version, time_zone, encoding, kind, reason) VALUES (?, ?, ?, ?, 'ingest', ?)
                    """)
                try insertBatch.bind([.text(Self.now()), .text(Tally.version), .text(options.timeZone), .text(options.encoding.rawValue),
                                      .text("platform registry \(fingerprint): names re-mapped")])
                try insertBatch.step()
                let id = Int(db.lastInsertRowID)
                batch = id
                for (kind, changes) in changesByKind {
                    let table = kind.rawValue, col = kind.schema.platformColumn!
                    try db.execute("""
                        CREATE TEMP TABLE platform_map (raw TEXT NOT NULL, current TEXT NOT NULL, target TEXT NOT NULL,
                                                        PRIMARY KEY (raw, current))
                        """)
                    defer { try? db.execute("DROP TABLE temp.platform_map") }
                    let insertMap = try db.prepare("INSERT INTO temp.platform_map (raw, current, target) VALUES (?, ?, ?)")
                    for c in changes {
                        insertMap.reset()
                        try insertMap.bind([.text(c.raw), .text(c.current), .text(c.target)])
                        try insertMap.step()
                    }
                    let match = "m.raw = coalesce(t.platform_text, t.\(col)) AND m.current = t.\(col)"
                    let columns = StoreSchema.columns(of: kind.schema).map(\.name)
                        + ["file_id", "line", "row_hash", "change", "changed_fields"] + StoreSchema.extraColumns(of: kind)
                    try db.execute("""
                        INSERT INTO \(table)_history (\(columns.joined(separator: ", ")), valid_from, superseded_in, superseded_as)
                        SELECT \(columns.map { "t." + $0 }.joined(separator: ", ")),
                               coalesce(t.valid_from, (SELECT f.batch_id FROM files f WHERE f.id = t.file_id)), \(id), 'correction'
                        FROM \(table) t JOIN temp.platform_map m ON \(match)
                        """)
                    records += db.changes
                    try db.execute("""
                        UPDATE \(table) AS t SET platform_text = coalesce(t.platform_text, t.\(col)),
                          \(col) = (SELECT m.target FROM temp.platform_map m WHERE \(match)),
                          change = 'correction', changed_fields = '\(col)', valid_from = \(id)
                        WHERE EXISTS (SELECT 1 FROM temp.platform_map m WHERE \(match))
                        """)
                }
                try db.execute("UPDATE batches SET finished_at = '\(Self.now())' WHERE id = \(id)")
            }
            let record = try db.prepare("INSERT INTO platform_registries (fingerprint, applied_at, batch_id, remapped) VALUES (?, ?, ?, ?)")
            try record.bind([.text(fingerprint), .text(Self.now()), batch.map { .int(Int64($0)) } ?? .null, .int(Int64(records))])
            try record.step()
            return records == 0 ? nil : PlatformRemap(batch: batch, records: records, fingerprint: fingerprint)
        }
    }

    /// Platform names of the current takedowns and decisions that are not in `registry`, with their rows
    /// and the registered names they resemble, most rows first.
    public func unregisteredPlatforms(_ registry: PlatformRegistry) throws -> [UnregisteredPlatform] {
        let s = try db.prepare("""
            SELECT platform, count(*) FROM (SELECT platform FROM takedowns UNION ALL SELECT platform_name FROM decisions)
            GROUP BY platform ORDER BY count(*) DESC, platform
            """)
        var out: [UnregisteredPlatform] = []
        while try s.step() {
            let name = s.text(0) ?? ""
            if registry.canonical(for: name) == nil {
                out.append(UnregisteredPlatform(name: name, rows: Int(s.int(1)), resembles: registry.resembling(name)))
            }
        }
        return out
    }
}
