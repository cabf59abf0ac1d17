import Foundation
import PoolKernel
import PoolTestKit
import StakepooldHost
import VotePolicies

/// One stakepoold engine over in-memory wallet, node and storage: one user (`owner`, vote bits 5 at vote
/// version 6) owning three live tickets.
enum StakepooldTestFixture {
    static let owner = "SsWpFixtureOwner11111111111111111111"
    static let tickets = (1...3).map { String(repeating: String($0), count: 64) }

    static func storageWithOwner() async throws -> InMemoryStorage {
        let storage = InMemoryStorage()
        _ = try await storage.insertUser(User(email: "owner@example.com", passwordHash: "x", multiSigAddress: owner,
                                              voteBits: 5, voteBitsVersion: 6))
        return storage
    }

    static func wallet() -> InMemoryWallet {
        var state = InMemoryWallet.State()
        for ticket in tickets {
            state.tickets[ticket] = true
            state.transactions[ticket] = WalletTransaction(
                txid: ticket, details: [WalletTransactionDetail(address: owner, amount: 0, category: "send", vout: 0)],
                hex: "00")
        }
        return InMemoryWallet(state)
    }

    static func engine(wallet: InMemoryWallet, storage: any StorageBackend,
                       dataDirectory: String? = nil) async throws -> StakepooldEngine {
        let simnet = try NetParams.named("simnet")
        return try await StakepooldEngine.start(
            wallet: wallet, node: InMemoryNode(), storage: storage, policy: UserPrefsPolicy(),
            agendas: { simnet.agendas(forVoteVersion: $0) },
            settings: StakepooldEngine.Settings(dataDirectory: dataDirectory), logger: .disabled)
    }
}
