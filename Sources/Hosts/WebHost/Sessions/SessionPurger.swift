import Foundation
import PoolKernel

/// The background service that deletes ended sessions from storage.
///
/// A session row's `expiresAt` is always the earlier of its idle and absolute expiry (`SessionStore.save`),
/// so one `purgeExpiredSessions(now:)` per pass removes both kinds. Expired rows are already ignored when
/// loaded; purging only keeps the table (shared by every web host on one MySQL) from growing without bound.
/// Any host may run it: the delete is idempotent.
public struct SessionPurger: EngineService {
    public let name = "sessions"
    /// Time between passes; the first pass runs at start.
    public let interval: Duration
    private let storage: any StorageBackend
    private let logger: Logger
    private let clock: @Sendable () -> Int64

    /// - Parameter clock: Unix seconds; tests inject their own.
    public init(storage: any StorageBackend, interval: Duration = .seconds(900), logger: Logger,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.storage = storage
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        // Storage briefly unreachable: the next pass catches up.
        await repeatPass(every: interval, onFailure: { logger.warn("session purge failed: \($0)") }) {
            try await purgeOnce()
        }
    }

    /// Deletes the sessions expired by now and returns how many.
    @discardableResult
    public func purgeOnce() async throws -> Int {
        let now = clock()
        let count = try await storage.write { try $0.purgeExpiredSessions(now: now) }
        if count > 0 { logger.debug("purged \(count) expired sessions") }
        return count
    }
}
