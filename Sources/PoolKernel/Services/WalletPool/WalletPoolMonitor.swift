import Foundation

/// The wallet pool's background service: probes every wallet on an interval (alerts on changes), reconnects
/// down wallets with back-off through `connector`, verifies the scripts and tickets of every wallet that
/// (re)connects (`WalletConsistencyCheck`), flushes rate-limited alerts, and — only with `walletautorecover` —
/// resumes a stopped pool once every wallet agrees again (written to the audit log).
public final class WalletPoolMonitor: EngineService {
    /// Dials a fresh backend for wallet `index` (nil: backends reconnect by themselves or not at all).
    public typealias Connector = @Sendable (_ index: Int) async throws -> any WalletBackend

    public let name = "wallets"
    let pool: WalletPool
    let connector: Connector?
    let storage: (any StorageBackend)?
    let logger: Logger
    private let backoffs: LockedValue<[ReconnectBackoff]>
    /// Whether the first full consistency check ran (every wallet is verified once, at start).
    private let verifiedOnce = LockedValue(false)

    /// - Parameter storage: source of the registered scripts the wallets must hold before recovering.
    public init(pool: WalletPool, connector: Connector? = nil, storage: (any StorageBackend)? = nil, logger: Logger) {
        self.pool = pool
        self.connector = connector
        self.storage = storage
        self.logger = logger
        let backoff = ReconnectBackoff(base: pool.configuration.reconnectBase, cap: pool.configuration.reconnectCap)
        backoffs = LockedValue(Array(repeating: backoff, count: pool.count))
    }

    public func run() async throws {
        while !Task.isCancelled {
            await tick()
            do {
                try await Task.sleep(for: .seconds(pool.configuration.probeInterval))
            } catch {
                return
            }
        }
    }

    /// One round: probe, reconnect, flush alerts, try recovery. Exposed so tests drive it step by step.
    public func tick() async {
        var status = await pool.probe()
        if await reconnect(status) { status = await pool.probe() }
        let firstRound = verifiedOnce.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        let due = firstRound ? status.wallets.filter(\.connected).map(\.index) : pool.walletsNeedingCheck
        if !due.isEmpty {
            await WalletConsistencyCheck(pool: pool, storage: storage, logger: logger).run(wallets: due)
        }
        await pool.alerter?.flush()
        if status.isStopped && pool.configuration.autoRecover { await tryRecover() }
    }

    /// Redials down wallets whose back-off is over; true when at least one came back.
    private func reconnect(_ status: WalletPoolStatus) async -> Bool {
        let now = pool.clock()
        var any = false
        for wallet in status.wallets {
            guard wallet.condition == .down else {
                backoffs.withLock { $0[wallet.index].reset() }
                continue
            }
            guard let connector, backoffs.withLock({ $0[wallet.index].isDue(now: now) }) else { continue }
            do {
                let backend = try await connector(wallet.index)
                await pool.replaceBackend(wallet.index, with: backend)
                pool.markReconnected(wallet.index)
                backoffs.withLock { $0[wallet.index].reset() }
                any = true
                logger.info("wallet \(wallet.index) (\(wallet.label)) reconnected; verifying its scripts and tickets")
            } catch {
                backoffs.withLock { $0[wallet.index].failed(now: now) }
                logger.warn("wallet rpc reconnect failed: server \(wallet.index) \(error)")
            }
        }
        return any
    }

    private func tryRecover() async {
        var registered = ScriptSet()
        if let storage {
            do {
                registered = try await ScriptSet.registered(in: storage)
            } catch {
                logger.warn("automatic recovery postponed: cannot read registered scripts: \(error)")
                return
            }
        }
        let report = await pool.agreementReport(registered: registered)
        guard report.agreed else {
            logger.info("wallet pool still stopped: \(report.problems.joined(separator: "; "))")
            return
        }
        await pool.resume(event: "auto-recovered", reason: "all \(pool.count) wallets answer, are unlocked and "
            + "connected, and hold the same \(report.totalScripts) scripts and \(report.totalTickets) tickets")
    }
}
