import Foundation
import PoolKernel
import PoolSystem
import SQLStorageBase
import Synchronization

/// The SQLite `StorageBackend`. Writes go through one writer connection (`BEGIN IMMEDIATE`, so concurrent
/// writers queue instead of deadlocking); reads use a small set of reader connections (WAL snapshots).
public final class SQLiteStorage: SingleStatementLookups, OnlineBackupCapable {
    public let engineName = SQLiteStoragePlugin.name
    public let configuration: SQLiteStoragePlugin.Configuration
    private let logger: Logger
    private let writer: SQLiteConnection
    let checkpointer: SQLiteCheckpointer
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let state = Mutex(State())

    private struct State {
        var closed = false
        /// Set once the schema was found (or made) current.
        var schemaReady = false
    }

    /// A backend for the database file in `configuration`. Nothing is opened until the first call.
    public init(configuration: SQLiteStoragePlugin.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let timeout = Int32(clamping: configuration.busyTimeoutMilliseconds)
        // SQLite pages default to 4096 bytes.
        let maxPages = configuration.maxDatabaseBytes.map { max(16, $0 / 4096) }
        let checkpointer = SQLiteCheckpointer(path: configuration.path, busyTimeoutMilliseconds: timeout)
        self.checkpointer = checkpointer
        writer = SQLiteConnection(path: configuration.path, label: "sqlite-writer",
                                  busyTimeoutMilliseconds: timeout, isReader: false, maxPageCount: maxPages,
                                  walObserver: WALCommitObserver { checkpointer.committed(frames: $0) })
        readers = (0..<max(1, configuration.readConnections)).map {
            SQLiteConnection(path: configuration.path, label: "sqlite-reader\($0)",
                             busyTimeoutMilliseconds: timeout, isReader: true)
        }
    }

    private func checkOpen() throws {
        if state.withLock({ $0.closed }) { throw StorageError(.closed, "storage was shut down") }
    }

    // MARK: Schema

    public func migrate() async throws {
        try checkOpen()
        let applied = try await writer.perform { connection -> [SQLiteSchema.Migration] in
            try connection.executeScript(SQLiteSchema.versionTable)
            try connection.executeScript("BEGIN IMMEDIATE")
            do {
                let current = try Self.currentVersion(connection)
                if current > SQLiteSchema.latestVersion {
                    throw Self.tooNew(current)
                }
                let pending = SQLiteSchema.migrations.filter { $0.version > current }
                for migration in pending {
                    try connection.executeScript(migration.sql)
                    try connection.execute("INSERT INTO SchemaVersion (Version, Name, AppliedAt) VALUES (?, ?, ?)",
                                           [.integer(Int64(migration.version)), .text(migration.name),
                                            .integer(Int64(Date().timeIntervalSince1970))])
                }
                try connection.executeScript("COMMIT")
                return pending
            } catch {
                if connection.isInTransaction { try? connection.executeScript("ROLLBACK") }
                throw error
            }
        }
        for migration in applied {
            logger.info("storage: applied SQLite migration \(migration.version) (\(migration.name))")
        }
        state.withLock { $0.schemaReady = true }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        try checkOpen()
        return try await writer.perform { connection in
            let current = try Self.currentVersion(connection)
            let version = try connection.query("SELECT sqlite_version()", []).first?.first?.string ?? "?"
            return SchemaStatus(
                currentVersion: current, latestVersion: SQLiteSchema.latestVersion,
                pending: SQLiteSchema.migrations.filter { $0.version > current }
                    .map { SchemaStatus.Migration(version: $0.version, name: $0.name) },
                engine: "sqlite \(version)")
        }
    }

    private static func currentVersion(_ connection: SQLiteConnection) throws -> Int {
        let exists = try connection.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'SchemaVersion'", [])
        guard !exists.isEmpty else { return 0 }
        return Int(try connection.query("SELECT MAX(Version) FROM SchemaVersion", []).first?.first?.int64 ?? 0)
    }

    private static func tooNew(_ current: Int) -> StorageError {
        StorageError(.schemaTooNew, "the database schema version \(current) is newer than this binary knows "
            + "(\(SQLiteSchema.latestVersion)); use a newer hxstakepool")
    }

    /// Checks once per process that the schema is current, so calls on an unmigrated or newer database fail
    /// clearly instead of with "no such table".
    private func ensureSchema() async throws {
        try checkOpen()
        if state.withLock({ $0.schemaReady }) { return }
        let current = try await writer.perform { try Self.currentVersion($0) }
        if current > SQLiteSchema.latestVersion { throw Self.tooNew(current) }
        if current < SQLiteSchema.latestVersion {
            throw StorageError(.schemaMissing, "the SQLite database is at schema version \(current), "
                + "\(SQLiteSchema.latestVersion) is needed: run `poolctl db migrate`")
        }
        state.withLock { $0.schemaReady = true }
    }

    // MARK: Transactions

    /// The first idle reader (so one caller keeps reusing one warm thread), else the readers in turn.
    private func nextReaderConnection() -> SQLiteConnection {
        OwnerThread.pick(readers, owner: \.owner, rotation: nextReader.add(1, ordering: .relaxed).oldValue)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageReader) throws -> T) async throws -> T {
        try await ensureSchema()
        return try await nextReaderConnection().perform { connection in
            try connection.execute("BEGIN", [])
            defer { if connection.isInTransaction { _ = try? connection.execute("COMMIT", []) } }
            return try body(SQLStorageTransaction(executor: connection, dialect: .sqlite))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> T) async throws -> T {
        try await ensureSchema()
        return try await writer.perform { connection in
            try connection.execute("BEGIN IMMEDIATE", [])
            do {
                let result = try body(SQLStorageTransaction(executor: connection, dialect: .sqlite))
                try connection.execute("COMMIT", [])
                return result
            } catch {
                // SQLite may already have rolled back by itself (e.g. SQLITE_FULL); only roll back what is open.
                if connection.isInTransaction { _ = try? connection.execute("ROLLBACK", []) }
                throw error
            }
        }
    }

    // MARK: Single-statement look-ups (`SingleStatementLookups`)

    /// SQLite: on the next reader connection.
    public func readOneStatement<T: Sendable>(_ body: @escaping @Sendable (SQLStorageTransaction) throws -> T)
        async throws -> T
    {
        try await ensureSchema()
        return try await nextReaderConnection().perform { connection in
            try body(SQLStorageTransaction(executor: connection, dialect: .sqlite))
        }
    }

    // MARK: Online backups (`OnlineBackupCapable`)

    public var onlineBackupSchedule: OnlineBackupSchedule? { configuration.backupSchedule }

    /// On a reader connection, so writers are not held up while the pages are copied.
    public func writeOnlineBackup(to path: String) async throws {
        try await ensureSchema()
        try await nextReaderConnection().perform { try $0.backUp(to: path) }
    }

    public func shutdown() async {
        let wasClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        if wasClosed { return }
        await checkpointer.shutdown()
        for connection in readers + [writer] { await connection.shutdown() }
    }
}
