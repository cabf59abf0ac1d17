import Foundation

/// The vspd front's block handler (vspd-api.md §8.2), an engine service: at start-up and on every
/// `blockconnected` from `VspNodeBackend.subscribeBlocks` it confirms tickets (or deletes the never-mined), sends
/// pending fees, confirms broadcast fees and hands each such ticket's voting key and preferences to every voting
/// wallet, and records outcomes; at start-up and every 30 minutes it also runs the wallet consistency pass.
///
/// Runs never overlap: a block arriving during a run queues one more run, however many arrive. An unreachable
/// node postpones the run (retried every `retryInterval` and at the next block); wallet errors are only logged
/// and counted. Several web hosts may run it on one database: every step's write is guarded by the state it
/// expects (docs/vspd.md, "Block handler").
public final class VspBlockHandler: EngineService {
    public let name = "vspblocks"
    public let metrics: VspBlockHandlerMetrics
    private let steps: VspBlockSteps
    private let outcomes: VspOutcomeScan
    private let consistency: VspConsistencyPass
    private let node: any VspNodeBackend
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let consistencySeconds: TimeInterval
    private let retryInterval: Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    private struct State {
        var running = false
        /// A run was asked for while one was going: one more follows.
        var rerun = false
        /// A block arrived (or start-up) since the last run began.
        var blockPending = false
        /// The last run stopped early (node unreachable, storage failure): the next tick retries.
        var postponed = false
        var lastConsistencyPass: Date?
        var subscribed = false
        var wake: AsyncStream<Void>.Continuation?
    }
    private let state = LockedValue(State())

    /// - Parameters:
    ///   - tickets: the network's ticket maturity and expiry (outcome boundaries, scan start).
    ///   - now: the clock deciding when the consistency pass is due (tests inject one).
    ///   - consistencyInterval: vspd's 30 minutes.
    ///   - retryInterval: how often the service wakes without a block, to retry a postponed run or run a due pass.
    ///   - sleep: waits between wake-ups (tests inject one that never sleeps).
    public init(storage: any StorageBackend, node: any VspNodeBackend, wallets: [any VspWalletBackend], walletLabels: [String],
                tickets: NetParams.TicketParams, metrics: MetricsRegistry, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }, consistencyInterval: Duration = .seconds(30 * 60),
                retryInterval: Duration = .seconds(60),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        let metrics = VspBlockHandlerMetrics(registry: metrics)
        let voting = VspVotingWallets(wallets: wallets, labels: walletLabels, logger: logger, metrics: metrics)
        let steps = VspBlockSteps(storage: storage, node: node, wallets: voting, tickets: tickets, logger: logger, metrics: metrics)
        self.steps = steps
        self.outcomes = VspOutcomeScan(storage: storage, node: node, tickets: tickets, logger: logger, metrics: metrics)
        self.consistency = VspConsistencyPass(storage: storage, node: node, steps: steps)
        self.metrics = metrics
        self.node = node
        self.logger = logger
        self.now = now
        self.consistencySeconds = Double(consistencyInterval.components.seconds)
        self.retryInterval = retryInterval
        self.sleep = sleep
    }

    /// Subscribes to blocks and runs until cancelled: a run at start-up, then one per wake-up that has work.
    public func run() async throws {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        state.withLock {
            $0.wake = wake
            $0.blockPending = true
        }
        let ticker = Task { [sleep, retryInterval] in
            while !Task.isCancelled {
                do { try await sleep(retryInterval) } catch { return }
                wake.yield()
            }
        }
        defer {
            ticker.cancel()
            wake.finish()
            state.withLock { $0.wake = nil }
        }
        wake.yield()
        for await _ in wakes {
            if Task.isCancelled { return }
            await subscribeIfNeeded()
            guard hasWork() else { continue }
            await runOnce()
        }
    }

    /// What a `blockconnected` notification does: queue a run (returns at once).
    public func blockConnected() {
        let wake = state.withLock { state -> AsyncStream<Void>.Continuation? in
            state.blockPending = true
            return state.wake
        }
        wake?.yield()
    }

    /// One run of steps 1–4 now, plus the consistency pass when it is due. If a run is going, this only asks
    /// that one to run once more and returns nil; otherwise it returns the report of its (last) run.
    @discardableResult
    public func runOnce() async -> VspBlockRunReport? {
        let starts = state.withLock { state -> Bool in
            if state.running { state.rerun = true; return false }
            state.running = true
            return true
        }
        guard starts else { return nil }
        var report: VspBlockRunReport
        repeat {
            state.withLock { $0.blockPending = false }
            report = await perform()
        } while state.withLock { state -> Bool in
            if state.rerun { state.rerun = false; return true }
            state.running = false
            return false
        }
        return report
    }

    private func perform() async -> VspBlockRunReport {
        var report = VspBlockRunReport()
        do {
            try await steps.confirmTickets(&report)
            try await steps.broadcastFees(&report)
            try await steps.confirmFees(&report)
            try await outcomes.scan(&report)
            if isConsistencyPassDue() {
                report.walletRepairs = try await consistency.run()
                state.withLock { $0.lastConsistencyPass = now() }
            }
            state.withLock { $0.postponed = false }
            metrics.runs.increment(["done"])
        } catch let postponed as VspRunPostponed {
            report.postponed = true
            state.withLock { $0.postponed = true }
            metrics.runs.increment(["postponed"])
            logger.warn("vsp block handler: node unreachable, run postponed: \(postponed.cause)")
        } catch {
            state.withLock { $0.postponed = true }
            metrics.runs.increment(["failed"])
            logger.error("vsp block handler run failed (retried): \(error)")
        }
        if let summary = report.summary { logger.info("vsp block handler: \(summary)") }
        return report
    }

    private func isConsistencyPassDue() -> Bool {
        guard let last = state.value.lastConsistencyPass else { return true }
        return now().timeIntervalSince(last) >= consistencySeconds
    }

    private func hasWork() -> Bool {
        let (pending, postponed) = state.withLock { ($0.blockPending, $0.postponed) }
        return pending || postponed || isConsistencyPassDue()
    }

    private func subscribeIfNeeded() async {
        guard !state.value.subscribed else { return }
        do {
            try await node.subscribeBlocks { [weak self] _ in self?.blockConnected() }
            state.withLock { $0.subscribed = true }
            logger.info("vsp block handler: following the node's blocks")
        } catch {
            state.withLock { $0.postponed = true }
            logger.warn("vsp block handler: subscribing to blocks failed (retried): \(error)")
        }
    }
}
