import TallyMetrics
import TallyStore

/// Figure SQL run on a store's SQLite database, read in one snapshot by the caller.
public struct StoreFigureSQL: FigureSQLRunner {
    public let db: Database

    public init(_ store: Store) { db = store.db }
    public init(db: Database) { self.db = db }

    public func rows(_ sql: String, _ parameters: [(name: String, value: FigureSQLValue)]) throws -> [[FigureSQLValue]] {
        let s = try db.prepare(sql)
        try s.bind(named: parameters.map { p in
            switch p.value {
            case .null: return (p.name, SQLValue.null)
            case .int(let x): return (p.name, .int(x))
            case .double(let d): return (p.name, .double(d))
            case .text(let t): return (p.name, .text(t))
            }
        })
        var out: [[FigureSQLValue]] = []
        while try s.step() {
            out.append((0..<s.columnCount).map { i in
                switch s.value(i) {
                case .null: return .null
                case .int(let x): return .int(x)
                case .double(let d): return .double(d)
                case .text(let t): return .text(t)
                }
            })
        }
        return out
    }
}
