import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// Issue 18 items 1–2 exactly as the operator met them, with nothing in process: the `hxstakepool` executable
/// from its config file over a real `simwallet` process (two voting wallets, the production dcrwallet plugin), a
/// user registered through the API, then wallet 1 restarted empty (a wallet restored from seed). The web app's
/// own monitor — no test ticks it — finds the missing script: never "recovered", `/health` degraded and naming
/// the wallet, `/status` 500 saying why, `pool_wallets_consistent 0`, and `poolctl wallets check` agreeing.
final class WebAppProcessConsistencyTests: XCTestCase {
    private var wallets: StakepooldProcessHarness?
    private var hosts: HostProcesses?

    override func tearDown() async throws {
        hosts?.stopAll()
        hosts = nil
        wallets?.stop()
        wallets = nil
    }

    func testWebAppProcess_walletRestartedEmptyIsNeverRecovered_everySurfaceNamesTheMissingScript() async throws {
        let wallets = try StakepooldProcessHarness(prefix: "webapp-consistency-sim")
        self.wallets = wallets
        let hosts = try HostProcesses(prefix: "webapp-consistency")
        self.hosts = hosts
        let served = try await wallets.startSimwallet(wallets: 2, seed: 31)
        let node = try await wallets.connect(served.node, certificate: served.certificate, name: "node")
        let world = try await node.call("siminfo")
        let user = StakepooldProcessHarness.rpcUser, password = StakepooldProcessHarness.rpcPassword
        let config = hosts.path("dcrstakepool.conf")
        try [
            "simnet=1", "listen=127.0.0.1:0", "baseurl=http://127.0.0.1", "datadir=\(hosts.path("data"))",
            "logdir=\(hosts.path("logs"))", "templatepath=\(WebAppTestConfig.repoRoot)/templates",
            "publicpath=\(WebAppTestConfig.repoRoot)/public", "apisecret=consistency-api-secret-0123456789abcdef",
            "cookiesecret=consistency-cookie-secret-0123456789abcdef", "adminips=127.0.0.1", "storage=sqlite", "mail=log",
            "wallet=dcrwallet", "wallethosts=\(served.wallets.joined(separator: ","))", "walletusers=\(user),\(user)",
            "walletpasswords=\(password),\(password)", "walletcerts=\(served.certificate),\(served.certificate)",
            "votingwalletextpub=\(try XCTUnwrap(world["votingwalletextpub"]?.stringValue))",
            "coldwalletextpub=\(try XCTUnwrap(world["coldwalletextpub"]?.stringValue))",
        ].joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        let web = try await hosts.startWebApp(config: config)

        // A user registers an address through the API: its script goes onto both wallets.
        let passwordFile = hosts.path("user.pass")
        try "user-password-0123456".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let added = try await hosts.poolctl(["-C", config, "user", "add", "--email", "u@example.com", "--password-file",
                                             passwordFile, "--verified"])
        XCTAssertEqual(added.status, 0, added.err)
        let token = try await hosts.poolctl(["-C", config, "user", "token", "u@example.com"]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, submitted) = try await HostProcesses.request(web.port, "/api/v2/address", method: "POST",
            form: [("UserPubKeyAddr", try SimnetHDVectors.load().children[0].pubKeyAddress)],
            headers: ["Authorization": "Bearer \(token)"])
        XCTAssertTrue(submitted.contains(#""status":"success""#), submitted)
        var (code, health) = try await HostProcesses.request(web.port, "/health")
        XCTAssertEqual(code, 200, health)
        XCTAssertEqual(ChildProcessHarness.healthStatus(health), "ok", health)

        // Wallet 1 comes back empty. Within a few probes (every 15 s) the web app has checked it.
        _ = try await node.call("simrestartwallet", [.int(1), .bool(true)])
        try await HostProcesses.waitFor("wallet 1's missing script on /health", seconds: 120) {
            (code, health) = try await HostProcesses.request(web.port, "/health")
            return try ChildProcessHarness.healthCheck(health, "wallet", instancePrefix: "1 (")?["missing_scripts"] as? Int == 1
        }
        XCTAssertEqual(code, 200, "degraded keeps the host in the load balancer: \(health)")
        XCTAssertEqual(ChildProcessHarness.healthStatus(health), "degraded", health)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(health, "wallet", instancePrefix: "1 (")?["state"] as? String, "degraded", health)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(health, "wallet", instancePrefix: "0 (")?["state"] as? String, "ok", health)
        let (statusCode, status) = try await HostProcesses.request(web.port, "/status")
        XCTAssertEqual(statusCode, 500, "the pool fails closed (v1.1.1's /status rule)")
        XCTAssertTrue(status.contains("wallet server 1 is missing 1 redeem script(s)"), status)
        let metrics = try await HostProcesses.request(web.port, "/metrics").1
        XCTAssertTrue(metrics.contains("\npool_wallets_consistent 0\n"), metrics)
        XCTAssertTrue(metrics.contains("pool_wallet_missing_scripts{wallet=\"1\",host=\"\(served.wallets[1])\"} 1\n"), metrics)
        let log = ChildProcessHarness.contents(URL(fileURLWithPath: web.output))
        XCTAssertTrue(log.contains("wallet server 1 is missing 1 redeem script(s)"), log)
        XCTAssertFalse(log.contains("recovered"), "never recovered while a wallet lacks a script: \(log)")
        XCTAssertFalse(log.contains("u@example.com"), "no user email in the log")

        let checked = try await hosts.poolctl(["-C", config, "wallets", "check"])
        XCTAssertNotEqual(checked.status, 0, checked.out)
        let row = checked.out.split(separator: "\n").first { $0.hasPrefix("1 ") }.map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(row?[8], "1", "poolctl's missing scripts of wallet 1, as /health says: \(checked.out)")
        XCTAssertTrue(web.process.isRunning)
    }
}
