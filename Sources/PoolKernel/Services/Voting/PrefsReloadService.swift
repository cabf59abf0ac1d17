import Synchronization

/// Reloads the user-prefs cache from storage when asked (the control API's update call) and, optionally, on a
/// timer (`norpclisten`: every 240 s). Requests arriving during a reload are coalesced into one more reload,
/// never dropped (fixes stakepoold quirk §11.2). After each reload the operator's added low-fee tickets are
/// re-read and adopted into the ticket map.
public final class PrefsReloadService: EngineService {
    public var name: String { "prefs-reload" }

    let prefs: UserPrefsCache
    let tracker: TicketTracker?
    let lowFee: LowFeeTickets?
    let interval: Duration?
    let logger: Logger
    private let storageFailureHook = Mutex<(@Sendable (any Error) -> Void)?>(nil)
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    public init(prefs: UserPrefsCache, tracker: TicketTracker?, lowFee: LowFeeTickets?, interval: Duration? = nil,
                logger: Logger) {
        self.prefs = prefs
        self.tracker = tracker
        self.lowFee = lowFee
        self.interval = interval
        self.logger = logger
        (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Called with the error when a reload could not read storage (the engine marks the database down).
    public func onStorageFailure(_ hook: @escaping @Sendable (any Error) -> Void) {
        storageFailureHook.withLock { $0 = hook }
    }

    /// Asks for a reload; returns at once. Several requests before the reload starts make one reload.
    public func requestReload() { signal.yield() }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            if let interval {
                group.addTask { [self] in
                    while !Task.isCancelled {
                        requestReload()
                        try? await Task.sleep(for: interval)
                    }
                }
            }
            for await _ in signals {
                if Task.isCancelled { break }
                await reloadOnce()
            }
            group.cancelAll()
        }
    }

    /// One reload (also used directly at start-up).
    public func reloadOnce() async {
        do {
            let count = try await prefs.reload()
            logger.info("reloaded voting prefs for \(count) users")
        } catch {
            logger.error("unable to reload user config due to db error: \(error)")
            storageFailureHook.withLock { $0 }?(error)
        }
        if let lowFee { await lowFee.reloadAdded() }
        tracker?.adoptAddedLowFeeTickets()
    }

    /// Ends `run()` (tests); the host normally cancels the task instead.
    public func finish() { signal.finish() }
}
