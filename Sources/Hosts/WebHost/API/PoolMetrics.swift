import PoolKernel

/// The pool's own gauges on `/metrics` (issue 9): wallet pool state, users, tickets and votes.
///
/// Nothing here is computed per scrape except the wallet-pool gauges, which read `WalletPool.status()` (an
/// in-memory snapshot the monitor's probes keep current). User counts and vote-audit outcomes are read from
/// storage by `run()` every `refreshInterval`; ticket counts come from the stats cache's last `getstakeinfo`
/// (no extra wallet calls).
///
/// | metric | meaning |
/// |---|---|
/// | `pool_wallets_configured` | wallets in `wallethosts` |
/// | `pool_wallets_connected` | wallets that answered the last probe (dcrstakepool's `Connected`) |
/// | `pool_wallets_usable` | wallets up: answering, unlocked, connected to their node, not lagging |
/// | `pool_wallets_consistent` | 1 when the pool is running, every answering wallet reports the same vote version, none lags, and none lacks scripts or tickets (or is being verified after a reconnect) |
/// | `pool_wallet_up{wallet,host}` | 1 when that wallet is up (answering, unlocked, connected, synced, verified) |
/// | `pool_wallet_missing_scripts{wallet,host}` | redeem scripts (database or other wallets) that wallet lacked at its last check; -1 before the first |
/// | `pool_wallet_missing_tickets{wallet,host}` | tickets (other wallets) that wallet lacked at its last check; -1 before the first |
/// | `pool_wallet_rpc_stopped` | 1 when the wallet RPC client shut down after a failed or inconsistent result (fail closed) |
/// | `pool_users` | user accounts |
/// | `pool_users_with_address` | users with a registered address (active) |
/// | `pool_tickets{state}` | the wallets' `getstakeinfo`: live, immature, voted, missed, revoked, expired |
/// | `pool_vote_audits_recent{result}` | outcomes (voted, failed, skipped) among the last `voteAuditWindow` vote-audit records |
/// | `pool_vsp_tickets{feetxstatus}` | tickets of the vspd API by fee status (none, received, broadcast, confirmed, error) |
/// | `pool_vsp_ticket_outcomes{outcome}` | tickets of the vspd API that voted, missed or expired (vspd's legacy `revoked` counts as expired) |
public final class PoolMetrics: EngineService {
    public let name = "metrics"
    private let pool: WalletPool
    private let stats: StatsCache?
    private let storage: any StorageBackend
    private let refreshInterval: Duration
    private let voteAuditWindow: Int
    private let logger: Logger
    private let users: Gauge
    private let usersWithAddress: Gauge
    private let tickets: Gauge
    private let voteAudits: Gauge
    private let vspTickets: Gauge
    private let vspOutcomes: Gauge

    /// Registers the gauges on `registry`; `stats` (the API's stats cache) supplies the ticket counts.
    public init(registry: MetricsRegistry, pool: WalletPool, stats: StatsCache?, storage: any StorageBackend,
                refreshInterval: Duration = .seconds(15), voteAuditWindow: Int = 1_000, logger: Logger) {
        self.pool = pool
        self.stats = stats
        self.storage = storage
        self.refreshInterval = refreshInterval
        self.voteAuditWindow = voteAuditWindow
        self.logger = logger
        registry.gaugeFunction("pool_wallets_configured", help: "Voting wallets configured (wallethosts).") {
            Double(pool.count)
        }
        registry.gaugeFunction("pool_wallets_connected", help: "Voting wallets that answered the last probe.") {
            Double(pool.status().connectedCount)
        }
        registry.gaugeFunction("pool_wallets_usable",
                               help: "Voting wallets answering, unlocked, connected to their node and not lagging.") {
            Double(pool.status().usableCount)
        }
        registry.gaugeFunction("pool_wallets_consistent",
                               help: "1 when the pool runs, the answering wallets agree on the vote version, none lags and none lacks scripts or tickets.") {
            pool.status().isConsistent ? 1 : 0
        }
        let labels = ["wallet", "host"]
        func perWallet(_ value: @escaping @Sendable (WalletPoolStatus.Wallet) -> Double) -> @Sendable () -> [(labels: [String], value: Double)] {
            { pool.status().wallets.map { (labels: [String($0.index), $0.label], value: value($0)) } }
        }
        registry.gaugeFunction("pool_wallet_up", help: "1 when the wallet is up: answering, unlocked, connected, synced and verified.",
                               labels: labels, read: perWallet { $0.condition.isUsable ? 1 : 0 })
        registry.gaugeFunction("pool_wallet_missing_scripts",
                               help: "Redeem scripts the wallet lacked at its last consistency check (-1: not checked yet).",
                               labels: labels, read: perWallet { Double($0.missingScripts ?? -1) })
        registry.gaugeFunction("pool_wallet_missing_tickets",
                               help: "Tickets the wallet lacked at its last consistency check (-1: not checked yet).",
                               labels: labels, read: perWallet { Double($0.missingTickets ?? -1) })
        registry.gaugeFunction("pool_wallet_rpc_stopped",
                               help: "1 when the wallet RPC client shut down after a failed or inconsistent result.") {
            pool.isStopped ? 1 : 0
        }
        users = registry.gauge("pool_users", help: "User accounts.")
        usersWithAddress = registry.gauge("pool_users_with_address", help: "Users with a registered address (active).")
        tickets = registry.gauge("pool_tickets", help: "The pool's tickets per the wallets' getstakeinfo, by state.",
                                 labels: ["state"])
        voteAudits = registry.gauge("pool_vote_audits_recent",
                                    help: "Outcomes among the last \(voteAuditWindow) vote-audit records, by result.",
                                    labels: ["result"])
        vspTickets = registry.gauge("pool_vsp_tickets", help: "Tickets of the vspd API by fee status.", labels: ["feetxstatus"])
        vspOutcomes = registry.gauge("pool_vsp_ticket_outcomes", help: "Tickets of the vspd API that voted, missed or expired.",
                                     labels: ["outcome"])
    }

    public func run() async throws {
        while !Task.isCancelled {
            await refresh()
            do {
                try await Task.sleep(for: refreshInterval)
            } catch {
                return
            }
        }
    }

    /// Reads the storage counts and the stats cache's stake info now. Failures keep the previous values.
    public func refresh() async {
        let window = voteAuditWindow
        do {
            let (total, active, audits, vsp) = try await storage.read { reader in
                (try reader.userCount(), try reader.activeUserCount(), try reader.recentVoteAudits(limit: window),
                 try reader.vspTicketCounts())
            }
            users.set(Double(total))
            usersWithAddress.set(Double(active))
            var counts: [VoteAuditRecord.Result: Int] = [.voted: 0, .failed: 0, .skipped: 0]
            for audit in audits { counts[audit.result, default: 0] += 1 }
            for (result, count) in counts { voteAudits.set(Double(count), [result.rawValue]) }
            setVspGauges(vsp)
        } catch {
            logger.warn("metrics refresh: cannot read storage: \(error)")
        }
        if let info = stats?.current?.stakeInfo {
            let states: [(String, UInt32)] = [("live", info.live), ("immature", info.immature), ("voted", info.voted),
                                              ("missed", info.missed), ("revoked", info.revoked), ("expired", info.expired)]
            for (state, count) in states { tickets.set(Double(count), [state]) }
        }
    }

    /// Every fee status and outcome is written, so a count that drops to zero shows 0.
    private func setVspGauges(_ counts: [VspTicketState: Int]) {
        var statuses = Dictionary(uniqueKeysWithValues: VspFeeTxStatus.allCases.map { ($0, 0) })
        var outcomes: [String: Int] = ["voted": 0, "missed": 0, "expired": 0]
        for (state, count) in counts {
            statuses[state.feeTxStatus, default: 0] += count
            switch state.outcome {
            case .none: break
            case .voted: outcomes["voted", default: 0] += count
            case .missed: outcomes["missed", default: 0] += count
            case .expired, .revoked: outcomes["expired", default: 0] += count
            }
        }
        for (status, count) in statuses { vspTickets.set(Double(count), [status.rawValue]) }
        for (outcome, count) in outcomes { vspOutcomes.set(Double(count), [outcome]) }
    }
}
