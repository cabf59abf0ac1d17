import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// A missed or late vote through the real `stakepoold` executable (issue 18 item 4): its wallet (a real
/// `simwallet` process) is locked, or too slow to answer `generatevote` (`simdelayvotes`), when the user's
/// tickets win, so no vote reaches the wire. The daemon, configured from its `stakepoold.conf` (`alertemail`,
/// `alertfrom`; `missedvotemail` on by default), logs `ALERT vote-missed` naming each ticket, the daemon and why
/// — "failed: …" or "late: no answer … within the block's … deadline" — and queues in the shared database's
/// outbox one mail to the operator naming the tickets and the daemon, and one to the ticket's owner — which the
/// web app's outbox then delivers.
final class StakepooldMissedVoteProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    /// A running stakepoold whose only wallet holds user 1's five mature tickets, one block before the lottery.
    private struct Pool {
        let harness: StakepooldProcessHarness
        let node: JSONRPCClient
        let storage: SQLiteStorage
        let daemon: Process
        let log: String
        let walletAddress: String
    }

    private func startPool(prefix: String, seed: Int) async throws -> Pool {
        let harness = try StakepooldProcessHarness(prefix: prefix)
        self.harness = harness
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: seed)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let registered = try await node.call("simregisteruser", [.int(1)])
        let ticketAddress = try XCTUnwrap(registered["multisigaddress"]?.stringValue)
        let feeAddress = try XCTUnwrap(registered["feeaddress"]?.stringValue)
        let database = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
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
        return Pool(harness: harness, node: node, storage: storage, daemon: daemon, log: log, walletAddress: walletAddresses[0])
    }

    /// Mines the lottery block; returns its winners (the user's tickets) and each one's `ALERT vote-missed` line.
    private func mineLottery(_ pool: Pool) async throws -> [(ticket: String, line: String)] {
        _ = try await pool.node.call("simmine", [.int(1)])
        let winners = try await pool.node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
        XCTAssertFalse(winners.isEmpty, "the user's tickets are called")
        var alerts: [(String, String)] = []
        for winner in winners {
            let line = try await pool.harness.waitForLine(pool.daemon, pool.log, containing: "ALERT vote-missed: ticket \(winner)",
                                                          seconds: 90)
            XCTAssertTrue(line.contains("[ERR]") && line.contains("user 1")
                          && line.contains("tried by stakepoold (wallet \(pool.walletAddress))"), line)
            alerts.append((winner, line))
        }
        return alerts
    }

    /// The operator's single mail for the block and the owner's mails, once both are in the outbox.
    private func queuedMails(_ pool: Pool) async throws -> (operator: OutboxMessage, owner: [OutboxMessage]) {
        var mails: [OutboxMessage] = []
        try await HostProcesses.waitFor("the operator's and the owner's mails in the outbox") {
            mails = try await pool.storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
            return Set(mails.map(\.to)).isSuperset(of: ["ops@example.com", "owner@example.com"])
        }
        let toOperator = mails.filter { $0.to == "ops@example.com" }
        XCTAssertEqual(toOperator.count, 1, "one operator mail for the block: \(mails.map(\.subject))")
        XCTAssertTrue(mails.allSatisfy { $0.messageID.hasSuffix("@mail.example.net") }, "sent as alertfrom: \(mails.map(\.messageID))")
        return (try XCTUnwrap(toOperator.first), mails.filter { $0.to == "owner@example.com" })
    }

    private func assertNamesEveryTicket(_ alerts: [(ticket: String, line: String)], _ mails: (operator: OutboxMessage, owner: [OutboxMessage]),
                                        pool: Pool, file: StaticString = #filePath, line: UInt = #line) {
        let winners = alerts.map(\.ticket)
        XCTAssertTrue(mails.operator.subject.contains("\(winners.count) vote(s) missed at height"), mails.operator.subject,
                      file: file, line: line)
        XCTAssertTrue(mails.operator.body.contains(pool.walletAddress), "which daemon tried: \(mails.operator.body)", file: file, line: line)
        for winner in winners {
            XCTAssertTrue(mails.operator.body.contains(winner), "ticket \(winner): \(mails.operator.body)", file: file, line: line)
        }
        XCTAssertEqual(Set(winners.filter { winner in mails.owner.contains { $0.body.contains(winner) } }), Set(winners),
                       "the owner hears of every missed ticket", file: file, line: line)
        XCTAssertFalse(pool.harness.contents(pool.log).contains("owner@example.com"), "no user email in stakepoold's log",
                       file: file, line: line)
        XCTAssertTrue(pool.daemon.isRunning, file: file, line: line)
    }

    func testMissedVote_realDaemonLogsTheAlertAndQueuesTheOperatorsAndTheOwnersMail() async throws {
        let pool = try await startPool(prefix: "stakepoold-missed", seed: 29)
        defer { Task { [storage = pool.storage] in await storage.shutdown() } }

        // The wallet cannot sign when the tickets win.
        _ = try await pool.node.call("simsetwalletfaults", [.int(0), .object(JSONObject([("locked", .bool(true))]))])
        let alerts = try await mineLottery(pool)
        for alert in alerts {
            XCTAssertTrue(alert.line.contains("failed: generatevote") && alert.line.contains("locked"), alert.line)
            XCTAssertFalse(alert.line.contains("late"), "a refused vote is not called late: \(alert.line)")
        }
        let mails = try await queuedMails(pool)
        assertNamesEveryTicket(alerts, mails, pool: pool)
        XCTAssertTrue(mails.operator.subject.hasSuffix("(\(alerts.count) failed)"), mails.operator.subject)
        XCTAssertTrue(mails.owner.allSatisfy { $0.subject == "Your ticket's vote was missed" && !$0.body.contains("late") },
                      "\(mails.owner.map(\.subject))")
        XCTAssertFalse(pool.harness.contents(pool.log).contains("jumped"), "no false notification-gap warning on a young chain")
    }

    /// The late vote: the wallet answers `generatevote` only after ten minutes, far past stakepoold's 2.5 s vote
    /// deadline (README, docs/operations.md), so the daemon gives up and says the vote was late, not failed.
    func testLateVote_walletTooSlowForTheDeadline_alertsTheOperatorAndTheOwnerThatTheVoteWasLate() async throws {
        let pool = try await startPool(prefix: "stakepoold-late", seed: 31)
        defer { Task { [storage = pool.storage] in await storage.shutdown() } }

        _ = try await pool.node.call("simdelayvotes", [.int(0), .int(600_000)])
        let alerts = try await mineLottery(pool)
        for alert in alerts {
            XCTAssertTrue(alert.line.contains("late: no answer from the wallet's generatevote within the block's 2.5 seconds deadline"),
                          alert.line)
            XCTAssertFalse(alert.line.contains("failed"), "a late vote is not called failed: \(alert.line)")
        }
        let awaiting = try await pool.node.call("siminfo")["awaitingvotes"]?.intValue
        XCTAssertEqual(awaiting, Int64(alerts.count), "no vote reached the node: the alert is about a vote really not sent")

        let mails = try await queuedMails(pool)
        assertNamesEveryTicket(alerts, mails, pool: pool)
        XCTAssertTrue(mails.operator.subject.hasSuffix("(\(alerts.count) late: no answer within the 2.5 seconds deadline)"),
                      mails.operator.subject)
        XCTAssertTrue(mails.operator.body.contains("A late vote is one the wallet or dcrd did not answer"), mails.operator.body)
        XCTAssertFalse(mails.operator.body.contains("A failed vote"), mails.operator.body)
        XCTAssertFalse(mails.owner.isEmpty)
        for mail in mails.owner {
            XCTAssertEqual(mail.subject, "Your ticket's vote was late (not sent in time)")
            XCTAssertTrue(mail.body.contains("did not answer within the block's 2.5 seconds deadline") && !mail.body.contains("failed"),
                          mail.body)
        }
    }
}
