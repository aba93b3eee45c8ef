/// Finds a file's header among its first rows and the source profile it belongs to: the one
/// given (`--source`), or the only one of all profiles whose header it is.
///
/// Rows are offered one at a time, with their place (CSV line, sheet row) as the user sees it;
/// rows before the header (titles, dates of extraction) are not records.
public struct ProfileFinder {
    public let candidates: [SourceProfile]
    /// Whether the profile was named by the user (then a row that is not its header is looked
    /// past, and a failure names what the header lacks).
    public let given: Bool
    var rowsSeen = 0
    var best: (profile: SourceProfile, missing: [String])?

    public enum Step {
        /// Not yet: offer the next row.
        case next
        /// This row is the header of that profile.
        case found(SourceProfile)
        /// No header can be found: the message says why (one line).
        case failed(String)
    }

    public init(candidates: [SourceProfile], given: Bool) {
        self.candidates = candidates
        self.given = given
    }

    /// Rows searched at most: the largest `header.within` (or `header.row`) of the candidates.
    public var limit: Int { candidates.map { $0.headerRow ?? $0.headerWithin }.max() ?? 0 }

    public mutating func offer(_ row: [String], place: Int) -> Step {
        rowsSeen += 1
        var matches: [SourceProfile] = []
        for p in candidates {
            let inReach = p.headerRow.map { $0 == place } ?? (rowsSeen <= p.headerWithin)
            guard inReach else { continue }
            if p.isHeader(row) {
                matches.append(p)
            } else if given {
                let missing = p.missingHeaders(row)
                if best == nil || missing.count < best!.missing.count { best = (p, missing) }
            }
        }
        if matches.count == 1 { return .found(matches[0]) }
        if matches.count > 1 {
            return .failed("the header on line \(place) fits several source profiles ("
                + matches.map(\.name).joined(separator: ", ") + "); give --source NAME")
        }
        if rowsSeen >= limit { return .failed(failure()) }
        return .next
    }

    /// Called when the rows ran out before a header was found.
    public func failure() -> String {
        if given, let p = candidates.first {
            let missing = best?.missing ?? p.requiredRules.map { $0.headers[0] }
            let reach = p.headerRow.map { "on line \($0)" } ?? "in the first \(p.headerWithin) rows"
            return "no header of source profile \(p.name) \(reach): no row names " + missing.joined(separator: ", ")
        }
        return "cannot tell the record kind: the header has none (or several) of arrest_id, victim_id, request_id, "
            + "and no source profile (" + candidates.map(\.name).joined(separator: ", ") + ") finds its header in the first rows; give --kind or --source"
    }
}
