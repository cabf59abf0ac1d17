import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// stakepoold's own `walletautorecover` (README "stakepoold", docs/operations.md) through the real executable
/// and a real simwallet (issue 20): its wallet comes back empty (restored from seed) and the daemon re-imports the
/// voting user's redeem script into it. Without the option the script stays missing, which
/// `StakepooldProcessHealthTests` shows over several probes.
final class StakepooldAutoRecoverProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    func testWalletAutoRecover_reimportsTheScriptsOfARestartedEmptyWallet() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-autorecover")
        self.harness = harness
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: 19)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let user = try await node.call("simregisteruser", [.int(1)])
        let redeemScript = try XCTUnwrap(user["redeemscript"]?.stringValue)
        let database = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await storage.migrate()
        _ = try await storage.insertUser(User(email: "voter@example.com", passwordHash: "x",
                                              multiSigAddress: try XCTUnwrap(user["multisigaddress"]?.stringValue),
                                              multiSigScript: redeemScript, heightRegistered: 1, voteBits: 1, voteBitsVersion: 0))
        await storage.shutdown()

        let home = harness.path("stakepoold")
        let log = harness.path("stakepoold.out")
        let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
            "--simnet", "--appdata", home, "--norpclisten", "--coldwalletextpub=\(coldKey)", "--storage=sqlite",
            "--sqlitepath=\(database)", "--walletautorecover=1",
            "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
            "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
            "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
            "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)",
        ], log: log)
        try await harness.waitForLine(daemon, log, containing: "dcrwallet holds all 1 voting users' redeem scripts", seconds: 90)

        _ = try await node.call("simrestartwallet", [.int(0), .bool(true)])
        try await harness.waitForLine(daemon, log, containing: "dcrwallet is missing 1 redeem script(s) of voting users",
                                      seconds: 90)
        try await harness.waitForLine(daemon, log, containing: "dcrwallet holds every voting user's redeem script again",
                                      seconds: 90)
        // The wallet really holds it again (asked over its own RPC).
        let wallet = try await harness.connect(walletAddresses[0], certificate: certificate, name: "wallet")
        var listed = ""
        for _ in 0..<50 {
            do { listed = "\(try await wallet.call("listscripts"))" } catch { listed = "\(error)" }
            if listed.lowercased().contains(redeemScript.lowercased()) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(listed.lowercased().contains(redeemScript.lowercased()), listed)
        XCTAssertTrue(daemon.isRunning, listed)
    }
}
