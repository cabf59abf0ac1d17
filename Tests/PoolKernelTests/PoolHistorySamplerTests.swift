import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The hourly history the web app samples (one row per hour however many hosts write it) and its
/// retention purge (`historyretentiondays`).
final class PoolHistorySamplerTests: XCTestCase {
    private struct FixedWallets: WalletPoolReporting {
        var info: StakeInfo
        var isStopped: Bool { false }
        func stakeInfo() async throws -> StakeInfo { info }
        func walletStatuses() async -> [WalletSlotStatus] { [] }
    }

    private static func stakeInfo(live: UInt32, voted: UInt32, missed: UInt32, subsidy: Double) -> StakeInfo {
        var info = StakeInfo(blockHeight: 100, poolSize: 64, difficulty: 2)
        info.live = live
        info.voted = voted
        info.missed = missed
        info.totalSubsidy = subsidy
        return info
    }

    func testSampler_writesTheHourOfItsClockAndTwoHostsKeepOneRow() async throws {
        let storage = InMemoryStorage()
        try await storage.write { tx in
            _ = try tx.insertUser(User(email: "a@example.com", passwordHash: "x", multiSigAddress: "SsA"))
            _ = try tx.insertUser(User(email: "b@example.com", passwordHash: "x"))
        }
        let clock = LockedValue(Date(timeIntervalSince1970: 1_800_001_234))
        let hour = PoolHistorySample.hour(containing: 1_800_001_234)
        XCTAssertEqual(hour % 3_600, 0)
        XCTAssertTrue(hour <= 1_800_001_234 && 1_800_001_234 < hour + 3_600)
        let first = PoolHistorySampler(storage: storage, wallets: FixedWallets(info: Self.stakeInfo(live: 7, voted: 3, missed: 1, subsidy: 12.5)),
                                       poolFees: 7.5, logger: .disabled, now: { clock.value })
        let second = PoolHistorySampler(storage: storage, wallets: FixedWallets(info: Self.stakeInfo(live: 8, voted: 4, missed: 1, subsidy: 13)),
                                        poolFees: 7.5, logger: .disabled, now: { clock.value })
        try await first.sampleOnce()
        clock.withLock { $0 = $0.addingTimeInterval(600) }  // the other host, ten minutes later in the same hour
        try await second.sampleOnce()
        let rows = try await storage.read { try $0.historySamples(since: 0, limit: 10) }
        // 7.5 % of 13 DCR = 0.975 DCR = 97,500,000 atoms.
        XCTAssertEqual(rows, [PoolHistorySample(hourStart: hour, liveTickets: 8, votedTotal: 4, missedTotal: 1, users: 2,
                                                activeUsers: 1, feeRevenueAtoms: 97_500_000)])
        clock.withLock { $0 = $0.addingTimeInterval(3_600) }
        try await first.sampleOnce()
        let hours = try await storage.read { try $0.historySamples(since: 0, limit: 10).map(\.hourStart) }
        XCTAssertEqual(hours, [hour, hour + 3_600])
    }

    func testFeeRevenueAtoms_isThePoolFeeShareOfTheSubsidyAndNeverNegative() {
        XCTAssertEqual(PoolHistorySampler.feeRevenueAtoms(totalSubsidy: 100, poolFees: 5), 500_000_000)
        XCTAssertEqual(PoolHistorySampler.feeRevenueAtoms(totalSubsidy: 0, poolFees: 5), 0)
        XCTAssertEqual(PoolHistorySampler.feeRevenueAtoms(totalSubsidy: -3, poolFees: 5), 0)
        XCTAssertEqual(PoolHistorySampler.feeRevenueAtoms(totalSubsidy: .nan, poolFees: 5), 0)
    }

    func testRetentionPurge_deletesHistoryHoursOlderThanHistoryDays() async throws {
        let storage = InMemoryStorage()
        let now: Int64 = 1_800_000_000
        let hour = PoolHistorySample.hour(containing: now)
        try await storage.write { tx in
            for age: Int64 in [401 * 86_400, 399 * 86_400, 3_600] {
                try tx.upsertHistorySample(PoolHistorySample(hourStart: hour - age))
            }
        }
        let keepAll = RetentionPurge(storage: storage, policy: .init(mailDays: nil, voteAuditDays: nil, historyDays: 0),
                                     logger: .disabled, now: { Date(timeIntervalSince1970: TimeInterval(now)) })
        let none = try await keepAll.purgeOnce()
        XCTAssertEqual(none.history, 0, "0 keeps the history for ever")
        let purge = RetentionPurge(storage: storage, policy: .init(mailDays: nil, voteAuditDays: nil,
                                                                   historyDays: RetentionPurge.Policy.defaultHistoryDays),
                                   logger: .disabled, now: { Date(timeIntervalSince1970: TimeInterval(now)) })
        let result = try await purge.purgeOnce()
        XCTAssertEqual(result, RetentionPurge.PassResult(history: 1))
        let left = try await storage.read { try $0.historySamples(since: 0, limit: 10).map(\.hourStart) }
        XCTAssertEqual(left, [hour - 399 * 86_400, hour - 3_600])
    }
}
