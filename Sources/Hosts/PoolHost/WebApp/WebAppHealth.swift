import Foundation
import PoolKernel

/// The web app's `/health` and its dependency gauges on `/metrics`. Everything is read from cached state:
/// wallets from the wallet pool monitor's probes and consistency checks, the database from a `SELECT`-cheap
/// read cached for two seconds (`CachedProbe`), the mail queue and stakepoold reachability refreshed by `run()`.
///
/// `down` only when the database is unreachable (nothing can be served); `degraded` when a wallet is not up
/// (down, locked, lagging, being verified, lacking scripts or tickets), the pool is stopped, a wallet's dcrd
/// is disconnected, mail has waited more than `mailStaleAfter`, or a stakepoold is unreachable or refuses
/// our token.
public final class WebAppHealth: EngineService {
    public let name = "health"
    let pool: WalletPool
    let database: CachedProbe
    let mail: MailQueueProbe
    let mailPlugin: String
    let stakepoolds: PeerReachability
    let pingStakepoolds: @Sendable () async -> Void
    let refreshInterval: Duration
    let mailStaleAfter: TimeInterval
    let logger: Logger

    public init(pool: WalletPool, storage: any StorageBackend, mailPlugin: String, stakepoolds: PeerReachability,
                pingStakepoolds: @escaping @Sendable () async -> Void = {}, refreshInterval: Duration = .seconds(15),
                mailStaleAfter: TimeInterval = 600, logger: Logger) {
        self.pool = pool
        database = CachedProbe(maxAge: 2, timeout: .seconds(2)) { _ = try await storage.read { try $0.maxUserId() } }
        mail = MailQueueProbe(storage: storage)
        self.mailPlugin = mailPlugin
        self.stakepoolds = stakepoolds
        self.pingStakepoolds = pingStakepoolds
        self.refreshInterval = refreshInterval
        self.mailStaleAfter = mailStaleAfter
        self.logger = logger
    }

    /// Refreshes the database check, the mail queue figures and stakepoold reachability in the background.
    public func run() async throws {
        var round = 0
        while !Task.isCancelled {
            _ = await database.result()
            do {
                try await mail.refresh()
            } catch {
                logger.warn("health: cannot read the mail queue: \(ConfigLoader.describe(error))")
            }
            // stakepoold is pinged every fourth round (a minute by default); calls made for real also count.
            if round % 4 == 0 { await pingStakepoolds() }
            round += 1
            do {
                try await Task.sleep(for: refreshInterval)
            } catch {
                return
            }
        }
    }

    /// The report `/health` answers.
    public func report() async -> HealthReport {
        var checks: [HealthReport.Check] = []
        let db = await database.result()
        checks.append(.init(component: "database", state: db.ok ? .ok : .down,
                            detail: db.ok ? "" : "database unreachable: \(db.detail)"))
        let status = pool.status()
        for wallet in status.wallets {
            var figures: [(String, Double)] = []
            if let scripts = wallet.missingScripts { figures.append(("missing_scripts", Double(scripts))) }
            if let tickets = wallet.missingTickets { figures.append(("missing_tickets", Double(tickets))) }
            let ok = wallet.condition.isUsable || wallet.condition == .unknown
            checks.append(.init(component: "wallet", instance: "\(wallet.index) (\(wallet.label))",
                                state: ok ? .ok : .degraded,
                                detail: ok ? "" : "\(wallet.condition): \(wallet.lastError)", figures: figures))
        }
        if status.isStopped {
            checks.append(.init(component: "wallet-pool", state: .degraded,
                                detail: "stopped (fail closed): \(status.stopReason ?? "")"))
        }
        let noDaemon = status.wallets.filter { $0.connected && !$0.daemonConnected }.map(\.index)
        checks.append(.init(component: "dcrd", state: noDaemon.isEmpty ? .ok : .degraded,
                            detail: noDaemon.isEmpty ? "" : "wallet(s) \(noDaemon.map(String.init).joined(separator: ", ")) "
                                + "not connected to dcrd"))
        if let figures = mail.figures {
            let stale = figures.oldestAge > mailStaleAfter
            checks.append(.init(component: "mail", instance: mailPlugin, state: stale ? .degraded : .ok,
                                detail: stale ? "the oldest queued mail has waited \(Int(figures.oldestAge)) s" : "",
                                figures: [("queued", Double(figures.queued)), ("oldest_queued_seconds", figures.oldestAge)]))
        } else {
            checks.append(.init(component: "mail", instance: mailPlugin, state: .ok, detail: "queue not read yet"))
        }
        for peer in stakepoolds.snapshot {
            let state: HealthReport.State = peer.reachable == false || peer.authFailed ? .degraded : .ok
            let detail = peer.authFailed ? "refuses our stakepooldtoken: \(peer.lastError)"
                : peer.reachable == false ? "unreachable: \(peer.lastError)"
                : peer.reachable == nil ? "not contacted yet" : ""
            checks.append(.init(component: "stakepoold", instance: peer.name, state: state, detail: detail))
        }
        let worst = checks.map(\.state).max() ?? .ok
        return HealthReport(checks: checks, status: db.ok ? min(worst, .degraded) : .down)
    }

    /// `pool_database_up`, `pool_mail_queue_depth`, `pool_mail_oldest_queued_seconds`,
    /// `pool_stakepoold_reachable{host}`, `pool_stakepoold_auth_failures{host}`.
    public func register(in registry: MetricsRegistry) {
        let database = self.database, mail = self.mail, stakepoolds = self.stakepoolds
        registry.gaugeFunction("pool_database_up", help: "1 when the last database check (cached 2 s) answered.") {
            database.last.map { $0.ok ? 1 : 0 } ?? 0
        }
        registry.gaugeFunction("pool_mail_queue_depth", help: "Mails queued in the outbox, waiting for delivery.") {
            Double(mail.figures?.queued ?? 0)
        }
        registry.gaugeFunction("pool_mail_oldest_queued_seconds", help: "Seconds the oldest queued mail has waited.") {
            mail.figures?.oldestAge ?? 0
        }
        registry.gaugeFunction("pool_stakepoold_reachable", help: "1 when the last call to that stakepoold reached it.",
                               labels: ["host"]) {
            stakepoolds.snapshot.map { (labels: [$0.name], value: $0.reachable == false ? 0 : 1) }
        }
        registry.gaugeFunction("pool_stakepoold_auth_failures",
                               help: "Calls that stakepoold refused for the token (stakepooldtoken) since start.",
                               labels: ["host"]) {
            stakepoolds.snapshot.map { (labels: [$0.name], value: Double($0.authFailures)) }
        }
    }
}
