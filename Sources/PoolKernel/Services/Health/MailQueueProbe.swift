import Foundation

/// The outbox's queue as the operator needs it: how many mails wait and how long the oldest has waited.
/// Refreshed in the background (`refresh()`, by the web app's health monitor), read by `/health` and `/metrics`.
public final class MailQueueProbe: Sendable {
    public struct Figures: Sendable, Equatable {
        /// Queued mails (capped at `limit`).
        public var queued: Int
        /// Seconds the oldest queued mail has waited (0 when none).
        public var oldestAge: TimeInterval
        public var checkedAt: Date
    }

    let storage: any StorageBackend
    let limit: Int
    let clock: @Sendable () -> Date
    private let latest = LockedValue<Figures?>(nil)

    public init(storage: any StorageBackend, limit: Int = 5_000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.limit = limit
        self.clock = clock
    }

    public var figures: Figures? { latest.value }

    /// Reads the queue now; on failure keeps the previous figures and rethrows.
    public func refresh() async throws {
        let limit = self.limit
        let queued = try await storage.read { try $0.outboxMessages(status: .queued, limit: limit) }
        let now = clock()
        let oldest = queued.map(\.createdAt).min()
        let age = oldest.map { max(0, now.timeIntervalSince1970 - TimeInterval($0)) } ?? 0
        latest.withLock { $0 = Figures(queued: queued.count, oldestAge: age, checkedAt: now) }
    }
}
