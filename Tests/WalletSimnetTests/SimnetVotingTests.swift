import PoolKernel
import XCTest
@testable import WalletSimnet

final class SimnetVotingTests: XCTestCase {
    /// A chain at the first lottery with winners announced, plus the user owning every ticket.
    private func chainWithWinners() async throws -> (Simnet, SimnetTestUser) {
        let simnet = makeSimnet()
        let user = try await registerUser(7, on: simnet)
        _ = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 40)
        simnet.mine(SimnetParameters.simnet.stakeValidationHeight - 1)
        XCTAssertEqual(simnet.currentWinners.count, 5)
        return (simnet, user)
    }

    private func vote(_ simnet: Simnet, ticket: String, bits: UInt16 = 1, wallet: Int = 0) async throws -> String {
        let tip = try await SimnetNodeBackend(simnet: simnet).bestBlock()
        return try await SimnetWalletBackend(simnet: simnet, walletIndex: wallet)
            .generateVote(blockHash: tip.hash, height: tip.height, ticket: ticket, voteBits: bits, voteBitsExtended: "06000000")
    }

    private func rejection(_ body: () async throws -> String) async -> WalletError? {
        do {
            _ = try await body()
            return nil
        } catch let error as WalletError {
            return error
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testSimnetVoting_voteBeforeNextBlockCountsAsVoted() async throws {
        let (simnet, _) = try await chainWithWinners()
        let node = SimnetNodeBackend(simnet: simnet)
        let ticket = simnet.currentWinners[0]
        let txid = try await node.sendRawTransaction(try await vote(simnet, ticket: ticket), allowHighFees: false)
        XCTAssertEqual(txid.utf8.count, 64)
        simnet.mine(1)
        XCTAssertEqual(simnet.ticketStatus(ticket), "voted")
        XCTAssertEqual(simnet.ticketStatus(simnet.world.value.chain.tickets[0].hash.hex) == nil, false)
        let info = try await SimnetWalletBackend(simnet: simnet, walletIndex: 2)
            .stakePoolUserInfo(multisigAddress: registerUserAddress(simnet))
        let entry = try XCTUnwrap(info.tickets.first { $0.ticket.hex == ticket })
        XCTAssertEqual(entry.status, "voted")
        XCTAssertEqual(entry.spentBy.hex, txid, "spentby is the vote's txid")
        XCTAssertEqual(Int(entry.spentByHeight), SimnetParameters.simnet.stakeValidationHeight)
    }

    /// `awaitingVotes` (siminfo's `awaitingvotes`, what `poolctl dev mine` waits on) counts the tip's winners a
    /// wallet could vote whose vote has not arrived: 5 after the draw, one less per vote, and not the winners of a
    /// ticket no wallet holds.
    func testSimnetVoting_awaitingVotesCountsVotableWinnersWithoutAVote() async throws {
        let (simnet, _) = try await chainWithWinners()
        let node = SimnetNodeBackend(simnet: simnet)
        XCTAssertEqual(simnet.awaitingVotes, 5)
        _ = try await node.sendRawTransaction(try await vote(simnet, ticket: simnet.currentWinners[0]), allowHighFees: false)
        XCTAssertEqual(simnet.awaitingVotes, 4)
        simnet.wipeWallet(0)
        simnet.wipeWallet(1)
        simnet.wipeWallet(2)
        XCTAssertEqual(simnet.awaitingVotes, 0, "no wallet can vote the other four any more")
    }

    /// The P2SH of uid 7 (registerUser is deterministic in the seed).
    private func registerUserAddress(_ simnet: Simnet) throws -> String {
        let world = simnet.world.value
        return try XCTUnwrap(world.chain.owners.first?.encoded)
    }

    func testSimnetVoting_voteAfterNextBlockIsRejectedAndTicketMissed() async throws {
        let (simnet, _) = try await chainWithWinners()
        let node = SimnetNodeBackend(simnet: simnet)
        let ticket = simnet.currentWinners[1]
        let slowVote = try await vote(simnet, ticket: ticket)
        simnet.mine(1)  // the next block arrives before the vote
        let error = await rejection { try await node.sendRawTransaction(slowVote, allowHighFees: false) }
        XCTAssertEqual(error?.rpcCode, -1)
        XCTAssertTrue(error?.message.hasPrefix("-1: Rejected transaction ") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("after the next block") ?? false, error?.message ?? "")
        XCTAssertEqual(simnet.ticketStatus(ticket), "missed")
        simnet.mine(1)
        XCTAssertEqual(simnet.ticketStatus(ticket), "revoked")
    }

    func testSimnetVoting_duplicateVoteSaysAlreadyHaveTransaction() async throws {
        let (simnet, _) = try await chainWithWinners()
        let node = SimnetNodeBackend(simnet: simnet)
        let ticket = simnet.currentWinners[2]
        // Two wallets sharing the seed build byte-identical votes, as two stakepoolds would.
        let first = try await vote(simnet, ticket: ticket, wallet: 0)
        let second = try await vote(simnet, ticket: ticket, wallet: 1)
        XCTAssertEqual(first, second)
        let txid = try await node.sendRawTransaction(first, allowHighFees: false)
        let error = await rejection { try await node.sendRawTransaction(second, allowHighFees: false) }
        XCTAssertEqual(error?.message, "-1: Rejected transaction \(txid): already have transaction \(txid)")
        // A different vote for the same ticket is a double spend, not a duplicate.
        let conflicting = try await vote(simnet, ticket: ticket, bits: 5)
        let conflict = await rejection { try await node.sendRawTransaction(conflicting, allowHighFees: false) }
        XCTAssertEqual(conflict?.rpcCode, -1)
        XCTAssertTrue(conflict?.message.contains("already spent by transaction \(txid)") ?? false, conflict?.message ?? "")
    }

    func testSimnetVoting_nonWinnerAndMalformedVotesAreRejected() async throws {
        let (simnet, _) = try await chainWithWinners()
        let node = SimnetNodeBackend(simnet: simnet)
        let winners = Set(simnet.currentWinners)
        let loser = try XCTUnwrap(simnet.world.value.chain.tickets.map(\.hash.hex).first { !winners.contains($0) })
        let notWinning = await rejection { try await node.sendRawTransaction(try await self.vote(simnet, ticket: loser), allowHighFees: false) }
        XCTAssertTrue(notWinning?.message.contains("is not eligible to vote") ?? false, notWinning?.message ?? "")
        let badHex = await rejection { try await node.sendRawTransaction("zz", allowHighFees: false) }
        XCTAssertEqual(badHex?.rpcCode, -22)
        let truncated = String(try await vote(simnet, ticket: simnet.currentWinners[0]).dropLast(10))
        let short = await rejection { try await node.sendRawTransaction(truncated, allowHighFees: false) }
        XCTAssertEqual(short?.rpcCode, -22)
        let ticketHex = try await node.decodeRawTransaction(try await SimnetWalletBackend(simnet: simnet, walletIndex: 0).rawTransaction(txid: loser))
        XCTAssertEqual(ticketHex.txid, loser)
        let notVote = await rejection {
            try await node.sendRawTransaction(try await SimnetWalletBackend(simnet: simnet, walletIndex: 0).rawTransaction(txid: loser),
                                              allowHighFees: false)
        }
        XCTAssertTrue(notVote?.message.contains("not a valid vote") ?? false, notVote?.message ?? "")
    }

    func testSimnetVoting_decodedTicketCarriesPoolFeeCommitment() async throws {
        let (simnet, user) = try await chainWithWinners()
        let node = SimnetNodeBackend(simnet: simnet)
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        let ticket = simnet.currentWinners[0]
        let transaction = try await wallet.transaction(txid: ticket)
        XCTAssertEqual(transaction.details.first?.address, user.p2sh, "the owner is found through details[].address")
        let decoded = try await node.decodeRawTransaction(transaction.hex)
        XCTAssertEqual(decoded.txid, ticket)
        XCTAssertEqual(decoded.outputs.map(\.scriptType),
                       ["stakesubmission", "sstxcommitment", "sstxchange", "sstxcommitment", "sstxchange"])
        XCTAssertEqual(decoded.outputs[0].addresses, [user.p2sh])
        XCTAssertEqual(decoded.outputs[1].addresses, [user.feeAddress])
        let height = try await node.blockHeight(hash: transaction.blockHash)
        // stakepoold's check (stakepoold.md §6.5): commitment ≥ StakePoolTicketFee(value, in - out, height).
        let toAtoms = { (value: Double) in Int64((value * 1e8).rounded()) }
        let committed = decoded.outputs.compactMap(\.commitAmount).map(toAtoms).reduce(0, +)
        let spent = decoded.outputs.map { toAtoms($0.value) }.reduce(0, +)
        let needed = SimnetParameters.simnet.stakePoolTicketFee(
            ticketValue: toAtoms(decoded.outputs[0].value), relayFee: committed - spent, height: Int64(height),
            poolFeePercent: 7.5)
        XCTAssertGreaterThanOrEqual(toAtoms(decoded.outputs[1].commitAmount ?? 0), needed)
        XCTAssertGreaterThan(needed, 0)
        let header = try await node.blockHeader(hash: transaction.blockHash)
        XCTAssertEqual(header.utf8.count, 360)
        XCTAssertEqual(BlockHeaderBytes.height(fromHex: header), UInt32(height))
    }

    func testSimnetVoting_lowFeeTicketIsInvalidUntilAdded() async throws {
        let simnet = makeSimnet()
        let user = try await registerUser(8, on: simnet)
        let tickets = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 2, poolFee: .tooLow)
        simnet.mine(40)
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        var info = try await wallet.stakePoolUserInfo(multisigAddress: user.p2sh)
        XCTAssertEqual(Set(info.invalid.map(\.hex)), Set(tickets))
        XCTAssertTrue(info.tickets.isEmpty)
        let live = try await wallet.tickets(includeImmature: true)
        XCTAssertTrue(live.isEmpty)
        try await wallet.addTicket(try await wallet.rawTransaction(txid: tickets[0]))
        info = try await wallet.stakePoolUserInfo(multisigAddress: user.p2sh)
        XCTAssertEqual(info.invalid.map(\.hex), [tickets[1]])
        XCTAssertEqual(info.tickets.map(\.ticket.hex), [tickets[0]])
        XCTAssertEqual(info.tickets.first?.status, "live")
        let afterAdd = try await wallet.tickets(includeImmature: false)
        XCTAssertEqual(afterAdd, [tickets[0]])
        // Another wallet did not get the addticket.
        let other = try await SimnetWalletBackend(simnet: simnet, walletIndex: 1).tickets(includeImmature: true)
        XCTAssertTrue(other.isEmpty)
    }

    func testSimnetVoting_notificationsArriveInDcrdOrder() async throws {
        let simnet = makeSimnet()
        let user = try await registerUser(9, on: simnet)
        _ = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 20)
        simnet.mine(SimnetParameters.simnet.stakeValidationHeight - 3)
        let node = SimnetNodeBackend(simnet: simnet)
        let stream = try await node.notificationStream()
        simnet.mine(2)
        var methods = [String]()
        var iterator = stream.makeAsyncIterator()
        for _ in 0..<7 { if let next = await iterator.next() { methods.append(next.method) } }
        XCTAssertEqual(methods, ["blockconnected", "spentandmissedtickets", "newtickets",
                                 "blockconnected", "spentandmissedtickets", "newtickets", "winningtickets"])
        await node.close()
    }
}
