import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StakepooldHost
import StorageSQLite
import WalletDcrwallet
import WebAppHost
import WebHost
import XCTest

/// The web app assembled from its config (production dcrwallet plugin over TLS websockets to simulated
/// wallets): a wallet restarted empty is verified on reconnect; `/health`, `/status` and `/metrics` tell the truth.
final class HealthConsistencyTests: XCTestCase {
    private var rpcPool: SimnetRPCPool?

    override func tearDown() async throws { rpcPool?.stop() }

    private func fetch(_ port: Int, _ path: String) async throws -> (Int, String) {
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)"))
        let (body, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    private func check(_ health: [String: Any], _ component: String, _ instancePrefix: String = "") -> [String: Any]? {
        (health["checks"] as? [[String: Any]])?.first {
            $0["component"] as? String == component && (($0["instance"] as? String) ?? "").hasPrefix(instancePrefix)
        }
    }

    /// Starts the web app over three RPC wallets with one registered user; returns it, its port and its log.
    private func startApp(_ extra: [String] = []) async throws -> (WebApp, Int, CapturingSink, Task<Void, any Error>) {
        let rpcPool = try SimnetRPCPool()
        self.rpcPool = rpcPool
        let config = try rpcPool.config(["listen=127.0.0.1:0"] + extra)
        let sink = CapturingSink()
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .info, sinks: [sink]))
        let uid = try await app.storage.insertUser(User(email: "h@example.com", passwordHash: "x")).id
        _ = try await app.services.registration.registerAddress(userId: uid, pubKeyAddress: rpcPool.vectors.children[0].pubKeyAddress)
        guard case let .tcp(_, port) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        let runner = Task { try await app.run() }
        await app.services.monitor.tick()
        return (app, port, sink, runner)
    }

    /// Drives the real monitor until wallet `index` is no longer down/unknown (bounded).
    private func tickUntilBack(_ app: WebApp, _ index: Int) async throws {
        for _ in 0..<20 {
            await app.services.monitor.tick()
            let condition = app.services.pool.status().wallets[index].condition
            if condition != .down && condition != .unknown { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("wallet \(index) did not come back: \(app.services.pool.status().wallets[index])")
    }

    func testHealth_walletRestartedEmptyFailsClosedAndEverySurfaceSaysSo() async throws {
        let (app, port, sink, runner) = try await startApp()
        let rpcPool = try XCTUnwrap(self.rpcPool)
        var (code, body) = try await fetch(port, "/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertEqual(try json(body)["status"] as? String, "ok", body)

        try await rpcPool.control("simrestartwallet", [.int(1), .bool(true)])
        let emptied = try await rpcPool.scripts(ofWallet: 1)
        XCTAssertEqual(emptied, [], "the wallet came back empty")
        try await tickUntilBack(app, 1)

        let status = app.services.pool.status()
        XCTAssertEqual(status.wallets[1].condition, .inconsistent)
        XCTAssertTrue(app.services.pool.isStopped, "fails closed without walletautorecover")
        XCTAssertFalse(sink.text.contains("recovered"), sink.text)
        XCTAssertTrue(sink.text.contains("wallet server 1 is missing 1 redeem script(s)"), sink.text)
        (code, _) = try await fetch(port, "/status")
        XCTAssertEqual(code, 500)
        (code, body) = try await fetch(port, "/metrics")
        XCTAssertTrue(body.contains("\npool_wallets_consistent 0\n"), body)
        XCTAssertTrue(body.contains("pool_wallet_missing_scripts{wallet=\"1\",host=\"127.0.0.1:\(rpcPool.wallets[1].port)\"} 1\n"), body)
        XCTAssertTrue(body.contains("pool_wallet_missing_scripts{wallet=\"0\",host=\"127.0.0.1:\(rpcPool.wallets[0].port)\"} 0\n"), body)
        XCTAssertTrue(body.contains("\npool_database_up 1\n"), body)
        (code, body) = try await fetch(port, "/health")
        XCTAssertEqual(code, 200, "degraded keeps the host in the load balancer")
        let health = try json(body)
        XCTAssertEqual(health["status"] as? String, "degraded", body)
        let wallet1 = try XCTUnwrap(check(health, "wallet", "1 ("), body)
        XCTAssertEqual(wallet1["state"] as? String, "degraded")
        XCTAssertEqual(wallet1["missing_scripts"] as? Int, 1)
        XCTAssertEqual(check(health, "wallet", "0 (")?["state"] as? String, "ok")

        app.shutdown()
        try await runner.value
    }

    func testHealth_walletRestartedEmptyIsReimportedWithAutoRecover() async throws {
        let (app, port, sink, runner) = try await startApp(["walletautorecover=1"])
        let rpcPool = try XCTUnwrap(self.rpcPool)
        let expected = try await rpcPool.scripts(ofWallet: 0)
        XCTAssertEqual(expected.count, 1)
        try await rpcPool.control("simrestartwallet", [.int(1), .bool(true)])
        try await tickUntilBack(app, 1)
        let reimported = try await rpcPool.scripts(ofWallet: 1)
        XCTAssertEqual(reimported, expected, "re-imported over RPC")
        XCTAssertEqual(app.services.pool.status().wallets[1].condition, .up)
        XCTAssertFalse(app.services.pool.isStopped)
        XCTAssertTrue(sink.text.contains("recovered (was inconsistent): verified"), sink.text)
        let (code, body) = try await fetch(port, "/health")
        XCTAssertEqual(code, 200)
        XCTAssertEqual(try json(body)["status"] as? String, "ok", body)
        app.shutdown()
        try await runner.value
    }

    func testHealth_oneWalletDownIsDegradedAndNamed() async throws {
        let (app, port, _, runner) = try await startApp()
        let rpcPool = try XCTUnwrap(self.rpcPool)
        try await rpcPool.setFaults(2, [(key: "down", value: .bool(true))])
        await app.services.monitor.tick()
        let (code, body) = try await fetch(port, "/health")
        XCTAssertEqual(code, 200, body)
        let health = try json(body)
        XCTAssertEqual(health["status"] as? String, "degraded", body)
        XCTAssertEqual(check(health, "wallet", "2 (127.0.0.1:\(rpcPool.wallets[2].port))")?["state"] as? String, "degraded", body)
        XCTAssertEqual(check(health, "database")?["state"] as? String, "ok", body)
        app.shutdown()
        try await runner.value
    }

    /// A wallet that answers but lost its dcrd cannot vote: `/health` names dcrd as degraded, with the wallet.
    func testHealth_walletWithoutItsDcrdIsDegradedNamingDcrd() async throws {
        let (app, port, _, runner) = try await startApp()
        let rpcPool = try XCTUnwrap(self.rpcPool)
        var (code, body) = try await fetch(port, "/health")
        XCTAssertEqual(check(try json(body), "dcrd")?["state"] as? String, "ok", body)
        try await rpcPool.setFaults(1, [(key: "daemondisconnected", value: .bool(true))])
        await app.services.monitor.tick()
        (code, body) = try await fetch(port, "/health")
        XCTAssertEqual(code, 200, body)
        let health = try json(body)
        XCTAssertEqual(health["status"] as? String, "degraded", body)
        let dcrd = try XCTUnwrap(check(health, "dcrd"), body)
        XCTAssertEqual(dcrd["state"] as? String, "degraded", body)
        XCTAssertEqual(dcrd["detail"] as? String, "wallet(s) 1 not connected to dcrd", body)
        app.shutdown()
        try await runner.value
    }

    func testHealth_databaseGoneIsDown503() async throws {
        let (app, port, _, runner) = try await startApp()
        let path = app.config.sqlitePath
        // Break the storage under the running app: the files no longer hold a database.
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: file))
        }
        var code = 0, body = ""
        for _ in 0..<30 {   // the database check is cached for 2 s
            (code, body) = try await fetch(port, "/health")
            if code == 503 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTAssertEqual(code, 503, body)
        let health = try json(body)
        XCTAssertEqual(health["status"] as? String, "down", body)
        XCTAssertEqual(check(health, "database")?["state"] as? String, "down", body)
        app.shutdown()
        try await runner.value
    }
}

/// stakepoold's wallet watch over real RPC (TLS websockets, the reconnecting client stakepoold uses) and its
/// `/health` on the real metrics server.
final class StakepooldHealthTests: XCTestCase {
    func testStakepooldHealth_walletDownIs503AndEmptyWalletIsReported() async throws {
        let rpcPool = try SimnetRPCPool()
        defer { rpcPool.stop() }
        let config = try rpcPool.config()
        let storage = try await SimnetRPCPool.storage(config)
        defer { Task { await storage.shutdown() } }
        let services = try await SimnetRPCPool.services(config, storage: storage)
        let uid = try await storage.insertUser(User(email: "s@example.com", passwordHash: "x")).id
        _ = try await services.registration.registerAddress(userId: uid, pubKeyAddress: rpcPool.vectors.children[0].pubKeyAddress)
        for index in 0..<services.pool.count { await services.pool.backend(index).close() }

        let policy = ReconnectPolicy(step: .milliseconds(200), maxDelay: .seconds(1))
        let wallet = try DcrwalletBackend(configuration: .init(
            host: "127.0.0.1:\(rpcPool.wallets[0].port)", defaultPort: 0, user: SimnetRPCPool.rpcUser,
            password: SimnetRPCPool.rpcPassword, certificatePath: rpcPool.certificate, reconnect: policy, name: "dcrwallet"),
            logger: .disabled)
        let node = try DcrdBackend(configuration: .init(
            host: "127.0.0.1:\(rpcPool.node.port)", defaultPort: 0, user: SimnetRPCPool.rpcUser,
            password: SimnetRPCPool.rpcPassword, certificatePath: rpcPool.certificate, reconnect: policy, name: "dcrd"),
            logger: .disabled)
        try await wallet.connect()
        try await node.connect()
        defer { Task { await wallet.close(); await node.close() } }
        let sink = CapturingSink()
        let watch = StakepooldWalletWatch(wallet: wallet, node: node, storage: storage, autoRecover: false,
                                          logger: LogBackend(level: .info, sinks: [sink]).logger("STPK"))
        let registry = MetricsRegistry()
        watch.register(in: registry)
        let server = StakepooldMetrics.server(listen: .tcp(host: "127.0.0.1", port: 0), registry: registry, watch: watch,
                                              logger: .disabled)
        let port = try XCTUnwrap(try server.start().port)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        func get(_ path: String) async throws -> (Int, String) {
            let (body, response) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
        }

        await watch.tick()
        var (code, body) = try await get("/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertTrue(body.hasPrefix("{\"status\":\"ok\""), body)

        try await rpcPool.setFaults(0, [(key: "down", value: .bool(true))])
        await watch.tick()
        (code, body) = try await get("/health")
        XCTAssertEqual(code, 503, "its wallet unreachable: this daemon cannot vote")
        XCTAssertTrue(body.hasPrefix("{\"status\":\"down\""), body)

        // Back, but restored from seed: nothing imported.
        try await rpcPool.control("simwipewallet", [.int(0)])
        try await rpcPool.setFaults(0, [(key: "down", value: .bool(false))])
        for _ in 0..<50 {
            await watch.tick()
            if watch.report().status != .down { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        (code, body) = try await get("/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertTrue(body.hasPrefix("{\"status\":\"degraded\""), body)
        XCTAssertTrue(body.contains("\"missing_scripts\":1"), body)
        (_, body) = try await get("/metrics")
        XCTAssertTrue(body.contains("\nstakepoold_wallet_missing_scripts 1\n"), body)
        XCTAssertTrue(sink.text.contains("dcrwallet is missing 1 redeem script(s) of voting users"), sink.text)
    }
}
