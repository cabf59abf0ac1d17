import PoolKernel
import XCTest
@testable import WalletSimnet

/// Today's dcrwallet as the simulation plays it (issue 24 item 3): a wallet votes a called ticket only when it holds
/// the ticket's voting key and the ticket, with the choices set on that ticket; a ticket nobody can vote is missed
/// and revoked; the node's block view shows each spend. Through the in-process `VspNodeBackend` and
/// `VspWalletBackend` ports.
final class SimnetVspVotingTests: XCTestCase {
    private static func freshKey(_ seed: UInt8) throws -> (wif: String, address: String) {
        let wif = try WIF(privateKey: [0x01] + [UInt8](repeating: seed, count: 31), network: .simnet)
        let address = try Address(kind: .pubKeyHash, payload: Hash160.hash(try wif.publicKey()), network: .simnet)
        return (wif.encoded, address.encoded)
    }

    func testVspWallets_voteTheirCalledTicketsWithEachTicketsChoices_andMissTheRest() async throws {
        let simnet = makeSimnet(seed: 5, wallets: 2)
        let node = SimnetVspNodeBackend(simnet: simnet)
        let wallets = (0..<2).map { SimnetVspWalletBackend(simnet: simnet, walletIndex: $0) }
        simnet.mine(20)
        let commitment = try Self.freshKey(9).address
        let keys = try [Self.freshKey(1), Self.freshKey(2), Self.freshKey(3)]
        let tickets = try keys.map {
            try simnet.buySoloTicket(votingAddress: $0.address, commitmentAddress: commitment, broadcast: true)
        }
        let (yesTicket, noTicket, orphanTicket) = (tickets[0], tickets[1], tickets[2])
        let duplicate = try await node.sendRawTransaction(yesTicket.ticketHex)
        XCTAssertEqual(duplicate, yesTicket.ticketHash, "a transaction waiting in the mempool is success (−40)")
        simnet.mine(1)
        let purchaseBlock = try await node.blockHash(height: 21)
        let mined = try await node.rawTransaction(txid: yesTicket.ticketHash)
        XCTAssertEqual(mined.blockHash, purchaseBlock)
        XCTAssertEqual(mined.confirmations, 1)
        do {
            _ = try await node.sendRawTransaction(yesTicket.ticketHex)
            XCTFail("a mined transaction sent again is dcrd's rule error, not a success")
        } catch {
            XCTAssertTrue("\(error)".contains("transaction already exists"), "\(error)")
        }
        simnet.mine(16)
        let live = try await node.existsLiveTickets(tickets.map(\.ticketHash) + [tickets[0].parentHash])
        XCTAssertEqual(live, [true, true, true, false])

        // Wallet 0 holds the first key and has the first and the third ticket; wallet 1 the second. Nobody holds the
        // third key.
        try await wallets[0].importPrivateKey(wif: keys[0].wif)
        try await wallets[0].importPrivateKey(wif: keys[0].wif)  // again: fine
        try await wallets[0].addTransaction(blockHash: purchaseBlock, transactionHex: yesTicket.ticketHex)
        try await wallets[0].addTransaction(blockHash: purchaseBlock, transactionHex: orphanTicket.ticketHex)
        try await wallets[0].setVoteChoice(agenda: "maxtreasuryspend", choice: "yes", ticketHash: yesTicket.ticketHash)
        try await wallets[1].importPrivateKey(wif: keys[1].wif)
        try await wallets[1].addTransaction(blockHash: purchaseBlock, transactionHex: noTicket.ticketHex)
        try await wallets[1].setVoteChoice(agenda: "maxtreasuryspend", choice: "no", ticketHash: noTicket.ticketHash)
        do {
            try await wallets[1].setVoteChoice(agenda: "maxtreasuryspend", choice: "yes", ticketHash: yesTicket.ticketHash)
            XCTFail("wallet 1 does not have that ticket")
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, -5)
        }

        // The first lottery (height 143) calls all three; the next block records two votes and one miss, the one
        // after revokes the miss.
        simnet.mine(143 - 37)
        XCTAssertEqual(Set(simnet.currentWinners), Set(tickets.map(\.ticketHash)))
        simnet.mine(2)
        let agenda = try XCTUnwrap(NetParams.simnet.agendas(forVoteVersion: 12).first { $0.id == "maxtreasuryspend" })
        func bits(_ choice: String) throws -> UInt16 { 1 | (try XCTUnwrap(agenda.choices.first { $0.id == choice }).bits) }
        XCTAssertEqual(simnet.recordedVote(yesTicket.ticketHash)?.bits, try bits("yes"))
        XCTAssertEqual(simnet.recordedVote(yesTicket.ticketHash)?.bits, 0x0005)
        XCTAssertEqual(simnet.recordedVote(noTicket.ticketHash)?.bits, try bits("no"))
        XCTAssertEqual(simnet.recordedVote(noTicket.ticketHash)?.bits, 0x0003)
        XCTAssertEqual(simnet.recordedVote(yesTicket.ticketHash)?.voteVersion, 12)
        XCTAssertNil(simnet.recordedVote(orphanTicket.ticketHash))
        XCTAssertEqual(simnet.ticketStatus(orphanTicket.ticketHash), "revoked")

        let voteSpends = try await node.ticketSpends(blockHash: try await node.blockHash(height: 144))
        XCTAssertEqual(Set(voteSpends.map(\.ticketHash)), [yesTicket.ticketHash, noTicket.ticketHash])
        XCTAssertTrue(voteSpends.allSatisfy(\.isVote))
        let revocations = try await node.ticketSpends(blockHash: try await node.blockHash(height: 145))
        XCTAssertEqual(revocations, [VspTicketSpend(ticketHash: orphanTicket.ticketHash, isVote: false)])

        let info = try await wallets[0].ticketInfo(startHeight: 0)
        XCTAssertEqual(info.map(\.hash), [yesTicket.ticketHash, orphanTicket.ticketHash])
        XCTAssertEqual(info.map(\.status), ["voted", "revoked"])
        XCTAssertEqual(info.first?.choices["maxtreasuryspend"], "yes")
        XCTAssertEqual(info.last?.choices["maxtreasuryspend"], "abstain")
        let header = try await node.bestBlockHeader()
        XCTAssertEqual(header.height, 145)
        XCTAssertEqual(header.poolSize, 0)
        XCTAssertEqual(header.ticketPrice, simnet.configuration.ticketPrice)
    }

    /// One wallet, one solo ticket mined at height 21 whose key and transaction are in the wallet, vspd's way.
    private func walletWithOneTicket(seed: UInt64) async throws
        -> (simnet: Simnet, wallet: SimnetVspWalletBackend, ticket: SimnetSoloTicket, key: String, block: String) {
        let simnet = makeSimnet(seed: seed, wallets: 1)
        let wallet = SimnetVspWalletBackend(simnet: simnet, walletIndex: 0)
        simnet.mine(20)
        let key = try Self.freshKey(UInt8(truncatingIfNeeded: seed))
        let ticket = try simnet.buySoloTicket(votingAddress: key.address,
                                              commitmentAddress: try Self.freshKey(UInt8(truncatingIfNeeded: seed + 100)).address,
                                              broadcast: true)
        simnet.mine(1)
        let block = try await SimnetVspNodeBackend(simnet: simnet).blockHash(height: 21)
        try await wallet.importPrivateKey(wif: key.wif)
        try await wallet.addTransaction(blockHash: block, transactionHex: ticket.ticketHex)
        return (simnet, wallet, ticket, key.wif, block)
    }

    func testVspWallets_lockedWalletDoesNotVote() async throws {
        let (simnet, _, ticket, _, _) = try await walletWithOneTicket(seed: 6)
        simnet.setFaults(SimnetWalletFaults(locked: true), wallet: 0)
        simnet.mine(143 - 21 + 1)
        XCTAssertNil(simnet.recordedVote(ticket.ticketHash))
        XCTAssertEqual(simnet.ticketStatus(ticket.ticketHash), "missed")
    }

    /// A wallet restored from seed has lost the imported keys and tickets (vspd's consistency pass re-adds them):
    /// until then it cannot vote them.
    func testVspWallets_wipedWalletForgetsKeysAndTicketsUntilReAdded() async throws {
        let (simnet, wallet, ticket, wif, block) = try await walletWithOneTicket(seed: 8)
        let before = try await wallet.ticketInfo(startHeight: 0)
        XCTAssertEqual(before.map(\.hash), [ticket.ticketHash])
        simnet.wipeWallet(0)
        let after = try await wallet.ticketInfo(startHeight: 0)
        XCTAssertEqual(after, [])
        try await wallet.importPrivateKey(wif: wif)
        try await wallet.addTransaction(blockHash: block, transactionHex: ticket.ticketHex)
        simnet.mine(143 - 21 + 1)
        XCTAssertEqual(simnet.recordedVote(ticket.ticketHash)?.bits, 1, "no choice set: abstain, block valid")
    }

    func testVspNode_refusesWhatDcrdRefuses() async throws {
        let simnet = makeSimnet(seed: 7, wallets: 1)
        let node = SimnetVspNodeBackend(simnet: simnet)
        simnet.mine(20)
        let solo = try simnet.buySoloTicket(votingAddress: try Self.freshKey(6).address,
                                            commitmentAddress: try Self.freshKey(7).address, broadcast: false)
        do {
            _ = try await node.sendRawTransaction(solo.ticketHex)
            XCTFail("orphan accepted")
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, -1)
            XCTAssertTrue(error.message.contains("orphan transaction \(solo.ticketHash) references output \(solo.parentHash):0 of unknown or fully-spent transaction"), error.message)
        }
        _ = try await node.sendRawTransaction(solo.parentHex)
        // A second ticket spending the same parent output is a double spend: the output is gone.
        _ = try await node.sendRawTransaction(solo.ticketHex)
        var twin = try SimnetTransaction.deserialize(hex: solo.ticketHex)
        twin.lockTime = 1  // another txid, the same input
        do {
            _ = try await node.sendRawTransaction(Hex.encode(twin.serialized()))
            XCTFail("double spend accepted")
        } catch let error as WalletError {
            XCTAssertTrue(error.message.contains("unknown or fully-spent"), error.message)
        }
        simnet.setTicketPrice(simnet.configuration.ticketPrice * 2)
        let stale = try simnet.buySoloTicket(votingAddress: try Self.freshKey(8).address,
                                             commitmentAddress: try Self.freshKey(7).address, broadcast: false)
        simnet.setTicketPrice(simnet.configuration.ticketPrice)
        _ = try await node.sendRawTransaction(stale.parentHex)
        do {
            _ = try await node.sendRawTransaction(stale.ticketHex)
            XCTFail("a ticket at another price accepted")
        } catch let error as WalletError {
            XCTAssertTrue(error.message.contains("is not the current stake difficulty"), error.message)
        }
        do {
            _ = try await node.rawTransaction(txid: String(repeating: "0", count: 63) + "1")
            XCTFail("unknown transaction found")
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, -5)
        }
    }
}
