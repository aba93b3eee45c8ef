/// What happened to one input file.
/// `rows_read = loaded + updated + corrected + duplicates + quarantined` always.
public struct FileReport: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Rows were read; each was loaded, counted as a duplicate, or quarantined.
        case loaded
        /// A file with the same SHA-256 was loaded before; nothing was done.
        case alreadyLoaded = "already_loaded"
        /// The whole file was refused (see `error`); nothing was loaded from it.
        case rejected
        /// An archive member that is not a CSV file (see `error`): not read, not recorded.
        case skipped
    }

    /// The path as given; for an archive member, `ARCHIVE!MEMBER` (nested: `a.zip!b.zip!c.csv`).
    public var path: String
    public var sha256: String?
    /// For an archive member: its path inside the archive (nested archives joined by `!`).
    public var member: String?
    /// For an archive member: the SHA-256 of the archive file given.
    public var archiveSHA256: String?
    /// For an Excel workbook: the sheet read (`sha256` is the workbook's).
    public var sheet: String?
    /// The file as messages name it: its path, with `!SHEET` for a workbook's sheet.
    public var place: String { sheet.map { path + "!" + $0 } ?? path }
    public var kind: String?
    public var status: Status
    public var rowsRead = 0
    /// New records.
    public var loaded = 0
    /// Records of which this file brought a new version that only fills empty fields, adds to a
    /// set or resolves a pending takedown.
    public var updated = 0
    /// Records this file corrected (a revision, `--revise`).
    public var corrected = 0
    public var duplicates = 0
    public var quarantined = 0
    public var rejected: Bool { status == .rejected }
    public var error: String?
    public var unknownColumns: [String] = []
    /// For `already_loaded`: the batch that loaded it.
    public var loadedInBatch: Int?
    /// Takedowns: platform names not in the registry (loaded as written), in order of first
    /// appearance. In JSON only when there are some.
    public var unregisteredPlatforms: [UnregisteredPlatform] = []
    /// The source profile that read the file (`--source`, or found from its header); nil for a
    /// contract CSV. In JSON only when set.
    public var source: String?
    /// Rows the source profile says are not records (above the header, blank, totals, notes),
    /// by reason with their lines: not counted in `rows_read`. In JSON only when there are some.
    public var skippedRows: [SkippedRows] = []

    public init(path: String, status: Status) {
        self.path = path
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, kind, status, rowsRead = "rows_read", loaded, updated, corrected, duplicates, quarantined
        case rejected, error, unknownColumns = "unknown_columns", loadedInBatch = "loaded_in_batch"
        case member, archiveSHA256 = "archive_sha256", sheet
        case unregisteredPlatforms = "unregistered_platforms"
        case source, skippedRows = "skipped_rows"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(sha256, forKey: .sha256)
        try c.encodeIfPresent(member, forKey: .member)
        try c.encodeIfPresent(archiveSHA256, forKey: .archiveSHA256)
        try c.encodeIfPresent(sheet, forKey: .sheet)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        try c.encode(rowsRead, forKey: .rowsRead)
        try c.encode(loaded, forKey: .loaded)
        try c.encode(updated, forKey: .updated)
        try c.encode(corrected, forKey: .corrected)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(quarantined, forKey: .quarantined)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(error, forKey: .error)
        try c.encode(unknownColumns, forKey: .unknownColumns)
        try c.encodeIfPresent(loadedInBatch, forKey: .loadedInBatch)
        if !unregisteredPlatforms.isEmpty { try c.encode(unregisteredPlatforms, forKey: .unregisteredPlatforms) }
        try c.encodeIfPresent(source, forKey: .source)
        if !skippedRows.isEmpty { try c.encode(skippedRows, forKey: .skippedRows) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        member = try c.decodeIfPresent(String.self, forKey: .member)
        archiveSHA256 = try c.decodeIfPresent(String.self, forKey: .archiveSHA256)
        sheet = try c.decodeIfPresent(String.self, forKey: .sheet)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        status = try c.decode(Status.self, forKey: .status)
        rowsRead = try c.decode(Int.self, forKey: .rowsRead)
        loaded = try c.decode(Int.self, forKey: .loaded)
        updated = try c.decodeIfPresent(Int.self, forKey: .updated) ?? 0
        corrected = try c.decodeIfPresent(Int.self, forKey: .corrected) ?? 0
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        quarantined = try c.decode(Int.self, forKey: .quarantined)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        unknownColumns = try c.decodeIfPresent([String].self, forKey: .unknownColumns) ?? []
        loadedInBatch = try c.decodeIfPresent(Int.self, forKey: .loadedInBatch)
        unregisteredPlatforms = try c.decodeIfPresent([UnregisteredPlatform].self, forKey: .unregisteredPlatforms) ?? []
        source = try c.decodeIfPresent(String.self, forKey: .source)
        skippedRows = try c.decodeIfPresent([SkippedRows].self, forKey: .skippedRows) ?? []
    }
}

/// A platform name that is not in the platform registry: as written, the valid rows that had
/// it, and the registered (canonical) names it resembles.
public struct UnregisteredPlatform: Codable, Equatable, Sendable {
    public var name: String
    public var rows: Int
    public var resembles: [String]

    public init(name: String, rows: Int, resembles: [String]) {
        self.name = name
        self.rows = rows
        self.resembles = resembles
    }

    /// `'Telegrаm' (3 rows; resembles Telegram)`, with invisible characters shown as \u{…}.
    public var text: String {
        let r = resembles.isEmpty ? "" : "; resembles " + resembles.joined(separator: ", ")
        return "'\(Self.visible(name))' (\(rows) row\(rows == 1 ? "" : "s")\(r))"
    }

    /// The name with characters outside printable ASCII and Hangul escaped as \u{…}.
    public static func visible(_ name: String) -> String {
        var out = ""
        for u in name.unicodeScalars {
            if (0x20...0x7E).contains(u.value) || (0xAC00...0xD7A3).contains(u.value) || (0x3131...0x318E).contains(u.value) {
                out.unicodeScalars.append(u)
            } else {
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }
}

/// The re-mapping of loaded records to a registry other than the one the store last used.
public struct PlatformRemap: Codable, Equatable, Sendable {
    /// The batch that records the re-mapping; nil when no record's name changed.
    public var batch: Int?
    /// Records whose platform name changed.
    public var records: Int
    public var fingerprint: String
}

/// The result of one `ingest` call.
public struct IngestReport: Codable, Equatable, Sendable {
    /// The batch that recorded this call, or nil when every file was already loaded.
    public var batch: Int?
    public var files: [FileReport]
    /// Set when the platform registry differed from the one the store recorded.
    public var platformRemap: PlatformRemap?

    public init(batch: Int?, files: [FileReport], platformRemap: PlatformRemap? = nil) {
        self.batch = batch
        self.files = files
        self.platformRemap = platformRemap
    }

    enum CodingKeys: String, CodingKey {
        case batch, files, platformRemap = "platform_remap"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(batch, forKey: .batch)
        try c.encode(files, forKey: .files)
        try c.encodeIfPresent(platformRemap, forKey: .platformRemap)
    }
}

/// Progress of a long load, for a terminal.
public struct IngestProgress: Sendable {
    public var path: String
    public var rows: Int
    public var bytesDone: Int
    public var bytesTotal: Int
    public var seconds: Double
}
