import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
@testable import VspRPC
import XCTest

/// The vsp `dcrd` plugin passes the vsp node contract against dcrd's JSON served over a TLS websocket. Pointing the
/// suite at a real simwallet node is another subclass of `VspNodeBackendConformanceTests` with the same `makeNode`.
final class VspDcrdConformanceTests: VspNodeBackendConformanceTests {
    private var dcrd: FakeDcrd!
    private var endpoint: JSONRPCClientConfiguration!

    override func setUpWithError() throws {
        dcrd = try FakeDcrd()
        endpoint = try dcrd.rpc.start(name: "vsp dcrd")
    }

    override func tearDown() { dcrd.rpc.stop() }

    override func makeNode() async throws -> (any VspNodeBackend)? {
        let node = try VspDcrdBackend(configuration: endpoint, logger: .disabled)
        try await node.connect()
        return node
    }

    override func fixture(for node: any VspNodeBackend) async throws -> VspNodeFixture? {
        let mined = VspChainSamples.payment(seed: 0x11)
        dcrd.add(mined, depth: 3)
        let live = VspChainSamples.ticket(seed: 0x12).txid
        let voted = VspChainSamples.ticket(seed: 0x13).txid, revoked = VspChainSamples.ticket(seed: 0x14).txid
        dcrd.chain.withLock { $0.live.insert(live) }
        let block = dcrd.mine(stake: [VspChainSamples.ticket(seed: 0x15), VspChainSamples.vote(spending: voted),
                                      VspChainSamples.revocation(spending: revoked)])
        return VspNodeFixture(minedTransaction: mined, liveTicket: live, notLiveTicket: voted, spendBlock: block,
                              spends: [VspTicketSpend(ticketHash: voted, isVote: true), VspTicketSpend(ticketHash: revoked, isVote: false)])
    }

    override func produceBlock(on node: any VspNodeBackend) async throws -> Bool {
        dcrd.mine()
        return true
    }

    func testVspDcrd_conformanceOverTLSWebsocket() async throws { try await runVspNodeConformance() }
}

/// The vsp `dcrwallet` plugin passes the vsp wallet contract against dcrwallet's JSON over a TLS websocket.
final class VspDcrwalletConformanceTests: VspWalletBackendConformanceTests {
    private var dcrwallet: FakeDcrwallet!
    private var endpoint: JSONRPCClientConfiguration!

    override func setUpWithError() throws {
        dcrwallet = try FakeDcrwallet()
        endpoint = try dcrwallet.rpc.start(name: "vsp wallet 0")
    }

    override func tearDown() { dcrwallet.rpc.stop() }

    override func makeWallet() async throws -> (any VspWalletBackend)? {
        let wallet = try VspDcrwalletBackend(configuration: endpoint, logger: .disabled)
        try await wallet.connect()
        return wallet
    }

    func testVspDcrwallet_conformanceOverTLSWebsocket() async throws { try await runVspWalletConformance() }
}
