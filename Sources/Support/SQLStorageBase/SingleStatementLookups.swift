import PoolKernel

/// The hottest user look-ups (by id, API token, email) as single statements outside a transaction, shared by
/// the SQL engines: each engine only says how to run one statement on a connection it owns.
public protocol SingleStatementLookups: StorageBackend {
    /// Runs `body`, which runs at most one statement, in autocommit mode: one SELECT is its own consistent
    /// read, so the BEGIN/COMMIT pair of `read` would only add round trips to these look-ups.
    func readOneStatement<T: Sendable>(_ body: @escaping @Sendable (SQLStorageTransaction) throws -> T) async throws -> T
}

extension SingleStatementLookups {
    public func user(id: UserId) async throws -> User? { try await readOneStatement { try $0.user(id: id) } }
    public func user(apiToken: String) async throws -> User? { try await readOneStatement { try $0.user(apiToken: apiToken) } }
    public func user(email: String) async throws -> User? { try await readOneStatement { try $0.user(email: email) } }
}
