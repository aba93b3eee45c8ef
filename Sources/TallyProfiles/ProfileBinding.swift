import Foundation
import TallyCore

/// A source profile bound to one file's (or sheet's) header row: turns each data row of
/// strings into a contract row, a row to skip, or a problem naming the source's column.
///
/// Locations are the caller's: it passes each row's place (a CSV line, later a sheet row)
/// through and reports problems there; `Outcome.problem` gives the field's index so that a
/// spreadsheet reader can name the cell (`C17`).
public final class ProfileBinding: @unchecked Sendable {
    public let profile: SourceProfile
    public let header: [String]
    /// For each contract column (schema order): the index of its field in the source row, or -1.
    public let fieldIndex: [Int]
    /// Header cells that no rule claims (ignored, reported once), as written.
    public let unknownColumns: [String]
    /// Required contract columns whose header is missing (and that have no default or constant).
    public let missingRequired: [String]
    let rules: [SourceProfile.ColumnRule?]  // per contract column
    let labelMaps: [[String: String]]      // per contract column: normalised label → value
    let schema: RecordSchema
    /// The totals words as compared (no spaces, lower case), and the longest one as written with
    /// spaces to spare: a longer first cell cannot be one (most rows are not looked at further).
    let totalsKeys: Set<String>
    /// Per contract column, its name for messages (see `sourceName(of:)`).
    let names: [String]
    let maxTotalsLength: Int

    public enum Outcome: Equatable {
        /// A contract row: one text per contract column in the schema's order ("" for null).
        case row([String])
        /// Not a record (a blank, totals or note row), with the reason.
        case skip(String)
        /// The row cannot be mapped: the source's column (header as written), its index in the
        /// row (nil for the row as a whole), the value as written and why.
        case problem(column: String?, field: Int?, value: String, reason: String)
    }

    init(profile: SourceProfile, header: [String]) {
        self.profile = profile
        self.header = header
        let schema = profile.kind.schema
        self.schema = schema
        totalsKeys = Set(profile.totals.map(SourceProfile.headerKey))
        maxTotalsLength = (profile.totals.map(\.count).max() ?? 0) * 3 + 8
        let keys = header.map(SourceProfile.headerKey)
        var index: [Int] = []
        var rules: [SourceProfile.ColumnRule?] = []
        var claimed = Set<Int>()
        for spec in schema.columns {
            let rule = profile.columns.first { $0.column == spec.name }
            rules.append(rule)
            var found = -1
            if let rule {
                // The first spelling present wins; a header cell used twice is the first one.
                for h in rule.headers {
                    if let i = keys.firstIndex(of: SourceProfile.headerKey(h)) { found = i; break }
                }
            }
            if found >= 0 { claimed.insert(found) }
            index.append(found)
        }
        fieldIndex = index
        self.rules = rules
        unknownColumns = header.enumerated().filter { !claimed.contains($0.offset) && !$0.element.trimmingSpaces.isEmpty }
            .map(\.element)
        missingRequired = zip(schema.columns, index).filter { spec, i in
            spec.required && i < 0 && profile.constants[spec.name] == nil && profile.defaults[spec.name] == nil
        }.map { spec, _ in rules[schema.index(of: spec.name)!]?.headers[0] ?? spec.name }
        names = schema.columns.enumerated().map { c, spec in
            index[c] >= 0 ? header[index[c]].trimmedWhitespace : rules[c]?.headers[0] ?? spec.name
        }
        labelMaps = rules.map { rule in
            var m: [String: String] = [:]
            for (label, value) in rule?.labels ?? [] { m[Self.labelKey(label)] = value }
            return m
        }
    }

    /// Labels compare trimmed and without ASCII letter case (`y` is `Y`).
    static func labelKey(_ s: some StringProtocol) -> String {
        s.trimmedWhitespace.lowercased()
    }

    /// The source's name of a contract column: its header as written in the file, else the
    /// profile's first spelling, else the contract name (a constant or default).
    public func sourceName(of column: String) -> String {
        guard let c = schema.index(of: column) else { return column }
        return names[c]
    }

    /// The field index of a contract column in the source row, or nil.
    public func field(of column: String) -> Int? {
        guard let c = schema.index(of: column), fieldIndex[c] >= 0 else { return nil }
        return fieldIndex[c]
    }

    /// Whether a row is not a record: blank, totals, or a note.
    public func skipReason(_ row: [String]) -> String? {
        guard let first = row.first(where: { $0.contains { !$0.isWhitespace } }) else {
            return "blank row"
        }
        if first.count <= maxTotalsLength && totalsKeys.contains(SourceProfile.headerKey(first)) { return "totals row" }
        let trimmed = first.trimmedWhitespace
        if profile.notes.contains(where: { trimmed.hasPrefix($0) }) { return "note row" }
        return nil
    }

    /// Maps one data row. Rows shorter than the header are read with empty cells at the end
    /// (spreadsheets drop trailing empty cells); cells past the header must be empty.
    public func map(_ row: [String]) -> Outcome {
        if let reason = skipReason(row) { return .skip(reason) }
        if row.count > header.count, let extra = row[header.count...].firstIndex(where: { !$0.trimmingSpaces.isEmpty }) {
            return .problem(column: nil, field: extra, value: String(row[extra].prefix(RowProblem.maxValueLength)),
                            reason: "a value in field \(extra + 1), past the header's \(header.count) columns")
        }
        var out: [String] = []
        out.reserveCapacity(schema.columns.count)
        var problems: [(column: String, field: Int, value: String, reason: String)] = []
        for (c, spec) in schema.columns.enumerated() {
            if let constant = profile.constants[spec.name] {
                out.append(constant)
                continue
            }
            let i = fieldIndex[c]
            let raw = i >= 0 && i < row.count ? row[i].trimmedWhitespace : ""
            if raw.isEmpty {
                out.append(profile.defaults[spec.name] ?? "")
                continue
            }
            switch convert(raw, column: c, spec: spec) {
            case .success(let v): out.append(v)
            case .failure(let p):
                problems.append((names[c], i, String(raw.prefix(RowProblem.maxValueLength)), p.reason))
                out.append("")
            }
        }
        if let first = problems.first {
            var reason = first.reason
            if problems.count > 1 {
                reason += " (and \(problems.count - 1) more: " + problems.dropFirst().map(\.column).joined(separator: ", ") + ")"
            }
            return .problem(column: first.column, field: first.field, value: first.value, reason: reason)
        }
        return .row(out)
    }

    struct Failure: Error { let reason: String }

    func convert(_ raw: String, column c: Int, spec: ColumnSpec) -> Result<String, Failure> {
        let name = names[c]
        let labels = labelMaps[c]
        let rule = rules[c]
        if spec.kind.code == .set {
            return mapSet(raw, column: c, name: name)
        }
        if !labels.isEmpty {
            if let v = labels[Self.labelKey(raw)] { return .success(v) }
            if rule?.keepOther != true {
                return .failure(Failure(reason: "'\(raw)' is not a label of \(name); allowed: " + allowedLabels(c)))
            }
        }
        switch spec.kind.code {
        case .date, .timestamp:
            return convertDate(raw, rule: rule, timestamp: spec.kind.code == .timestamp, name: name)
        case .int:
            return convertInt(raw, thousands: rule?.thousands, name: name)
        default:
            return .success(raw)
        }
    }

    func allowedLabels(_ c: Int) -> String {
        (rules[c]?.labels ?? []).map(\.label).joined(separator: ", ")
    }

    func mapSet(_ raw: String, column c: Int, name: String) -> Result<String, Failure> {
        let labels = labelMaps[c]
        let separators = Set((rules[c]?.separator ?? ",") + ";")
        var items: [String] = []
        for item in raw.split(whereSeparator: { separators.contains($0) }) {
            let key = Self.labelKey(item)
            if key.isEmpty { continue }
            if labels.isEmpty {
                items.append(key)
            } else if let v = labels[key] {
                items.append(v)
            } else {
                return .failure(Failure(reason: "'\(item.trimmedWhitespace)' is not a label of \(name); allowed: "
                    + allowedLabels(c)))
            }
        }
        return .success(items.joined(separator: ";"))
    }

    func convertInt(_ raw: String, thousands: String?, name: String) -> Result<String, Failure> {
        var text = Substring(raw)
        // Excel numbers arrive as decimal text: `25.0` is 25, `25.5` is not a whole number.
        if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].allSatisfy({ $0 == "0" }),
           text.index(after: dot) < text.endIndex {
            text = text[..<dot]
        }
        guard let sep = thousands?.first, text.contains(sep) else { return .success(String(text)) }
        // Groups of three digits after the first group of one to three: `1,500,000`, not `15,00`.
        let negative = text.hasPrefix("-")
        let groups = (negative ? text.dropFirst() : text).split(separator: sep, omittingEmptySubsequences: false)
        let ok = groups.count > 1 && (1...3).contains(groups[0].count)
            && groups.dropFirst().allSatisfy { $0.count == 3 } && groups.allSatisfy { $0.allSatisfy(\.isASCIIDigit) }
        guard ok else {
            return .failure(Failure(reason: "expected a whole number, with '\(sep)' between groups of three digits, in \(name)"))
        }
        return .success((negative ? "-" : "") + groups.joined())
    }

    func convertDate(_ raw: String, rule: SourceProfile.ColumnRule?, timestamp: Bool, name: String) -> Result<String, Failure> {
        let forms = rule?.formats ?? [.iso]
        var excelProblem: ExcelSerial.Problem?
        for form in forms {
            var value: LocalDateTime?
            switch form {
            case .iso:
                if let (v, offset) = LocalDateTime.parseISO(raw) {
                    // A time with its own offset (or Z) is kept as written.
                    if timestamp, offset != nil { return .success(raw) }
                    value = v
                }
            case .excel:
                switch ExcelSerial.localDateTime(raw, system: profile.excelSystem) {
                case .success(let v): value = v
                case .failure(.malformed): break
                case .failure(let p): excelProblem = p
                }
            case .pattern(let p):
                value = p.parse(raw)
            }
            guard let value else { continue }
            if !timestamp { return .success(value.isoDate) }
            guard let zone = profile.timeZone else { return .success(value.isoDateTime) }
            switch zone.utc(fromLocal: value.localSeconds) {
            case .success(let utc):
                return .success(value.isoDateTime + Self.offsetText(value.localSeconds - utc))
            case .failure:
                return .failure(Failure(reason: "\(name): local time \(value.isoDateTime) does not exist in \(zone.identifier) (skipped by a daylight-saving change)"))
            }
        }
        if let excelProblem { return .failure(Failure(reason: "\(name): \(excelProblem.description)")) }
        return .failure(Failure(reason: "'\(raw)' is in none of the date forms of \(name): "
            + forms.map(\.description).joined(separator: ", ")))
    }

    static func offsetText(_ seconds: Int64) -> String {
        let a = abs(Int(seconds))
        return (seconds < 0 ? "-" : "+") + CivilDate.pad(a / 3600, 2) + ":" + CivilDate.pad(a / 60 % 60, 2)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

public extension StringProtocol {
    /// Without leading and trailing white space (spaces, tabs, line breaks, no-break spaces):
    /// Foundation's `trimmingCharacters` is slow on Linux, and this runs for every cell.
    var trimmedWhitespace: String {
        if let f = first, let l = last, !f.isWhitespace, !l.isWhitespace { return String(self) }
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
