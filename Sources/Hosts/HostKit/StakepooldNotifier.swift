import Foundation
import PoolKernel
import PoolNet
import StakepooldControl
import WebHost
import Synchronization

/// The web app's queue of "voting preferences changed" pushes to its stakepoolds: one pending request per
/// host (a newer one replaces it — stakepoold reloads every user anyway), retried with backoff until the host
/// accepts it, so a change made while a stakepoold is down or restarting still reaches it.
///
/// `notify` returns at once; `run()` delivers. Each host is tried on its own, so a dead host never delays the
/// others. Metrics (`export`): `pool_stakepoold_pending_notifications{host}` (1 while a change waits for the
/// host) and `pool_stakepoold_auth_failures_total{host}` (calls the host refused for `stakepooldtoken`: pushes
/// and health pings, counted once in `reachability`).
public final class StakepooldNotifier: EngineService {
    public var name: String { "stakepoold-notify" }

    public struct Backoff: Sendable {
        /// Wait after the n-th failed attempt: `base × 2^(n-1)`, at most `cap`.
        public var base: Duration
        public var cap: Duration
        public init(base: Duration = .seconds(1), cap: Duration = .seconds(60)) {
            self.base = base
            self.cap = cap
        }

        func delay(afterFailures failures: Int) -> Duration {
            min(base * (1 << min(max(0, failures - 1), 16)), cap)
        }
    }

    /// One host's queue entry.
    struct HostState: Sendable {
        /// The user whose prefs changed (0: every user); nil: nothing pending.
        var pendingUserId: Int64?
        /// Bumped by every `notify`, so a delivery only clears what it carried.
        var generation = 0
        var inFlight = false
        var failures = 0
        var nextAttempt: ContinuousClock.Instant?
    }

    public let clients: [ControlClient]
    let backoff: Backoff
    let logger: Logger
    /// Where each attempt's outcome is recorded (`/health`, `pool_stakepoold_reachable`, the refusal count).
    public let reachability: PeerReachability
    /// Told when a host starts or stops failing (operator alerts).
    let onHostTrouble: @Sendable (_ host: String, _ problem: String?) async -> Void
    private let states: Mutex<[HostState]>
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let exported = Mutex<Gauge?>(nil)

    public init(clients: [ControlClient], backoff: Backoff = Backoff(), logger: Logger,
                reachability: PeerReachability? = nil,
                onHostTrouble: @escaping @Sendable (_ host: String, _ problem: String?) async -> Void = { _, _ in }) {
        self.clients = clients
        self.backoff = backoff
        self.logger = logger
        self.reachability = reachability ?? PeerReachability(names: clients.map { $0.address.description })
        self.onHostTrouble = onHostTrouble
        states = Mutex(Array(repeating: HostState(), count: clients.count))
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues "user `userId`'s prefs changed" (0: every user) for every host; returns at once.
    public func notify(userId: Int64) {
        guard !clients.isEmpty else { return }
        states.withLock { states in
            for index in states.indices {
                let pending = states[index].pendingUserId
                states[index].pendingUserId = pending == nil || pending == userId ? userId : 0
                states[index].generation += 1
                states[index].nextAttempt = nil
            }
        }
        updateGauges()
        wake.yield()
    }

    /// Hosts with a change not delivered yet.
    public var pendingHosts: [String] {
        states.withLock { states in states.indices.filter { states[$0].pendingUserId != nil }.map { clients[$0].address.description } }
    }

    /// How often each host refused the token.
    public func authFailures(host index: Int) -> Int { reachability.snapshot[index].authFailures }

    /// Per host: whether a change waits for it (`/status`).
    public var pendingByHost: [(host: String, pending: Bool)] {
        states.withLock { states in states.indices.map { (clients[$0].address.description, states[$0].pendingUserId != nil) } }
    }

    /// Each host as `/status` shows it: reachable, refusing our token (with the refusal count), change pending.
    public var statusRows: [StakepooldStatus] {
        let pending = pendingByHost
        return reachability.snapshot.enumerated().map { index, peer in
            StakepooldStatus(host: peer.name, reachable: peer.reachable, tokenRefused: peer.authFailed,
                             refusals: peer.authFailures, pending: pending.indices.contains(index) && pending[index].pending,
                             lastError: peer.lastError)
        }
    }

    /// Registers the gauges and counters in the web app's registry. Call once.
    public func export(to registry: MetricsRegistry) {
        let pending = registry.gauge("pool_stakepoold_pending_notifications",
                                     help: "1 while a voting-preference change waits to reach this stakepoold.", labels: ["host"])
        registry.counterFunction("pool_stakepoold_auth_failures_total",
                                 help: "Control requests this stakepoold refused for a wrong stakepooldtoken (pushes and pings).",
                                 labels: ["host"]) { [reachability] in
            reachability.snapshot.map { (labels: [$0.name], value: Double($0.authFailures)) }
        }
        exported.withLock { $0 = pending }
        updateGauges()
    }

    public func run() async throws {
        wake.yield()
        await withDiscardingTaskGroup { group in
            for await _ in wakes {
                if Task.isCancelled { break }
                for index in takeDue() {
                    group.addTask { [self] in await deliver(index) }
                }
            }
            group.cancelAll()
        }
    }

    /// One attempt for every pending change, awaited, without retries or alerts: for tools (`poolctl wallets
    /// sync`) that register addresses but do not run the queue. Returns the hosts still pending.
    @discardableResult
    public func deliverPendingOnce() async -> [String] {
        for index in takeDue(ignoringBackoff: true) { await deliver(index, retrying: false) }
        return pendingHosts
    }

    /// Hosts with a due pending change, marked in flight.
    private func takeDue(ignoringBackoff: Bool = false) -> [Int] {
        let now = ContinuousClock.now
        return states.withLock { states in
            var due: [Int] = []
            for index in states.indices where states[index].pendingUserId != nil && !states[index].inFlight
                && (ignoringBackoff || (states[index].nextAttempt.map { $0 <= now } ?? true)) {
                states[index].inFlight = true
                due.append(index)
            }
            return due
        }
    }

    private func deliver(_ index: Int, retrying: Bool = true) async {
        let client = clients[index]
        let host = client.address.description
        let (userId, generation) = states.withLock { ($0[index].pendingUserId ?? 0, $0[index].generation) }
        do {
            try await client.updateVotingPrefs(userId: userId)
            reachability.record(index, error: nil as (any Error)?)
            let (failures, more) = states.withLock { states -> (Int, Bool) in
                let failures = states[index].failures
                states[index].failures = 0
                states[index].inFlight = false
                states[index].nextAttempt = nil
                if states[index].generation == generation { states[index].pendingUserId = nil }
                return (failures, states[index].pendingUserId != nil)
            }
            updateGauges()   // with the state, so `/metrics` never lags behind `pendingHosts`
            if failures > 0 && retrying {
                logger.info("stakepoold at \(host) accepted the pending voting-preference change after \(failures) failed attempt(s)")
                await onHostTrouble(host, nil)
            }
            if more { wake.yield() }
        } catch {
            reachability.record(index, error: error)
            let (failures, delay) = states.withLock { states -> (Int, Duration) in
                states[index].failures += 1
                states[index].inFlight = false
                let delay = backoff.delay(afterFailures: states[index].failures)
                states[index].nextAttempt = ContinuousClock.now + delay
                return (states[index].failures, delay)
            }
            updateGauges()
            let what = userId == 0 ? "all users" : "user \(userId)"
            if !retrying {
                logger.error("Failed to update stakepoold voting cfg for \(what) on host \(host): \(error)")
                return
            }
            if failures == 1 {
                logger.error("Failed to update stakepoold voting cfg for \(what) on host \(host): \(error); "
                             + "retrying with backoff until it is delivered")
                await onHostTrouble(host, String(describing: error))
            } else {
                logger.debug("stakepoold at \(host) still refuses the pending change (attempt \(failures)), next in \(delay): \(error)")
            }
            Task { [wake] in
                try? await Task.sleep(for: delay)
                wake.yield()
            }
        }
    }

    private func updateGauges() {
        guard let gauge = exported.withLock({ $0 }) else { return }
        let pending = states.withLock { $0.map { $0.pendingUserId != nil } }
        for (index, isPending) in pending.enumerated() { gauge.set(isPending ? 1 : 0, [clients[index].address.description]) }
    }

    /// Ends `run()` (tests); the host normally cancels the task instead.
    public func finish() { wake.finish() }
}
