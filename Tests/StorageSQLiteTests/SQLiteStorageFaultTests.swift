import Dispatch
import Foundation
import PoolKernel
import PoolTestKit
@testable import StorageSQLite
import SQLStorageBase
import XCTest

/// SQLite under trouble: a lock held by another process, a full database, a corrupt file, schema mismatches,
/// and the 8 × 1,000 registration load.
final class SQLiteStorageFaultTests: StorageConformanceTests {
    private var directory: URL!

    override func setUp() async throws {
        try await super.setUp()
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "sqlite-faults")
    }

    override func tearDown() async throws {
        try await super.tearDown()
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String = "pool.sqlite") -> String { directory.appendingPathComponent(name).path }

    func testSQLiteStorage_lockedDatabaseIsBusyThenRecovers() async throws {
        let holder = SQLiteStorage(configuration: .init(path: path()), logger: .disabled)
        try await holder.migrate()
        _ = try await holder.insertUser(Self.sampleUser(1))
        let other = SQLiteStorage(configuration: .init(path: path(), busyTimeoutMilliseconds: 150), logger: .disabled)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        // The holder keeps a write transaction open (like another process) until released.
        async let held: Void = holder.write { tx in
            _ = try tx.insertUser(Self.sampleUser(2))
            holding.signal()
            release.wait()
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                holding.wait()
                continuation.resume()
            }
        }
        await assertStorageError(.busy) { try await other.insertUser(Self.sampleUser(3)) }
        release.signal()
        try await held
        _ = try await other.insertUser(Self.sampleUser(3))
        let count = try await other.read { try $0.userCount() }
        XCTAssertEqual(count, 3, "nothing lost, nothing half-written")
        await holder.shutdown()
        await other.shutdown()
    }

    func testSQLiteStorage_fullDatabaseFailsClearlyAndStaysIntact() async throws {
        let storage = SQLiteStorage(configuration: .init(path: path(), maxDatabaseBytes: 256 * 1024), logger: .disabled)
        try await storage.migrate()
        var inserted = 0
        var failure: StorageError?
        for n in 0..<5_000 {
            var user = Self.activeUser(n)
            user.multiSigScript = String(repeating: "ab", count: 120)
            user.email = "full-\(n)@example.com"
            do {
                _ = try await storage.insertUser(user)
                inserted += 1
            } catch let error as StorageError {
                failure = error
                break
            }
        }
        XCTAssertEqual(failure?.code, .full, "\(String(describing: failure))")
        XCTAssertGreaterThan(inserted, 10)
        // The failed transaction left nothing behind, reads work, and a fresh open sees every committed row.
        let count = try await storage.read { try $0.userCount() }
        XCTAssertEqual(count, inserted)
        await storage.shutdown()
        let reopened = SQLiteStorage(configuration: .init(path: path()), logger: .disabled)
        try await reopened.migrate()
        let again = try await reopened.read { try $0.users(afterId: 0, limit: 10_000) }
        XCTAssertEqual(again.count, inserted)
        XCTAssertEqual(again.last?.email, "full-\(inserted - 1)@example.com")
        let check = try await reopened.read { _ in 0 }
        XCTAssertEqual(check, 0)
        await reopened.shutdown()
    }

    func testSQLiteStorage_corruptFileIsAClearError() async throws {
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path("garbage.sqlite")))
        let storage = SQLiteStorage(configuration: .init(path: path("garbage.sqlite")), logger: .disabled)
        await assertStorageError(.corrupt) { try await storage.migrate() }
        await storage.shutdown()
    }

    func testSQLiteStorage_missingDirectoryIsUnavailable() async throws {
        let storage = SQLiteStorage(configuration: .init(path: path("no/such/dir/pool.sqlite")), logger: .disabled)
        await assertStorageError(.unavailable) { try await storage.migrate() }
    }

    func testSQLiteStorage_schemaMissingAndTooNew() async throws {
        let storage = SQLiteStorage(configuration: .init(path: path()), logger: .disabled)
        await assertStorageError(.schemaMissing) { try await storage.read { try $0.userCount() } }
        let status = try await storage.schemaStatus()
        XCTAssertEqual(status.currentVersion, 0)
        XCTAssertEqual(status.pending.count, status.latestVersion)
        try await storage.migrate()
        // A newer binary migrated this file: refuse it.
        _ = try await storage.write { _ in 0 }
        await storage.shutdown()
        let raw = SQLiteConnection(path: path(), label: "test.raw", busyTimeoutMilliseconds: 1000, isReader: false)
        _ = try await raw.perform { try $0.execute("INSERT INTO SchemaVersion (Version, Name, AppliedAt) VALUES (99, 'future', 0)", []) }
        let newer = SQLiteStorage(configuration: .init(path: path()), logger: .disabled)
        await assertStorageError(.schemaTooNew) { try await newer.migrate() }
        await assertStorageError(.schemaTooNew) { try await newer.read { try $0.userCount() } }
        await newer.shutdown()
    }

    func testSQLiteStorage_rowsReadStraightFromTheCursorConvertLikeSQLValue() async throws {
        // Old or hand-edited databases may hold any storage class in any column (SQLite does not enforce types):
        // reading columns straight from the cursor must give what `SQLValue` gives, and odd REALs must not trap.
        let raw = SQLiteConnection(path: path(), label: "test.rows", busyTimeoutMilliseconds: 1000, isReader: false)
        let sql = "SELECT 42, '17', 'x1', NULL, X'6869', 2.9, -2.9, 9e300, 1e308 * 10, 'héllo', X''"
        let (direct, viaValues) = try await raw.perform { connection -> ([[String]], [[String]]) in
            let direct = try connection.query(sql, []) { row in
                (0..<row.columnCount).map { "\(row.int64($0))|\(row.string($0))" }
            }
            let viaValues = try connection.query(sql, []).map { row in row.map { "\($0.int64)|\($0.string)" } }
            return (direct, viaValues)
        }
        XCTAssertEqual(direct, viaValues)
        XCTAssertEqual(direct.first, ["42|42", "17|17", "0|x1", "0|", "0|hi", "2|2", "-2|-2", "0|0", "0|0",
                                      "0|héllo", "0|"])
        await raw.shutdown()
    }

    func testSQLiteStorage_8x1000Registrations() async throws {
        let storage = SQLiteStorage(configuration: .init(path: path()), logger: .disabled)
        try await storage.migrate()
        try await runRegistrationLoad(storage)
        await storage.shutdown()
    }
}
