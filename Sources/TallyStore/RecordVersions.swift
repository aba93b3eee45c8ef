import TallyCore

extension Store {
    /// Every version of every record of `kind` (revisions.md): the current versions of the
    /// record table and the superseded ones of `<kind>_history`, with `columns` (record
    /// columns, unqualified) followed by `change`, `changed_fields`, `valid_from` (the batch
    /// the version became current in), `superseded_in`, `superseded_as` (null while current),
    /// `file_id`, `line` and `version_order` (orders the versions of a key within one batch:
    /// superseded versions in the order they were written, the current one last).
    ///
    /// The versions of a key, ordered by `valid_from, version_order`, are its history: the
    /// vintage after batch N holds the one with `valid_from <= N < superseded_in` (or current).
    public static func versionsSQL(_ kind: RecordKind, columns: String) -> String {
        let table = kind.rawValue
        return """
            SELECT \(columns), change, changed_fields,
                   coalesce(valid_from, (SELECT f.batch_id FROM files f WHERE f.id = \(table).file_id)) AS valid_from,
                   NULL AS superseded_in, NULL AS superseded_as, file_id, line, 9223372036854775807 AS version_order
            FROM \(table)
            UNION ALL
            SELECT \(columns), change, changed_fields, valid_from, superseded_in, superseded_as, file_id, line,
                   rowid AS version_order
            FROM \(table)_history
            """
    }
}
