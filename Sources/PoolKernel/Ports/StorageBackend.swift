/// The storage port: a transactional store for users (the dcrstakepool `Users`, `EmailChange`, `PasswordReset`
/// tables) and the engine's own tables (sessions, mail outbox, vote audit, low-fee tickets, rate counters,
/// captcha challenges).
///
/// Plugins: `StorageSQLite` (`storage=sqlite`), `StorageMySQL` (`storage=mysql`); tests use PoolTestKit's
/// `InMemoryStorage`. All pass `StorageConformanceTests`.
///
/// ```swift
/// let id = try await storage.write { tx in
///     let id = try tx.insertUser(user)
///     _ = try tx.enqueueMail(verificationMail)   // committed together with the user, or not at all
///     return id
/// }
/// ```
///
/// Contract:
/// - `migrate()` must be called once before `read`/`write`; other calls may throw `schema-missing` before it.
/// - Bodies are synchronous and must not call back into the backend or wait on anything but the store.
/// - A write body may run more than once when the engine reports a deadlock or serialization failure, so it
///   must have no side effects outside the writer. After the retries `conflict` is thrown.
/// - Engine trouble throws `StorageError` (`unavailable` when the server is gone; the next call reconnects).
/// - Errors thrown by a body are rethrown unchanged after the rollback.
public protocol StorageBackend: Sendable {
    /// Plugin name (`sqlite`, `mysql`, `memory`).
    var engineName: String { get }

    /// Creates missing tables and applies pending migrations (each in a transaction where the engine allows;
    /// existing rows are never changed). Idempotent. Throws `schema-too-new` when the database was migrated by
    /// a newer binary (nothing is touched).
    func migrate() async throws

    /// The schema version of the database and the migrations this binary would apply.
    func schemaStatus() async throws -> SchemaStatus

    /// Runs `body` in a read-only transaction (a consistent snapshot) and returns its result.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StorageReader) throws -> T) async throws -> T

    /// Runs `body` in one read-write transaction: committed if it returns, rolled back if it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> T) async throws -> T

    /// The user with this id, or nil. Like `read { $0.user(id:) }`; engines answer it with one statement and no
    /// explicit transaction (one statement is its own snapshot), the hot path of every signed-in request.
    func user(id: UserId) async throws -> User?
    /// The user with this API token, or nil (see `user(id:)`).
    func user(apiToken: String) async throws -> User?
    /// The user with this email (`EmailKey` comparison), or nil (see `user(id:)`).
    func user(email: String) async throws -> User?

    /// Closes connections. Later calls throw `closed`. Idempotent.
    func shutdown() async
}
