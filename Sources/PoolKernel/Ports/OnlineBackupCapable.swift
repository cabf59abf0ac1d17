/// An optional storage capability: an engine-native copy of the live database, taken while the pool
/// keeps reading and writing. A plugin whose engine has an online backup API adopts it and says, from its
/// own options, how often the web app should call it; `OnlineBackupService` does the scheduling, atomic file
/// placement and rotation.
///
/// Contract:
/// - `writeOnlineBackup(to:)` writes a complete database file at `path` (which does not exist yet) that the
///   engine opens as it is, consistent at one moment; it is never a file copy of the live database. The file's
///   data is on disk (flushed) when it returns. Writers may be delayed, never refused, while it runs.
/// - On failure it throws `StorageError` and `path` may hold a partial file (the caller removes it).
public protocol OnlineBackupCapable: StorageBackend {
    /// The schedule the plugin's options ask for; nil when automatic backups are off.
    var onlineBackupSchedule: OnlineBackupSchedule? { get }
    func writeOnlineBackup(to path: String) async throws
}

/// Where and how often `OnlineBackupService` backs a database up.
public struct OnlineBackupSchedule: Sendable, Equatable {
    /// The directory of the backup files (created when missing).
    public var directory: String
    /// Time between two backups (positive).
    public var interval: Duration
    /// How many backup files to keep (the oldest beyond it are deleted after each new one).
    public var keep: Int
    /// The extension of the files, without the dot (the engine's usual one).
    public var fileExtension: String

    public init(directory: String, interval: Duration, keep: Int, fileExtension: String) {
        self.directory = directory
        self.interval = interval
        self.keep = keep
        self.fileExtension = fileExtension
    }
}
