import CSQLite
import Dispatch
import Foundation
import PoolKernel
import PoolSystem
import SQLStorageBase

/// The one owner of a `sqlite3*` handle and its prepared statements. Every use happens on `owner`, a dedicated
/// thread (checked with a precondition), so blocking SQLite calls never run on Swift's cooperative pool.
///
/// `@unchecked Sendable`: the handle and the statement cache are only touched on `owner` (serial); the type is
/// shared between tasks only to submit work to that thread.
final class SQLiteConnection: @unchecked Sendable, SQLExecutor {
    let owner: OwnerThread
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// Set by `close()`: the connection never reopens afterwards.
    private var isClosed = false

    private let path: String
    private let busyTimeoutMilliseconds: Int32
    private let isReader: Bool
    private let maxPageCount: Int64?
    /// Told the WAL's size after each commit (the writer: see `SQLiteCheckpointer`).
    private let walObserver: WALCommitObserver?

    /// Bytes of the database file each connection maps into memory: none. A mapped page stays resident in every
    /// connection that touched it (RSS counts it once per mapping): the start-up sync's two passes over a million
    /// users mapped 256 MiB into each of two connections, half a gigabyte of the web app's RSS. Reads go through
    /// the page cache below and the OS's file cache instead.
    static let mmapBytes = 0
    /// Page cache per connection, in KiB (pages not mapped, e.g. recent WAL frames).
    static let cacheKibibytes = 16 << 10

    /// A connection to the database at `path`, opened lazily on `owner` by the first `perform` (so opening never
    /// blocks the caller). Readers are set `query_only`; the writer turns on WAL.
    init(path: String, label: String, busyTimeoutMilliseconds: Int32, isReader: Bool, maxPageCount: Int64? = nil,
         walObserver: WALCommitObserver? = nil) {
        self.walObserver = walObserver
        owner = OwnerThread(name: label)
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.isReader = isReader
        self.maxPageCount = maxPageCount
    }

    /// Opens the handle if it is not open yet. On `owner` only.
    private func open() throws {
        precondition(owner.isCurrent, "SQLite handle used off its owner thread")
        if handle != nil { return }
        if isClosed { throw StorageError(.closed, "storage was shut down") }
        var db: OpaquePointer?
        // No connection mutex (one owner thread uses it), chosen per connection rather than with the process-wide
        // sqlite3_config: a program embedding the engine may use SQLite itself.
        let flags = SQLITE_OPEN_READWRITE | (isReader ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)  // a failed open may still return a handle that must be freed
            throw Self.error(code: rc, message: "cannot open SQLite database \(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        do {
            if isReader {
                try execute("PRAGMA query_only = 1", [])
            } else {
                _ = try query("PRAGMA journal_mode = WAL", [])
            }
            // No memory map (see `mmapBytes`), but a larger page cache: with the default 2 MB every look-up in a
            // large Users table was a pread() system call per page.
            _ = try query("PRAGMA mmap_size = \(Self.mmapBytes)", [])
            try execute("PRAGMA cache_size = -\(Self.cacheKibibytes)", [])
            try execute("PRAGMA synchronous = NORMAL", [])
            try execute("PRAGMA foreign_keys = ON", [])
            if let maxPageCount { _ = try query("PRAGMA max_page_count = \(maxPageCount)", []) }
            if let walObserver {
                _ = try query("PRAGMA journal_size_limit = \(SQLiteCheckpointer.walSizeLimit)", [])
                sqlite3_wal_hook(db, { context, db, _, frames in
                    if frames >= SQLiteCheckpointer.writerCheckpointFrames {
                        // Busy (the background checkpoint is running) is fine: that one moves the pages.
                        _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                    }
                    if let context { Unmanaged<WALCommitObserver>.fromOpaque(context).takeUnretainedValue().committed(frames) }
                    return SQLITE_OK
                }, Unmanaged.passUnretained(walObserver).toOpaque())
            }
        } catch {
            closeHandle()
            throw error
        }
    }

    deinit {
        close()
        owner.stop()
    }

    /// Finalizes the statements and closes the handle. Idempotent.
    func close() {
        isClosed = true
        closeHandle()
    }

    /// Closes the handle on its owner thread and lets that thread exit.
    func shutdown() async { await owner.stop { self.close() } }

    /// Frees the statements and the handle; a later `perform` opens again (unless `close()` was called).
    private func closeHandle() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs `work` on this connection's owner thread and returns its result to the awaiting task.
    func perform<T: Sendable>(_ work: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await owner.run(orThrow: StorageError(.closed, "storage was shut down")) {
            try self.open()
            return try work(self)
        }
    }

    // MARK: SQLExecutor

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try rows(sql, arguments) { row in (0..<row.columnCount).map { row.value($0) } }
    }

    func query<T>(_ sql: String, _ arguments: [SQLValue], map transform: (any SQLRow) throws -> T) throws -> [T] {
        try rows(sql, arguments, transform)
    }

    /// Steps the statement, mapping each row while it is current.
    private func rows<T>(_ sql: String, _ arguments: [SQLValue], _ transform: (SQLiteRow) throws -> T) throws -> [T] {
        let statement = try prepare(sql, arguments)
        defer { sqlite3_reset(statement) }
        let row = SQLiteRow(statement: statement)
        var results: [T] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw lastError(rc) }
            results.append(try transform(row))
        }
        return results
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> SQLChange {
        let statement = try prepare(sql, arguments)
        defer { sqlite3_reset(statement) }
        var rc = sqlite3_step(statement)
        while rc == SQLITE_ROW { rc = sqlite3_step(statement) }
        guard rc == SQLITE_DONE else { throw lastError(rc) }
        return SQLChange(affectedRows: Int(sqlite3_changes64(handle)), lastInsertId: sqlite3_last_insert_rowid(handle))
    }

    /// Copies what the WAL holds into the database file as far as readers allow, without waiting for anyone.
    func checkpointPassive() throws {
        precondition(owner.isCurrent, "SQLite handle used off its owner thread")
        guard let handle else { throw StorageError(.closed, "SQLite connection is closed") }
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        guard rc == SQLITE_OK else { throw lastError(rc) }
    }

    /// Runs one or more statements without arguments (DDL, BEGIN/COMMIT).
    func executeScript(_ sql: String) throws {
        precondition(owner.isCurrent, "SQLite handle used off its owner thread")
        guard let handle else { throw StorageError(.closed, "SQLite connection is closed") }
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw Self.error(code: sqlite3_extended_errcode(handle), message: "SQLite: \(text)")
        }
    }

    /// Copies this connection's database into a new file at `path` with SQLite's online backup API, in one step
    /// (one read snapshot: in WAL mode the writer keeps committing meanwhile), then makes the copy a
    /// self-contained rollback-journal database. The copy's handle lives and dies here, on `owner`.
    func backUp(to path: String) throws {
        precondition(owner.isCurrent, "SQLite handle used off its owner thread")
        guard let handle else { throw StorageError(.closed, "SQLite connection is closed") }
        var copy: OpaquePointer?
        var rc = sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        defer { sqlite3_close_v2(copy) }
        guard rc == SQLITE_OK, let copy else {
            throw Self.error(code: rc, message: "cannot create the backup file \(path)")
        }
        guard let backup = sqlite3_backup_init(copy, "main", handle, "main") else {
            throw Self.error(code: sqlite3_extended_errcode(copy), message: "SQLite backup: " + String(cString: sqlite3_errmsg(copy)))
        }
        rc = sqlite3_backup_step(backup, -1)
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else {
            throw Self.error(code: rc == SQLITE_DONE ? finish : rc,
                             message: "SQLite backup: " + String(cString: sqlite3_errmsg(copy)))
        }
        // The source is in WAL mode and its header says so; the copy is one file that opens anywhere as it is.
        for pragma in ["PRAGMA journal_mode = DELETE", "PRAGMA synchronous = FULL"] {
            rc = sqlite3_exec(copy, pragma, nil, nil, nil)
            guard rc == SQLITE_OK else {
                throw Self.error(code: rc, message: "SQLite backup: " + String(cString: sqlite3_errmsg(copy)))
            }
        }
    }

    var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    // MARK: Statements

    private func prepare(_ sql: String, _ arguments: [SQLValue]) throws -> OpaquePointer {
        precondition(owner.isCurrent, "SQLite handle used off its owner thread")
        guard let handle else { throw StorageError(.closed, "SQLite connection is closed") }
        let statement: OpaquePointer
        if let cached = statements[sql] {
            statement = cached
        } else {
            var prepared: OpaquePointer?
            let rc = sqlite3_prepare_v2(handle, sql, -1, &prepared, nil)
            guard rc == SQLITE_OK, let prepared else { throw lastError(rc) }
            statements[sql] = prepared
            statement = prepared
        }
        sqlite3_clear_bindings(statement)
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch argument {
            case .null:
                rc = sqlite3_bind_null(statement, index)
            case .integer(let value):
                rc = sqlite3_bind_int64(statement, index, value)
            case .text(let text):
                let length = Int32(text.utf8.count)
                rc = text.withCString { sqlite3_bind_text(statement, index, $0, length, csqlite_transient()) }
            case .blob(let data):
                if data.isEmpty {
                    rc = sqlite3_bind_zeroblob(statement, index, 0)
                } else {
                    rc = data.withUnsafeBytes {
                        sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), csqlite_transient())
                    }
                }
            }
            guard rc == SQLITE_OK else { throw lastError(rc) }
        }
        return statement
    }

    private func lastError(_ rc: Int32) -> StorageError {
        guard let handle else { return StorageError(.closed, "SQLite connection is closed") }
        let code = sqlite3_extended_errcode(handle)
        return Self.error(code: code == SQLITE_OK ? rc : code, message: "SQLite: " + String(cString: sqlite3_errmsg(handle)))
    }

    /// Maps an (extended) SQLite result code to the storage error codes. SQLite messages never contain bound values.
    static func error(code: Int32, message: String) -> StorageError {
        switch code & 0xff {
        case SQLITE_CONSTRAINT:
            if code == csqlite_constraint_unique() || code == csqlite_constraint_primarykey() {
                return StorageError(.duplicate, message)
            }
            return StorageError(.invalidInput, message)
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StorageError(.busy, message + " (the database is locked by another connection or process)")
        case SQLITE_FULL:
            return StorageError(.full, message)
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return StorageError(.corrupt, message)
        case SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_READONLY, SQLITE_PERM:
            return StorageError(.unavailable, message)
        case SQLITE_TOOBIG, SQLITE_RANGE, SQLITE_MISMATCH:
            return StorageError(.invalidInput, message)
        default:
            return StorageError(.engine, message)
        }
    }
}
