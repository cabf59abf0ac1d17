import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// The real `stakepoold` executable against a real `simwallet` process (issue 18 items 1–2): its wallet is
/// restarted empty (`simrestartwallet 0 true`, a wallet restored from seed), and stakepoold's `/health` — on
/// its metrics listener and, without the token, on its control API listener —, its `/metrics` and its log say
/// the wallet lacks the voting user's redeem script and the live tickets it votes; with the wallet down,
/// `/health` is 503 `down`.
final class StakepooldProcessHealthTests: XCTestCase {
    private static let rpcUser = "health-test"
    private static let rpcPassword = "health-test-pass"
    private static let controlToken = "health-control-token"
    private static let tickets = 5

    private var harness: ChildProcessHarness?
    private var clients: [JSONRPCClient] = []

    override func tearDown() async throws {
        harness?.stopAll()
        for client in clients { client.close() }
        clients = []
        if let directory = harness?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testStakepooldProcess_walletRestartedEmptyIsReportedAndWalletDownIs503() async throws {
        let simwalletBinary = try BuiltExecutable.path("simwallet")
        let stakepooldBinary = try BuiltExecutable.path("stakepoold")
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "stakepoold-health")
        let harness = ChildProcessHarness(directory: directory)
        self.harness = harness

        let appData = directory.appendingPathComponent("simwallet")
        let simwalletLog = directory.appendingPathComponent("simwallet.log")
        let simwallet = try harness.launch(simwalletBinary, [
            "--appdata", appData.path, "--wallets", "1", "--nodeport", "0", "--walletports", "0",
            "--blockms", "0", "--seed", "18", "--rpcuser", Self.rpcUser, "--rpcpass", Self.rpcPassword,
        ], log: simwalletLog)
        let announced = try await harness.waitForLine(simwallet, simwalletLog, containing: "wallets on ", seconds: 30)
        let (nodeAddress, walletAddresses) = try ChildProcessHarness.simwalletAddresses(announced)
        let certificate = appData.appendingPathComponent("rpc.cert").path
        let node = try await connect(nodeAddress, certificate: certificate)

        // One voting user: registered in the wallet (simregisteruser) and in stakepoold's database, with live tickets.
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let user = try await node.call("simregisteruser", [.int(1)])
        let ticketAddress = try XCTUnwrap(user["multisigaddress"]?.stringValue)
        let redeemScript = try XCTUnwrap(user["redeemscript"]?.stringValue)
        let feeAddress = try XCTUnwrap(user["feeaddress"]?.stringValue)
        let databasePath = directory.appendingPathComponent("stakepool.sqlite").path
        let storage = SQLiteStorage(configuration: .init(path: databasePath), logger: .disabled)
        try await storage.migrate()
        _ = try await storage.insertUser(User(email: "voter@example.com", passwordHash: "x", multiSigAddress: ticketAddress,
                                              multiSigScript: redeemScript, heightRegistered: 1, voteBits: 1,
                                              voteBitsVersion: 0))
        await storage.shutdown()
        _ = try await node.call("simmine", [.int(16)])
        _ = try await node.call("simbuytickets", [.string(ticketAddress), .string(feeAddress), .int(Int64(Self.tickets))])
        let bought = try await node.call("siminfo")
        let height = try XCTUnwrap(bought["height"]?.intValue)
        // Mature, and one block before the first lottery: no block is mined after this, so no ticket is spent.
        _ = try await node.call("simmine", [.int(Int64(NetParams.simnet.tickets.stakeValidationHeight) - 2 - height)])
        let mature = try await node.call("siminfo")
        XCTAssertEqual(mature["live"]?.intValue, Int64(Self.tickets))

        let home = directory.appendingPathComponent("stakepoold").path
        let log = directory.appendingPathComponent("stakepoold.out")
        let daemon = try harness.launch(stakepooldBinary, [
            "--simnet", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
            "--coldwalletextpub=\(coldKey)", "--storage=sqlite", "--sqlitepath=\(databasePath)",
            "--dcrdhost=\(nodeAddress)", "--dcrduser=\(Self.rpcUser)", "--dcrdpassword=\(Self.rpcPassword)",
            "--dcrdcert=\(certificate)", "--wallethost=\(walletAddresses[0])", "--walletuser=\(Self.rpcUser)",
            "--walletpassword=\(Self.rpcPassword)", "--walletcert=\(certificate)",
            "--rpclisten=127.0.0.1:0", "--controltoken=\(Self.controlToken)", "--metricslisten=127.0.0.1:0",
        ], log: log)
        let metricsLine = try await harness.waitForLine(daemon, log, containing: "metrics: listening on ", seconds: 40)
        let metricsPort = try ChildProcessHarness.address(after: "listening on ", in: metricsLine).port
        let controlLine = try await harness.waitForLine(daemon, log, containing: "control API listening on ", seconds: 40)
        let control = try ChildProcessHarness.address(after: "listening on ", in: controlLine)
        let controlCertificate = home + "/rpc.cert"
        _ = try await harness.waitForLine(daemon, log, containing: "dcrwallet holds all 1 voting users' redeem scripts", seconds: 40)

        // Healthy: every figure zero on both listeners.
        var (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertEqual(ChildProcessHarness.healthStatus(body), "ok", body)
        (code, body) = try await ChildProcessHarness.controlRequest(control, certificate: controlCertificate, path: "/health")
        XCTAssertEqual(code, 200, "the control listener's /health needs no token: \(body)")
        XCTAssertEqual(ChildProcessHarness.healthStatus(body), "ok", body)
        (code, _) = try await ChildProcessHarness.controlRequest(control, certificate: controlCertificate, path: "/v1/ping")
        XCTAssertEqual(code, 401, "the control operations still need the token")
        (code, _) = try await ChildProcessHarness.controlRequest(control, certificate: controlCertificate, method: "POST",
                                                                  path: "/health")
        XCTAssertEqual(code, 405)

        // The wallet restarts empty, as one restored from seed.
        _ = try await node.call("simrestartwallet", [.int(0), .bool(true)])
        var wallet: [String: Any] = [:]
        for _ in 0..<160 {   // the watch probes every 4 s; a missing ticket is confirmed by a second check
            (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/health")
            wallet = try ChildProcessHarness.healthCheck(body, "wallet") ?? [:]
            if wallet["missing_tickets"] as? Int == Self.tickets { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual(code, 200, "degraded keeps the daemon in rotation: \(body)")
        XCTAssertEqual(ChildProcessHarness.healthStatus(body), "degraded", body)
        XCTAssertEqual(wallet["state"] as? String, "degraded", body)
        XCTAssertEqual(wallet["missing_scripts"] as? Int, 1, body)
        XCTAssertEqual(wallet["missing_tickets"] as? Int, Self.tickets, body)
        (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/metrics")
        XCTAssertTrue(body.contains("\nstakepoold_wallet_missing_scripts 1\n"), body)
        XCTAssertTrue(body.contains("\nstakepoold_wallet_missing_tickets \(Self.tickets)\n"), body)
        XCTAssertTrue(body.contains("\nstakepoold_wallet_up 1\n"), body)
        (code, body) = try await ChildProcessHarness.controlRequest(control, certificate: controlCertificate, path: "/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(body, "wallet")?["missing_scripts"] as? Int, 1, body)
        let text = ChildProcessHarness.contents(log)
        XCTAssertTrue(text.contains("dcrwallet is missing 1 redeem script(s) of voting users"), text)
        XCTAssertTrue(text.contains("dcrwallet is missing \(Self.tickets) live ticket(s) this daemon votes"), text)

        // The wallet goes down: this daemon cannot vote.
        _ = try await node.call("simsetwalletfaults", [.int(0), .object(JSONObject([("down", .bool(true))]))])
        for _ in 0..<80 {
            (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/health")
            if code == 503 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual(code, 503, body)
        XCTAssertEqual(ChildProcessHarness.healthStatus(body), "down", body)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(body, "wallet")?["state"] as? String, "down", body)
        (code, body) = try await ChildProcessHarness.controlRequest(control, certificate: controlCertificate, path: "/health")
        XCTAssertEqual(code, 503, body)
        (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/metrics")
        XCTAssertTrue(body.contains("\nstakepoold_wallet_up 0\n"), body)
        XCTAssertTrue(ChildProcessHarness.contents(log).contains("dcrwallet does not answer"), ChildProcessHarness.contents(log))

        // The wallet returns and dcrd stops answering: this daemon cannot vote either (503, dcrd named).
        _ = try await node.call("simsetwalletfaults", [.int(0), .object(JSONObject([]))])
        _ = try await node.call("simsetnodefaults", [.object(JSONObject([("down", .bool(true))]))])
        for _ in 0..<80 {
            (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/health")
            if code == 503, try ChildProcessHarness.healthCheck(body, "dcrd")?["state"] as? String == "down" { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual(code, 503, body)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(body, "dcrd")?["state"] as? String, "down", body)
        (code, body) = try await ChildProcessHarness.get(Int(metricsPort), "/metrics")
        XCTAssertTrue(body.contains("\nstakepoold_dcrd_up 0\n"), body)
        XCTAssertFalse(ChildProcessHarness.contents(log).contains(Self.rpcPassword), "no RPC password in the log")
    }

    private func connect(_ address: String, certificate: String) async throws -> JSONRPCClient {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: try PoolNet.HostPort(parsing: address), tls: TLSClientConfiguration(trust: .certificateFile(certificate)),
            user: Self.rpcUser, password: Self.rpcPassword, name: "control"), logger: .disabled)
        clients.append(client)
        try await client.connect()
        return client
    }
}
