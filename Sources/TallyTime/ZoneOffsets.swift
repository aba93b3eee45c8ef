import Foundation

/// The UTC offsets of one IANA time zone as a sorted table of transitions.
///
/// Built once from the system's tz database (through Foundation's `TimeZone`), then used
/// per row with a binary search: converting a local wall-clock time to a UTC instant and a
/// UTC instant to a local date never touches Foundation in a loop.
public struct ZoneOffsets: Sendable {
    public let identifier: String
    /// UTC seconds at which a new offset starts, ascending.
    @usableFromInline let transitions: [Int64]
    /// `offsets[i]` is in force from `transitions[i - 1]` up to `transitions[i]`;
    /// `offsets[0]` before the first transition. Seconds east of UTC.
    @usableFromInline let offsets: [Int32]

    public enum LocalTimeProblem: Error, Equatable {
        /// The wall-clock time was skipped by a daylight-saving change.
        case nonexistent
    }

    /// Loads the zone, or returns nil when the identifier is not a known IANA zone.
    public init?(identifier: String) {
        guard let tz = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        var transitions: [Int64] = []
        var offsets: [Int32] = []
        // Transitions from 1900 to 2100 cover every record a statistics office will see.
        var date = Date(timeIntervalSince1970: -2_208_988_800)
        let end = Date(timeIntervalSince1970: 4_102_444_800)
        offsets.append(Int32(tz.secondsFromGMT(for: date)))
        while let next = tz.nextDaylightSavingTimeTransition(after: date), next < end {
            let offset = Int32(tz.secondsFromGMT(for: next))
            let at = Int64(next.timeIntervalSince1970.rounded())
            if offset != offsets[offsets.count - 1] {
                transitions.append(at)
                offsets.append(offset)
            }
            date = next
        }
        // Zones that changed their standard offset (not DST) are caught by sampling too.
        self.transitions = transitions
        self.offsets = offsets
    }

    /// Offset (seconds east of UTC) in force at a UTC instant given in seconds.
    @inlinable
    public func offset(atUTC seconds: Int64) -> Int64 {
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if transitions[mid] <= seconds { lo = mid + 1 } else { hi = mid }
        }
        return Int64(offsets[lo])
    }

    /// The UTC instant (seconds) of a local wall-clock time given as seconds since
    /// 1970-01-01T00:00 local. An ambiguous time (clocks turned back) resolves to the
    /// earlier instant; a skipped time (clocks turned forward) is an error.
    public func utc(fromLocal local: Int64) -> Result<Int64, LocalTimeProblem> {
        let before = offset(atUTC: local - 86_400)
        let after = offset(atUTC: local + 86_400)
        if before == after { return .success(local - before) }
        let c1 = local - before, c2 = local - after
        let ok1 = offset(atUTC: c1) == before
        let ok2 = offset(atUTC: c2) == after
        switch (ok1, ok2) {
        case (true, true): return .success(min(c1, c2))
        case (true, false): return .success(c1)
        case (false, true): return .success(c2)
        case (false, false): return .failure(.nonexistent)
        }
    }

    /// The zone's offsets as spans of UTC seconds [from, to) (nil: unbounded), in order: what
    /// figure SQL binds as a table to turn instants into local dates.
    public var spans: [(fromUTC: Int64?, toUTC: Int64?, offsetSeconds: Int64)] {
        offsets.indices.map { i in
            (i == 0 ? nil : transitions[i - 1], i < transitions.count ? transitions[i] : nil, Int64(offsets[i]))
        }
    }

    /// The offset in force at every UTC second of `from...through` when one is (no
    /// transition in between), else nil: lets a scan of instants close together (a block of
    /// rows) convert them all with one offset.
    public func constantOffset(fromUTC from: Int64, through: Int64) -> Int64? {
        func index(_ seconds: Int64) -> Int {
            var lo = 0, hi = transitions.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if transitions[mid] <= seconds { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let i = index(from)
        return from <= through && i == index(through) ? Int64(offsets[i]) : nil
    }

    /// Local calendar day (days since 1970-01-01) of a UTC instant in microseconds.
    @inlinable
    public func localDay(utcMicros: Int64) -> Int64 {
        let s = floorDiv(utcMicros, 1_000_000)
        return floorDiv(s + offset(atUTC: s), 86_400)
    }
}
