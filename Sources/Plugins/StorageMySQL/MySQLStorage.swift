import Foundation
import PoolKernel
import PoolSystem
import SQLStorageBase
import Synchronization

/// The MySQL/MariaDB `StorageBackend`: a pool of connections, each running one transaction at a time on its own
/// owner thread. Transactions that hit a deadlock or lock-wait timeout are run again (up to `maxAttempts`).
public final class MySQLStorage: SingleStatementLookups {
    public let engineName = MySQLStoragePlugin.name
    public let configuration: MySQLStoragePlugin.Configuration
    private let logger: Logger
    private let connections: [MySQLConnection]
    private let nextConnection = Atomic<Int>(0)
    private let state = Mutex(State())
    /// Attempts per write transaction when MySQL reports a deadlock.
    static let maxAttempts = 8

    private struct State {
        var closed = false
        var schemaReady = false
    }

    /// A backend for the server in `configuration`. Nothing connects until the first call.
    public init(configuration: MySQLStoragePlugin.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        connections = (0..<max(1, configuration.poolSize)).map {
            MySQLConnection(configuration: configuration, label: "mysql-\($0)")
        }
    }

    private func connection() throws -> MySQLConnection {
        if state.withLock({ $0.closed }) { throw StorageError(.closed, "storage was shut down") }
        // The first idle connection (one caller keeps one warm thread), else the connections in turn.
        return OwnerThread.pick(connections, owner: \.owner,
                                rotation: nextConnection.add(1, ordering: .relaxed).oldValue)
    }

    // MARK: Schema

    public func migrate() async throws {
        let applied = try await connection().perform { connection -> [String] in
            try connection.simple(MySQLSchema.versionTable)
            // Two processes starting at once must not migrate concurrently (MySQL DDL is not transactional).
            let locked = try connection.query("SELECT GET_LOCK('hxstakepool.migrate', 60)", []).first?.first?.int64
            guard locked == 1 else { throw StorageError(.busy, "another process is migrating the database") }
            defer { _ = try? connection.query("SELECT RELEASE_LOCK('hxstakepool.migrate')", []) }
            let current = try Self.currentVersion(connection)
            if current > MySQLSchema.latestVersion { throw Self.tooNew(current) }
            var applied: [String] = []
            for migration in MySQLSchema.migrations where migration.version > current {
                try migration.apply(connection)
                try connection.execute("INSERT INTO SchemaVersion (Version, Name, AppliedAt) VALUES (?, ?, ?)",
                                       [.integer(Int64(migration.version)), .text(migration.name),
                                        .integer(Int64(Date().timeIntervalSince1970))])
                applied.append("\(migration.version) (\(migration.name))")
            }
            return applied
        }
        for name in applied { logger.info("storage: applied MySQL migration \(name)") }
        state.withLock { $0.schemaReady = true }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        try await connection().perform { connection in
            let exists = try !connection.query("""
                SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'SchemaVersion'
                """, []).isEmpty
            let current = exists ? try Self.currentVersion(connection) : 0
            let version = try connection.query("SELECT VERSION()", []).first?.first?.string ?? "?"
            return SchemaStatus(
                currentVersion: current, latestVersion: MySQLSchema.latestVersion,
                pending: MySQLSchema.migrations.filter { $0.version > current }
                    .map { SchemaStatus.Migration(version: $0.version, name: $0.name) },
                engine: "mysql \(version)")
        }
    }

    /// Bytes of the database's tables and indexes as InnoDB reports them (`poolbench scale`).
    public func dataSizeBytes() async throws -> Int64 {
        try await connection().perform { connection in
            try connection.query("""
                SELECT CAST(COALESCE(SUM(data_length + index_length), 0) AS SIGNED) FROM information_schema.tables
                WHERE table_schema = DATABASE()
                """, []).first?.first?.int64 ?? 0
        }
    }

    private static func currentVersion(_ connection: MySQLConnection) throws -> Int {
        Int(try connection.query("SELECT MAX(Version) FROM SchemaVersion", []).first?.first?.int64 ?? 0)
    }

    private static func tooNew(_ current: Int) -> StorageError {
        StorageError(.schemaTooNew, "the database schema version \(current) is newer than this binary knows "
            + "(\(MySQLSchema.latestVersion)); use a newer hxstakepool")
    }

    private func ensureSchema() async throws {
        if state.withLock({ $0.schemaReady }) { return }
        let status = try await schemaStatus()
        if status.isTooNew { throw Self.tooNew(status.currentVersion) }
        if !status.isUpToDate {
            throw StorageError(.schemaMissing, "the MySQL database is at schema version \(status.currentVersion), "
                + "\(status.latestVersion) is needed: run `poolctl db migrate`")
        }
        state.withLock { $0.schemaReady = true }
    }

    // MARK: Transactions

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageReader) throws -> T) async throws -> T {
        try await ensureSchema()
        return try await connection().perform { connection in
            try connection.simple("START TRANSACTION READ ONLY")
            do {
                let result = try body(SQLStorageTransaction(executor: connection, dialect: .mysql))
                try connection.simple("COMMIT")
                return result
            } catch {
                try? connection.simple("ROLLBACK")
                throw error
            }
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> T) async throws -> T {
        try await ensureSchema()
        return try await connection().perform { connection in
            var attempt = 1
            while true {
                do {
                    try connection.simple("START TRANSACTION")
                    let result = try body(SQLStorageTransaction(executor: connection, dialect: .mysql))
                    try connection.simple("COMMIT")
                    return result
                } catch {
                    try? connection.simple("ROLLBACK")
                    guard MySQLConnection.isRetryable(error), attempt < Self.maxAttempts else { throw error }
                    // Back off a little (on this connection's owner thread, never the cooperative pool) and run again.
                    usleep(UInt32(1_000 * attempt * Int.random(in: 1...4)))
                    attempt += 1
                }
            }
        }
    }

    // MARK: Single-statement look-ups (`SingleStatementLookups`)

    /// MySQL: on a pooled connection.
    public func readOneStatement<T: Sendable>(_ body: @escaping @Sendable (SQLStorageTransaction) throws -> T)
        async throws -> T
    {
        try await ensureSchema()
        return try await connection().perform { connection in
            try body(SQLStorageTransaction(executor: connection, dialect: .mysql))
        }
    }

    public func shutdown() async {
        let wasClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        if wasClosed { return }
        for connection in connections { await connection.shutdown() }
    }
}
