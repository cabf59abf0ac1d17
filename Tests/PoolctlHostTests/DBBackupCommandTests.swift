import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import PoolctlHost
@testable import StorageMySQL
import StorageSQLite
import XCTest

/// `poolctl db backup FILE` / `poolctl db restore FILE` through `PoolctlMain` (the CLI's own entry point): the
/// portable file from a SQLite pool restores into an empty MariaDB database, a non-empty one is refused, a damaged
/// file is refused with nothing written.
final class DBBackupCommandTests: XCTestCase {
    private var directory: URL!
    private var mysqlDatabase: (MySQLStoragePlugin.Configuration, String)?

    override func setUpWithError() throws { directory = try TestEnvironment.makeTemporaryDirectory(prefix: "db-backup") }

    override func tearDown() async throws {
        if let (base, name) = mysqlDatabase { try? await Self.admin(base, "DROP DATABASE IF EXISTS `\(name)`") }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func admin(_ configuration: MySQLStoragePlugin.Configuration, _ statement: String) async throws {
        let connection = MySQLConnection(configuration: configuration, label: "test.admin")
        try await connection.perform { try $0.simple(statement) }
        await connection.shutdown()
    }

    private final class Captured: Sendable {
        let lines = LockedValue<[String]>([])
        var output: HostOutput {
            HostOutput(out: { [lines] line in lines.withLock { $0.append(line) } },
                       err: { [lines] line in lines.withLock { $0.append(line) } })
        }
        var text: String { lines.value.joined(separator: "\n") }
    }

    private func poolctl(_ config: String, _ arguments: String...) async -> (Int32, String) {
        let io = Captured()
        let code = await PoolctlMain.run(arguments: ["-C", config, "db"] + arguments, output: io.output, home: directory.path)
        return (code, io.text)
    }

    private func writeConfig(_ name: String, _ lines: String) throws -> String {
        let path = directory.path + "/" + name
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testBackupFromSQLiteRestoresIntoAnEmptyMySQLDatabaseOnly() async throws {
        let dir = directory.path
        let source = try writeConfig("sqlite.conf", "storage=sqlite\nsqlitepath=\(dir)/source.sqlite\n")
        let (migrated, migrateText) = await poolctl(source, "migrate")
        XCTAssertEqual(migrated, ExitCode.ok, migrateText)
        let storage = SQLiteStorage(configuration: .init(path: dir + "/source.sqlite"), logger: .disabled)
        let alice = try await storage.insertUser(StorageConformanceTests.activeUser(1))
        let bob = try await storage.insertUser(User(email: "Bob@Example.com", passwordHash: "$2a$10$bob", emailVerified: .verified))
        try await storage.write { tx in
            try tx.insertSession(SessionRecord(id: "s1", userId: bob.id, payload: Data([1, 2, 3]), createdAt: 5, expiresAt: 9))
            _ = try tx.enqueueMail(StorageConformanceTests.sampleMail(1))
        }
        await storage.shutdown()

        let file = dir + "/pool.jsonl"
        let (backedUp, backupText) = await poolctl(source, "backup", file)
        XCTAssertEqual(backedUp, ExitCode.ok, backupText)
        XCTAssertTrue(backupText.contains("wrote \(file): 2 Users, 1 Sessions, 1 MailOutbox from sqlite"), backupText)
        // The documented header: format, version, the source's schema version (as `db status` reports it), counts.
        let headerLine = try XCTUnwrap(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").first)
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(headerLine.utf8)) as? [String: Any])
        XCTAssertEqual(header["format"] as? String, "hxstakepool-backup")
        XCTAssertEqual(header["version"] as? Int, 1)
        let (_, statusText) = await poolctl(source, "status")
        XCTAssertTrue(statusText.contains("schema version \(header["schemaVersion"] as? Int ?? -1) of"), "\(statusText) vs \(header)")
        XCTAssertEqual((header["tables"] as? [String: Any])?["Users"] as? Int, 2)
        let (again, againText) = await poolctl(source, "backup", file)
        XCTAssertEqual(again, ExitCode.usage, "never overwrites")
        XCTAssertTrue(againText.contains("already exists"), againText)

        // Into a new MariaDB database.
        let base = try MySQLStoragePlugin.Configuration(dsn: try TestEnvironment.require("POOL_MYSQL_DSN"))
        let name = "pt_restore_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await Self.admin(base, "CREATE DATABASE `\(name)` CHARACTER SET utf8mb4")
        mysqlDatabase = (base, name)
        let target = try writeConfig("mysql.conf", """
            storage=mysql
            dbhost=\(base.host)
            dbport=\(base.port)
            dbuser=\(base.user)
            dbpassword=\(base.password)
            dbname=\(name)
            """)
        let (restored, restoreText) = await poolctl(target, "restore", file)
        XCTAssertEqual(restored, ExitCode.ok, restoreText)
        let (status, statusAfter) = await poolctl(target, "status")
        XCTAssertEqual(status, ExitCode.ok, statusAfter)
        XCTAssertTrue(statusAfter.contains("storage mysql") && statusAfter.contains("(up to date)"), statusAfter)
        var mysql = base
        mysql.database = name
        let copy = MySQLStorage(configuration: mysql, logger: .disabled)
        let users = try await copy.read { try $0.snapshot().users }
        let session = try await copy.read { try $0.session(id: "s1") }
        let next = try await copy.insertUser(StorageConformanceTests.sampleUser(3))
        await copy.shutdown()
        XCTAssertEqual(users, [alice, bob])
        XCTAssertEqual(session?.payload, Data([1, 2, 3]))
        XCTAssertEqual(next.id, UserId(3), "new ids continue after the restored ones")

        let (refused, refusedText) = await poolctl(target, "restore", file)
        XCTAssertEqual(refused, ExitCode.failure)
        XCTAssertTrue(refusedText.contains("refusing to restore: the database is not empty (table Users has rows)"), refusedText)

        // And back: a backup of the MySQL database restores into a new SQLite file with the same accounts.
        let fromMySQL = dir + "/from-mysql.jsonl"
        let (backedUpAgain, backupAgainText) = await poolctl(target, "backup", fromMySQL)
        XCTAssertEqual(backedUpAgain, ExitCode.ok, backupAgainText)
        XCTAssertTrue(backupAgainText.contains("3 Users, 1 Sessions, 1 MailOutbox from mysql"), backupAgainText)
        let sqlite = try writeConfig("back.conf", "storage=sqlite\nsqlitepath=\(dir)/back.sqlite\n")
        let (back, backText) = await poolctl(sqlite, "restore", fromMySQL)
        XCTAssertEqual(back, ExitCode.ok, backText)
        let check = SQLiteStorage(configuration: .init(path: dir + "/back.sqlite"), logger: .disabled)
        let backUsers = try await check.read { try $0.snapshot().users }
        await check.shutdown()
        XCTAssertEqual(backUsers, [alice, bob, next])
    }

    func testRestoreRefusesADamagedFileWritingNothing() async throws {
        let dir = directory.path
        let source = try writeConfig("sqlite.conf", "storage=sqlite\nsqlitepath=\(dir)/source.sqlite\n")
        _ = await poolctl(source, "migrate")
        let storage = SQLiteStorage(configuration: .init(path: dir + "/source.sqlite"), logger: .disabled)
        for n in 1...3 { _ = try await storage.insertUser(StorageConformanceTests.sampleUser(n)) }
        await storage.shutdown()
        let file = dir + "/pool.jsonl"
        let (code, text) = await poolctl(source, "backup", file)
        XCTAssertEqual(code, ExitCode.ok, text)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let target = try writeConfig("target.conf", "storage=sqlite\nsqlitepath=\(dir)/target.sqlite\n")
        let cases: [(String, String)] = [
            (lines.dropLast().joined(separator: "\n") + "\n", "the header counts 3 rows of Users but the file holds 2 (truncated or edited)"),
            (lines.joined(separator: "\n").replacingOccurrences(of: "\"UserId\":2", with: "\"UserId\":\"2\""),
             "backup line 3: Users.UserId is missing or not an integer"),
            ("{\"format\":\"something else\"}\n", "backup line 1: not an hxstakepool backup"),
        ]
        for (content, expected) in cases {
            let damaged = dir + "/damaged.jsonl"
            try content.write(toFile: damaged, atomically: true, encoding: .utf8)
            let (refused, refusedText) = await poolctl(target, "restore", damaged)
            XCTAssertEqual(refused, ExitCode.usage, refusedText)
            XCTAssertTrue(refusedText.contains(expected) && refusedText.contains("nothing was restored"), refusedText)
        }
        let (missing, missingText) = await poolctl(target, "restore", dir + "/absent.jsonl")
        XCTAssertEqual(missing, ExitCode.usage, missingText)
        let check = SQLiteStorage(configuration: .init(path: dir + "/target.sqlite"), logger: .disabled)
        try await check.migrate()
        let count = try await check.read { try $0.userCount() }
        await check.shutdown()
        XCTAssertEqual(count, 0, "nothing written")
    }
}
