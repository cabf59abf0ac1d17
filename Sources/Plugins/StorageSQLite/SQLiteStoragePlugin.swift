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
        /// The web app's automatic online backups (`backupinterval`, `backupcount`); nil: off.
        public var backupSchedule: OnlineBackupSchedule?

        public init(path: String, busyTimeoutMilliseconds: Int = 5_000, readConnections: Int = 2,
                    maxDatabaseBytes: Int64? = nil) {
            self.path = path
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.readConnections = readConnections
            self.maxDatabaseBytes = maxDatabaseBytes
        }
    }
}

extension SQLiteStoragePlugin {
    /// The plugin's options.
    public static let options: [OptionSpec] = [
        OptionSpec("sqlitepath", .string, default: "", help: "SQLite database file (default: <datadir>/stakepool.sqlite)"),
    ] + backupOptions

    /// The settings the options describe: `sqlitepath`, or `stakepool.sqlite` in the network's data directory.
    /// (`backupinterval`/`backupcount` were checked when the config was loaded.)
    public static func configuration(_ context: PluginContext) -> Configuration {
        let path = context.values.string("sqlitepath")
        var configuration = Configuration(path: path.isEmpty ? context.dataDir + "/stakepool.sqlite" : ConfigLoader.expand(path))
        configuration.backupSchedule = try? backupSchedule(context)
        return configuration
    }

    /// Registers `sqlite` with its options, their check (at config load) and its factory.
    public static func register(into registry: inout PluginRegistry<any StorageBackend, PluginContext>) {
        registry.register(name, options: options, check: { context, _ in _ = try backupSchedule(context) }) { context in
            SQLiteStorage(configuration: configuration(context), logger: context.logs.logger("STOR"))
        }
    }
}
