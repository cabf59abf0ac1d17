import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import PoolctlHost
import WebAppHost
import WebHost
import XCTest

/// The real web app assembled from its config over three wallets served over TLS JSON-RPC (issue 18 item 2):
/// `/status` shows each wallet's state and what it lacks — the figures of `/metrics` and `poolctl wallets
/// check` —, also while the pool is stopped (500); and the stakepoold gauges of `/metrics` and `/health`
/// tell a reachable daemon from one refusing our token and one that is down, with real `stakepoold` processes.
final class WebAppStatusTruthTests: XCTestCase {
    private var rpcPool: SimnetRPCPool?
    private var harness: ChildProcessHarness?

    override func tearDown() async throws {
        harness?.stopAll()
        if let directory = harness?.directory { try? FileManager.default.removeItem(at: directory) }
        rpcPool?.stop()
    }

    private func startApp(_ rpcPool: SimnetRPCPool, _ extra: [String] = []) async throws -> (WebApp, Int, Task<Void, any Error>) {
        let config = try rpcPool.config(["listen=127.0.0.1:0"] + extra)
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(),
                                            logs: LogBackend(level: .info, sinks: [CapturingSink()]))
        let uid = try await app.storage.insertUser(User(email: "t@example.com", passwordHash: "x")).id
        _ = try await app.services.registration.registerAddress(userId: uid, pubKeyAddress: rpcPool.vectors.children[0].pubKeyAddress)
        guard case let .tcp(_, port) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        let runner = Task { try await app.run() }
        await app.services.monitor.tick()
        return (app, port, runner)
    }

    /// The cells of `/status`'s wallet table: wallet index → [Connected, DaemonConnected, EnableVoting, State,
    /// Missing scripts, Missing tickets, Detail].
    private static func statusRows(_ html: String) -> [Int: [String]] {
        guard let table = html.range(of: "<table id=\"walletinfo\">"), let end = html.range(of: "</table>", range: table.upperBound..<html.endIndex)
        else { return [:] }
        var rows: [Int: [String]] = [:]
        for row in html[table.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst() {
            let cells = row.components(separatedBy: "</td>").dropLast().map { cell in
                cell.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let index = cells.first.flatMap({ Int($0) }) { rows[index] = Array(cells.dropFirst()) }
        }
        return rows
    }

    /// `poolctl wallets check` on the same config: wallet index → its table row's cells.
    private static func poolctlRows(_ rpcPool: SimnetRPCPool) async -> [Int: [String]] {
        let lines = LockedValue<[String]>([])
        let output = HostOutput(out: { line in lines.withLock { $0 += line.split(separator: "\n").map(String.init) } },
                                err: { _ in })
        _ = await PoolctlMain.run(arguments: ["-C", rpcPool.directory.appendingPathComponent("dcrstakepool.conf").path,
                                              "wallets", "check"], output: output, home: rpcPool.directory.path)
        var rows: [Int: [String]] = [:]
        for line in lines.value {
            let cells = line.split(separator: " ").map(String.init)
            if let index = cells.first.flatMap({ Int($0) }), cells.count > 10 { rows[index] = cells }
        }
        return rows
    }

    func testStatus_showsEachWalletsStateAndWhatItLacks_likeMetricsAndPoolctl() async throws {
        let rpcPool = try SimnetRPCPool(seed: 81)
        self.rpcPool = rpcPool
        let (app, port, runner) = try await startApp(rpcPool)

        // Wallet 2 down: the pool runs (200) and /status names it.
        try await rpcPool.setFaults(2, [(key: "down", value: .bool(true))])
        await app.services.monitor.tick()
        var (code, body) = try await ChildProcessHarness.get(port, "/status")
        XCTAssertEqual(code, 200, body)
        var rows = Self.statusRows(body)
        XCTAssertEqual(rows[0]?[3], "up", body)
        XCTAssertEqual(rows[0]?[4], "0", "no script missing on wallet 0: \(body)")
        XCTAssertEqual(rows[2]?[0], "false", body)
        XCTAssertEqual(rows[2]?[3], "down", body)
        XCTAssertFalse(rows[2]?[6].isEmpty ?? true, "why it is down: \(body)")
        try await rpcPool.setFaults(2, [(key: "down", value: .bool(false))])
        for _ in 0..<100 where app.services.pool.status().wallets[2].condition != .up {
            await app.services.monitor.tick()
            try await Task.sleep(for: .milliseconds(100))
        }

        // Wallet 1 restarted empty: the pool fails closed (500), and the page still says which wallet lacks what.
        try await rpcPool.control("simrestartwallet", [.int(1), .bool(true)])
        for _ in 0..<20 {
            await app.services.monitor.tick()
            if app.services.pool.status().wallets[1].condition == .inconsistent { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        (code, body) = try await ChildProcessHarness.get(port, "/status")
        XCTAssertEqual(code, 500, "v1.1.1's rule: /status fails while the pool is stopped")
        rows = Self.statusRows(body)
        XCTAssertEqual(rows[1]?[3], "inconsistent", body)
        XCTAssertEqual(rows[1]?[4], "1", body)
        XCTAssertEqual(rows[0]?[3], "up", body)
        XCTAssertTrue(body.contains("Wallet pool stopped (fail closed)"), body)
        XCTAssertTrue(body.contains("wallet server 1 is missing 1 redeem script(s)"), body)

        // The same figures on /metrics and from poolctl.
        let metrics = try await ChildProcessHarness.get(port, "/metrics").1
        for index in 0..<3 {
            let host = "127.0.0.1:\(rpcPool.wallets[index].port)"
            // A wallet not checked yet shows an empty cell on /status and -1 on /metrics.
            let scripts = try XCTUnwrap(rows[index]?[4], body).replacingOccurrences(of: "^$", with: "-1", options: .regularExpression)
            let tickets = try XCTUnwrap(rows[index]?[5], body).replacingOccurrences(of: "^$", with: "-1", options: .regularExpression)
            XCTAssertTrue(metrics.contains("pool_wallet_missing_scripts{wallet=\"\(index)\",host=\"\(host)\"} \(scripts)\n"), metrics)
            XCTAssertTrue(metrics.contains("pool_wallet_missing_tickets{wallet=\"\(index)\",host=\"\(host)\"} \(tickets)\n"), metrics)
        }
        let poolctl = await Self.poolctlRows(rpcPool)
        XCTAssertEqual(poolctl[1]?[8], rows[1]?[4], "poolctl's missing scripts of wallet 1: \(poolctl)")
        XCTAssertEqual(poolctl[1]?[10], rows[1]?[5], "poolctl's missing tickets of wallet 1: \(poolctl)")
        XCTAssertEqual(poolctl[0]?[8], rows[0]?[4], "\(poolctl)")

        app.shutdown()
        try await runner.value
    }

    func testStakepooldGauges_reachableRefusedAndDown_withRealDaemons() async throws {
        let stakepooldBinary = try BuiltExecutable.path("stakepoold")
        let rpcPool = try SimnetRPCPool(seed: 82)
        self.rpcPool = rpcPool
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "stakepoold-gauges")
        let harness = ChildProcessHarness(directory: directory)
        self.harness = harness
        let token = "right-control-token"

        // Two daemons on wallets 0 and 1: one expects our token, one another token.
        var addresses: [PoolNet.HostPort] = []
        var certificates: [String] = []
        for (index, daemonToken) in [token, "some-other-token"].enumerated() {
            let home = directory.appendingPathComponent("stakepoold-\(index)").path
            let log = directory.appendingPathComponent("stakepoold-\(index).out")
            let daemon = try harness.launch(stakepooldBinary, [
                "--simnet", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
                "--coldwalletextpub=\(rpcPool.vectors.accountExtendedPublicKey)", "--storage=sqlite",
                "--sqlitepath=\(home)/stakepool.sqlite",
                "--dcrdhost=127.0.0.1:\(rpcPool.node.port)", "--dcrduser=\(SimnetRPCPool.rpcUser)",
                "--dcrdpassword=\(SimnetRPCPool.rpcPassword)", "--dcrdcert=\(rpcPool.certificate)",
                "--wallethost=127.0.0.1:\(rpcPool.wallets[index].port)", "--walletuser=\(SimnetRPCPool.rpcUser)",
                "--walletpassword=\(SimnetRPCPool.rpcPassword)", "--walletcert=\(rpcPool.certificate)",
                "--rpclisten=127.0.0.1:0", "--controltoken=\(daemonToken)",
            ], log: log)
            let line = try await harness.waitForLine(daemon, log, containing: "control API listening on ", seconds: 60)
            addresses.append(try ChildProcessHarness.address(after: "listening on ", in: line))
            certificates.append(home + "/rpc.cert")
        }
        // A third host where no daemon runs: a port held, not listening, for the whole test.
        let nothingListens = try ChildProcessHarness.refusingPort()
        defer { nothingListens.close() }
        let downAddress = nothingListens.localAddress
        addresses.append(downAddress)
        certificates.append(certificates[0])

        let (app, port, runner) = try await startApp(rpcPool, [
            "enablestakepoold=1", "stakepooldtoken=\(token)",
            "stakepooldhosts=" + addresses.map { "\($0)" }.joined(separator: ","),
            "stakepooldcerts=" + certificates.joined(separator: ","),
        ])
        func gauge(_ name: String, _ address: PoolNet.HostPort, in metrics: String) -> String? {
            let prefix = "\(name){host=\"\(address)\"} "
            return metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        // Two calls so far: the registration's notification, and the health service's ping as it starts.
        // One meaning per name: the counter `_total` counts refusals, the gauge says the last call was refused.
        var metrics = ""
        for _ in 0..<100 {
            metrics = try await ChildProcessHarness.get(port, "/metrics").1
            if gauge("pool_stakepoold_reachable", downAddress, in: metrics) == "0",
               gauge("pool_stakepoold_auth_failures_total", addresses[1], in: metrics).flatMap({ Int($0) }) ?? 0 >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(metrics.contains("# TYPE pool_stakepoold_auth_failures_total counter\n"), metrics)
        XCTAssertFalse(metrics.contains("pool_stakepoold_auth_failures{"), "the old gauge name is gone: \(metrics)")
        XCTAssertEqual(gauge("pool_stakepoold_reachable", addresses[0], in: metrics), "1", metrics)
        XCTAssertEqual(gauge("pool_stakepoold_auth_failures_total", addresses[0], in: metrics), "0", metrics)
        XCTAssertEqual(gauge("pool_stakepoold_token_refused", addresses[0], in: metrics), "0", metrics)
        XCTAssertEqual(gauge("pool_stakepoold_reachable", addresses[1], in: metrics), "1", "it answers, refusing: \(metrics)")
        XCTAssertEqual(gauge("pool_stakepoold_token_refused", addresses[1], in: metrics), "1", metrics)
        let refused = try XCTUnwrap(gauge("pool_stakepoold_auth_failures_total", addresses[1], in: metrics).flatMap { Int($0) }, metrics)
        XCTAssertEqual(refused, 2, "the registration's notification and the start-up ping were refused: \(metrics)")
        // The refusing daemon logged each refusal with the client's address and the reason, never a token.
        let refusingLog = ChildProcessHarness.contents(directory.appendingPathComponent("stakepoold-1.out"))
        let refusals = refusingLog.split(separator: "\n").filter { $0.contains("control API refused") }
        XCTAssertEqual(refusals.count, 2, refusingLog)
        XCTAssertTrue(refusals.allSatisfy { $0.contains("from 127.0.0.1") && $0.contains("401") && $0.contains("missing or wrong token") },
                      refusingLog)
        XCTAssertFalse(refusingLog.contains(token) || refusingLog.contains("some-other-token"), "no token in its log")
        XCTAssertEqual(gauge("pool_stakepoold_reachable", downAddress, in: metrics), "0", metrics)
        XCTAssertEqual(gauge("pool_stakepoold_auth_failures_total", downAddress, in: metrics), "0", metrics)
        XCTAssertEqual(gauge("pool_stakepoold_token_refused", downAddress, in: metrics), "0", metrics)

        // A user's vote change reaches the first daemon and is refused once more by the second.
        let maxUser = try await app.storage.read { try $0.maxUserId() }
        let uid = try XCTUnwrap(maxUser)
        await app.services.votingPreferencesChanged(uid, logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        for _ in 0..<100 {
            metrics = try await ChildProcessHarness.get(port, "/metrics").1
            if gauge("pool_stakepoold_auth_failures_total", addresses[1], in: metrics) != String(refused) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(gauge("pool_stakepoold_auth_failures_total", addresses[1], in: metrics), String(refused + 1), metrics)
        XCTAssertEqual(gauge("pool_stakepoold_auth_failures_total", addresses[0], in: metrics), "0", metrics)

        let (code, body) = try await ChildProcessHarness.get(port, "/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertEqual(ChildProcessHarness.healthStatus(body), "degraded", body)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(body, "stakepoold", instancePrefix: "\(addresses[0])")?["state"] as? String,
                       "ok", body)
        let refusing = try ChildProcessHarness.healthCheck(body, "stakepoold", instancePrefix: "\(addresses[1])")
        XCTAssertEqual(refusing?["state"] as? String, "degraded", body)
        XCTAssertTrue((refusing?["detail"] as? String ?? "").contains("stakepooldtoken"), body)
        let down = try ChildProcessHarness.healthCheck(body, "stakepoold", instancePrefix: "\(downAddress)")
        XCTAssertEqual(down?["state"] as? String, "degraded", body)
        XCTAssertTrue((down?["detail"] as? String ?? "").hasPrefix("unreachable"), body)
        XCTAssertFalse(body.contains(token), "no token in /health")

        app.shutdown()
        try await runner.value
    }
}
