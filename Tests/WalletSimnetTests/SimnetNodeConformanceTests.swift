import PoolKernel
import PoolTestKit
import WalletSimnet
import XCTest

/// The simulated node passes the node contract in-process.
final class SimnetNodeConformanceTests: NodeBackendConformanceTests {
    private var simnet: Simnet!

    override func setUp() {
        simnet = Simnet(configuration: .init(seed: 11, walletCount: 1), logger: .disabled)
        _ = simnet.mine(20)
    }

    override func makeNode() async throws -> (any NodeBackend)? { SimnetNodeBackend(simnet: simnet) }

    override func produceBlock(on node: any NodeBackend) async throws -> Bool {
        _ = simnet.mine(1)
        return true
    }

    func testSimnetNode_conformance() async throws { try await runNodeConformance() }
}
