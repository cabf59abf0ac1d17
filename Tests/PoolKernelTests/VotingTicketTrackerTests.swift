import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The ticket tracker: initial build, notifications out of order / duplicated / unknown, fee check, low-fee
/// tickets, resync.
final class VotingTicketTrackerTests: XCTestCase {
    var tempDir: URL!

    override func setUpWithError() throws {
        tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("voting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tempDir)
    }

    struct Rig {
        let wallet: InMemoryWallet
        let node: InMemoryNode
        let storage: InMemoryStorage
        let tracker: TicketTracker
        let lowFee: LowFeeTickets
        let prefs: UserPrefsCache
        let sink: CapturingSink
    }

    func makeRig(users: Int = 3, feeCheck: Bool = false) async throws -> Rig {
        let storage = try await VotingFixture.storage(users: users)
        let sink = CapturingSink()
        let logger = LogBackend(level: .debug, sinks: [sink]).logger("STPK")
        let wallet = InMemoryWallet()
        let node = InMemoryNode()
        let prefs = UserPrefsCache(storage: storage, logger: logger)
        try await prefs.reload()
        let lowFee = LowFeeTickets(directory: tempDir.path, storage: storage, logger: logger)
        await lowFee.load()
        let check = feeCheck ? TicketFeeCheck(node: node, fee: PoolTicketFee(params: .simnet), poolFeePercent: 7.5,
                                              isFeeAddress: { $0 == "SsPoolFee" }) : nil
        let tracker = TicketTracker(wallet: wallet, prefs: prefs, feeCheck: check, lowFee: lowFee,
                                    metrics: VotingMetrics(), logger: logger)
        return Rig(wallet: wallet, node: node, storage: storage, tracker: tracker, lowFee: lowFee, prefs: prefs, sink: sink)
    }

    /// Puts a pool ticket of `user` into the wallet (live, with its gettransaction answer).
    func addTicket(_ rig: Rig, _ n: Int, user: Int, live: Bool = true) -> String {
        let ticket = VotingFixture.hash(n)
        rig.wallet.state.withLock {
            $0.tickets[ticket] = live
            $0.transactions[ticket] = VotingFixture.ticketTransaction(ticket, owner: VotingFixture.msa(user))
        }
        return ticket
    }

    func testTicketTracker_initialBuildAttributesOwners() async throws {
        let rig = try await makeRig()
        let a = addTicket(rig, 1, user: 1)
        let b = addTicket(rig, 2, user: 2)
        // Not a pool user's ticket, and one gettransaction cannot answer.
        let stranger = VotingFixture.hash(3)
        rig.wallet.state.withLock {
            $0.tickets[stranger] = true
            $0.transactions[stranger] = VotingFixture.ticketTransaction(stranger, owner: "SsSomeoneElse")
            $0.tickets[VotingFixture.hash(4)] = true
        }
        try await rig.tracker.buildInitial(node: rig.node)
        XCTAssertEqual(rig.tracker.count, 2)
        XCTAssertEqual(rig.tracker.owner(of: try XCTUnwrap(TicketHash(hex: a))), VotingFixture.msa(1))
        XCTAssertEqual(rig.tracker.owner(of: try XCTUnwrap(TicketHash(hex: b))), VotingFixture.msa(2))
        XCTAssertTrue(rig.sink.text.contains("2 live tickets ready for voting"), rig.sink.text)
    }

    func testTicketTracker_notificationsOutOfOrderDuplicatedUnknown() async throws {
        let rig = try await makeRig()
        let a = addTicket(rig, 1, user: 1)
        let b = addTicket(rig, 2, user: 2)
        let hashA = try XCTUnwrap(TicketHash(hex: a))
        // Removal of `a` (block 101) arrives before its newtickets (block 100).
        let removed = rig.tracker.handleSpentAndMissed(SpentAndMissedTickets(
            blockHash: VotingFixture.hash(0xb101), blockHeight: 101, stakeDifficulty: 0, tickets: [(a, true)]))
        XCTAssertEqual(removed.unknown, 1)
        await rig.tracker.handleNewTickets(NewTickets(blockHash: VotingFixture.hash(0xb100), blockHeight: 100,
                                                      stakeDifficulty: 0, tickets: [a, b]))
        XCTAssertNil(rig.tracker.owner(of: hashA), "a spent ticket must not come back")
        XCTAssertEqual(rig.tracker.count, 1)
        // Duplicate newtickets: no change.
        await rig.tracker.handleNewTickets(NewTickets(blockHash: VotingFixture.hash(0xb100), blockHeight: 100,
                                                      stakeDifficulty: 0, tickets: [b]))
        XCTAssertEqual(rig.tracker.count, 1)
        // Unknown tickets, malformed hashes and tickets the wallet does not know: handled, no crash.
        await rig.tracker.handleNewTickets(NewTickets(blockHash: VotingFixture.hash(0xb102), blockHeight: 102,
                                                      stakeDifficulty: 0, tickets: [VotingFixture.hash(99), "zz", ""]))
        let unknown = rig.tracker.handleSpentAndMissed(SpentAndMissedTickets(
            blockHash: VotingFixture.hash(0xb103), blockHeight: 103, stakeDifficulty: 0,
            tickets: [(VotingFixture.hash(98), false), ("not-a-hash", true), (b, false)]))
        XCTAssertEqual(unknown.unknown, 1)
        XCTAssertEqual(unknown.missed, 1)
        XCTAssertEqual(rig.tracker.count, 0)
        XCTAssertTrue(rig.sink.text.contains("malformed"), rig.sink.text)
    }

    func testTicketTracker_lowFeeTicketsAreSkippedPersistedAndAddable() async throws {
        let rig = try await makeRig(feeCheck: true)
        let fees = InMemoryNodeForFees()
        let blockHash = VotingFixture.hash(0xb10c)
        rig.node.state.withLock { $0.headers[blockHash] = InMemoryNodeForFees.header(height: 1000) }
        let good = addTicket(rig, 1, user: 1)
        let low = addTicket(rig, 2, user: 2)
        rig.wallet.state.withLock {
            $0.transactions[good]?.hex = "aa01"
            $0.transactions[low]?.hex = "aa02"
        }
        rig.node.state.withLock {
            $0.decoded["aa01"] = fees.ticket(poolCommit: 1.7, userCommit: 98.3, value: 100, txid: good)
            $0.decoded["aa02"] = fees.ticket(poolCommit: 0.5, userCommit: 99.5, value: 100, txid: low)
        }
        await rig.tracker.handleNewTickets(NewTickets(blockHash: VotingFixture.hash(0xb200), blockHeight: 1256,
                                                      stakeDifficulty: 0, tickets: [good, low]))
        XCTAssertNotNil(rig.tracker.owner(of: try XCTUnwrap(TicketHash(hex: good))))
        let lowHash = try XCTUnwrap(TicketHash(hex: low))
        XCTAssertNil(rig.tracker.owner(of: lowHash))
        XCTAssertEqual(rig.lowFee.detected.map(\.ticket), [low])
        XCTAssertEqual(rig.lowFee.detected.first?.height, 1000)
        // Persisted: a fresh instance (restart) reads it back, and the rebuilt map leaves it out.
        let detected = try LowFeeTickets.readDetected(directory: tempDir.path)
        XCTAssertEqual(detected.map(\.ticket), [low])
        try await rig.tracker.buildInitial(node: rig.node)
        XCTAssertNil(rig.tracker.owner(of: lowHash))
        XCTAssertEqual(rig.tracker.count, 1)
        // The operator adds it (poolctl tickets lowfee add): after the next prefs reload it is voted.
        _ = try await rig.storage.write { try $0.addLowFeeTicket(hash: low) }
        let reload = PrefsReloadService(prefs: rig.prefs, tracker: rig.tracker, lowFee: rig.lowFee, logger: .disabled)
        await reload.reloadOnce()
        XCTAssertEqual(rig.tracker.owner(of: lowHash), VotingFixture.msa(2))
    }

    func testTicketTracker_resyncAddsMissingAndDropsGone() async throws {
        let rig = try await makeRig()
        let a = addTicket(rig, 1, user: 1)
        _ = addTicket(rig, 2, user: 2)
        try await rig.tracker.buildInitial(node: rig.node)
        XCTAssertEqual(rig.tracker.count, 2)
        // While disconnected: `a` expired (wallet no longer lists it), two new tickets matured.
        rig.wallet.state.withLock { $0.tickets[a] = nil }
        _ = addTicket(rig, 3, user: 3)
        _ = addTicket(rig, 4, user: 1)
        let result = await rig.tracker.resync()
        XCTAssertEqual(result.added, 2)
        XCTAssertEqual(result.dropped, 1)
        XCTAssertEqual(rig.tracker.count, 3)
    }

    func testVotingService_gapInHeightsTriggersResync() async throws {
        let rig = try await makeRig()
        _ = addTicket(rig, 1, user: 1)
        let loop = VoteLoop(tracker: rig.tracker, prefs: rig.prefs, policy: InMemoryVotePolicy(),
                            rules: VotingFixture.rules, wallet: rig.wallet, node: rig.node, storage: nil,
                            metrics: VotingMetrics(), logger: .disabled)
        let service = VotingService(node: rig.node, tracker: rig.tracker, loop: loop, logger: .disabled, knownHeight: 100)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        // Wait for the subscription.
        let deadline = ContinuousClock.now + .seconds(5)
        while rig.node.state.withLock({ $0.registrations.isEmpty }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        rig.node.emit(.spentAndMissedTickets(SpentAndMissedTickets(blockHash: VotingFixture.hash(0xb105),
                                                                   blockHeight: 105, stakeDifficulty: 0, tickets: [])))
        while rig.tracker.count == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertEqual(rig.tracker.count, 1, "the gap 100 → 105 resynced the map from the wallet")
        // A winning ticket through the stream is voted.
        rig.node.emit(.winningTickets(WinningTickets(blockHash: VotingFixture.hash(0xb106), blockHeight: 106,
                                                     tickets: [VotingFixture.hash(1)])))
        while rig.wallet.state.withLock({ $0.votes.isEmpty }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTAssertEqual(rig.wallet.state.withLock { $0.votes.count }, 1)
    }

    /// A block header (180 bytes, hex) at `height` (little-endian uint32 at byte 128, as dcrd serializes it).
    private func header(height: UInt32) -> String {
        var bytes = [UInt8](repeating: 0, count: 180)
        for index in 0..<4 { bytes[128 + index] = UInt8(truncatingIfNeeded: height >> (8 * UInt32(index))) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// On a young chain blocks come without winning or new tickets: the first of those is no jump (issue 18.6).
    func testVotingService_blocksWithoutTicketsAreNoFalseJump() async throws {
        let rig = try await makeRig()
        _ = addTicket(rig, 1, user: 1)
        try await rig.tracker.buildInitial(node: rig.node)
        let sink = CapturingSink()
        let logger = LogBackend(level: .debug, sinks: [sink]).logger("STPK")
        let loop = VoteLoop(tracker: rig.tracker, prefs: rig.prefs, policy: InMemoryVotePolicy(),
                            rules: VotingFixture.rules, wallet: rig.wallet, node: rig.node, storage: nil,
                            metrics: VotingMetrics(), logger: .disabled)
        let service = VotingService(node: rig.node, tracker: rig.tracker, loop: loop, logger: logger, knownHeight: 10)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(30)
        while !service.isSubscribed && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        for height in UInt32(11)...15 { rig.node.emit(.blockConnected(BlockConnected(headerHex: header(height: height)))) }
        rig.node.emit(.winningTickets(WinningTickets(blockHash: VotingFixture.hash(0xb116), blockHeight: 16,
                                                     tickets: [VotingFixture.hash(1)])))
        while rig.wallet.state.withLock({ $0.votes.isEmpty }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTAssertEqual(rig.wallet.state.withLock { $0.votes.count }, 1)
        XCTAssertFalse(sink.text.contains("jumped"), sink.text)
        // A real gap is still noticed.
        rig.node.emit(.spentAndMissedTickets(SpentAndMissedTickets(blockHash: VotingFixture.hash(0xb120),
                                                                   blockHeight: 20, stakeDifficulty: 0, tickets: [])))
        while !sink.text.contains("jumped") && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertTrue(sink.text.contains("notifications jumped from height 16 to 20"), sink.text)
    }
}
