import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// The real `stakepoold` against a real `simwallet` (issue 23 item 4: the wallet watch compares scripts as bytes):
/// a wallet lacking exactly some voting users' scripts — among users sharing a script, hex stored in upper case,
/// a user whose address submission is still pending and a script only the wallet holds — is reported with the
/// exact count of distinct missing scripts, and with `walletautorecover` exactly those are re-imported.
/// The expected figures are computed here from the database rows and the wallet's own `listscripts`.
final class StakepooldWatchScriptsProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    func testWalletWatch_reportsAndReimportsExactlyTheDistinctMissingScripts() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-watch-scripts")
        self.harness = harness
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: 23)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        // Users the wallet knows (simregisteruser imports their scripts): three in the database, one only on the wallet.
        var registered: [String] = []
        for index in 1...4 {
            let user = try await node.call("simregisteruser", [.int(Int64(index))])
            registered.append(try XCTUnwrap(user["redeemscript"]?.stringValue))
        }
        // Scripts the wallet has never seen: 1-of-2 multisig layout with stand-in keys.
        let unknown = (0..<3).map { (n: Int) -> String in
            let keys = String(format: "02%064x", 0xa1 + n) + "21" + String(format: "03%064x", 0xb1 + n)
            return "5121" + keys + "52ae"
        }

        // (script as stored, multisig address empty = pending, registration height)
        let rows: [(script: String, pending: Bool, height: Int64)] = [
            (registered[0], false, 1),
            (registered[1].uppercased(), false, 2),   // the wallet lists it in lower case: held
            (registered[2], false, 3),
            (unknown[0], false, 4),
            (unknown[0], false, 5),                   // shared with the user before: one script
            (unknown[1].uppercased(), false, 6),
            (unknown[2], true, 7),                    // pending: not a voting user's
        ]
        let database = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await storage.migrate()
        for (index, row) in rows.enumerated() {
            let address = row.pending ? "" : try Address.scriptHash(script: Hex.decode(row.script), network: .simnet).encoded
            _ = try await storage.insertUser(User(email: "voter\(index)@example.com", passwordHash: "x", multiSigAddress: address,
                                                  multiSigScript: row.script, heightRegistered: row.height, voteBits: 1,
                                                  voteBitsVersion: 0))
        }
        await storage.shutdown()

        let wallet = try await harness.connect(walletAddresses[0], certificate: certificate, name: "wallet")
        func walletScripts() async throws -> Set<String> {
            let scripts = try await wallet.call("listscripts")["scripts"]?.arrayValue ?? []
            return Set(scripts.compactMap { $0["redeemscript"]?.stringValue?.lowercased() })
        }
        let before = try await walletScripts()
        let voting = Set(rows.filter { !$0.pending }.map { $0.script.lowercased() })
        let missing = voting.subtracting(before)
        XCTAssertEqual(missing, [unknown[0], unknown[1]], "the set-up: two distinct scripts missing")

        func launch(_ name: String, autoRecover: Bool) throws -> (Process, String) {
            let home = harness.path(name)
            let log = harness.path("\(name).out")
            let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
                "--simnet", "--appdata", home, "--norpclisten", "--coldwalletextpub=\(coldKey)", "--storage=sqlite",
                "--sqlitepath=\(database)", "--walletautorecover=\(autoRecover ? 1 : 0)", "--metricslisten=127.0.0.1:0",
                "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
                "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
                "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
                "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)",
            ], log: log)
            return (daemon, log)
        }

        // Without walletautorecover: reported (log, /health, /metrics), nothing imported.
        let (watching, watchLog) = try launch("watching", autoRecover: false)
        let metricsLine = try await harness.waitForLine(watching, watchLog, containing: "metrics: listening on ", seconds: 60)
        let metricsPort = Int(try ChildProcessHarness.address(after: "listening on ", in: metricsLine).port)
        try await harness.waitForLine(watching, watchLog, containing: "dcrwallet is missing \(missing.count) redeem script(s) of voting users",
                                      seconds: 90)
        var (code, body) = (0, "")
        var check: [String: Any] = [:]
        for _ in 0..<80 {
            (code, body) = try await ChildProcessHarness.get(metricsPort, "/health")
            check = try ChildProcessHarness.healthCheck(body, "wallet") ?? [:]
            if check["missing_scripts"] != nil { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual(code, 200, body)
        XCTAssertEqual(check["state"] as? String, "degraded", body)
        XCTAssertEqual(check["missing_scripts"] as? Int, missing.count, body)
        (_, body) = try await ChildProcessHarness.get(metricsPort, "/metrics")
        XCTAssertTrue(body.contains("\nstakepoold_wallet_missing_scripts \(missing.count)\n"), body)
        let afterWatching = try await walletScripts()
        XCTAssertEqual(afterWatching, before, "without walletautorecover nothing is imported")
        watching.terminate()
        let watchingExited = await harness.waitForExit(watching, seconds: 30)
        XCTAssertTrue(watchingExited)

        // With walletautorecover: exactly the missing scripts are imported, then every one is held.
        let (recovering, recoverLog) = try launch("recovering", autoRecover: true)
        try await harness.waitForLine(recovering, recoverLog,
                                      containing: "dcrwallet is missing \(missing.count) redeem script(s) of voting users", seconds: 90)
        try await harness.waitForLine(recovering, recoverLog, containing: "dcrwallet holds every voting user's redeem script again",
                                      seconds: 90)
        let afterRecovering = try await walletScripts()
        XCTAssertEqual(afterRecovering, before.union(missing),
                       "the missing scripts and nothing else (not the pending user's) were imported")
        XCTAssertFalse(harness.contents(recoverLog).contains("importscript of a voting user's redeem script failed"),
                       harness.contents(recoverLog))
        XCTAssertTrue(recovering.isRunning)
    }
}
