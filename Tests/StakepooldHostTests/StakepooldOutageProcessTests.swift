import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// Real `stakepoold` processes: it starts and votes through a database outage with the preferences of its disk
/// cache (issue 18 item 3), and a control API that cannot listen, or listens off loopback without
/// `controltoken`, is a configuration error with exit code 2 (issue 17 item 10).
final class StakepooldOutageProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    /// Options that pass validation but point at nothing (the daemon must fail before it needs them).
    private func unusedBackends(_ harness: StakepooldProcessHarness) -> [String] {
        let cert = harness.path("unused.cert")
        FileManager.default.createFile(atPath: cert, contents: Data("not a certificate".utf8))
        return ["--simnet", "--appdata", harness.path("home"), "--coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)",
                "--dcrdhost=127.0.0.1:1", "--dcrduser=u", "--dcrdpassword=p", "--dcrdcert=\(cert)",
                "--wallethost=127.0.0.1:1", "--walletuser=u", "--walletpassword=p", "--walletcert=\(cert)"]
    }

    func testStakepoold_controlAPIThatCannotListenIsAConfigurationError() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-control-config")
        self.harness = harness
        let binary = try BuiltExecutable.path("stakepoold")
        let taken = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0))
        defer { taken.close() }
        let cases: [(arguments: [String], status: Int32?, text: String)] = [
            (["--rpclisten=127.0.0.1:\(taken.localAddress.port)"], 2, "cannot listen on 127.0.0.1:\(taken.localAddress.port)"),
            (["--rpclisten=0.0.0.0:0"], 2, "controltoken must be set"),
            // With a token the off-loopback address is fine (the daemon then stops on the unused extended key).
            (["--rpclisten=0.0.0.0:0", "--controltoken=0123456789abcdef"], nil, "control API listening on 0.0.0.0:"),
        ]
        for (index, test) in cases.enumerated() {
            let log = harness.path("run\(index).log")
            let process = try harness.launch(binary, unusedBackends(harness) + test.arguments, log: log)
            let exited = await harness.waitForExit(process, seconds: 30)
            XCTAssertTrue(exited, "case \(index) exits")
            let output = harness.contents(log)
            if let status = test.status { XCTAssertEqual(process.terminationStatus, status, "case \(index): \(output)") }
            XCTAssertTrue(output.contains(test.text), "case \(index): \(output)")
        }
    }

    func testStakepoold_startsAndVotesWithCachedPrefsWhileTheDatabaseIsUnreachable() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-db-outage")
        self.harness = harness
        let binary = try BuiltExecutable.path("stakepoold")
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let wallet = try await harness.connect(walletAddresses[0], certificate: certificate, name: "wallet")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let walletInfo = try await wallet.call("walletinfo")
        let voteVersion = try XCTUnwrap(walletInfo["voteversion"]?.intValue.flatMap(UInt32.init(exactly:)))
        let defaultBits = try XCTUnwrap(walletInfo["votebits"]?.intValue.flatMap(UInt16.init(exactly:)))

        // Two users with their own choices (neither is the wallet's default), in the first run's database.
        let choices: [UInt16] = [5, 3].filter { $0 != defaultBits }
        XCTAssertEqual(choices.count, 2, "the users' bits differ from the wallet default \(defaultBits)")
        let database = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await storage.migrate()
        var bitsByTicket: [String: UInt16] = [:]
        _ = try await node.call("simmine", [.int(16)])
        for (index, bits) in choices.enumerated() {
            let registered = try await node.call("simregisteruser", [.int(Int64(index + 1))])
            let ticketAddress = try XCTUnwrap(registered["multisigaddress"]?.stringValue)
            let feeAddress = try XCTUnwrap(registered["feeaddress"]?.stringValue)
            _ = try await storage.insertUser(User(email: "user\(index)@example.com", passwordHash: "x", multiSigAddress: ticketAddress,
                                                  voteBits: bits, voteBitsVersion: voteVersion))
            let bought = try await node.call("simbuytickets", [.string(ticketAddress), .string(feeAddress), .int(40)])
            for ticket in bought["tickets"]?.arrayValue?.compactMap(\.stringValue) ?? [] { bitsByTicket[ticket] = bits }
        }
        await storage.shutdown()
        XCTAssertEqual(bitsByTicket.count, 80)
        let firstLottery = Int64(NetParams.simnet.tickets.stakeValidationHeight - 1)
        let mined = try await node.call("siminfo")
        let height = try XCTUnwrap(mined["height"]?.intValue)
        _ = try await node.call("simmine", [.int(firstLottery - 1 - height)])

        let common = ["--simnet", "--appdata", harness.path("home"), "--coldwalletextpub=\(coldKey)",
                      "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
                      "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
                      "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
                      "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)", "--norpclisten"]
        // 1. An earlier run with the database: loads the prefs, saves its disk cache on a clean stop.
        let firstLog = harness.path("run1.log")
        let first = try harness.launch(binary, common + ["--storage=sqlite", "--sqlitepath=\(database)"], log: firstLog)
        try await harness.waitForLine(first, firstLog, containing: "subscribed to notifications from dcrd")
        try await harness.waitForLine(first, firstLog, containing: "loaded prefs for 2 users from storage")
        first.terminate()
        let stopped = await harness.waitForExit(first, seconds: 20)
        XCTAssertTrue(stopped)
        XCTAssertEqual(first.terminationStatus, 0, harness.contents(firstLog))
        XCTAssertTrue(harness.contents(firstLog).contains("saved uservotingconfig data"), harness.contents(firstLog))

        // 2. The database is MySQL on a port where nothing listens: the daemon starts with its cache and votes.
        let refusing = try ChildProcessHarness.refusingPort()
        defer { refusing.close() }
        let port = refusing.localAddress.port
        let secondLog = harness.path("run2.log")
        let second = try harness.launch(binary, common + ["--storage=mysql", "--dbhost=127.0.0.1", "--dbport=\(port)",
                                                          "--dbuser=pool", "--dbpassword=secret-db-pass"], log: secondLog)
        try await harness.waitForLine(second, secondLog, containing: "subscribed to notifications from dcrd")
        try await harness.waitForLine(second, secondLog, containing: "database unreachable")
        try await harness.waitForLine(second, secondLog, containing: "loaded prefs for 2 users from the disk cache")
        let before = try await node.call("siminfo")
        var winnersSeen = 0
        for _ in 0..<3 {
            _ = try await node.call("simmine", [.int(1)])
            let winners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertFalse(winners.isEmpty)
            for winner in winners {
                let line = try await harness.waitForLine(second, secondLog, containing: "voted ticket \(winner)", seconds: 10)
                let expected = try XCTUnwrap(bitsByTicket[winner], "winner \(winner) is a pool ticket")
                XCTAssertTrue(line.contains("bits: \(expected))"), "the user's cached choice \(expected): \(line)")
                XCTAssertTrue(line.hasSuffix(": success") || line.contains("duplicate"), line)
                winnersSeen += 1
            }
        }
        _ = try await node.call("simmine", [.int(1)])
        let after = try await node.call("siminfo")
        XCTAssertEqual(after["missed"]?.intValue, before["missed"]?.intValue, "no winner missed")
        XCTAssertEqual((after["voted"]?.intValue ?? 0) - (before["voted"]?.intValue ?? 0), Int64(winnersSeen), "every winner voted")
        XCTAssertTrue(second.isRunning, "still running without the database")
        XCTAssertFalse(harness.contents(secondLog).contains("secret-db-pass"))
        second.terminate()
        let secondStopped = await harness.waitForExit(second, seconds: 20)
        XCTAssertTrue(secondStopped)
        XCTAssertEqual(second.terminationStatus, 0, harness.contents(secondLog).suffix(2_000).description)
    }
}
