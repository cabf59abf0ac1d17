/// One database connection inside an open transaction, as the shared SQL storage code sees it. Implemented by
/// each SQL storage plugin over its C API (prepared statements only: values are always bound, never spliced).
public protocol SQLExecutor {
    /// Runs a statement that returns rows.
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
    /// Runs a statement that returns rows and maps each row while it is current (the row is valid only inside
    /// `transform`). The default maps the rows of `query`; a plugin can read its cursor directly instead.
    func query<T>(_ sql: String, _ arguments: [SQLValue], map transform: (any SQLRow) throws -> T) throws -> [T]
    /// Runs a statement that changes rows; returns the affected row count and the last inserted id.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> SQLChange
}

extension SQLExecutor {
    public func query<T>(_ sql: String, _ arguments: [SQLValue], map transform: (any SQLRow) throws -> T) throws -> [T] {
        try query(sql, arguments).map { try transform($0) }
    }
}

/// What a changing statement did.
public struct SQLChange: Sendable {
    public var affectedRows: Int
    public var lastInsertId: Int64
    public init(affectedRows: Int, lastInsertId: Int64) {
        self.affectedRows = affectedRows
        self.lastInsertId = lastInsertId
    }
}
