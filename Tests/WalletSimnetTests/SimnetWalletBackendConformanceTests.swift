import PoolKernel
import PoolTestKit
import XCTest
@testable import WalletSimnet

final class SimnetWalletBackendConformanceTests: WalletBackendConformanceTests {
    override func makeWallet() async throws -> (any WalletBackend)? {
        let simnet = Simnet(configuration: .init(seed: 5, walletCount: 2), logger: .disabled)
        simnet.mine(3)
        return SimnetWalletBackend(simnet: simnet, walletIndex: 1)
    }

    override func pubKeyAddresses(of wallet: any WalletBackend) async throws -> [String]? {
        guard let simnetWallet = wallet as? SimnetWalletBackend else { return nil }
        var keys = [String]()
        for index in [0, 1] {
            keys.append(try await wallet.validateAddress(simnetWallet.simnet.ticketAddress(index: index)).pubKeyAddress)
        }
        return keys
    }

    func testSimnetWalletBackend_conformance() async throws { try await runWalletConformance() }
}
