import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageMySQL
import XCTest

/// A real `stakepoold` on MariaDB (with-test-services) through a database outage (issue 18 item 3): an earlier run
/// saves its disk cache; started again while the database port answers nothing, it votes with the cached
/// choices; when the database becomes reachable (the TCP relay holding that port starts relaying) it reconnects, reloads the
/// users' preferences and votes the changed choice.
final class StakepooldDatabaseReturnTests: XCTestCase {
    private var harness: StakepooldProcessHarness?
    private var relay: TCPRelay?

    override func tearDown() async throws {
        relay?.stop()
        relay = nil
        harness?.stop()
        harness = nil
    }

    func testStakepoold_reconnectsAndPicksUpNewPrefsWhenTheDatabaseReturns() async throws {
        let mysqlPort = try XCTUnwrap(Int(try TestEnvironment.require("POOL_MYSQL_PORT")))
        let mysqlUser = try TestEnvironment.require("POOL_MYSQL_USER")
        let mysqlPassword = try TestEnvironment.require("POOL_MYSQL_PASSWORD")
        let mysqlDatabase = try TestEnvironment.require("POOL_MYSQL_DATABASE")
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-db-return")
        self.harness = harness
        let binary = try BuiltExecutable.path("stakepoold")
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: 23)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let wallet = try await harness.connect(walletAddresses[0], certificate: certificate, name: "wallet")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let walletInfo = try await wallet.call("walletinfo")
        let voteVersion = try XCTUnwrap(walletInfo["voteversion"]?.intValue.flatMap(UInt32.init(exactly:)))
        let defaultBits = try XCTUnwrap(walletInfo["votebits"]?.intValue.flatMap(UInt16.init(exactly:)))
        let bits: (before: UInt16, after: UInt16) = (5, 3)
        XCTAssertTrue(bits.before != defaultBits && bits.after != defaultBits, "wallet default \(defaultBits)")

        // One user (unique in the shared test database) owning every ticket.
        let storage = MySQLStorage(configuration: .init(host: "127.0.0.1", port: mysqlPort, user: mysqlUser,
                                                        password: mysqlPassword, database: mysqlDatabase), logger: .disabled)
        defer { Task { await storage.shutdown() } }
        try await storage.migrate()
        _ = try await node.call("simmine", [.int(16)])
        let registered = try await node.call("simregisteruser", [.int(1)])
        let ticketAddress = try XCTUnwrap(registered["multisigaddress"]?.stringValue)
        let feeAddress = try XCTUnwrap(registered["feeaddress"]?.stringValue)
        let userId = try await storage.insertUser(User(email: "db-return-\(UUID().uuidString)@example.com", passwordHash: "x",
                                                       multiSigAddress: ticketAddress, voteBits: bits.before,
                                                       voteBitsVersion: voteVersion)).id
        _ = try await node.call("simbuytickets", [.string(ticketAddress), .string(feeAddress), .int(60)])
        let firstLottery = Int64(NetParams.simnet.tickets.stakeValidationHeight - 1)
        let mined = try await node.call("siminfo")
        _ = try await node.call("simmine", [.int(firstLottery - 1 - (mined["height"]?.intValue ?? 0))])

        let common = ["--simnet", "--appdata", harness.path("home"), "--coldwalletextpub=\(coldKey)",
                      "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
                      "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
                      "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
                      "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)",
                      "--norpclisten", "--storage=mysql", "--dbhost=127.0.0.1", "--dbuser=\(mysqlUser)",
                      "--dbpassword=\(mysqlPassword)", "--dbname=\(mysqlDatabase)"]
        // 1. With the database: prefs from MariaDB, disk cache saved on the clean stop.
        let firstLog = harness.path("run1.log")
        let first = try harness.launch(binary, common + ["--dbport=\(mysqlPort)"], log: firstLog)
        try await harness.waitForLine(first, firstLog, containing: "subscribed to notifications from dcrd")
        first.terminate()
        let firstStopped = await harness.waitForExit(first, seconds: 20)
        XCTAssertTrue(firstStopped)
        XCTAssertTrue(harness.contents(firstLog).contains("saved uservotingconfig data"), harness.contents(firstLog))

        // 2. The database port answers nothing: the daemon starts with the cache and votes the cached choice.
        // The relay holds its port and refuses connections until it resumes.
        let relay = try TCPRelay(target: PoolNet.HostPort(host: "127.0.0.1", port: UInt16(mysqlPort)))
        self.relay = relay
        let log = harness.path("run2.log")
        let operatorAddress = "ops-\(UUID().uuidString.prefix(8).lowercased())@example.org"
        let daemon = try harness.launch(binary, common + ["--dbport=\(relay.port)", "--metricslisten=127.0.0.1:0",
                                                          "--alertemail=\(operatorAddress)"], log: log)
        let metricsLine = try await harness.waitForLine(daemon, log, containing: "metrics: listening on ")
        let metricsPort = Int(try ChildProcessHarness.address(after: "listening on ", in: metricsLine).port)
        try await harness.waitForLine(daemon, log, containing: "subscribed to notifications from dcrd")
        try await harness.waitForLine(daemon, log, containing: "database unreachable")
        try await voteOneBlock(node: node, harness: harness, daemon: daemon, log: log, expectedBits: bits.before)
        // The outage is on /metrics and /health: degraded (200, it still votes), the database named.
        try await expectDatabase(up: false, metricsPort: metricsPort)

        // 3. The user changes their choice while the daemon cannot see it; then the database returns.
        let stored = try await storage.user(id: userId)
        var user = try XCTUnwrap(stored)
        user.voteBits = bits.after
        try await storage.write { [user] in try $0.updateUser(user) }
        try relay.resume()
        try await harness.waitForLine(daemon, log, containing: "database is reachable again", seconds: 60)
        try await harness.waitForLine(daemon, log, containing: "reloaded voting prefs for", seconds: 20)
        try await voteOneBlock(node: node, harness: harness, daemon: daemon, log: log, expectedBits: bits.after)
        try await expectDatabase(up: true, metricsPort: metricsPort)
        // The operator was told at once (log) and, once the outbox could take mail, by the held incident message
        // and the recovery message, in that order (issue 18 item 4: the same for database trouble).
        let alert = try XCTUnwrap(harness.contents(log).split(separator: "\n").first { $0.contains("ALERT database-down") },
                                  harness.contents(log))
        XCTAssertTrue(alert.contains("[ERR]") && alert.contains("stakepoold: database unreachable"), String(alert))
        var toOperator: [String] = []
        try await HostProcesses.waitFor("the incident and recovery mails in the outbox") {
            toOperator = try await storage.read { try $0.outboxMessages(status: .queued, limit: 1_000) }
                .filter { $0.to == operatorAddress }.sorted { $0.id < $1.id }.map(\.subject)
            return toOperator.count >= 2
        }
        XCTAssertEqual(toOperator.count, 2, "\(toOperator)")
        XCTAssertTrue(toOperator[0].contains("stakepoold: database unreachable"), "\(toOperator)")
        XCTAssertTrue(toOperator[1].contains("stakepoold: database reachable again"), "\(toOperator)")
        XCTAssertTrue(daemon.isRunning)
    }

    /// `stakepoold_database_up` and the `database` check of `/health` on the metrics listener say `up` (bounded
    /// wait: the watch probes every few seconds).
    private func expectDatabase(up: Bool, metricsPort: Int) async throws {
        var metrics = "", code = 0, health = ""
        for _ in 0..<120 {
            metrics = try await ChildProcessHarness.get(metricsPort, "/metrics").1
            (code, health) = try await ChildProcessHarness.get(metricsPort, "/health")
            let state = try ChildProcessHarness.healthCheck(health, "database")?["state"] as? String
            if metrics.contains("\nstakepoold_database_up \(up ? 1 : 0)\n"), state == (up ? "ok" : "degraded") { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertTrue(metrics.contains("\nstakepoold_database_up \(up ? 1 : 0)\n"), metrics)
        XCTAssertEqual(code, 200, "a database outage never takes the voter out of rotation: \(health)")
        XCTAssertEqual(ChildProcessHarness.healthStatus(health), up ? "ok" : "degraded", health)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(health, "database")?["state"] as? String, up ? "ok" : "degraded", health)
    }

    /// Mines one block and checks every winner's vote line carries `expectedBits`.
    private func voteOneBlock(node: JSONRPCClient, harness: StakepooldProcessHarness, daemon: Process, log: String,
                              expectedBits: UInt16) async throws {
        _ = try await node.call("simmine", [.int(1)])
        let winners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
        XCTAssertFalse(winners.isEmpty)
        for winner in winners {
            let line = try await harness.waitForLine(daemon, log, containing: "voted ticket \(winner)", seconds: 10)
            XCTAssertTrue(line.contains("bits: \(expectedBits))"), "expected bits \(expectedBits): \(line)")
        }
    }
}
