import Foundation
import PoolKernel

/// The background service that deletes ended sessions, expired captcha challenges and old sign-in counters
/// from storage.
///
/// A session row's `expiresAt` is always the earlier of its idle and absolute expiry (`SessionStore.save`),
/// so one `purgeExpiredSessions(now:)` per pass removes both kinds. Expired rows are already ignored when
/// loaded; purging only keeps the table (shared by every web host on one MySQL) from growing without bound.
/// Rate counters are kept `counterRetention` seconds past their window's start (longer than any throttle
/// window), then deleted. Any host may run it: the deletes are idempotent.
public struct SessionPurger: EngineService {
    public let name = "sessions"
    /// Time between passes; the first pass runs at start.
    public let interval: Duration
    private let storage: any StorageBackend
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    /// Seconds a rate counter is kept after its window started.
    public let counterRetention: Int64

    /// - Parameter clock: Unix seconds; tests inject their own.
    public init(storage: any StorageBackend, interval: Duration = .seconds(900), counterRetention: Int64 = 86_400,
                logger: Logger, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.storage = storage
        self.counterRetention = counterRetention
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

    /// Deletes the sessions expired by now (returned: how many), expired captchas and old rate counters.
    @discardableResult
    public func purgeOnce() async throws -> Int {
        let now = clock()
        let counterCutoff = now - counterRetention
        let (sessions, captchas, counters) = try await storage.write { tx in
            (try tx.purgeExpiredSessions(now: now), try tx.purgeExpiredCaptchas(now: now),
             try tx.purgeRateCounts(before: counterCutoff))
        }
        if sessions + captchas + counters > 0 {
            logger.debug("purged \(sessions) expired sessions, \(captchas) captchas, \(counters) rate counters")
        }
        return sessions
    }
}
