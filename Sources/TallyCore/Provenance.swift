/// Where the figures come from: every file loaded into the store, with its batch, hash and
/// counts. Printed with the figures and written into bulletin manifests.
public struct Provenance: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var batch: Int
        public var path: String
        public var sha256: String
        public var kind: String
        public var rowsRead: Int
        public var loaded: Int
        public var duplicates: Int
        /// Versions the file brought: updates of earlier records, and corrections (revisions).
        public var updated: Int = 0
        public var corrected: Int = 0
        public var quarantined: Int
        /// For an archive member: its path inside the archive, and the archive's SHA-256.
        public var member: String? = nil
        public var archiveSHA256: String? = nil
        /// For an Excel workbook: the sheet loaded (`sha256` is the workbook's).
        public var sheet: String? = nil

        public init(batch: Int, path: String, sha256: String, kind: String, rowsRead: Int, loaded: Int, duplicates: Int,
                    updated: Int = 0, corrected: Int = 0, quarantined: Int, member: String? = nil, archiveSHA256: String? = nil,
                    sheet: String? = nil) {
            self.batch = batch; self.path = path; self.sha256 = sha256; self.kind = kind; self.rowsRead = rowsRead
            self.loaded = loaded; self.duplicates = duplicates; self.updated = updated; self.corrected = corrected
            self.quarantined = quarantined; self.member = member; self.archiveSHA256 = archiveSHA256
            self.sheet = sheet
        }

        /// The file's name without its folders: what publications show (a folder name can
        /// identify a victim). The SHA-256 identifies the file. An archive member is named
        /// `ARCHIVE-NAME!MEMBER-PATH` (the path inside the archive is kept).
        public var name: String {
            if let member, path.hasSuffix("!" + member) {
                return Provenance.fileName(String(path.dropLast(member.count + 1)), members: false) + "!" + member
            }
            return Provenance.fileName(path)
        }

        /// As published (manifest.json): the file by name, not by path.
        public var json: JSONValue {
            .object([("batch", .int(Int64(batch))), ("file", .string(name)), ("sha256", .string(sha256)),
                     ("kind", .string(kind)), ("rows_read", .int(Int64(rowsRead))), ("loaded", .int(Int64(loaded))),
                     ("updated", .int(Int64(updated))), ("corrected", .int(Int64(corrected))),
                     ("duplicates", .int(Int64(duplicates))), ("quarantined", .int(Int64(quarantined)))]
                    + (member == nil ? [] : [("member", .string(member ?? "")), ("archive_sha256", .string(archiveSHA256 ?? ""))])
                    + (sheet == nil ? [] : [("sheet", .string(sheet ?? ""))]))
        }
    }

    public var files: [File]
    public var batches: Int
    public var toolVersions: [String]

    public init(files: [File], batches: Int, toolVersions: [String]) {
        self.files = files; self.batches = batches; self.toolVersions = toolVersions
    }

    public var json: JSONValue { .array(files.map(\.json)) }

    /// The last component of `path` (the text after the last `/`; a path ending in `/` keeps
    /// its last folder's name). Every published output names files through this.
    ///
    /// With `members`, a path of an archive member, `ARCHIVE!MEMBER` (the first `!` followed by
    /// a character other than `/`), keeps the member's path after the archive's file name.
    public static func fileName(_ path: String, members: Bool = true) -> String {
        if members, let bang = memberSeparator(path) {
            return fileName(String(path[..<bang]), members: false) + String(path[bang...])
        }
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let i = p.lastIndex(of: "/") else { return String(p) }
        return String(p[p.index(after: i)...])
    }

    public static func memberSeparator(_ path: String) -> String.Index? {
        var i = path.startIndex
        while let bang = path[i...].firstIndex(of: "!") {
            let next = path.index(after: bang)
            if next < path.endIndex, path[next] != "/", bang > path.startIndex, path[path.index(before: bang)] != "/" {
                return bang
            }
            i = next
        }
        return nil
    }
}
