import Foundation
import TallyCore

public enum VintageError: Error, CustomStringConvertible {
    case noBatch(Int, latest: Int?)
    case noBatchBy(String, first: String?)
    case malformed(String)
    case empty

    public var description: String {
        switch self {
        case let .noBatch(n, latest):
            return "--vintage \(n): the store has no batch \(n)" + (latest.map { " (batches 1 to \($0))" } ?? " (nothing loaded)")
        case let .noBatchBy(time, first):
            return "--vintage \(time): no batch had finished by then" + (first.map { " (the first finished at \($0))" } ?? "")
        case .malformed(let text):
            return "--vintage '\(text)': expected a batch number (tally status lists them) or a time YYYY-MM-DD[THH:MM[:SS]Z|±HH:MM]"
        case .empty:
            return "the store holds no batch yet: load data first with `tally ingest FILE...`"
        }
    }
}

extension Store {
    /// The newest batch (the latest vintage), or nil in an empty store.
    public func latestBatch() throws -> Int? {
        try db.scalarInt("SELECT max(id) FROM batches")
    }

    /// The vintage `spec` names: nil for the latest; a batch number; or a time, meaning the
    /// latest batch finished at or before it (a date alone: the end of that day, UTC).
    public func vintage(_ spec: String?) throws -> Vintage {
        guard let spec else {
            guard var n = try latestBatch() else { throw VintageError.empty }
            // A batch still loading (its writer holds the lock) is not a vintage yet: the
            // figures would describe part of it, and a bulletin made from them could never
            // verify. The one before it is the latest.
            if try db.scalarText("SELECT finished_at FROM batches WHERE id = ?", [.int(Int64(n))]) == nil,
               WriterLock.currentHolder(store: db.path) != nil {
                guard let before = try db.scalarInt("SELECT max(id) FROM batches WHERE id < ?", [.int(Int64(n))]) else {
                    throw VintageError.empty
                }
                n = before
            }
            return try vintage(batch: n)
        }
        let text = spec.trimmingCharacters(in: .whitespaces)
        if let n = Int(text) {
            guard n >= 1, try db.scalarInt("SELECT id FROM batches WHERE id = ?", [.int(Int64(n))]) != nil else {
                throw VintageError.noBatch(n, latest: try latestBatch())
            }
            return try vintage(batch: n)
        }
        guard let limit = Self.utcText(text) else { throw VintageError.malformed(spec) }
        // finished_at is ISO 8601 UTC text: it orders as time does.
        guard let n = try db.scalarInt("SELECT max(id) FROM batches WHERE finished_at IS NOT NULL AND finished_at <= ?",
                                       [.text(limit)]) else {
            throw VintageError.noBatchBy(spec, first: try db.scalarText("SELECT min(finished_at) FROM batches"))
        }
        return try vintage(batch: n)
    }

    func vintage(batch n: Int) throws -> Vintage {
        Vintage(batch: n, finishedAt: try db.scalarText("SELECT finished_at FROM batches WHERE id = ?", [.int(Int64(n))]))
    }

    /// A time as the `YYYY-MM-DDTHH:MM:SSZ` text batches carry; a date is the end of that day.
    static func utcText(_ text: String) -> String? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: text) { return f.string(from: d) }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return ISO8601DateFormatter().string(from: d) }
        // `YYYY-MM-DDTHH:MM` then a zone: that minute (the formatter wants seconds).
        let chars = Array(text)
        if chars.count > 16, chars[10] == "T", chars[13] == ":", chars[16] == "Z" || chars[16] == "+" || chars[16] == "-" {
            return utcText(String(chars[..<16]) + ":00" + String(chars[16...]))
        }
        // A date alone, and nothing else: the formatter would also take the date of a longer
        // text (a time without a zone) and ignore the rest.
        guard chars.count == 10 else { return nil }
        f.formatOptions = [.withFullDate]
        if let d = f.date(from: text) { return ISO8601DateFormatter().string(from: d.addingTimeInterval(86_399)) }
        return nil
    }
}
