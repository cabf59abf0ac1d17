import PoolKernel
import PoolSystem

/// The SQLite storage plugin (`storage=sqlite`): one database file, WAL mode, one writer connection and a few
/// reader connections, each owned by its own thread (`OwnerThread`).
public enum SQLiteStoragePlugin {
    /// The name selected by the `storage` option.
    public static let name = "sqlite"

    /// Settings from the config file.
    public struct Configuration: Sendable, Equatable {
        /// Database file (`sqlitepath`); created when missing (its directory must exist).
        public var path: String
        /// How long a statement waits for a lock held by another process before failing with `busy`
        /// (`sqlitebusytimeout`, milliseconds).
        public var busyTimeoutMilliseconds: Int
        /// Reader connections (`dbpoolsize`); reads run in parallel with the writer (WAL).
        public var readConnections: Int
        /// Optional cap on the database size: writes that would grow it further fail with `full`.
        public var maxDatabaseBytes: Int64?

        public init(path: String, busyTimeoutMilliseconds: Int = 5_000, readConnections: Int = 2,
                    maxDatabaseBytes: Int64? = nil) {
            self.path = path
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.readConnections = readConnections
            self.maxDatabaseBytes = maxDatabaseBytes
        }
    }
}
