import Foundation

/// Samples the pool into the hourly history (`PoolHistory`) that the dashboard and stats page chart:
/// live tickets, votes and misses so far (`getstakeinfo`), users and active users (storage) and the fee revenue so
/// far. One row per hour: the row of the current hour is upserted at start and then at every hour's start, so any
/// number of web hosts sharing the database keep one row per hour (the last writer of an hour wins). Between
/// samples it sleeps; a failed sample is logged and tried again after `retryAfter`.
///
/// Fee revenue is `poolfees` percent of the pool's total vote subsidy (`getstakeinfo` `totalsubsidy`): the share of
/// every vote's reward the pool's fee address receives.
public final class PoolHistorySampler: EngineService {
    public let name = "history"
    private let storage: any StorageBackend
    private let wallets: any WalletPoolReporting
    private let poolFees: Double
    private let retryAfter: Duration
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock (tests inject one).
    public init(storage: any StorageBackend, wallets: any WalletPoolReporting, poolFees: Double,
                retryAfter: Duration = .seconds(300), logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.wallets = wallets
        self.poolFees = poolFees
        self.retryAfter = retryAfter
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        while !Task.isCancelled {
            var wait: Duration
            do {
                try await sampleOnce()
                let seconds = Int64(now().timeIntervalSince1970)
                // A second into the next hour, so the sample lands in that hour whatever the clock's rounding.
                wait = .seconds(PoolHistorySample.hour(containing: seconds) + PoolHistorySample.secondsPerHour + 1 - seconds)
            } catch is CancellationError {
                return
            } catch {
                logger.warn("history sample failed (next try in \(retryAfter)): \(error)")
                wait = retryAfter
            }
            do { try await Task.sleep(for: wait) } catch { return }
        }
    }

    /// Takes the sample of the current hour now and writes it; returns what it wrote.
    @discardableResult
    public func sampleOnce() async throws -> PoolHistorySample {
        let info = try await wallets.stakeInfo()
        let (users, active) = try await storage.read { (try $0.userCount(), try $0.activeUserCount()) }
        let sample = PoolHistorySample(
            hourStart: PoolHistorySample.hour(containing: Int64(now().timeIntervalSince1970)),
            liveTickets: Int64(info.live), votedTotal: Int64(info.voted), missedTotal: Int64(info.missed),
            users: Int64(users), activeUsers: Int64(active),
            feeRevenueAtoms: Self.feeRevenueAtoms(totalSubsidy: info.totalSubsidy, poolFees: poolFees))
        try await storage.write { try $0.upsertHistorySample(sample) }
        return sample
    }

    /// `poolFees` percent of `totalSubsidy` DCR, in atoms (never negative; 0 for a non-finite input).
    public static func feeRevenueAtoms(totalSubsidy: Double, poolFees: Double) -> Int64 {
        let atoms = (totalSubsidy * poolFees / 100 * 1e8).rounded()
        guard atoms.isFinite, atoms > 0 else { return 0 }
        return atoms >= Double(Int64.max) ? Int64.max : Int64(atoms)
    }
}
