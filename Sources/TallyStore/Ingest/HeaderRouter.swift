import Foundation
import TallyCore
import TallyProfiles

/// Finds a file's header from rows of strings, whatever they were read from — a CSV file today,
/// a spreadsheet's sheet once those are read — and sets up where the rows after it go:
///
/// - a **contract** header on the first row (or `--kind`): rows are validated as they are;
/// - else the header of a **source profile** (the one given with `--source`, or the only one of
///   the profile folder whose header is among the first rows): rows are mapped by the profile,
///   then validated.
///
/// The CSV path offers rows here only until the header is known, then hands the reader's rows
/// to the route's sink directly (no strings). A reader of other sources offers every row as
/// strings: `offer` until it returns a route, then `take(fields:line:)`; `finish` at the end.
final class HeaderRouter {
    enum Route {
        case contract(RowSink)
        case profile(ProfileSink)
    }

    private(set) var route: Route?
    private let options: IngestOptions
    private let zone: ZoneOffsets
    private let now: Int64
    private let output: Channel<RowParser.Message>
    private let free: Channel<RowBatch>
    private var finder: ProfileFinder?
    private var aboveHeader: [Int] = []
    private var first = true
    private var packed = PackedRow()

    /// Kinds whose rows are built into engine columns too, and the builder of this file's.
    private let segmentKinds: Set<RecordKind>
    private let segmentCapacity: Int
    private(set) var segment: SegmentBuilder?

    init(options: IngestOptions, zone: ZoneOffsets, now: Int64, output: Channel<RowParser.Message>, free: Channel<RowBatch>,
         segmentKinds: Set<RecordKind> = [], segmentCapacity: Int = 1024) {
        self.segmentKinds = segmentKinds
        self.segmentCapacity = segmentCapacity
        self.options = options
        self.zone = zone
        self.now = now
        self.output = output
        self.free = free
    }

    /// The profile's sink, when a profile reads the file.
    var profileSink: ProfileSink? {
        if case .profile(let p)? = route { return p }
        return nil
    }

    /// A row offered while the header is not known (its cells trimmed of spaces), at `line` (as
    /// the user sees it). Returns the route when this row was the header; nil when the header is
    /// still to come. Throws `FileRejection` when the file cannot be read.
    func offer(_ header: [String], line: Int) throws -> Route? {
        precondition(route == nil, "the header is known already")
        if first {
            first = false
            if let source = options.source {
                finder = ProfileFinder(candidates: [source], given: true)
            } else if options.kind == nil && RecordSchema.detect(header: header) == nil && !options.profiles.isEmpty {
                finder = ProfileFinder(candidates: options.profiles, given: false)
            }
        }
        if var f = finder {
            let step = f.offer(header, place: line)
            finder = f
            switch step {
            case .next:
                aboveHeader.append(line)
                return nil
            case .failed(let message):
                throw FileRejection(message: message)
            case .found(let profile):
                finder = nil
                let binding = try RowParser.bind(profile, header: header)
                let contractHeader = profile.kind.schema.columns.map(\.name)
                let (kind, validator) = try Store.checkHeader(kind: profile.kind, contractHeader, options: options, zone: zone)
                let rows = try start(kind, validator, header: header, binding: binding)
                let route = Route.profile(ProfileSink(binding: binding, rows: rows, skippedAbove: aboveHeader))
                self.route = route
                return route
            }
        }
        let (kind, validator) = try Store.checkHeader(header, options: options, zone: zone)
        let route = Route.contract(try start(kind, validator, header: header, binding: nil))
        self.route = route
        return route
    }

    private func start(_ kind: RecordKind, _ validator: RowValidator, header: [String], binding: ProfileBinding?) throws -> RowSink {
        validator.rejectFuture(now: now)
        for _ in 0..<RowParser.spareBatches { free.send(RowBatch(schema: kind.schema, jsonSets: validator.jsonSets)) }
        if segmentKinds.contains(kind) {
            segment = SegmentBuilder(kind: kind, registry: options.platforms, capacity: segmentCapacity)
        }
        let rows = RowSink(validator: validator, batch: RowBatch(schema: kind.schema, jsonSets: validator.jsonSets),
                           output: output, free: free, header: header, maxFieldBytes: options.maxFieldBytes,
                           strictPlatforms: options.strictPlatforms ? options.platforms : nil, segment: segment)
        guard output.send(.header(kind, validator, binding)) else { throw RowParser.Cancelled() }
        return rows
    }

    /// A data row of strings after the header (for readers other than CSV's).
    func take(fields: [String], line: Int) throws {
        switch route {
        case nil:
            preconditionFailure("a data row before the header")
        case .profile(let p)?:
            if let i = fields.firstIndex(where: { $0.utf8.count > options.maxFieldBytes }) {
                p.rows.appendProblem(line: line, column: i < p.binding.header.count ? p.binding.header[i] : "field \(i + 1)",
                                     value: String(fields[i].prefix(RowProblem.maxValueLength)), reason: p.rows.tooLong,
                                     cell: p.sheetCell?(i, line))
                try p.rows.sendIfFull()
            } else {
                try p.take(fields: fields, line: line)
            }
        case .contract(let rows)?:
            if let i = fields.firstIndex(where: { $0.utf8.count > options.maxFieldBytes }) {
                rows.appendProblem(line: line, column: i < rows.header.count ? rows.header[i] : "field \(i + 1)",
                                   value: String(fields[i].prefix(RowProblem.maxValueLength)), reason: rows.tooLong)
            } else if fields.count != rows.validator.headerCount {
                rows.appendProblem(line: line, column: nil, value: "",
                                   reason: "the row has \(fields.count) fields, the header has \(rows.validator.headerCount)")
            } else {
                packed.set(fields.map(\.trimmingSpaces))
                packed.withSource { source, bytes in rows.validateAndAppend(source, line: line, rowBytes: bytes) }
            }
            try rows.sendIfFull()
        }
    }

    /// The end of the rows: sends the last batch, or rejects the file when its header was never found.
    func finish() throws {
        if let finder { throw FileRejection(message: finder.failure()) }
        switch route {
        case .contract(let rows)?: try rows.flush()
        case .profile(let p)?: try p.rows.flush()
        case nil: break
        }
    }
}
