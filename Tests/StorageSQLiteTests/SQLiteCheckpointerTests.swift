import Foundation
import PoolKernel
import PoolTestKit
@testable import StorageSQLite
import XCTest

/// WAL checkpoints run on the checkpoint connection, not in a writer's COMMIT (where the disk sync of a checkpoint
/// held every queued write for up to a second): the writer's automatic checkpoint is off, so the WAL stays bounded
/// only if the background checkpoints happen, and every write survives a reopen.
final class SQLiteCheckpointerTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestEnvironment.makeTemporaryDirectory(prefix: "sqlite-ckpt") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testManyCommits_checkpointInTheBackground_walStaysBounded() async throws {
        let path = directory.path + "/pool.sqlite"
        let storage = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        try await storage.migrate()
        let batches = 1_000, perBatch = 100
        var largestWAL = 0, walShrank = false
        for batch in 0..<batches {
            try await storage.write { tx in
                for n in 0..<perBatch {
                    _ = try tx.insertUser(User(email: "ckpt-\(batch)-\(n)@example.com", passwordHash: "x",
                                               multiSigScript: String(format: "%0142x", batch * perBatch + n),
                                               emailVerified: .verified))
                }
            }
            let wal = Self.size(path + "-wal")
            walShrank = walShrank || wal < largestWAL
            largestWAL = max(largestWAL, wal)
        }
        // Every commit of this test appended its pages; without checkpoints the WAL would hold them all.
        let deadline = Date().addingTimeInterval(30)
        while storage.checkpointer.checkpoints == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertGreaterThan(storage.checkpointer.checkpoints, 0, "no checkpoint ran on the checkpoint connection")
        XCTAssertGreaterThan(Self.size(path), 4 << 20, "the checkpoints moved the pages into the database file")
        // A WAL frame is a 4,096-byte page and a 24-byte header; one commit adds at most a few hundred frames.
        XCTAssertLessThan(largestWAL, (Int(SQLiteCheckpointer.writerCheckpointFrames) + 2_000) * 4_120,
                          "the WAL grew past its bound: \(largestWAL) bytes")
        // Under steady writes the WAL starts over in the same file: cutting it and growing it again each time made
        // the disk's journal commits, and the checkpoints waiting on them, slow.
        XCTAssertGreaterThan(largestWAL, 16 << 20, "the writes filled the WAL well past a few thousand pages")
        XCTAssertFalse(walShrank, "the WAL file was cut back while it stayed within its bound")
        // A burst past the limit (here one transaction of 60 MB from another connection): once a checkpoint has
        // caught up, the next write starts the WAL over and cuts the file back to its limit.
        let other = SQLiteConnection(path: path, label: "test-burst", busyTimeoutMilliseconds: 5_000, isReader: false)
        try await other.perform { try $0.executeScript("CREATE TABLE burst(b BLOB); INSERT INTO burst VALUES (zeroblob(60000000));") }
        await other.shutdown()
        XCTAssertGreaterThan(Self.size(path + "-wal"), SQLiteCheckpointer.walSizeLimit, "the burst grew the WAL past its limit")
        let quiet = Date().addingTimeInterval(30)
        var n = 0
        while Self.size(path + "-wal") > SQLiteCheckpointer.walSizeLimit && Date() < quiet {
            n += 1
            try await storage.write { [n] tx in
                _ = try tx.insertUser(User(email: "after-\(n)@example.com", passwordHash: "x", emailVerified: .verified))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertLessThanOrEqual(Self.size(path + "-wal"), SQLiteCheckpointer.walSizeLimit, "the WAL file was not cut back")
        await storage.shutdown()

        let reopened = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        let count = try await reopened.read { try $0.userCount() }
        XCTAssertEqual(count, batches * perBatch + n)
        await reopened.shutdown()
    }

    private static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
