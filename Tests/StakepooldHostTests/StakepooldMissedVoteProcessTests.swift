import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// A missed vote through the real `stakepoold` executable (issue 18 item 4): its wallet (a real `simwallet`
/// process) is locked when the user's tickets win, so no vote reaches the wire. The daemon, configured from its
/// `stakepoold.conf` (`alertemail`, `alertfrom`; `missedvotemail` on by default), logs `ALERT vote-missed` naming
/// each ticket and why, and queues in the shared database's outbox one mail to the operator naming the tickets
/// and the daemon, and one to the ticket's owner — which the web app's outbox then delivers.
final class StakepooldMissedVoteProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    func testMissedVote_realDaemonLogsTheAlertAndQueuesTheOperatorsAndTheOwnersMail() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-missed")
        self.harness = harness
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: 29)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let registered = try await node.call("simregisteruser", [.int(1)])
        let ticketAddress = try XCTUnwrap(registered["multisigaddress"]?.stringValue)
        let feeAddress = try XCTUnwrap(registered["feeaddress"]?.stringValue)
        let database = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        defer { Task { await storage.shutdown() } }
        try await storage.migrate()
        let owner = try await storage.insertUser(User(email: "owner@example.com", passwordHash: "x", multiSigAddress: ticketAddress,
                                                      multiSigScript: try XCTUnwrap(registered["redeemscript"]?.stringValue),
                                                      heightRegistered: 1, emailVerified: .verified, voteBits: 1,
                                                      voteBitsVersion: 0))
        XCTAssertEqual(owner.id.rawValue, 1, "simregisteruser 1 made user 1's multisig")
        _ = try await node.call("simmine", [.int(16)])
        _ = try await node.call("simbuytickets", [.string(ticketAddress), .string(feeAddress), .int(5)])
        let bought = try await node.call("siminfo")
        let height = try XCTUnwrap(bought["height"]?.intValue)
        // Mature, one block before the first lottery.
        _ = try await node.call("simmine", [.int(Int64(NetParams.simnet.tickets.stakeValidationHeight) - 2 - height)])

        let home = harness.path("stakepoold")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try """
        simnet=1
        storage=sqlite
        sqlitepath=\(database)
        coldwalletextpub=\(coldKey)
        dcrdhost=\(nodeAddress)
        dcrduser=\(StakepooldProcessHarness.rpcUser)
        dcrdpassword=\(StakepooldProcessHarness.rpcPassword)
        dcrdcert=\(certificate)
        wallethost=\(walletAddresses[0])
        walletuser=\(StakepooldProcessHarness.rpcUser)
        walletpassword=\(StakepooldProcessHarness.rpcPassword)
        walletcert=\(certificate)
        norpclisten=1
        alertemail=ops@example.com
        alertfrom=pool@mail.example.net
        """.write(toFile: home + "/stakepoold.conf", atomically: true, encoding: .utf8)
        let log = harness.path("stakepoold.out")
        let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), ["--appdata", home], log: log)
        try await harness.waitForLine(daemon, log, containing: "subscribed to notifications from dcrd", seconds: 90)

        // The wallet cannot sign when the tickets win.
        _ = try await node.call("simsetwalletfaults", [.int(0), .object(JSONObject([("locked", .bool(true))]))])
        _ = try await node.call("simmine", [.int(1)])
        let winners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
        XCTAssertFalse(winners.isEmpty, "the user's tickets are called")
        for winner in winners {
            let line = try await harness.waitForLine(daemon, log, containing: "ALERT vote-missed: ticket \(winner)", seconds: 90)
            XCTAssertTrue(line.contains("[ERR]") && line.contains("user 1") && line.contains("locked"), line)
        }

        var mails: [OutboxMessage] = []
        try await HostProcesses.waitFor("the operator's and the owner's mails in the outbox") {
            mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
            return Set(mails.map(\.to)).isSuperset(of: ["ops@example.com", "owner@example.com"])
        }
        let toOperator = mails.filter { $0.to == "ops@example.com" }
        XCTAssertEqual(toOperator.count, 1, "one operator mail for the block: \(mails.map(\.subject))")
        let alert = try XCTUnwrap(toOperator.first)
        XCTAssertTrue(alert.subject.contains("\(winners.count) vote(s) missed at height"), alert.subject)
        XCTAssertTrue(alert.body.contains(walletAddresses[0]), "which daemon tried: \(alert.body)")
        for winner in winners { XCTAssertTrue(alert.body.contains(winner), "ticket \(winner): \(alert.body)") }
        let toOwner = mails.filter { $0.to == "owner@example.com" }
        XCTAssertFalse(toOwner.isEmpty)
        XCTAssertTrue(toOwner.allSatisfy { $0.subject == "Your ticket's vote was missed" }, "\(toOwner.map(\.subject))")
        XCTAssertEqual(Set(winners.filter { winner in toOwner.contains { $0.body.contains(winner) } }), Set(winners),
                       "the owner hears of every missed ticket")
        XCTAssertTrue(mails.allSatisfy { $0.messageID.hasSuffix("@mail.example.net") }, "sent as alertfrom: \(mails.map(\.messageID))")
        XCTAssertFalse(harness.contents(log).contains("owner@example.com"), "no user email in stakepoold's log")
        XCTAssertFalse(harness.contents(log).contains("jumped"), "no false notification-gap warning on a young chain")
        XCTAssertTrue(daemon.isRunning)
    }
}
