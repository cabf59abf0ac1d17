import PoolKernel
import XCTest
@testable import WalletSimnet

/// A pool user on the simulated chain: their multisig ticket address and fee address.
struct SimnetTestUser {
    var p2sh: String
    var redeemScript: String
    var feeAddress: String
}

extension XCTestCase {
    func makeSimnet(seed: UInt64 = 42, wallets: Int = 3, feeAddressCount: Int = 10) -> Simnet {
        Simnet(configuration: .init(seed: seed, walletCount: wallets, feeAddressCount: feeAddressCount),
               logger: .disabled)
    }

    /// Registers user `uid` (< 20) like the web app does (validateaddress → createmultisig → importscript on every
    /// wallet) and returns their addresses.
    func registerUser(_ uid: Int, on simnet: Simnet, file: StaticString = #filePath, line: UInt = #line)
        async throws -> SimnetTestUser {
        let first = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        try await first.accountSyncAddressIndex(account: "default", branch: 0, index: 40)
        let pool = try await first.validateAddress(simnet.ticketAddress(index: uid))
        XCTAssertTrue(pool.isMine, "ticket address of uid \(uid) must be the wallet's", file: file, line: line)
        // The user's own key: any pay-to-pubkey address that is not the pool's.
        let user = try await first.validateAddress(simnet.ticketAddress(index: 20 + uid))
        let multisig = try await first.createMultisig(nRequired: 1, keys: [pool.pubKeyAddress, user.pubKeyAddress])
        let height = try await first.bestBlock().height
        for index in 0..<simnet.walletCount {
            try await SimnetWalletBackend(simnet: simnet, walletIndex: index)
                .importScript(multisig.redeemScript, rescan: true, scanFrom: height)
        }
        return SimnetTestUser(p2sh: multisig.address, redeemScript: multisig.redeemScript,
                              feeAddress: simnet.feeAddress(index: uid))
    }

    /// Votes every current winner through `wallet` and the node; returns the vote txids.
    @discardableResult
    func voteAllWinners(_ simnet: Simnet, wallet: Int = 0) async throws -> [String] {
        let backend = SimnetWalletBackend(simnet: simnet, walletIndex: wallet)
        let node = SimnetNodeBackend(simnet: simnet)
        let tip = try await node.bestBlock()
        var txids = [String]()
        for ticket in simnet.currentWinners {
            let hex = try await backend.generateVote(blockHash: tip.hash, height: tip.height, ticket: ticket, voteBits: 1,
                                                     voteBitsExtended: "06000000")
            txids.append(try await node.sendRawTransaction(hex, allowHighFees: false))
        }
        return txids
    }
}

/// Collects notifications synchronously (the simulation delivers them on the mining thread).
final class NotificationRecorder: Sendable {
    let received = LockedValue<[ChainNotification]>([])
    func record(_ notification: ChainNotification) { received.withLock { $0.append(notification) } }
}
