import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import StorageMySQL
import XCTest

/// One pool run as an operator runs it behind a load balancer (issue 23 item 2): `simwallet` (node + three voting
/// wallets), a fresh database on the test MariaDB, a `stakepoold` on it, and `hxstakepool` processes started from
/// config files that differ only in their `datadir`/`logdir` — same secrets, same wallets, same database, SMTP
/// mail to the test sink. Each web host binds port 0 and the port is read back from its log.
package final class MultiHostPool: @unchecked Sendable {
    // @unchecked: built once, then used from one test method at a time.
    package static let controlToken = "multi-host-control-token-0123456789"
    package static let apiSecret = "multi-host-api-secret-0123456789abcdef"
    package static let baseURL = "http://pool.example"

    package let processes: HostProcesses
    package let harness: StakepooldProcessHarness
    package let node: JSONRPCClient
    package let wallets: [JSONRPCClient]
    /// The test's own connection to the pool's database (seeding users, reading what the hosts stored).
    package let storage: any StorageBackend
    package let stakepooldLog: String
    /// Every host's config file has these lines plus its own `datadir` and `logdir`.
    private let sharedLines: [String]
    private let admin: MySQLStoragePlugin.Configuration
    private let databaseName: String
    private var hostCount = 0

    /// The running web hosts (A, B), started by `start()`.
    package private(set) var hosts: [HostProcesses.WebApp] = []

    private init(processes: HostProcesses, harness: StakepooldProcessHarness, node: JSONRPCClient, wallets: [JSONRPCClient],
                 storage: any StorageBackend, stakepooldLog: String, sharedLines: [String],
                 admin: MySQLStoragePlugin.Configuration, databaseName: String) {
        self.processes = processes
        self.harness = harness
        self.node = node
        self.wallets = wallets
        self.storage = storage
        self.stakepooldLog = stakepooldLog
        self.sharedLines = sharedLines
        self.admin = admin
        self.databaseName = databaseName
    }

    /// Starts everything: simwallet, a new MariaDB database (migrated), stakepoold on it, and `webHosts` web hosts.
    package static func start(webHosts: Int = 2) async throws -> MultiHostPool {
        let admin = try MySQLStoragePlugin.Configuration(dsn: try TestEnvironment.require("POOL_MYSQL_DSN"))
        let smtp = try TestEnvironment.require("POOL_SMTP_PLAIN")
        let name = "pt_multi_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try adminStatement(admin, "CREATE DATABASE `\(name)` CHARACTER SET utf8mb4")
        var database = admin
        database.database = name
        let storage = MySQLStorage(configuration: database, logger: .disabled)
        try await storage.migrate()

        let processes = try HostProcesses(prefix: "multi-host")
        let harness = try StakepooldProcessHarness(prefix: "multi-host-daemons")
        let served = try await harness.startSimwallet(wallets: 3, seed: 23)
        let node = try await harness.connect(served.node, certificate: served.certificate, name: "node")
        var wallets: [JSONRPCClient] = []
        for (index, address) in served.wallets.enumerated() {
            wallets.append(try await harness.connect(address, certificate: served.certificate, name: "wallet\(index)"))
        }
        let world = try await node.call("siminfo")
        let voting = try XCTUnwrap(world["votingwalletextpub"]?.stringValue)
        let cold = try XCTUnwrap(world["coldwalletextpub"]?.stringValue)
        let rpc = (user: StakepooldProcessHarness.rpcUser, password: StakepooldProcessHarness.rpcPassword)

        // stakepoold on the same database, its control API on port 0 (read back from its log).
        let home = harness.path("stakepoold")
        let daemonLog = harness.path("stakepoold.out")
        let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
            "--simnet", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
            "--coldwalletextpub=\(cold)", "--storage=mysql", "--dbhost=\(database.host)", "--dbport=\(database.port)",
            "--dbuser=\(database.user)", "--dbpassword=\(database.password)", "--dbname=\(name)",
            "--dcrdhost=\(served.node)", "--dcrduser=\(rpc.user)", "--dcrdpassword=\(rpc.password)",
            "--dcrdcert=\(served.certificate)", "--wallethost=\(served.wallets[0])", "--walletuser=\(rpc.user)",
            "--walletpassword=\(rpc.password)", "--walletcert=\(served.certificate)",
            "--rpclisten=127.0.0.1:0", "--controltoken=\(controlToken)",
        ], log: daemonLog)
        let listening = try await harness.waitForLine(daemon, daemonLog, containing: "control API listening on ", seconds: 90)
        let controlPort = try ChildProcessHarness.address(after: "control API listening on ", in: listening).port
        try await harness.waitForLine(daemon, daemonLog, containing: "subscribed to notifications from dcrd", seconds: 90)
        // The web app wants two stakepoold hosts; the second is a held port where nothing listens.
        let refusing = try ChildProcessHarness.refusingPort()

        let count = served.wallets.count
        let shared = [
            "simnet=1", "listen=127.0.0.1:0", "baseurl=\(baseURL)", "adminips=127.0.0.1",
            "apisecret=\(apiSecret)", "cookiesecret=multi-host-cookie-secret-0123456789abcdef",
            "templatepath=\(WebAppTestConfig.repoRoot)/templates", "publicpath=\(WebAppTestConfig.repoRoot)/public",
            "storage=mysql", "dbhost=\(database.host)", "dbport=\(database.port)", "dbuser=\(database.user)",
            "dbpassword=\(database.password)", "dbname=\(name)",
            "wallet=dcrwallet", "wallethosts=\(served.wallets.joined(separator: ","))",
            "walletusers=" + Array(repeating: rpc.user, count: count).joined(separator: ","),
            "walletpasswords=" + Array(repeating: rpc.password, count: count).joined(separator: ","),
            "walletcerts=" + Array(repeating: served.certificate, count: count).joined(separator: ","),
            "votingwalletextpub=\(voting)", "coldwalletextpub=\(cold)",
            "enablestakepoold=1", "stakepooldhosts=127.0.0.1:\(controlPort),127.0.0.1:\(refusing.localAddress.port)",
            "stakepooldcerts=\(home)/rpc.cert,\(home)/rpc.cert", "stakepooldtoken=\(controlToken)",
            "mail=smtp", "smtphost=\(smtp)", "smtptls=none", "smtpfrom=pool@pool.example",
            "bcryptcost=4", "captchatesthook=1",
            // The per-IP request limiter is per host (documented); the test's many requests all come from 127.0.0.1.
            "ratelimit=0", "maxconnectionsperip=0",
        ]
        let pool = MultiHostPool(processes: processes, harness: harness, node: node, wallets: wallets, storage: storage,
                                 stakepooldLog: daemonLog, sharedLines: shared, admin: admin, databaseName: name)
        pool.heldPort = refusing
        for _ in 0..<webHosts { pool.hosts.append(try await pool.startHost()) }
        return pool
    }

    private var heldPort: TCPListener?

    /// Starts one more web host from the shared lines plus its own data and log directories.
    package func startHost() async throws -> HostProcesses.WebApp {
        hostCount += 1
        let name = "host\(hostCount)"
        let directory = processes.path(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = directory + "/dcrstakepool.conf"
        let lines = sharedLines + ["datadir=\(directory)/data", "logdir=\(directory)/logs"]
        try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        return try await processes.startWebApp(config: config, environment: ["POOL_TEST_CAPTCHA": "1"], name: name)
    }

    /// Kills every process and drops the database.
    package func stop() async {
        processes.stopAll()
        harness.stop()
        heldPort?.close()
        await storage.shutdown()
        try? Self.adminStatement(admin, "DROP DATABASE IF EXISTS `\(databaseName)`")
    }

    /// One statement run by the MariaDB command-line client (the test server's user may create databases).
    private static func adminStatement(_ admin: MySQLStoragePlugin.Configuration, _ statement: String) throws {
        let client = ["/usr/bin/mariadb", "/usr/bin/mysql"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "mariadb"
        let (status, output) = try ProcessRun.run(client, [
            "--no-defaults", "--protocol=TCP", "-h", admin.host, "-P", "\(admin.port)", "-u", admin.user,
            "-p\(admin.password)", "-e", statement])
        XCTAssertEqual(status, 0, "\(statement): \(output)")
        if status != 0 { throw CancellationError() }
    }

    /// The redeem scripts wallet `index` holds, as its `listscripts` answers over JSON-RPC.
    package func scripts(ofWallet index: Int) async throws -> [String] {
        let answer = try await wallets[index].call("listscripts")
        return (answer["scripts"]?.arrayValue ?? []).compactMap { $0["redeemscript"]?.stringValue?.lowercased() }
    }

    /// User `id` as stored now (fails when there is none).
    package func storedUser(_ id: UserId) async throws -> User {
        let found = try await storage.user(id: id)
        return try XCTUnwrap(found, "user \(id) is stored")
    }

    /// The simulation's `votingwalletextpub` or `coldwalletextpub` (as `siminfo` names them).
    package func simulationKey(_ name: String) async throws -> ExtendedPublicKey {
        let world = try await node.call("siminfo")
        return try ExtendedPublicKey(parsing: try XCTUnwrap(world[name]?.stringValue, "\(name) in siminfo"), network: .simnet)
    }

    /// A verified user with a password (bcrypt cost 4) and an API token signed with the pool's `apisecret`.
    package func addUser(email: String, password: String = "unused-password-0123") async throws -> (User, token: String) {
        var user = try await storage.insertUser(User(email: email, passwordHash: try BCrypt.hash(password: password, cost: 4),
                                                     emailVerified: .verified))
        let token = APITokenSigner(secret: Self.apiSecret, issuer: Self.baseURL).issue(for: user.id)
        user = try await storage.updateUser(id: user.id) { $0.apiToken = token }
        return (user, token)
    }

    /// The messages the SMTP sink accepted for recipients containing `tag`: (recipient, Message-ID) per message.
    package static func sinkMessages(tagged tag: String) throws -> [(recipient: String, messageID: String)] {
        let maildir = try TestEnvironment.require("POOL_SMTP_MAILDIR")
        let names = try FileManager.default.contentsOfDirectory(atPath: maildir).filter { $0.hasSuffix(".json") && $0.first?.isNumber == true }
        return try names.compactMap { name in
            let meta = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: maildir + "/" + name)))
                as? [String: Any])
            guard let recipient = (meta["rcpt_tos"] as? [String])?.first(where: { $0.contains(tag) }) else { return nil }
            let raw = try String(contentsOfFile: maildir + "/" + name.dropLast(5) + ".eml", encoding: .utf8)
            let header = raw.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.lowercased().hasPrefix("message-id:") } ?? ""
            return (recipient, header.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces))
        }
    }
}
