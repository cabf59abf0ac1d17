import Foundation
import PoolKernel
import PoolTestKit
import WebHost
import XCTest

/// The pool's gauges on `/metrics`: wallet pool state, users, tickets (from the wallets' stake info) and recent
/// vote-audit outcomes, with the values the pool, storage and wallets hold.
final class PoolMetricsTests: XCTestCase {
    private func line(_ text: String, _ prefix: String) -> String? {
        text.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix + " ") }
    }

    private func assertMetric(_ text: String, _ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(self.line(text, name), "\(name) \(value)", "in:\n\(text)", file: file, line: line)
    }

    func testPoolMetrics_gaugesFollowWalletsUsersTicketsAndVotes() async throws {
        let wallets = (0..<3).map { _ in
            var state = InMemoryWallet.State()
            state.info.voteVersion = 7
            state.bestBlock = BestBlock(hash: String(repeating: "ab", count: 32), height: 500)
            state.stakeInfo = StakeInfo(blockHeight: 500, immature: 2, live: 11, voted: 5, missed: 1, revoked: 1, expired: 3)
            return InMemoryWallet(state)
        }
        let pool = WalletPool(members: wallets.enumerated().map { .init(label: "w\($0.offset)", backend: $0.element) },
                              configuration: .init(minServers: 2), logger: .disabled)
        let storage = InMemoryStorage()
        for index in 0..<3 {
            _ = try await storage.insertUser(User(email: "u\(index)@example.com", passwordHash: "x",
                                                  multiSigAddress: index < 2 ? "Sc\(index)" : ""))
        }
        try await storage.write { tx in
            for (index, result) in [VoteAuditRecord.Result.voted, .voted, .failed, .voted].enumerated() {
                _ = try tx.appendVoteAudit(VoteAuditRecord(
                    ticketHash: String(format: "%064x", index), blockHeight: 400, blockHash: String(repeating: "cd", count: 32),
                    voteBits: 1, policyName: "pool", reason: "test", result: result, receivedAtMillis: 0, decisionMicros: 1,
                    totalMicros: 2))
            }
        }
        let registry = MetricsRegistry()
        let stats = StatsCache(storage: storage, wallets: pool, configuration: APIConfiguration(network: "simnet"), logger: .disabled)
        let metrics = PoolMetrics(registry: registry, pool: pool, stats: stats, storage: storage, voteAuditWindow: 3,
                                  logger: .disabled)
        await pool.probe()
        _ = await stats.refresh()
        await metrics.refresh()

        var text = registry.render()
        assertMetric(text, "pool_wallets_configured", "3")
        assertMetric(text, "pool_wallets_connected", "3")
        assertMetric(text, "pool_wallets_usable", "3")
        assertMetric(text, "pool_wallets_consistent", "1")
        assertMetric(text, "pool_wallet_rpc_stopped", "0")
        assertMetric(text, "pool_users", "3")
        assertMetric(text, "pool_users_with_address", "2")
        assertMetric(text, #"pool_tickets{state="live"}"#, "11")
        assertMetric(text, #"pool_tickets{state="immature"}"#, "2")
        assertMetric(text, #"pool_tickets{state="voted"}"#, "5")
        assertMetric(text, #"pool_tickets{state="missed"}"#, "1")
        assertMetric(text, #"pool_tickets{state="revoked"}"#, "1")
        assertMetric(text, #"pool_tickets{state="expired"}"#, "3")
        // The last 3 audit records: voted, failed, voted.
        assertMetric(text, #"pool_vote_audits_recent{result="voted"}"#, "2")
        assertMetric(text, #"pool_vote_audits_recent{result="failed"}"#, "1")
        assertMetric(text, #"pool_vote_audits_recent{result="skipped"}"#, "0")
        XCTAssertTrue(text.contains("# TYPE pool_wallets_usable gauge\n"))
        XCTAssertTrue(text.contains("# TYPE pool_tickets gauge\n"))

        // A wallet down: connected and usable drop at the next probe.
        wallets[2].state.withLock { $0.failure = WalletError(.walletDisconnected, "the client has been disconnected") }
        await pool.probe()
        text = registry.render()
        assertMetric(text, "pool_wallets_connected", "2")
        assertMetric(text, "pool_wallets_usable", "2")
        assertMetric(text, "pool_wallets_consistent", "1")
        // Wallets reporting different vote versions are not consistent.
        wallets[1].state.withLock { $0.info.voteVersion = 8 }
        await pool.probe()
        assertMetric(registry.render(), "pool_wallets_consistent", "0")
        wallets[1].state.withLock { $0.info.voteVersion = 7 }
        await pool.probe()
        assertMetric(registry.render(), "pool_wallets_consistent", "1")
        // Fail closed: the RPC client is shut down.
        await pool.stop(function: "createmultisig", error: WalletPoolError(.inconsistent, "non equivalent redeem script returned"))
        text = registry.render()
        assertMetric(text, "pool_wallet_rpc_stopped", "1")
        assertMetric(text, "pool_wallets_consistent", "0")

        // New users and registrations show after the next background refresh, not per scrape.
        _ = try await storage.insertUser(User(email: "late@example.com", passwordHash: "x"))
        assertMetric(registry.render(), "pool_users", "3")
        await metrics.refresh()
        assertMetric(registry.render(), "pool_users", "4")
    }
}
