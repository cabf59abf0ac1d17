import Foundation

/// The outbox's queue as the operator needs it: how many mails wait, how long the oldest has waited, and how
/// many wait after a failed delivery attempt.
/// Refreshed in the background (`refresh()`, by the web app's health monitor), read by `/health` and `/metrics`.
public final class MailQueueProbe: Sendable {
    public struct Figures: Sendable, Equatable {
        /// Queued mails (capped at `limit`).
        public var queued: Int
        /// Seconds the oldest queued mail has waited (0 when none).
        public var oldestAge: TimeInterval
        /// Queued mails whose last delivery attempt failed (waiting for a retry).
        public var failing: Int
        /// The newest of those failures' errors (empty when none).
        public var lastError: String
        public var checkedAt: Date
    }

    /// How long queued mail may wait before mail counts as `degraded` even without a failed attempt (a sender
    /// that does not run, or a backlog that does not drain).
    public static let staleAfter: TimeInterval = 600

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
        let failing = queued.filter { !$0.lastError.isEmpty }
        let lastError = failing.max { $0.attempts < $1.attempts }?.lastError ?? ""
        latest.withLock { $0 = Figures(queued: queued.count, oldestAge: age, failing: failing.count, lastError: lastError,
                                       checkedAt: now) }
    }

    /// Refreshes when the figures are older than `maxAge` seconds (or missing), so `/health` tells the queue as it
    /// is now, not as the last background round (15 s) saw it; on failure the previous figures stay.
    public func refresh(ifOlderThan maxAge: TimeInterval) async {
        if let checkedAt = figures?.checkedAt, clock().timeIntervalSince(checkedAt) <= maxAge { return }
        try? await refresh()
    }

    /// The `mail` line of `/health`: `degraded` as soon as queued mail is waiting after a failed delivery attempt
    /// (the transport refuses or is unreachable: users' mails are not going out), or when the oldest queued mail
    /// has waited longer than `staleAfter`; `ok` otherwise (also with an empty queue after earlier failures).
    public func check(plugin: String, staleAfter: TimeInterval = MailQueueProbe.staleAfter) -> HealthReport.Check {
        guard let figures else { return .init(component: "mail", instance: plugin, state: .ok, detail: "queue not read yet") }
        var problems: [String] = []
        if figures.failing > 0 {
            problems.append("\(figures.failing) queued mail(s) failed their last delivery attempt: \(figures.lastError)")
        }
        if figures.oldestAge > staleAfter {
            problems.append("the oldest queued mail has waited \(Int(figures.oldestAge)) s")
        }
        return .init(component: "mail", instance: plugin, state: problems.isEmpty ? .ok : .degraded,
                     detail: problems.joined(separator: "; "),
                     figures: [("queued", Double(figures.queued)), ("oldest_queued_seconds", figures.oldestAge),
                               ("failing", Double(figures.failing))])
    }
}
