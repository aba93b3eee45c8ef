/// Disclosure control for tables that break victims down (metrics.md): a cell from 1 to
/// `threshold − 1` is hidden (primary suppression); then, wherever a published sum covers a
/// group of cells (a row or column total, the table's total, a headline such as the minors
/// count over the minor age bands), a group with exactly one hidden cell gets a second one —
/// the smallest other cell, so the least information is lost — until no hidden value can be
/// derived by subtraction from one published sum.
public enum Disclosure {
    /// Which cells to hide. `groups` lists sets of cell indices whose sum is published.
    public static func suppress(_ cells: [Int], groups: [[Int]], threshold: Int = 5) -> [Bool] {
        var hidden = cells.map { $0 >= 1 && $0 < threshold }
        guard hidden.contains(true) else { return hidden }
        var changed = true
        while changed {
            changed = false
            for g in groups {
                let hiddenInGroup = g.filter { hidden[$0] }
                guard hiddenInGroup.count == 1 else { continue }
                // Smallest visible cell of the group (ties: the first); none left means the
                // group is all hidden but one, which is then derivable only with another sum.
                if let pick = g.filter({ !hidden[$0] }).min(by: { cells[$0] < cells[$1] }) {
                    hidden[pick] = true
                    changed = true
                }
            }
        }
        return hidden
    }

    /// Rows × columns table with row totals, column totals and a grand total published.
    public static func suppress(table: [[Int]], threshold: Int = 5) -> [[Bool]] {
        let rows = table.count, cols = table.first?.count ?? 0
        let flat = table.flatMap { $0 }
        var groups: [[Int]] = []
        for r in 0..<rows { groups.append((0..<cols).map { r * cols + $0 }) }
        for c in 0..<cols { groups.append((0..<rows).map { $0 * cols + c }) }
        let h = suppress(flat, groups: groups, threshold: threshold)
        return (0..<rows).map { r in Array(h[(r * cols)..<(r * cols + cols)]) }
    }
}
