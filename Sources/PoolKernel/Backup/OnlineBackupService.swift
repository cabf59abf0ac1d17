import Foundation

/// The web app's automatic database backups: every `schedule.interval` and once more when the app stops, an
/// online backup (`OnlineBackupCapable`) into `schedule.directory` as `backup-<UTC time>.<ext>`, placed atomically
/// (`AtomicFile`), keeping the newest `schedule.keep` files. A failed backup is logged and retried at the next
/// interval; the files already there are never touched by a failed or interrupted one.
public final class OnlineBackupService: EngineService {
    public let name = "backups"
    public let schedule: OnlineBackupSchedule
    private let storage: any OnlineBackupCapable
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let lastSuccess: Gauge?
    private let failures: Counter?

    /// File names: this prefix, a UTC time that sorts as text, the extension.
    public static let filePrefix = "backup-"

    /// With `metrics`: `pool_backup_last_success_timestamp_seconds` and `pool_backup_failures_total`.
    public init(storage: any OnlineBackupCapable, schedule: OnlineBackupSchedule, logger: Logger,
                metrics: MetricsRegistry? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.storage = storage
        self.schedule = schedule
        self.logger = logger
        self.now = now
        lastSuccess = metrics?.gauge("pool_backup_last_success_timestamp_seconds",
                                     help: "Unix time at which the newest automatic database backup was started (0: none yet)")
        failures = metrics?.counter("pool_backup_failures_total", help: "Automatic database backups that failed")
    }

    public func run() async throws {
        while true {
            do { try await Task.sleep(for: schedule.interval) } catch { break }
            await backUpLogged()
        }
        // Shutting down: one last backup, outside this cancelled task so the storage call is not refused.
        let last = Task.detached { [self] in await backUpLogged() }
        await last.value
    }

    private func backUpLogged() async {
        do {
            let path = try await backUpOnce()
            logger.info("database backup written: \(path)")
        } catch {
            logger.error("database backup failed (the previous backups are kept): \(error)")
        }
    }

    /// Takes one backup now and rotates; returns the new file's path.
    @discardableResult
    public func backUpOnce() async throws -> String {
        let started = now()
        do {
            let path = try await backUp(startedAt: started)
            lastSuccess?.set(started.timeIntervalSince1970.rounded(.down))
            return path
        } catch {
            failures?.increment()
            throw error
        }
    }

    private func backUp(startedAt started: Date) async throws -> String {
        let schedule = schedule
        let path = try await AtomicFile.io.run { [self] in
            try FileManager.default.createDirectory(atPath: schedule.directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            removeLeftovers()
            // Two backups within one millisecond (a test, a clock step back) never overwrite one: the later takes
            // the next free millisecond, so names still sort in the order the backups were taken.
            var stamp = started
            var path = schedule.directory + "/" + Self.fileName(at: stamp, fileExtension: schedule.fileExtension)
            while FileManager.default.fileExists(atPath: path) {
                stamp = stamp.addingTimeInterval(0.001)
                path = schedule.directory + "/" + Self.fileName(at: stamp, fileExtension: schedule.fileExtension)
            }
            return path
        }
        try await AtomicFile.write(to: path) { temporary in try await storage.writeOnlineBackup(to: temporary) }
        await AtomicFile.io.run { [self] in rotate() }
        return path
    }

    /// `backup-20261203T004512.123Z.<ext>`.
    static func fileName(at date: Date, fileExtension: String) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withFractionalSeconds, .withTimeZone]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = formatter.string(from: date).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        return filePrefix + stamp + "." + fileExtension
    }

    /// The backup files in `directory`, oldest first (names sort by time).
    public static func backups(in directory: String, fileExtension: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(filePrefix) && $0.hasSuffix("." + fileExtension) }.sorted()
            .map { directory + "/" + $0 }
    }

    /// The newest complete backup, or nil.
    public static func newestBackup(in directory: String, fileExtension: String) -> String? {
        backups(in: directory, fileExtension: fileExtension).last
    }

    private func rotate() {
        let files = Self.backups(in: schedule.directory, fileExtension: schedule.fileExtension)
        for old in files.dropLast(max(1, schedule.keep)) {
            do {
                try FileManager.default.removeItem(atPath: old)
            } catch {
                logger.warn("cannot remove old backup \(old): \(error)")
            }
        }
    }

    /// Temporaries of a backup that was interrupted (the process was killed mid-way).
    private func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: schedule.directory)) ?? []
        for name in names where name.hasPrefix(AtomicFile.temporaryPrefix) {
            try? FileManager.default.removeItem(atPath: schedule.directory + "/" + name)
        }
    }
}
