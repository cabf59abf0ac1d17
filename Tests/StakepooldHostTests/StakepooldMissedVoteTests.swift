import Foundation
import PoolKernel
import PoolTestKit
import StakepooldHost
import VotePolicies
import XCTest

/// A missed or late vote is never silent (issue 18 item 4): the engine's vote loop, with a wallet that fails
/// `generatevote`, alerts the operator and mails the ticket's owner through the outbox; while the database is
/// down the mails wait and are queued once it answers (the engine's database link resyncs).
final class StakepooldMissedVoteTests: XCTestCase {
    private func engine(wallet: InMemoryWallet, storage: InMemoryStorage) async throws -> StakepooldEngine {
        let simnet = try NetParams.named("simnet")
        var settings = StakepooldEngine.Settings()
        var missed = MissedVoteNotifier.Settings(daemonName: "stakepoold (wallet test)")
        missed.operatorEmail = "ops@example.com"
        settings.missedVotes = missed
        settings.voteLoop.attemptTimeout = .milliseconds(100)
        settings.databaseBackoff = .init(base: .milliseconds(10), cap: .milliseconds(50))
        return try await StakepooldEngine.start(
            wallet: wallet, node: InMemoryNode(), storage: storage, policy: UserPrefsPolicy(),
            agendas: { simnet.agendas(forVoteVersion: $0) }, settings: settings, logger: .disabled)
    }

    private func queued(_ storage: InMemoryStorage, atLeast count: Int) async throws -> [OutboxMessage] {
        for _ in 0..<500 {
            let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
            if mails.count >= count { return mails }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
    }

    func testMissedVote_alertsOperatorAndMailsOwner() async throws {
        let storage = try await StakepooldTestFixture.storageWithOwner()
        let wallet = StakepooldTestFixture.wallet()
        let engine = try await engine(wallet: wallet, storage: storage)
        wallet.state.withLock { $0.failure = WalletError(.walletDisconnected, "the client has been disconnected") }
        let ticket = StakepooldTestFixture.tickets[0]
        let report = await engine.loop.process(WinningTickets(blockHash: String(repeating: "b", count: 64), blockHeight: 500,
                                                              tickets: [ticket]))
        XCTAssertEqual(report.missed, 1)
        let mails = try await queued(storage, atLeast: 2)
        let operatorMail = try XCTUnwrap(mails.first { $0.to == "ops@example.com" }, "\(mails.map(\.to))")
        XCTAssertTrue(operatorMail.subject.contains("missed at height 500"), operatorMail.subject)
        XCTAssertTrue(operatorMail.body.contains(ticket) && operatorMail.body.contains("stakepoold (wallet test)")
                      && operatorMail.body.contains("disconnected"), operatorMail.body)
        let ownerMail = try XCTUnwrap(mails.first { $0.to == "owner@example.com" }, "\(mails.map(\.to))")
        XCTAssertTrue(ownerMail.body.contains(ticket), ownerMail.body)
        XCTAssertEqual(engine.missedVotes.alertCount, 1)
    }

    func testMissedVote_duringDatabaseOutageMailsWaitAndAreQueuedWhenItReturns() async throws {
        let storage = try await StakepooldTestFixture.storageWithOwner()
        let wallet = StakepooldTestFixture.wallet()
        let engine = try await engine(wallet: wallet, storage: storage)
        let services = Task { try await withThrowingDiscardingTaskGroup { group in
            for service in engine.services { group.addTask { try await service.run() } }
        } }
        defer { services.cancel(); engine.reloader.finish() }
        // The database fails (the next prefs reload sees it) and stays down for the vote and the lookups.
        storage.failNext(1_000_000)
        await engine.reloader.reloadOnce()
        XCTAssertFalse(try XCTUnwrap(engine.database).isUp)
        wallet.state.withLock { $0.failure = WalletError(.walletDisconnected, "the client has been disconnected") }
        await engine.loop.process(WinningTickets(blockHash: String(repeating: "c", count: 64), blockHeight: 501,
                                                 tickets: [StakepooldTestFixture.tickets[1]]))
        for _ in 0..<500 where engine.missedVotes.pendingCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(engine.missedVotes.pendingCount, 2, "the operator's mail and the owner's lookup wait")
        storage.failNext(0)
        let mails = try await queued(storage, atLeast: 2)
        XCTAssertEqual(Set(mails.map(\.to)), ["ops@example.com", "owner@example.com"])
        XCTAssertTrue(try XCTUnwrap(engine.database).isUp)
        XCTAssertEqual(engine.missedVotes.pendingCount, 0)
    }
}
