import PoolKernel
import PoolTestKit
import XCTest

/// The vote loop with in-memory fakes: policy bits, concurrency, deadline, retry, duplicates, empty results,
/// audit records and metrics.
final class VotingLoopTests: XCTestCase {
    struct Rig {
        let wallet: ScriptedWallet
        let node: InMemoryNode
        let storage: InMemoryStorage
        let prefs: UserPrefsCache
        let tracker: TicketTracker
        let metrics: VotingMetrics
        let loop: VoteLoop
        let sink: CapturingSink
    }

    func makeRig(users: Int = 5, tickets: Int = 5, bits: UInt16 = 5, policy: (any VotePolicy)? = nil,
                 node: InMemoryNode = InMemoryNode(), deadline: Duration = .seconds(2),
                 attemptTimeout: Duration = .milliseconds(800)) async throws -> Rig {
        let storage = try await VotingFixture.storage(users: users, bits: bits)
        let sink = CapturingSink()
        let logger = LogBackend(level: .debug, sinks: [sink]).logger("STPK")
        let wallet = ScriptedWallet()
        let prefs = UserPrefsCache(storage: storage, logger: logger)
        try await prefs.reload()
        let metrics = VotingMetrics()
        let tracker = TicketTracker(wallet: wallet, prefs: prefs, feeCheck: nil,
                                    lowFee: LowFeeTickets(directory: nil, storage: nil, logger: logger),
                                    metrics: metrics, logger: logger)
        for n in 0..<tickets {
            let ticket = VotingFixture.hash(0x1000 + n)
            wallet.inner.state.withLock { $0.tickets[ticket] = true }
            tracker.add(try XCTUnwrap(TicketHash(hex: ticket)), owner: VotingFixture.msa(n % max(1, users) + 1))
        }
        var settings = VoteLoop.Settings()
        settings.deadline = deadline
        settings.attemptTimeout = attemptTimeout
        settings.retryDelay = .milliseconds(5)
        let loop = VoteLoop(tracker: tracker, prefs: prefs, policy: policy ?? InMemoryVotePolicy(),
                            rules: VotingFixture.rules, wallet: wallet, node: node, storage: storage,
                            metrics: metrics, logger: logger, settings: settings)
        return Rig(wallet: wallet, node: node, storage: storage, prefs: prefs, tracker: tracker, metrics: metrics,
                   loop: loop, sink: sink)
    }

    func winners(_ numbers: [Int], block: Int = 0xb1) -> WinningTickets {
        WinningTickets(blockHash: VotingFixture.hash(block), blockHeight: 1000, tickets: numbers.map { VotingFixture.hash($0) })
    }

    func testVoteLoop_votesEveryManagedWinnerWithPolicyBits() async throws {
        let rig = try await makeRig(bits: 5)
        let report = await rig.loop.process(winners([0x1000, 0x1001, 0x1002, 0x9999, 0x1003]))
        XCTAssertEqual(report.cast, 4)
        XCTAssertEqual(report.unmanaged, 1)
        XCTAssertEqual(report.missed, 0)
        let votes = rig.wallet.inner.state.withLock { $0.votes }
        XCTAssertEqual(votes.count, 4)
        XCTAssertTrue(votes.allSatisfy { $0.voteBits == 5 && $0.blockHash == VotingFixture.hash(0xb1) })
        XCTAssertEqual(rig.node.state.withLock { $0.sent.count }, 4)
        // One audit record per decision, with policy, reason and result.
        let audits = try await rig.storage.read { try $0.recentVoteAudits(limit: 10) }
        XCTAssertEqual(audits.count, 4)
        XCTAssertTrue(audits.allSatisfy { $0.result == .voted && $0.voteBits == 5 && $0.policyName == "inmemory" })
        XCTAssertTrue(audits.allSatisfy { $0.userId != nil && $0.blockHeight == 1000 && !$0.detail.isEmpty })
        // One log line per vote plus the summary.
        XCTAssertEqual(rig.sink.captured.filter { $0.contains("voted ticket") }.count, 4)
        XCTAssertTrue(rig.sink.text.contains("processWinningTickets: height 1000"), rig.sink.text)
        XCTAssertTrue(rig.sink.text.contains("newvotes 4 duplicatevotes 0 errors 0 unmanaged 1"), rig.sink.text)
        let counts = rig.metrics.snapshot
        XCTAssertEqual(counts.cast, 4)
        XCTAssertEqual(counts.unmanaged, 1)
        XCTAssertEqual(rig.metrics.endToEndLatency.count, 4)
    }

    func testVoteLoop_invalidPolicyBitsFallBackToWalletDefault() async throws {
        let rig = try await makeRig(policy: InMemoryVotePolicy(fixedBits: 7))
        let report = await rig.loop.process(winners([0x1000]))
        XCTAssertEqual(report.results.first?.decision.bits, 1)
        XCTAssertEqual(report.results.first?.decision.fellBack, true)
        XCTAssertEqual(rig.wallet.inner.state.withLock { $0.votes.first?.voteBits }, 1)
        XCTAssertTrue(rig.sink.text.contains("invalid votebits 7"))
    }

    /// Every call waits until all five are inside the wallet at once: only overlapping calls can all be cast.
    /// (Deadlines far away: a loop that voted one at a time would hit them, not a timing threshold.)
    func testVoteLoop_votesConcurrently() async throws {
        let rig = try await makeRig(deadline: .seconds(60), attemptTimeout: .seconds(50))
        for n in 0..<5 { rig.wallet.script.withLock { $0[VotingFixture.hash(0x1000 + n)] = [.rendezvous(peers: 5)] } }
        let report = await rig.loop.process(winners((0..<5).map { 0x1000 + $0 }))
        XCTAssertEqual(report.cast, 5)
        XCTAssertEqual(rig.wallet.inFlight.value.most, 5, "all five generatevote calls overlapped")
    }

    func testVoteLoop_retriesAnUnavailableWallet() async throws {
        let rig = try await makeRig()
        let ticket = VotingFixture.hash(0x1000)
        rig.wallet.script.withLock { $0[ticket] = [.fail(WalletError(.walletDisconnected, "dropped"))] }
        let report = await rig.loop.process(winners([0x1000]))
        XCTAssertEqual(report.cast, 1)
        XCTAssertEqual(report.results.first?.attempts, 2)
        XCTAssertEqual(rig.wallet.voteCalls.value.count, 2)
    }

    func testVoteLoop_rpcErrorIsNotRetried() async throws {
        let rig = try await makeRig()
        rig.wallet.script.withLock {
            $0[VotingFixture.hash(0x1000)] = [.fail(.rpc(code: -4, message: "ticket purchase transaction not found"))]
        }
        let report = await rig.loop.process(winners([0x1000]))
        XCTAssertEqual(report.missed, 1)
        XCTAssertEqual(rig.wallet.voteCalls.value.count, 1)
        guard case .failed(let message) = report.results.first?.outcome else { return XCTFail("expected failure") }
        XCTAssertTrue(message.contains("-4: ticket purchase transaction not found"), message)
        XCTAssertEqual(rig.metrics.snapshot.failed, 1)
        let audits = try await rig.storage.read { try $0.recentVoteAudits(limit: 10) }
        XCTAssertEqual(audits.first?.result, .failed)
    }

    func testVoteLoop_emptyVoteIsNeverCountedAsAVote() async throws {
        let rig = try await makeRig()
        let ticket = VotingFixture.hash(0x1000)
        rig.wallet.script.withLock { $0[ticket] = [.empty, .empty] }
        let report = await rig.loop.process(winners([0x1000]))
        XCTAssertEqual(report.cast, 0)
        XCTAssertEqual(report.missed, 1)
        XCTAssertEqual(rig.wallet.voteCalls.value.count, 2, "an empty vote is retried once")
        XCTAssertEqual(rig.node.state.withLock { $0.sent.count }, 0)
        XCTAssertEqual(rig.metrics.snapshot.cast, 0)
        // An empty answer followed by a real one is a vote.
        rig.wallet.script.withLock { $0[VotingFixture.hash(0x1001)] = [.empty] }
        let second = await rig.loop.process(winners([0x1001], block: 0xb2))
        XCTAssertEqual(second.cast, 1)
    }

    func testVoteLoop_alreadyHaveTransactionIsADuplicate() async throws {
        let node = InMemoryNode()
        let rig = try await makeRig(node: node)
        // A sibling cluster sharing the node voted first: the same vote hex is already in its mempool.
        let first = await rig.loop.process(winners([0x1000, 0x1001]))
        XCTAssertEqual(first.cast, 2)
        let sibling = try await makeRig(node: node)
        let second = await sibling.loop.process(winners([0x1000, 0x1001]))
        XCTAssertEqual(second.duplicates, 2)
        XCTAssertEqual(second.missed, 0)
        XCTAssertEqual(sibling.metrics.snapshot.duplicate, 2)
        XCTAssertEqual(sibling.metrics.snapshot.failed, 0)
        guard case .duplicate(let txid) = second.results.first?.outcome else { return XCTFail("expected duplicate") }
        XCTAssertNotNil(txid)
        XCTAssertTrue(VoteOutcome.isDuplicateError("-32603: already have transaction abc"))
        XCTAssertTrue(VoteOutcome.isDuplicateError("-1: Rejected transaction ab: already have transaction ab"))
        XCTAssertFalse(VoteOutcome.isDuplicateError("-1: Rejected transaction ab: double spend"))
        let audits = try await sibling.storage.read { try $0.recentVoteAudits(limit: 10) }
        XCTAssertTrue(audits.allSatisfy { $0.result == .duplicate })
    }

    func testVoteLoop_hungWalletHitsTheDeadlineWithoutHoldingOthers() async throws {
        let rig = try await makeRig(deadline: .milliseconds(600), attemptTimeout: .milliseconds(250))
        rig.wallet.script.withLock { $0[VotingFixture.hash(0x1000)] = [.hang, .hang] }
        let report = await rig.loop.process(winners([0x1000, 0x1001, 0x1002]))
        // The block was reported while both hung calls were still inside the wallet: the loop never waits on them.
        XCTAssertEqual(rig.wallet.hanging.value, 2, "process() returned without waiting for the hung calls")
        rig.wallet.releaseHangs()
        XCTAssertEqual(report.cast, 2)
        XCTAssertEqual(report.results.first?.outcome, .deadline)
        XCTAssertEqual(report.results.first?.attempts, 2, "the first try timed out and was retried")
        XCTAssertEqual(rig.metrics.snapshot.deadline, 1)
        XCTAssertEqual(rig.metrics.snapshot.missed, 1)
    }

    func testVoteLoop_repeatedNotificationIsIgnored() async throws {
        let rig = try await makeRig()
        _ = await rig.loop.process(winners([0x1000]))
        let again = await rig.loop.process(winners([0x1000]))
        XCTAssertTrue(again.repeated)
        XCTAssertEqual(rig.wallet.voteCalls.value.count, 1)
        // A competing block at the same height is a different block: voted too.
        let rival = await rig.loop.process(winners([0x1000], block: 0xb9))
        XCTAssertEqual(rival.cast, 1)
    }

    func testVoteLoop_policyObservesEachBlock() async throws {
        let observer = InMemoryVotePolicy(fixedBits: 3)
        let rig = try await makeRig(policy: observer)
        _ = await rig.loop.process(winners([0x1000, 0x1001, 0x4444]))
        let seen = observer.state.value.observed
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen.first?.entries.map(\.bits), [3, 3])
    }
}
