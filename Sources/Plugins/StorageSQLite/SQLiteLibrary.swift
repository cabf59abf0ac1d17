import CSQLite

/// Process-wide SQLite settings, applied once before the first connection opens (SQLite accepts them only
/// before it initializes itself; if another part of the process opened a database first they are skipped).
enum SQLiteLibrary {
    /// Every connection has one owner thread, so SQLite's per-connection mutexes are not needed (the multi-thread
    /// mode; connections also open with `SQLITE_OPEN_NOMUTEX`), and without memory statistics each allocation
    /// skips a global mutex that all connections would otherwise share.
    private static let configured: Void = {
        _ = csqlite_config_multithread()
        _ = csqlite_config_memstatus(0)
        _ = sqlite3_initialize()
    }()

    static func configureOnce() { _ = configured }
}
