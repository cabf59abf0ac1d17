import CMySQL
import Dispatch
import Foundation
import PoolKernel
import PoolSystem
import SQLStorageBase

/// The one owner of a `MYSQL*` handle and its prepared statements. Every use happens on `owner`, a dedicated
/// thread, so the blocking client calls never run on Swift's cooperative pool. A lost connection is closed and opened again on
/// the next call (the call that saw the loss fails with `unavailable`).
///
/// `@unchecked Sendable`: the handle and statement cache are only touched on `owner`.
final class MySQLConnection: @unchecked Sendable, SQLExecutor {
    let owner: OwnerThread
    private let configuration: MySQLStoragePlugin.Configuration
    private var handle: UnsafeMutablePointer<MYSQL>?
    private var statements: [String: UnsafeMutablePointer<MYSQL_STMT>] = [:]
    private var lastUsed = DispatchTime.now()
    private var isClosed = false
    /// The connection was lost during the current call: closed (with its statements) when the next call starts,
    /// never while the failing call may still touch its statement (that was a use after free).
    private var isLost = false

    /// Initialises the client library once per process (not thread-safe on first use otherwise).
    private static let libraryReady: Bool = mysql_server_init(0, nil, nil) == 0

    init(configuration: MySQLStoragePlugin.Configuration, label: String) {
        self.configuration = configuration
        owner = OwnerThread(name: label)
    }

    deinit {
        closeHandle()
        owner.stop()
    }

    /// Runs `work` on the owner thread with a live connection (connecting or re-checking it first).
    func perform<T: Sendable>(_ work: @escaping @Sendable (MySQLConnection) throws -> T) async throws -> T {
        try await owner.run(orThrow: StorageError(.closed, "storage was shut down")) {
            try self.ensureConnected()
            defer { self.lastUsed = .now() }
            return try work(self)
        }
    }

    /// Closes for good. On `owner`.
    func close() {
        isClosed = true
        closeHandle()
    }

    /// Closes the handle on its owner thread and lets that thread exit.
    func shutdown() async { await owner.stop { self.close() } }

    private func closeHandle() {
        for statement in statements.values { mysql_stmt_close(statement) }
        statements.removeAll()
        if let handle { mysql_close(handle) }
        handle = nil
    }

    // MARK: Connecting

    private func ensureConnected() throws {
        precondition(owner.isCurrent, "MySQL handle used off its owner thread")
        if isClosed { throw StorageError(.closed, "storage was shut down") }
        if isLost {
            isLost = false
            closeHandle()
        }
        if let handle {
            // A connection idle for a while may have been dropped by a server restart: check before use, so the
            // caller's transaction starts on a live connection.
            let idle = DispatchTime.now().uptimeNanoseconds - lastUsed.uptimeNanoseconds
            if idle < 1_000_000_000 || mysql_ping(handle) == 0 { return }
            closeHandle()
        }
        try connect()
    }

    private func connect() throws {
        guard Self.libraryReady, let mysql = mysql_init(nil) else {
            throw StorageError(.engine, "the MySQL client library could not be initialised")
        }
        var connectTimeout = UInt32(clamping: configuration.connectTimeoutSeconds)
        var ioTimeout = UInt32(clamping: configuration.ioTimeoutSeconds)
        mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        MySQLSocketWait.install(on: mysql)
        if configuration.tls {
            var enforce: my_bool = 1
            mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &enforce)
            // Verification (chain and host name) is the default; without dbtlsca the library uses the system
            // store. Only dbtlsskipverify turns it off.
            if let ca = configuration.tlsCAFile { mysql_options(mysql, MYSQL_OPT_SSL_CA, ca) }
            var verify: my_bool = configuration.tlsSkipVerify ? 0 : 1
            mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        }
        // Host or socket: TCP unless `dbsocket` is set (the library would read `localhost` as its default socket).
        var transport = (configuration.socket == nil ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET).rawValue
        mysql_options(mysql, MYSQL_OPT_PROTOCOL, &transport)
        let connected = mysql_real_connect(mysql, configuration.socket == nil ? configuration.host : "localhost",
                                           configuration.user, configuration.password, configuration.database,
                                           UInt32(configuration.port), configuration.socket, 0)
        guard connected != nil else {
            let number = mysql_errno(mysql)
            let error = Self.error(number: number, message: String(cString: mysql_error(mysql)))
            mysql_close(mysql)
            throw StorageError(error.code == .engine ? .unavailable : error.code,
                               "cannot connect to MySQL at \(configuration.endpoint): \(error.message)"
                                   + tlsHint(errorNumber: number))
        }
        handle = mysql
        lastUsed = .now()
        do {
            try simple("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'")
            try simple("SET SESSION innodb_lock_wait_timeout = 10")
            // Our statements are point look-ups (a token, an email, a ticket): the index statistics are a good
            // enough estimate, and an index dive per execution to refine it was a fifth of a token look-up.
            // Optional: a server without the variable (MariaDB < 10.0) keeps its default.
            try? simple("SET SESSION eq_range_index_dive_limit = 1")
        } catch {
            closeHandle()
            throw error
        }
    }

    /// What to do about a failed TLS connection (CR_SSL_CONNECTION_ERROR 2026: no TLS on the server, or a
    /// certificate that does not verify), naming the options; empty for other failures.
    private func tlsHint(errorNumber: UInt32) -> String {
        guard configuration.tls, errorNumber == 2026 else { return "" }
        let trust = configuration.tlsCAFile.map { "the CA in dbtlsca (\($0))" } ?? "the system's trusted CAs (dbtlsca is not set)"
        return configuration.tlsSkipVerify
            ? " (dbtls=true: the server must support TLS)"
            : " (dbtls=true: the server's certificate must be signed by \(trust) and name \(configuration.host); set dbtlsca to the CA file that signed it, or dbtlsskipverify=true to encrypt without verifying)"
    }

    // MARK: Statements

    /// Runs a statement without arguments or results (transaction control, DDL).
    func simple(_ sql: String) throws {
        precondition(owner.isCurrent, "MySQL handle used off its owner thread")
        guard let handle else { throw StorageError(.unavailable, "not connected to MySQL") }
        let length = UInt(sql.utf8.count)
        if mysql_real_query(handle, sql, length) != 0 { throw failure(mysql_errno(handle), mysql_error(handle)) }
        // Drain any result (e.g. from SELECT GET_LOCK) so the connection stays usable.
        repeat {
            if let result = mysql_store_result(handle) { mysql_free_result(result) }
        } while mysql_next_result(handle) == 0
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try run(sql, arguments).rows
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> SQLChange {
        try run(sql, arguments).change
    }

    private func statement(_ sql: String) throws -> UnsafeMutablePointer<MYSQL_STMT> {
        guard let handle else { throw StorageError(.unavailable, "not connected to MySQL") }
        if let cached = statements[sql] { return cached }
        guard let statement = mysql_stmt_init(handle) else { throw failure(mysql_errno(handle), mysql_error(handle)) }
        if mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) != 0 {
            let error = failure(mysql_stmt_errno(statement), mysql_stmt_error(statement))
            mysql_stmt_close(statement)
            throw error
        }
        var updateMaxLength: my_bool = 1
        mysql_stmt_attr_set(statement, STMT_ATTR_UPDATE_MAX_LENGTH, &updateMaxLength)
        statements[sql] = statement
        return statement
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> (rows: [[SQLValue]], change: SQLChange) {
        precondition(owner.isCurrent, "MySQL handle used off its owner thread")
        let statement = try statement(sql)
        guard Int(mysql_stmt_param_count(statement)) == arguments.count else {
            preconditionFailure("statement has \(mysql_stmt_param_count(statement)) placeholders, \(arguments.count) arguments given")
        }
        // Parameter buffers live until the statement has executed.
        var buffers: [UnsafeMutableRawPointer] = []
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: max(1, arguments.count))
        defer {
            for buffer in buffers { buffer.deallocate() }
            lengths.deallocate()
        }
        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: arguments.count)
        for (index, argument) in arguments.enumerated() {
            switch argument {
            case .null:
                binds[index].buffer_type = MYSQL_TYPE_NULL
            case .integer(let value):
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
                buffer.storeBytes(of: value, as: Int64.self)
                buffers.append(buffer)
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].buffer = buffer
            case .text(let text):
                let bytes = Array(text.utf8)
                bindBytes(bytes, type: MYSQL_TYPE_STRING, into: &binds[index], length: lengths + index, &buffers)
            case .blob(let data):
                bindBytes(Array(data), type: MYSQL_TYPE_BLOB, into: &binds[index], length: lengths + index, &buffers)
            }
        }
        if !arguments.isEmpty {
            let failed = binds.withUnsafeMutableBufferPointer { mysql_stmt_bind_param(statement, $0.baseAddress) }
            if failed != 0 { throw failure(mysql_stmt_errno(statement), mysql_stmt_error(statement)) }
        }
        if mysql_stmt_execute(statement) != 0 {
            let error = failure(mysql_stmt_errno(statement), mysql_stmt_error(statement))
            mysql_stmt_reset(statement)
            throw error
        }
        let rows = mysql_stmt_field_count(statement) > 0 ? try fetchRows(statement) : []
        let change = SQLChange(affectedRows: Int(truncatingIfNeeded: mysql_stmt_affected_rows(statement)),
                               lastInsertId: Int64(truncatingIfNeeded: mysql_stmt_insert_id(statement)))
        return (rows, change)
    }

    private func bindBytes(_ bytes: [UInt8], type: enum_field_types, into bind: inout MYSQL_BIND,
                           length: UnsafeMutablePointer<UInt>, _ buffers: inout [UnsafeMutableRawPointer]) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) } }
        buffers.append(buffer)
        length.pointee = UInt(bytes.count)
        bind.buffer_type = type
        bind.buffer = buffer
        bind.buffer_length = UInt(bytes.count)
        bind.length = length
    }

    private static let integerTypes: Set<UInt32> = [
        MYSQL_TYPE_TINY.rawValue, MYSQL_TYPE_SHORT.rawValue, MYSQL_TYPE_LONG.rawValue,
        MYSQL_TYPE_LONGLONG.rawValue, MYSQL_TYPE_INT24.rawValue, MYSQL_TYPE_YEAR.rawValue,
    ]

    private func fetchRows(_ statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> [[SQLValue]] {
        defer { mysql_stmt_free_result(statement) }
        if mysql_stmt_store_result(statement) != 0 {
            throw failure(mysql_stmt_errno(statement), mysql_stmt_error(statement))
        }
        guard let metadata = mysql_stmt_result_metadata(statement) else {
            throw failure(mysql_stmt_errno(statement), mysql_stmt_error(statement))
        }
        defer { mysql_free_result(metadata) }
        let count = Int(mysql_num_fields(metadata))
        guard let fields = mysql_fetch_fields(metadata) else { return [] }
        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: count)
        let nulls = UnsafeMutablePointer<my_bool>.allocate(capacity: count)
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: count)
        nulls.initialize(repeating: 0, count: count)
        lengths.initialize(repeating: 0, count: count)
        var buffers: [UnsafeMutableRawPointer] = []
        defer {
            nulls.deallocate()
            lengths.deallocate()
            for buffer in buffers { buffer.deallocate() }
        }
        var isInteger = [Bool](repeating: false, count: count)
        var isBinary = [Bool](repeating: false, count: count)
        for index in 0..<count {
            let field = fields[index]
            binds[index].is_null = nulls + index
            binds[index].length = lengths + index
            if Self.integerTypes.contains(field.type.rawValue) {
                isInteger[index] = true
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
                buffers.append(buffer)
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].buffer = buffer
                binds[index].buffer_length = 8
            } else {
                isBinary[index] = field.charsetnr == 63  // the "binary" character set: BLOB columns
                let size = max(1, Int(field.max_length))
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
                buffers.append(buffer)
                binds[index].buffer_type = MYSQL_TYPE_STRING
                binds[index].buffer = buffer
                binds[index].buffer_length = UInt(size)
            }
        }
        let failed = binds.withUnsafeMutableBufferPointer { mysql_stmt_bind_result(statement, $0.baseAddress) }
        if failed != 0 { throw failure(mysql_stmt_errno(statement), mysql_stmt_error(statement)) }
        var rows: [[SQLValue]] = []
        while true {
            let rc = mysql_stmt_fetch(statement)
            if rc == MYSQL_NO_DATA { break }
            if rc == 1 { throw failure(mysql_stmt_errno(statement), mysql_stmt_error(statement)) }
            if rc == MYSQL_DATA_TRUNCATED { throw StorageError(.engine, "MySQL result column was truncated") }
            var row: [SQLValue] = []
            row.reserveCapacity(count)
            for index in 0..<count {
                guard let buffer = binds[index].buffer else {
                    row.append(.null)
                    continue
                }
                if nulls[index] != 0 {
                    row.append(.null)
                } else if isInteger[index] {
                    row.append(.integer(buffer.load(as: Int64.self)))
                } else {
                    let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(lengths[index]))
                    row.append(isBinary[index] ? .blob(Data(bytes)) : .text(String(decoding: bytes, as: UTF8.self)))
                }
            }
            rows.append(row)
        }
        return rows
    }

    // MARK: Errors

    /// Builds the error for a failed call; a lost connection is closed when the next call starts, so it reconnects.
    private func failure(_ number: UInt32, _ message: UnsafePointer<CChar>?) -> StorageError {
        let text = message.map { String(cString: $0) } ?? "unknown error"
        let error = Self.error(number: number, message: text)
        if error.code == .unavailable { isLost = true }
        return error
    }

    /// MySQL error numbers → storage codes. Messages that can echo values (duplicate entries, bad strings) are
    /// replaced with generic ones, so no bound value reaches logs.
    static func error(number: UInt32, message: String) -> StorageError {
        switch number {
        case 1062, 1586:
            return StorageError(.duplicate, "MySQL: duplicate value for a unique key")
        case 1213:
            return StorageError(.conflict, "MySQL: deadlock, transaction rolled back")
        case 1205:
            return StorageError(.conflict, "MySQL: lock wait timeout, transaction rolled back")
        case 1406:
            return StorageError(.invalidInput, "MySQL: value too long for its column")
        case 1366, 1300:
            return StorageError(.invalidInput, "MySQL: invalid character string for a column")
        case 1264, 1048:
            return StorageError(.invalidInput, "MySQL: value out of range or missing")
        case 1146:
            return StorageError(.schemaMissing, "MySQL: a table is missing (run `poolctl db migrate`): \(message)")
        case 1021, 1114:
            return StorageError(.full, "MySQL: \(message)")
        case 2002, 2003, 2005, 2006, 2013, 2055, 1927, 1053, 4031, 1040, 1045, 1044, 1049, 1129, 1130:
            return StorageError(.unavailable, "MySQL: \(message)")
        default:
            return StorageError(.engine, "MySQL error \(number): \(message)")
        }
    }

    /// Whether an error means the transaction should be run again (deadlock, lock wait timeout).
    static func isRetryable(_ error: any Error) -> Bool {
        (error as? StorageError)?.code == .conflict
    }
}
