import Foundation
import Synchronization

/// Keeps the vote daemon's link to the pool database: the daemon starts and votes without it (with the prefs
/// of its disk cache), and this service retries with backoff until the database answers again, then runs
/// `onReconnected` (migrate + reload every user's prefs). A failure seen elsewhere (a prefs reload) marks the
/// link down again, which restarts the retries.
///
/// The probe is `StorageBackend.migrate()`: idempotent, it checks the schema at the same time, and it is what
/// the daemon ran at start-up before outages were tolerated.
public final class StorageReconnector: EngineService {
    public var name: String { "database" }

    public struct Backoff: Sendable {
        /// Wait after the n-th failed attempt: `base × n`, at most `cap`.
        public var base: Duration
        public var cap: Duration
        public init(base: Duration = .seconds(1), cap: Duration = .seconds(30)) {
            self.base = base
            self.cap = cap
        }

        func delay(afterFailures failures: Int) -> Duration { min(base * max(1, failures), cap) }
    }

    let storage: any StorageBackend
    let backoff: Backoff
    let logger: Logger
    let onReconnected: @Sendable () async -> Void
    let onDown: @Sendable (String) -> Void
    private let up = Atomic<Bool>(false)
    /// When the current outage started (nil while up).
    private let downSince = Mutex<Date?>(nil)
    private let lastOutageText = Mutex("")
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// - Parameters:
    ///   - onReconnected: runs once per outage, after the database answered again (resync).
    ///   - onDown: runs once per outage, when it starts (alert), with the error text.
    public init(storage: any StorageBackend, backoff: Backoff = Backoff(), logger: Logger,
                onDown: @escaping @Sendable (String) -> Void = { _ in },
                onReconnected: @escaping @Sendable () async -> Void) {
        self.storage = storage
        self.backoff = backoff
        self.logger = logger
        self.onDown = onDown
        self.onReconnected = onReconnected
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether the last attempt reached the database (`stakepoold_database_up`).
    public var isUp: Bool { up.load(ordering: .relaxed) }
    /// When the current outage started; nil while the database is up.
    public var outageStart: Date? { downSince.withLock { $0 } }
    /// How long the last finished outage lasted ("12 s"), for messages.
    public var lastOutage: String { lastOutageText.withLock { $0 } }

    /// The start-up attempt: true when the database answered. On failure the daemon goes on with its cache
    /// and `run()` keeps retrying.
    @discardableResult
    public func connectAtStart() async -> Bool {
        do {
            try await storage.migrate()
            up.store(true, ordering: .relaxed)
            return true
        } catch {
            markDown(error)
            logger.warn("starting without the database; voting with the cached preferences until it returns")
            return false
        }
    }

    /// Records that the database failed (from any caller); the retries start if they are not running yet.
    public func markDown(_ error: any Error) {
        up.store(false, ordering: .relaxed)
        let first = downSince.withLock { since -> Bool in
            if since != nil { return false }
            since = Date()
            return true
        }
        guard first else { return }
        let text = String(describing: error)
        logger.error("database unreachable: \(text); retrying with backoff")
        onDown(text)
        wake.yield()
    }

    public func run() async throws {
        if !isUp, outageStart == nil { await connectAtStart() }
        if !isUp { wake.yield() }
        for await _ in wakes {
            if Task.isCancelled { return }
            var failures = 0
            while !isUp, !Task.isCancelled {
                do {
                    try await storage.migrate()
                } catch {
                    failures += 1
                    let delay = backoff.delay(afterFailures: failures)
                    logger.debug("database still unreachable (attempt \(failures)), next try in \(delay): \(error)")
                    try? await Task.sleep(for: delay)
                    continue
                }
                let since = downSince.withLock { since -> Date? in
                    defer { since = nil }
                    return since
                }
                up.store(true, ordering: .relaxed)
                let outage = since.map { String(format: "%.0f s", Date().timeIntervalSince($0)) } ?? "a moment"
                lastOutageText.withLock { $0 = outage }
                logger.info("database is reachable again (down for \(outage)); reloading every user's preferences")
                await onReconnected()
            }
        }
    }
}
