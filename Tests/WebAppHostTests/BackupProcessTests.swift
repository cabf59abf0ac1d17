import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import StorageSQLite
import WebAppHost
import WebHost
import XCTest

/// Backups with real processes (issue 23 item 1): `poolctl db backup` taken while 100 registrations run against
/// the web app restores (`poolctl db restore`) into a database that passes `poolctl db status` and holds every
/// registration completed before the backup began; a `kill -9` of `hxstakepool` in the middle of its automatic
/// backup leaves the earlier backups whole.
final class BackupProcessTests: XCTestCase {
    private var directory: URL!
    private var apps: [(WebApp, Task<Void, any Error>)] = []
    private var children: ChildProcessHarness?

    override func setUpWithError() throws { directory = try TestEnvironment.makeTemporaryDirectory(prefix: "backup-process") }

    override func tearDown() async throws {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        children?.stopAll()
        try? FileManager.default.removeItem(at: directory)
    }

    private func loadConfig(_ path: String) throws -> PoolConfig {
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: directory.path, plugins: .builtIn(),
                                                 hostOptions: WebAppHostOptions.all)
        return try XCTUnwrap(loaded)
    }

    /// A registration is a verified user with an API token submitting a pubkey address over the real API.
    private static func submit(_ session: URLSession, port: Int, token: String, address: String) async -> Bool {
        guard let url = URL(string: "http://127.0.0.1:\(port)/api/v2/address") else { return false }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = 120
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("UserPubKeyAddr=\(address)".utf8)
        guard let (data, _) = try? await session.data(for: request) else { return false }
        return String(decoding: data, as: UTF8.self).hasPrefix(#"{"status":"success""#)
    }

    func testPoolctlBackup_duringHundredRegistrationsRestoresEveryCompletedOne() async throws {
        let poolctl = try BuiltExecutable.path("poolctl")
        let dir = directory.path
        let configPath = try WebAppTestConfig.write(into: dir, extra: "ratelimit=0\nmaxconnectionsperip=0\nbackupinterval=0")
        let config = try loadConfig(configPath)
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        guard case let .tcp(_, boundPort) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        let port = Int(boundPort)
        apps.append((app, Task { try await app.run() }))

        let signer = APITokenSigner(secret: config.apiSecret, issuer: config.baseURL)
        let root = try ExtendedPublicKey(parsing: SimnetWalletPlugin.defaultKeys.cold, network: .simnet).child(1)
        var registrations: [(id: UserId, token: String, address: String)] = []
        for n in 0..<100 {
            let user = try await app.storage.insertUser(User(email: "reg\(n)@example.com", passwordHash: "x", emailVerified: .verified))
            let token = signer.issue(for: user.id)
            _ = try await app.storage.updateUser(id: user.id) { $0.apiToken = token }
            registrations.append((user.id, token, try root.child(UInt32(n)).pubKeyAddress(network: .simnet).encoded))
        }

        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 100
        let session = URLSession(configuration: configuration)
        let completed = LockedValue<Set<Int64>>([])
        let runs = registrations.map { registration in
            Task.detached { () -> Bool in
                let ok = await Self.submit(session, port: port, token: registration.token, address: registration.address)
                if ok { completed.withLock { _ = $0.insert(registration.id.rawValue) } }
                return ok
            }
        }
        // Backups one after the other while the registrations run (at least two), each noting what had completed.
        var backups: [(file: String, completedBefore: Set<Int64>)] = []
        while backups.count < 2 || completed.value.count < registrations.count {
            let before = completed.value
            let file = dir + "/pool-\(backups.count).jsonl"
            let (status, output) = try ProcessRun.run(poolctl, ["-C", configPath, "db", "backup", file])
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains("wrote \(file): "), output)
            backups.append((file, before))
            if backups.count >= 20 { break }
        }
        var succeeded = 0
        for run in runs where await run.value { succeeded += 1 }
        XCTAssertEqual(succeeded, 100, "every registration succeeded")
        XCTAssertLessThan(backups[0].completedBefore.count, 100, "the first backup began before all registrations completed")

        // Each backup restores into a fresh SQLite database that `poolctl db status` accepts.
        let live = try await app.storage.read { try $0.snapshot() }
        let liveUsers = Dictionary(uniqueKeysWithValues: live.users.map { ($0.id.rawValue, $0) })
        for (index, backup) in backups.enumerated() where index < 2 || index == backups.count - 1 {
            let restoredPath = dir + "/restored-\(index).sqlite"
            let target = ["-C", configPath, "--sqlitepath=\(restoredPath)", "db"]
            let restore = try ProcessRun.run(poolctl, target + ["restore", backup.file])
            XCTAssertEqual(restore.status, 0, restore.output)
            let status = try ProcessRun.run(poolctl, target + ["status"])
            XCTAssertEqual(status.status, 0, status.output)
            XCTAssertTrue(status.output.contains("(up to date)"), status.output)

            let restored = SQLiteStorage(configuration: .init(path: restoredPath), logger: .disabled)
            let users = try await restored.read { try $0.snapshot().users }
            await restored.shutdown()
            XCTAssertEqual(users.count, 100, "backup \(index): every account")
            let registered = users.filter(\.isActive)
            for id in backup.completedBefore {
                let user = users.first { $0.id.rawValue == id }
                XCTAssertEqual(user?.multiSigAddress.isEmpty, false, "backup \(index): registration of user \(id) completed before it")
            }
            for user in registered {
                // A registration in the backup is the one the live pool holds: same script, address and fee address.
                XCTAssertEqual(user, liveUsers[user.id.rawValue], "backup \(index): user \(user.id)")
            }
        }
    }

    func testKillNineDuringAnAutomaticBackupLeavesTheEarlierBackupsWhole() async throws {
        let binary = try BuiltExecutable.path("hxstakepool")
        let harness = ChildProcessHarness(directory: directory)
        children = harness
        let dir = directory.path
        let configPath = try WebAppTestConfig.write(into: dir, extra: "backupinterval=1s\nbackupcount=4")
        let config = try loadConfig(configPath)
        // About 60 MB of delivered mail, so each backup takes long enough to be caught in the middle.
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let storage = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        try await storage.migrate()
        let body = String(repeating: "0123456789abcdef", count: 60_000)
        let now = Int64(Date().timeIntervalSince1970)
        try await storage.write { tx in
            for n in 0..<60 {
                _ = try tx.enqueueMail(OutboxMessage(to: "to\(n)@example.com", subject: "s", body: body, messageID: "<m\(n)@x>",
                                                     status: .delivered, nextAttemptAt: now, createdAt: now))
            }
        }
        await storage.shutdown()
        let backups = config.dataDir + "/backups"
        func entries() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: backups)) ?? [] }

        var interrupted = false
        for attempt in 0..<5 where !interrupted {
            let child = try harness.launch(binary, ["-C", configPath], log: directory.appendingPathComponent("app-\(attempt).log"))
            // Two whole backups first, then the moment a third one is being written.
            var deadline = Date().addingTimeInterval(120)
            while entries().filter({ $0.hasPrefix("backup-") }).count < 2, Date() < deadline, child.isRunning {
                try await Task.sleep(for: .milliseconds(50))
            }
            XCTAssertTrue(child.isRunning, "hxstakepool is running")
            deadline = Date().addingTimeInterval(30)
            while !entries().contains(where: { $0.hasPrefix(AtomicFile.temporaryPrefix) }), Date() < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal)
            // Interrupted for sure only if the partial file is still there after the process is gone.
            interrupted = entries().contains { $0.hasPrefix(AtomicFile.temporaryPrefix) }
        }
        XCTAssertTrue(interrupted, "a kill -9 landed in the middle of a backup")
        let whole = entries().filter { $0.hasPrefix("backup-") && $0.hasSuffix(".sqlite") }
        XCTAssertGreaterThanOrEqual(whole.count, 2)
        XCTAssertLessThanOrEqual(whole.count, 4, "backupcount")
        for name in whole {
            let path = backups + "/" + name
            XCTAssertEqual(SQLiteFileCheck.integrity(path), "ok", name)
            XCTAssertEqual(SQLiteFileCheck.scalar(path, "SELECT COUNT(*) FROM MailOutbox"), "60", name)
        }
    }
}
