/// One result row as the shared SQL code reads it, column by column, with `SQLValue`'s conversions (NULL reads as
/// 0 / `""`, text holding a number reads as that number, a blob reads as UTF-8 text). A plugin may read columns
/// straight from its engine's cursor (no `[SQLValue]` built per row); `[SQLValue]` is a row too.
public protocol SQLRow {
    var columnCount: Int { get }
    func int64(_ column: Int) -> Int64
    func string(_ column: Int) -> String
}

extension Array: SQLRow where Element == SQLValue {
    public var columnCount: Int { count }
    public func int64(_ column: Int) -> Int64 { self[column].int64 }
    public func string(_ column: Int) -> String { self[column].string }
}
