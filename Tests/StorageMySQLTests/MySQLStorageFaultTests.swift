import Dispatch
import Foundation
import PoolKernel
import PoolTestKit
@testable import StorageMySQL
import XCTest

/// MySQL under trouble: the server killed mid-transaction and restarted (a private second mariadbd started by
/// this test, so the shared test server is never touched), bad DSNs, and the 8 × 1,000 registration load.
final class MySQLStorageFaultTests: StorageConformanceTests {
    private var serverDirectory: URL?
    private var databases: [String] = []
    private var base: MySQLStoragePlugin.Configuration?

    override func tearDown() async throws {
        try await super.tearDown()
        if let base { for name in databases { await MySQLTestSupport.dropDatabase(base, name) } }
        if let serverDirectory {
            _ = try? Self.mariadbScript("stop", testDirectory: serverDirectory)
            try? FileManager.default.removeItem(at: serverDirectory)
        }
    }

    private static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs scripts/services/mariadb.sh with its own POOL_TEST_DIR; returns the env file's variables.
    @discardableResult
    private static func mariadbScript(_ verb: String, testDirectory: URL) throws -> [String: String] {
        // posix_spawn + waitpid: Foundation's Process can wait forever when a grandchild (the daemonised server)
        // inherits its bookkeeping descriptors.
        var environment = ProcessInfo.processInfo.environment
        environment["POOL_TEST_DIR"] = testDirectory.path
        let arguments = ["/bin/bash", repositoryRoot.appendingPathComponent("scripts/services/mariadb.sh").path, verb]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, argv, envp) == 0 else {
            throw StorageError(.unavailable, "cannot run mariadb.sh")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw StorageError(.unavailable, "mariadb.sh \(verb) failed with status \(status)")
        }
        let env = (try? String(contentsOf: testDirectory.appendingPathComponent("env"), encoding: .utf8)) ?? ""
        var values: [String: String] = [:]
        for line in env.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    /// Starts a private mariadbd for this test; its directory, a one-connection configuration and its pid.
    private func startPrivateServer(ioTimeoutSeconds: Int) throws
        -> (directory: URL, configuration: MySQLStoragePlugin.Configuration, pid: Int32)
    {
        _ = try MySQLTestSupport.configuration()  // only where the test services exist
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "mariadb-fault")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        serverDirectory = directory
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("env").path, contents: Data())
        let env = try Self.mariadbScript("start", testDirectory: directory)
        var configuration = try MySQLStoragePlugin.Configuration(dsn: try XCTUnwrap(env["POOL_MYSQL_DSN"]))
        configuration.poolSize = 1
        configuration.ioTimeoutSeconds = ioTimeoutSeconds
        let pidText = try String(contentsOf: directory.appendingPathComponent("mariadb/run/mysqld.pid"), encoding: .utf8)
        let pid = try XCTUnwrap(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        return (directory, configuration, pid)
    }

    func testMySQLStorage_serverKilledMidTransactionThenRestarted() async throws {
        let (directory, configuration, pid) = try startPrivateServer(ioTimeoutSeconds: 5)
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        try await storage.migrate()
        let kept = try await storage.insertUser(Self.sampleUser(1))

        // Kill the server while a registration transaction is open (user inserted, not committed).
        let inside = DispatchSemaphore(value: 0)
        let killed = DispatchSemaphore(value: 0)
        async let doomed: UserId = storage.write { tx in
            let id = try tx.insertUser(Self.sampleUser(2))
            inside.signal()
            killed.wait()
            _ = try tx.enqueueMail(Self.sampleMail(2))
            return id
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                inside.wait()
                kill(pid, SIGKILL)
                // Gone, or a zombie nobody has reaped yet (its parent, the start script, has exited).
                let deadline = Date().addingTimeInterval(10)
                while kill(pid, 0) == 0, Date() < deadline {
                    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                    if stat.contains(") Z ") { break }
                    usleep(10_000)
                }
                killed.signal()
                continuation.resume()
            }
        }
        do {
            _ = try await doomed
            XCTFail("the transaction cannot commit on a dead server")
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .unavailable, "\(error)")
        }
        // While the server is down every call fails clearly.
        await assertStorageError(.unavailable) { try await storage.read { try $0.userCount() } }

        try Self.mariadbScript("start", testDirectory: directory)
        // The plugin reconnects by itself; the half-done registration left nothing behind.
        var users: [User] = []
        let deadline = Date().addingTimeInterval(30)
        while true {
            do {
                users = try await storage.read { try $0.users(afterId: 0, limit: 100) }
                break
            } catch let error as StorageError where error.code == .unavailable && Date() < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        XCTAssertEqual(users.map(\.id), [kept.id], "no half-written user exists")
        let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(mails, [])
        let again = try await storage.insertUser(Self.sampleUser(2))
        let awaited0 = try await storage.user(id: again.id)?.email
        XCTAssertEqual(awaited0, "user2@example.com")
        await storage.shutdown()
    }

    /// `kill(SIGSTOP)` only queues the stop: on a busy machine a server thread already running may still answer for a
    /// moment. Every thread's state in /proc must read `T` (stopped) before the server counts as silent.
    private static func waitUntilEveryThreadIsStopped(_ pid: pid_t) throws {
        let tasks = URL(fileURLWithPath: "/proc/\(pid)/task")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let threads = try FileManager.default.contentsOfDirectory(atPath: tasks.path)
            let states = threads.compactMap { thread -> Character? in
                guard let stat = try? String(contentsOf: tasks.appendingPathComponent("\(thread)/stat"), encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return nil }
                return stat[stat.index(close, offsetBy: 2)...].first  // the state follows "(comm) "
            }
            if !states.isEmpty, states.allSatisfy({ $0 == "T" || $0 == "t" }) { return }
            usleep(1_000)
        }
        XCTFail("mariadbd \(pid) did not stop within 30 s")
    }

    func testMySQLStorage_serverThatStopsAnsweringTimesOutThenRecovers() async throws {
        // Reads wait through our socket hook (busy-poll, then poll): the I/O timeout must still end a call to a
        // server that accepts the query but never answers, and the next call must reconnect once it answers again.
        let (_, configuration, pid) = try startPrivateServer(ioTimeoutSeconds: 1)
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        try await storage.migrate()
        let kept = try await storage.insertUser(Self.sampleUser(1))
        XCTAssertEqual(kill(pid, SIGSTOP), 0)
        try Self.waitUntilEveryThreadIsStopped(pid)
        let stoppedAt = Date()
        do {
            _ = try await storage.user(id: kept.id)
            kill(pid, SIGCONT)
            XCTFail("a server that never answers cannot return a user")
        } catch let error as StorageError {
            kill(pid, SIGCONT)
            XCTAssertEqual(error.code, .unavailable, "\(error)")
        }
        // The stopped server never answers, so only the I/O timeout can have ended the call (the outcome above);
        // the lower bound (which load can only make easier to meet) checks it did not give up early.
        let waited = Date().timeIntervalSince(stoppedAt)
        XCTAssertGreaterThanOrEqual(waited, 0.9, "the call gave up before the 1 s I/O timeout")
        var found: User?
        let deadline = Date().addingTimeInterval(30)
        while found == nil {
            do {
                found = try await storage.user(id: kept.id)
            } catch let error as StorageError where error.code == .unavailable && Date() < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        XCTAssertEqual(found?.email, kept.email)
        await storage.shutdown()
    }

    func testMySQLStorage_unreachableServerIsUnavailable() async throws {
        let configuration = MySQLStoragePlugin.Configuration(host: "127.0.0.1", port: 1, user: "nobody",
                                                             password: "secret-pw", database: "none",
                                                             connectTimeoutSeconds: 2)
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        do {
            try await storage.migrate()
            XCTFail("nothing listens on port 1")
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertFalse(error.message.contains("secret-pw"), "no password in errors")
        }
        XCTAssertFalse(configuration.description.contains("secret-pw"))
        await storage.shutdown()
    }

    func testMySQLStorage_wrongPasswordIsUnavailableWithoutTheSecret() async throws {
        var configuration = try MySQLTestSupport.configuration()
        configuration.password = "definitely-wrong-pw"
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        do {
            try await storage.migrate()
            XCTFail("wrong password")
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertFalse(error.message.contains("definitely-wrong-pw"))
        }
        await storage.shutdown()
    }

    func testMySQLStorage_dsnParsing() throws {
        let parsed = try MySQLStoragePlugin.Configuration(dsn: "mysql://us%40er:p%3Ass@db.local:3307/pool?poolsize=6&tls=true")
        XCTAssertEqual(parsed.user, "us@er")
        XCTAssertEqual(parsed.password, "p:ss")
        XCTAssertEqual(parsed.host, "db.local")
        XCTAssertEqual(parsed.port, 3307)
        XCTAssertEqual(parsed.database, "pool")
        XCTAssertEqual(parsed.poolSize, 6)
        XCTAssertTrue(parsed.tls)
        let defaults = try MySQLStoragePlugin.Configuration(dsn: "mysql://u:p@h/db")
        XCTAssertEqual(defaults.port, 3306)
        for bad in ["", "postgres://u:p@h/db", "mysql://u:p@h:0/db", "mysql://u:p@h:99999/db", "mysql://u:p@h",
                    "mysql://:p@h/db", "mysql://u:p@h/db?poolsize=0", "mysql://u:p@h/db?what=1", "mysql://u:p@h:x/db"] {
            XCTAssertThrowsError(try MySQLStoragePlugin.Configuration(dsn: bad), bad) {
                XCTAssertEqual(($0 as? StorageError)?.code, .invalidInput)
            }
        }
    }

    func testMySQLStorage_8x1000Registrations() async throws {
        let base = try MySQLTestSupport.configuration()
        self.base = base
        let configuration = try await MySQLTestSupport.makeDatabase(base, poolSize: 8)
        databases.append(configuration.database)
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        try await storage.migrate()
        try await runRegistrationLoad(storage)
        await storage.shutdown()
    }
}
