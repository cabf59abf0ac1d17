import Foundation
import PoolKernel
import PoolTestKit
import SQLStorageBase
@testable import StorageSQLite
import XCTest

/// The SQLite plugin's online backups through `OnlineBackupService`: SQLite's backup API on a live database,
/// files that open as they are, atomic placement, rotation to `backupcount`, and the `backupinterval` syntax.
final class SQLiteOnlineBackupTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestEnvironment.makeTemporaryDirectory(prefix: "sqlite-backup") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A clock that moves one minute per call, from 2024-01-01T00:00:00Z.
    private final class MinuteClock: Sendable {
        private let minutes = LockedValue(0)
        func now() -> Date {
            let minute = minutes.withLock { value in defer { value += 1 }; return value }
            return Date(timeIntervalSince1970: 1_704_067_200 + Double(minute) * 60)
        }
    }

    /// Users in a database file opened on its own (as an operator would open a backup).
    private func userCount(_ path: String) async throws -> Int {
        let copy = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        let count = try await copy.read { try $0.userCount() }
        await copy.shutdown()
        return count
    }

    func testOnlineBackups_keepTheNewestCountAndOpenAsTheyAre() async throws {
        let storage = SQLiteStorage(configuration: .init(path: directory.path + "/pool.sqlite"), logger: .disabled)
        try await storage.migrate()
        let schedule = OnlineBackupSchedule(directory: directory.path + "/backups", interval: .seconds(180), keep: 3,
                                            fileExtension: "sqlite")
        let clock = MinuteClock()
        let metrics = MetricsRegistry()
        let service = OnlineBackupService(storage: storage, schedule: schedule, logger: .disabled, metrics: metrics,
                                          now: { clock.now() })
        var written: [String] = []
        for n in 1...5 {
            _ = try await storage.insertUser(StorageConformanceTests.sampleUser(n))
            written.append(try await service.backUpOnce())
        }
        // The last one started at 00:04 (2024-01-01T00:04:00Z = 1704067440); no failure.
        XCTAssertTrue(metrics.render().contains("\npool_backup_last_success_timestamp_seconds 1704067440\n"), metrics.render())
        XCTAssertTrue(metrics.render().contains("\npool_backup_failures_total 0\n"), metrics.render())
        await storage.shutdown()
        // A backup that cannot be written (the storage is shut down) is counted and leaves the files alone.
        do {
            try await service.backUpOnce()
            XCTFail("a backup of a closed database succeeded")
        } catch {}
        XCTAssertTrue(metrics.render().contains("\npool_backup_failures_total 1\n"), metrics.render())

        let names = try FileManager.default.contentsOfDirectory(atPath: schedule.directory).sorted()
        XCTAssertEqual(names, ["backup-20240101T000200.000Z.sqlite", "backup-20240101T000300.000Z.sqlite",
                               "backup-20240101T000400.000Z.sqlite"], "the three newest, nothing else")
        XCTAssertEqual(written.suffix(3).map { URL(fileURLWithPath: $0).lastPathComponent }, names)
        for (index, name) in names.enumerated() {
            let path = schedule.directory + "/" + name
            let check = SQLiteConnection(path: path, label: "check", busyTimeoutMilliseconds: 100, isReader: true)
            let (integrity, journal) = try await check.perform { connection in
                (try connection.query("PRAGMA integrity_check", []).first?.first?.string,
                 try connection.query("PRAGMA journal_mode", []).first?.first?.string)
            }
            await check.shutdown()
            XCTAssertEqual(integrity, "ok", name)
            XCTAssertEqual(journal, "delete", "\(name) is one self-contained file, not a WAL database")
            let users = try await userCount(path)
            XCTAssertEqual(users, 3 + index, "\(name) holds the users written before it")
        }
    }

    func testOnlineBackups_anInterruptedBackupLeavesOnlyATemporaryThatTheNextOneSweeps() async throws {
        let storage = SQLiteStorage(configuration: .init(path: directory.path + "/pool.sqlite"), logger: .disabled)
        try await storage.migrate()
        _ = try await storage.insertUser(StorageConformanceTests.sampleUser(1))
        let backups = directory.path + "/backups"
        let service = OnlineBackupService(storage: storage, schedule: .init(directory: backups, interval: .seconds(60),
                                                                            keep: 10, fileExtension: "sqlite"),
                                          logger: .disabled)
        let first = try await service.backUpOnce()
        // What a kill -9 in the middle leaves: a partial file under the temporary prefix.
        let leftover = backups + "/" + AtomicFile.temporaryPrefix + "dead-backup-x.sqlite"
        try Data("SQLite format 3\0 truncated".utf8).write(to: URL(fileURLWithPath: leftover))
        XCTAssertEqual(OnlineBackupService.newestBackup(in: backups, fileExtension: "sqlite"), first,
                       "a partial file is never offered as a backup")
        let second = try await service.backUpOnce()
        await storage.shutdown()
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover), "the next backup sweeps the leftover")
        XCTAssertEqual(OnlineBackupService.backups(in: backups, fileExtension: "sqlite"), [first, second])
    }

    func testBackupInterval_goDurationsAndZeroForOff() {
        XCTAssertEqual(SQLiteStoragePlugin.parseDuration("3m"), 180)
        XCTAssertEqual(SQLiteStoragePlugin.parseDuration("90s"), 90)
        XCTAssertEqual(SQLiteStoragePlugin.parseDuration("1h30m"), 5_400)
        XCTAssertEqual(SQLiteStoragePlugin.parseDuration("0"), 0)
        for bad in ["", "5", "3x", "m", "1.5h", "-3m", "3m ", "99999999999s"] {
            XCTAssertNil(SQLiteStoragePlugin.parseDuration(bad), bad)
        }
    }
}
