import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The vspd block handler (vspd-api.md §8.2) over the in-memory node, wallets and storage: a ticket's whole life
/// from its fee quote to its outcome, never-mined deletion, a wallet caught up by the consistency pass, an
/// unreachable node, and runs that never overlap. The clock is injected; nothing sleeps for time to pass.
final class VspBlockHandlerTests: XCTestCase {
    /// dcrd chaincfg simnet: TicketMaturity 16, TicketExpiry 384 = 6 × TicketPoolSize 64 (simnetparams.go).
    private let simnet = NetParams.simnet.tickets

    private struct Pool {
        let storage = InMemoryStorage()
        let node = InMemoryVspNode()
        let wallets: [InMemoryVspWallet]
        let clock = LockedValue(Date(timeIntervalSince1970: 1_800_000_000))
        let metrics = MetricsRegistry()
        let handler: VspBlockHandler

        init(wallets count: Int = 3, tickets: NetParams.TicketParams) async throws {
            wallets = (0..<count).map { _ in InMemoryVspWallet() }
            try await storage.migrate()
            let clock = clock
            handler = VspBlockHandler(storage: storage, node: node, wallets: wallets, walletLabels: (0..<count).map { "wallet\($0)" },
                                      tickets: tickets, metrics: metrics, logger: .disabled, now: { clock.value })
        }

        func ticket(_ hash: String) async throws -> VspTicket? { try await storage.read { try $0.vspTicket(hash: hash) } }
        func advance(minutes: Double) { clock.withLock { $0 = $0.addingTimeInterval(minutes * 60) } }
        var height: Int64 { Int64(node.state.value.blocks.count - 1) }
    }

    /// A ticket as feeaddress registers it (fee status none).
    private func quoted(_ txid: String) -> VspTicket {
        VspTicket(hash: txid, commitmentAddress: "TsCommitment", feeAddressXPubID: 1, feeAddressIndex: 1, feeAddress: "TsFee",
                  feeAmount: 24_000, feeExpiration: 1_800_003_600,
                  voteChoices: ["maxtreasuryspend": "yes", "headercommitments": "no"],
                  tSpendPolicy: [String(repeating: "ab", count: 32): "no"],
                  treasuryPolicy: ["03" + String(repeating: "cd", count: 32): "yes"])
    }

    /// What payfee stores.
    private func pay(_ pool: Pool, _ hash: String, fee: (hex: String, txid: String), wif: String) async throws {
        let paid = VspFeeState(feeAmount: 24_000, feeExpiration: 1_800_003_600, votingWIF: wif, feeTxHex: fee.hex,
                               feeTxHash: fee.txid, feeTxStatus: .received)
        let accepted = try await pool.storage.write { try $0.updateVspFee(ticketHash: hash, paid, ifStatusIn: VspFeeTxStatus.awaitingPayment) }
        XCTAssertTrue(accepted)
    }

    /// A ticket whose fee is confirmed (what the handler watches for an outcome).
    private func watched(_ pool: Pool, seed: Int, purchaseHeight: Int64) async throws -> String {
        let tx = VspTestTransactions.make(seed: seed)
        var ticket = quoted(tx.txid)
        ticket.confirmed = true
        ticket.purchaseHeight = purchaseHeight
        ticket.votingWIF = "wif\(seed)"
        ticket.feeTxStatus = .confirmed
        ticket.feeTxHash = String(format: "%064x", seed)
        try await pool.storage.write { [ticket] in try $0.insertVspTicket(ticket) }
        return tx.txid
    }

    /// Mines empty blocks up to `height - 1`, then the block at `height` with `spends` in its stake tree.
    private func mine(_ pool: Pool, to height: Int64, spends: [VspTicketSpend]) {
        let gap = Int(height - pool.height - 1)
        if gap > 0 { pool.node.mine(gap) }
        pool.node.mine(1, spends: spends)
        XCTAssertEqual(pool.height, height)
    }

    func testWholeLife_quotedTicketConfirmsFeeBroadcastsConfirmsAndEveryWalletGetsKeyAndChoices() async throws {
        let pool = try await Pool(tickets: simnet)
        let ticketTx = VspTestTransactions.make(seed: 1)
        let feeTx = VspTestTransactions.make(seed: 2, value: 24_000)
        pool.node.add(ticketTx.hex, txid: ticketTx.txid, confirmations: 1)
        let minedAt = pool.node.state.value.transactions[ticketTx.txid]!.blockHeight
        try await pool.storage.write { [ticket = quoted(ticketTx.txid)] in try $0.insertVspTicket(ticket) }

        // 1 confirmation: nothing yet.
        await pool.handler.runOnce()
        let young = try await pool.ticket(ticketTx.txid)
        XCTAssertEqual(young?.confirmed, false)
        XCTAssertEqual(young?.purchaseHeight, 0)
        // 6 confirmations: confirmed at the block's height.
        pool.node.mine(5)
        let report = await pool.handler.runOnce()
        XCTAssertEqual(report?.ticketsConfirmed, 1)
        let confirmed = try await pool.ticket(ticketTx.txid)
        XCTAssertEqual(confirmed?.confirmed, true)
        XCTAssertEqual(confirmed?.purchaseHeight, minedAt)
        XCTAssertEqual(pool.node.state.value.sent, [], "no fee yet")

        // payfee, then the next run broadcasts the fee, once.
        try await pay(pool, ticketTx.txid, fee: feeTx, wif: "PsVotingKeyWIF")
        await pool.handler.runOnce()
        XCTAssertEqual(pool.node.state.value.sent, [feeTx.hex])
        let broadcast = try await pool.ticket(ticketTx.txid)
        XCTAssertEqual(broadcast?.feeTxStatus, .broadcast)
        await pool.handler.runOnce()
        XCTAssertEqual(pool.node.state.value.sent, [feeTx.hex], "a broadcast fee is not sent again")
        XCTAssertEqual(pool.metrics.render().contains("vsp_fee_broadcasts_total{result=\"sent\"} 1"), true)

        // Mined, 5 confirmations: still broadcast, no wallet touched.
        pool.node.mine(5)
        await pool.handler.runOnce()
        let five = try await pool.ticket(ticketTx.txid)
        XCTAssertEqual(five?.feeTxStatus, .broadcast)
        XCTAssertEqual(pool.wallets[0].state.value.importedKeys, [])
        // 6 confirmations: fee confirmed (hex dropped, key kept) and the ticket on every wallet with its preferences.
        pool.node.mine(1)
        let final = await pool.handler.runOnce()
        XCTAssertEqual(final?.feesConfirmed, 1)
        let doneRead = try await pool.ticket(ticketTx.txid)
        let done = try XCTUnwrap(doneRead)
        XCTAssertEqual(done.feeTxStatus, .confirmed)
        XCTAssertEqual(done.feeTxHex, "")
        XCTAssertEqual(done.votingWIF, "PsVotingKeyWIF")
        for wallet in pool.wallets {
            let state = wallet.state.value
            XCTAssertEqual(state.importedKeys, ["PsVotingKeyWIF"])
            XCTAssertEqual(state.transactions[ticketTx.txid]?.hex, ticketTx.hex)
            XCTAssertEqual(state.transactions[ticketTx.txid]?.blockHash, InMemoryVspNode.blockHash(Int(minedAt)))
            XCTAssertEqual(state.voteChoices[ticketTx.txid], ["maxtreasuryspend": "yes"])
            XCTAssertEqual(state.tspendPolicies[ticketTx.txid], [String(repeating: "ab", count: 32): "no"])
            XCTAssertEqual(state.treasuryPolicies[ticketTx.txid], ["03" + String(repeating: "cd", count: 32): "yes"])
        }
        // "no agenda with ID" from the wallets: that agenda leaves the stored map; the others stay.
        XCTAssertEqual(done.voteChoices, ["maxtreasuryspend": "yes"])
        XCTAssertEqual(done.tSpendPolicy, [String(repeating: "ab", count: 32): "no"])
        // Now watched for its outcome.
        let watchedNow = try await pool.storage.read { try $0.vspTicketsAwaitingOutcome() }.map(\.hash)
        XCTAssertEqual(watchedNow, [ticketTx.txid])
    }

    func testOutcomes_votedMissedExpiredAtTheBoundaryHeightsFromMaturityAndExpiry() async throws {
        XCTAssertEqual(simnet.maturity, 16)
        XCTAssertEqual(simnet.expiry, 384)
        let pool = try await Pool(tickets: simnet)
        let purchase: Int64 = 50
        // First spendable block 50 + 16 = 66; expiry = 50 + 16 + 384 = 450.
        let voted = try await watched(pool, seed: 11, purchaseHeight: purchase)
        let missedEarly = try await watched(pool, seed: 12, purchaseHeight: purchase)
        let missedJustBefore = try await watched(pool, seed: 13, purchaseHeight: purchase)
        let expiredAt = try await watched(pool, seed: 14, purchaseHeight: purchase)
        let expiredAfter = try await watched(pool, seed: 15, purchaseHeight: purchase)
        let missedLate = try await watched(pool, seed: 16, purchaseHeight: purchase)
        let live = try await watched(pool, seed: 17, purchaseHeight: purchase)
        mine(pool, to: 66, spends: [VspTicketSpend(ticketHash: voted, isVote: true)])
        mine(pool, to: 300, spends: [VspTicketSpend(ticketHash: missedEarly, isVote: false)])
        mine(pool, to: 449, spends: [VspTicketSpend(ticketHash: missedJustBefore, isVote: false)])
        mine(pool, to: 450, spends: [VspTicketSpend(ticketHash: expiredAt, isVote: false)])
        mine(pool, to: 451, spends: [VspTicketSpend(ticketHash: expiredAfter, isVote: false)])
        mine(pool, to: 452, spends: [VspTicketSpend(ticketHash: missedLate, isVote: false),
                                       VspTicketSpend(ticketHash: String(repeating: "e", count: 64), isVote: true)])
        pool.node.mine(3)

        let reportRun = await pool.handler.runOnce()
        let report = try XCTUnwrap(reportRun)
        XCTAssertEqual(report.outcomes, [voted: .voted, missedEarly: .missed, missedJustBefore: .missed, expiredAt: .expired,
                                         expiredAfter: .expired, missedLate: .missed])
        for (hash, outcome) in report.outcomes {
            let stored = try await pool.ticket(hash)?.outcome
            XCTAssertEqual(stored, outcome, hash)
        }
        let stillLive = try await pool.ticket(live)?.outcome
        XCTAssertEqual(stillLive, VspTicketOutcome.none)
        // The scan starts at purchase + maturity and covers every block to the tip once.
        let scanned = try await pool.storage.read { try $0.vspOutcomeScanHeight() }
        XCTAssertEqual(scanned, pool.height)
        XCTAssertEqual(pool.metrics.render().contains("vsp_ticket_outcomes_total{outcome=\"expired\"} 2"), true)

        // A ticket confirmed later whose spend lies behind the scanned height is still found: the scan moves back.
        let late = VspTestTransactions.make(seed: 18)
        pool.node.add(late.hex, txid: late.txid, confirmations: pool.height - 99)  // mined at height 100
        let fee = VspTestTransactions.make(seed: 19, value: 24_000)
        var ticket = quoted(late.txid)
        ticket.confirmed = true
        ticket.purchaseHeight = 100
        ticket.fee = VspFeeState(feeAmount: 1, feeExpiration: 1, votingWIF: "wif18", feeTxHex: fee.hex, feeTxHash: fee.txid,
                                 feeTxStatus: .broadcast)
        pool.node.add(fee.hex, txid: fee.txid, confirmations: 10)
        pool.node.state.withLock { $0.spends[InMemoryVspNode.blockHash(200)] = [VspTicketSpend(ticketHash: late.txid, isVote: true)] }
        try await pool.storage.write { [ticket] in try $0.insertVspTicket(ticket) }
        let secondRun = await pool.handler.runOnce()
        let second = try XCTUnwrap(secondRun)
        XCTAssertEqual(second.feesConfirmed, 1)
        XCTAssertEqual(second.outcomes, [late.txid: .voted])
    }

    func testNeverMinedTicketIsDeletedWithItsVoteChangesAndAltSignAddress() async throws {
        let pool = try await Pool(tickets: simnet)
        let gone = VspTestTransactions.make(seed: 21)
        let pending = VspTestTransactions.make(seed: 22)
        pool.node.add(pending.hex, txid: pending.txid, confirmations: 0)  // in the mempool
        for tx in [gone, pending] {
            try await pool.storage.write { [ticket = quoted(tx.txid)] tx2 in
                try tx2.insertVspTicket(ticket)
                _ = try tx2.appendVspVoteChange(VspVoteChange(ticketHash: ticket.hash, timestamp: 5, request: Data("{}".utf8),
                                                              requestSignature: "s", response: Data("{}".utf8), responseSignature: "r"),
                                                requireNewerTimestamp: false)
                try tx2.insertVspAltSignAddress(VspAltSignAddress(ticketHash: ticket.hash, address: "TsAlt", request: Data(),
                                                                  requestSignature: "s", response: Data(), responseSignature: "r"))
            }
        }
        let report = await pool.handler.runOnce()
        XCTAssertEqual(report?.ticketsDeleted, 1)
        let deleted = try await pool.ticket(gone.txid)
        XCTAssertNil(deleted)
        let alt = try await pool.storage.read { try $0.vspAltSignAddress(ticketHash: gone.txid) }
        XCTAssertNil(alt)
        let changes = try await pool.storage.read { try $0.vspVoteChanges(ticketHash: gone.txid) }
        XCTAssertEqual(changes, [])
        // The mempool ticket stays, unconfirmed, with its records.
        let kept = try await pool.ticket(pending.txid)
        XCTAssertEqual(kept?.confirmed, false)
        let keptChanges = try await pool.storage.read { try $0.vspVoteChanges(ticketHash: pending.txid) }.count
        XCTAssertEqual(keptChanges, 1)
    }

    func testWalletDownDuringImportIsCaughtUpByTheConsistencyPassThirtyMinutesLater() async throws {
        let pool = try await Pool(wallets: 2, tickets: simnet)
        let ticketTx = VspTestTransactions.make(seed: 31)
        let feeTx = VspTestTransactions.make(seed: 32, value: 24_000)
        pool.node.add(ticketTx.hex, txid: ticketTx.txid, confirmations: 6)
        try await pool.storage.write { [ticket = quoted(ticketTx.txid)] in try $0.insertVspTicket(ticket) }
        let first = await pool.handler.runOnce()
        XCTAssertEqual(first?.walletRepairs, 0, "the start-up pass runs (nothing to repair yet)")
        try await pay(pool, ticketTx.txid, fee: feeTx, wif: "PsKey31")
        await pool.handler.runOnce()  // broadcast
        pool.node.mine(6)
        pool.wallets[1].state.withLock { $0.failure = WalletError(.walletUnreachable, "connection refused") }
        pool.advance(minutes: 10)
        let imported = await pool.handler.runOnce()
        XCTAssertEqual(imported?.feesConfirmed, 1)
        XCTAssertNil(imported?.walletRepairs, "no pass 10 minutes after the last one")
        XCTAssertEqual(pool.wallets[0].state.value.importedKeys, ["PsKey31"])
        XCTAssertEqual(pool.wallets[1].state.value.importedKeys, [])
        XCTAssertGreaterThan(pool.handler.metrics.walletErrors.value(["wallet1"]), 0, "wallet errors are counted, not thrown")

        // The wallet comes back; 29 minutes after the start-up pass nothing is due yet.
        pool.wallets[1].state.withLock { $0.failure = nil }
        pool.wallets[0].state.withLock { $0.voteChoices[ticketTx.txid]?["maxtreasuryspend"] = "no" }  // drifted
        pool.advance(minutes: 19)
        let early = await pool.handler.runOnce()
        XCTAssertNil(early?.walletRepairs)
        XCTAssertEqual(pool.wallets[1].state.value.importedKeys, [])
        // 30 minutes: the pass adds the ticket to wallet 1, rescans it, and re-sets wallet 0's drifted choice.
        pool.advance(minutes: 1)
        let repaired = await pool.handler.runOnce()
        XCTAssertEqual(repaired?.walletRepairs, 1)
        let caughtUp = pool.wallets[1].state.value
        XCTAssertEqual(caughtUp.importedKeys, ["PsKey31"])
        XCTAssertEqual(caughtUp.transactions[ticketTx.txid]?.hex, ticketTx.hex)
        XCTAssertEqual(caughtUp.voteChoices[ticketTx.txid], ["maxtreasuryspend": "yes"])
        let purchase = try await pool.ticket(ticketTx.txid)?.purchaseHeight
        XCTAssertEqual(caughtUp.rescans, [try XCTUnwrap(purchase)])
        XCTAssertEqual(pool.wallets[0].state.value.voteChoices[ticketTx.txid], ["maxtreasuryspend": "yes"])
        XCTAssertEqual(pool.wallets[0].state.value.rescans, [], "wallet 0 lacked nothing")
    }

    func testUnreachableNodePostponesWithoutFailingTheFeeAndARejectedFeeIsAnError() async throws {
        let pool = try await Pool(tickets: simnet)
        let ticketTx = VspTestTransactions.make(seed: 41)
        let feeTx = VspTestTransactions.make(seed: 42, value: 24_000)
        pool.node.add(ticketTx.hex, txid: ticketTx.txid, confirmations: 6)
        try await pool.storage.write { [ticket = quoted(ticketTx.txid)] in try $0.insertVspTicket(ticket) }
        await pool.handler.runOnce()
        try await pay(pool, ticketTx.txid, fee: feeTx, wif: "PsKey41")
        pool.node.state.withLock { $0.failure = WalletError(.walletUnreachable, "connection refused") }
        let postponed = await pool.handler.runOnce()
        XCTAssertEqual(postponed?.postponed, true)
        let waiting = try await pool.ticket(ticketTx.txid)
        XCTAssertEqual(waiting?.feeTxStatus, .received, "an unreachable node is no reason to fail the fee")
        XCTAssertEqual(pool.handler.metrics.runs.value(["postponed"]), 1)
        pool.node.state.withLock { $0.failure = nil }
        await pool.handler.runOnce()
        XCTAssertEqual(pool.node.state.value.sent, [feeTx.hex])

        // A fee the node rejects: status error, counted as a failed broadcast.
        let other = VspTestTransactions.make(seed: 43)
        let badFee = VspTestTransactions.make(seed: 44, value: 24_000)
        pool.node.add(other.hex, txid: other.txid, confirmations: 6)
        var ticket = quoted(other.txid)
        ticket.confirmed = true
        ticket.purchaseHeight = 1
        try await pool.storage.write { [ticket] in try $0.insertVspTicket(ticket) }
        try await pay(pool, other.txid, fee: badFee, wif: "PsKey43")
        pool.node.state.withLock { $0.rejections[badFee.hex] = WalletError.rpc(code: -26, message: "transaction rejected: insufficient fee") }
        let rejected = await pool.handler.runOnce()
        XCTAssertEqual(rejected?.feeBroadcastsFailed, 1)
        let failed = try await pool.ticket(other.txid)
        XCTAssertEqual(failed?.feeTxStatus, .error)
        XCTAssertEqual(failed?.votingWIF, "PsKey43")
        XCTAssertEqual(pool.handler.metrics.feeBroadcasts.value(["failed"]), 1)
    }

    func testBlocksArrivingDuringARunQueueOneMoreRunNotMany() async throws {
        let pool = try await Pool(tickets: simnet)
        let ticketTx = VspTestTransactions.make(seed: 51)
        pool.node.add(ticketTx.hex, txid: ticketTx.txid, confirmations: 1)
        try await pool.storage.write { [ticket = quoted(ticketTx.txid)] in try $0.insertVspTicket(ticket) }
        let gate = AsyncGate()
        let held = LockedValue(false)
        pool.node.state.withLock { state in
            state.beforeCall = { method, _ in
                guard method == "getrawtransaction", !held.withLock({ wasHeld in defer { wasHeld = true }; return wasHeld }) else { return }
                await gate.wait()
            }
        }
        let first = Task { await pool.handler.runOnce() }
        for _ in 0..<2_000 where gate.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertEqual(gate.waiting, 1, "the first run is in flight")
        for _ in 0..<5 {
            let overlapping = await pool.handler.runOnce()
            XCTAssertNil(overlapping, "never a second run at once")
        }
        gate.open()
        _ = await first.value
        XCTAssertEqual(pool.handler.metrics.runs.value(["done"]), 2, "five requests during a run: one more run")
    }

    func testServiceRunsAtStartUpAndOnEveryBlockConnected() async throws {
        let pool = try await Pool(tickets: simnet)
        let ticketTx = VspTestTransactions.make(seed: 61)
        pool.node.add(ticketTx.hex, txid: ticketTx.txid, confirmations: 5)
        try await pool.storage.write { [ticket = quoted(ticketTx.txid)] in try $0.insertVspTicket(ticket) }
        let service = Task { try await pool.handler.run() }
        defer { service.cancel() }
        try await waitFor("the start-up run") { pool.handler.metrics.runs.value(["done"]) >= 1 }
        XCTAssertNotNil(pool.node.state.value.handler, "subscribed to blocks")
        let before = try await pool.ticket(ticketTx.txid)
        XCTAssertEqual(before?.confirmed, false)
        pool.node.mine(1)  // announces blockconnected
        try await waitFor("the block's run to confirm the ticket") {
            let ticket = try await pool.ticket(ticketTx.txid)
            return ticket?.confirmed == true
        }
        service.cancel()
        _ = await service.result
    }

    private func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<2_000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTFail("timed out waiting for \(what)")
    }
}
