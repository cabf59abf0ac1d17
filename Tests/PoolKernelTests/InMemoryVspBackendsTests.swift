import PoolKernel
import PoolTestKit
import XCTest

/// The in-memory dcrd (API 8) passes the vsp node contract, with the fixture staged through its test controls.
final class InMemoryVspNodeConformanceTests: VspNodeBackendConformanceTests {
    override func makeNode() async throws -> (any VspNodeBackend)? { InMemoryVspNode() }

    override func fixture(for node: any VspNodeBackend) async throws -> VspNodeFixture? {
        guard let node = node as? InMemoryVspNode else { return nil }
        let mined = VspChainSamples.payment(seed: 1)
        node.add(VspChainSamples.hex(mined), txid: mined.txid, confirmations: 3)
        let live = VspChainSamples.ticket(seed: 2).txid, voted = VspChainSamples.ticket(seed: 3).txid
        let revoked = VspChainSamples.ticket(seed: 4).txid
        node.state.withLock { $0.liveTickets.insert(live) }
        let spends = [VspTicketSpend(ticketHash: voted, isVote: true), VspTicketSpend(ticketHash: revoked, isVote: false)]
        node.mine(spends: spends)
        let block = try await node.bestBlockHeader().hash
        return VspNodeFixture(minedTransaction: mined, liveTicket: live, notLiveTicket: voted, spendBlock: block, spends: spends)
    }

    override func produceBlock(on node: any VspNodeBackend) async throws -> Bool {
        guard let node = node as? InMemoryVspNode else { return false }
        node.mine()
        return true
    }

    func testInMemoryVspNode_conformance() async throws { try await runVspNodeConformance() }
}

/// The in-memory dcrwallet (API 11) passes the vsp wallet contract.
final class InMemoryVspWalletConformanceTests: VspWalletBackendConformanceTests {
    override func makeWallet() async throws -> (any VspWalletBackend)? { InMemoryVspWallet() }

    func testInMemoryVspWallet_conformance() async throws { try await runVspWalletConformance() }
}
