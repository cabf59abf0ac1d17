import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
@testable import VspRPC
import XCTest

/// The vsp `dcrwallet` plugin on the wire: vspd's calls with their exact params, dcrwallet's replies decoded, its
/// errors kept.
final class VspDcrwalletWireTests: XCTestCase {
    private var dcrwallet: FakeDcrwallet!
    private var endpoint: JSONRPCClientConfiguration!

    override func setUpWithError() throws {
        dcrwallet = try FakeDcrwallet()
        endpoint = try dcrwallet.rpc.start(name: "vsp wallet 0")
    }

    override func tearDown() { dcrwallet.rpc.stop() }

    private func wallet() async throws -> VspDcrwalletBackend {
        let wallet = try VspDcrwalletBackend(configuration: endpoint, logger: .disabled)
        try await wallet.connect()
        addTeardownBlock { await wallet.close() }
        return wallet
    }

    func testEveryCall_sendsVspdsMethodAndParams() async throws {
        let wallet = try await wallet()
        let fixture = VspWalletFixture.sample
        let hex = VspChainSamples.hex(fixture.ticket), ticket = fixture.ticket.txid
        let tspend = String(repeating: "5a", count: 32), key = "02" + String(repeating: "a1", count: 32)
        try await wallet.importPrivateKey(wif: fixture.votingWIF)
        try await wallet.addTransaction(blockHash: fixture.blockHash, transactionHex: hex)
        try await wallet.setVoteChoice(agenda: "maxtreasuryspend", choice: "no", ticketHash: ticket)
        try await wallet.setTSpendPolicy(tspendHash: tspend, policy: "yes", ticketHash: ticket)
        try await wallet.setTreasuryPolicy(key: key, policy: "abstain", ticketHash: ticket)
        _ = try await wallet.ticketInfo(startHeight: 7)
        try await wallet.rescan(from: 3)
        let rpc = dcrwallet.rpc
        XCTAssertEqual(rpc.params(of: "importprivkey"), [#"["\#(fixture.votingWIF)","imported",false,0]"#])
        XCTAssertEqual(rpc.params(of: "addtransaction"), [#"["\#(fixture.blockHash)","\#(hex)"]"#])
        XCTAssertEqual(rpc.params(of: "setvotechoice"), [#"["maxtreasuryspend","no","\#(ticket)"]"#])
        XCTAssertEqual(rpc.params(of: "settspendpolicy"), [#"["\#(tspend)","yes","\#(ticket)"]"#])
        XCTAssertEqual(rpc.params(of: "settreasurypolicy"), [#"["\#(key)","abstain","\#(ticket)"]"#])
        XCTAssertEqual(rpc.params(of: "ticketinfo"), ["[7]"])
        XCTAssertEqual(rpc.params(of: "rescanwallet"), ["[3]"])
        XCTAssertEqual(dcrwallet.wallet.value.rescans, [3])
    }

    func testReplies_decodeToTheExactValuesDcrwalletSent() async throws {
        let wallet = try await wallet()
        let info = try await wallet.walletInfo()
        XCTAssertEqual(info, WalletInfo(daemonConnected: true, unlocked: true, txFee: 0.0001, ticketFee: 0, ticketPurchasing: false,
                                        voteBits: 1, voteBitsExtended: "0b000000", voteVersion: 11, voting: true))
        let ticket = VspChainSamples.ticket(seed: 9)
        try await wallet.addTransaction(blockHash: FakeDcrd.blockHash(4), transactionHex: VspChainSamples.hex(ticket))
        try await wallet.setVoteChoice(agenda: "maxtreasuryspend", choice: "yes", ticketHash: ticket.txid)
        let tickets = try await wallet.ticketInfo(startHeight: 0)
        XCTAssertEqual(tickets, [VspWalletTicket(hash: ticket.txid, status: "live", choices: ["maxtreasuryspend": "yes"])])
        let best = try await wallet.bestBlock()
        XCTAssertEqual(best, BestBlock(hash: FakeDcrd.blockHash(9), height: 9))
    }

    func testErrors_keepDcrwalletsCodeAndMessage_badRepliesAreBadResponse() async throws {
        let wallet = try await wallet()
        do {
            try await wallet.setVoteChoice(agenda: "treasury", choice: "yes", ticketHash: String(repeating: "ab", count: 32))
            XCTFail("unknown agenda")
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, -8)
            XCTAssertEqual(error.rpcMessage, "no agenda with ID \"treasury\"", "the block handler matches this text")
        }
        dcrwallet.rpc.answer("ticketinfo", json: #"{"hash":"ab"}"#)
        dcrwallet.rpc.answer("walletinfo", json: #"{"daemonconnected":true,"unlocked":"yes","voteversion":11,"voting":true}"#)
        for call: @Sendable () async throws -> Void in [{ _ = try await wallet.ticketInfo(startHeight: 0) },
                                                       { _ = try await wallet.walletInfo() }] {
            do {
                try await call()
                XCTFail("a malformed reply must fail")
            } catch let error as WalletError {
                XCTAssertEqual(error.code, .walletBadResponse, "\(error)")
            }
        }
    }
}
