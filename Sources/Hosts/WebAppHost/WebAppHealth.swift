import Foundation
import HostKit
import PoolKernel
import StakepooldControl

/// The web app's `/health` and its dependency gauges on `/metrics`. Everything is read from cached state:
/// wallets from the wallet pool monitor's probes and consistency checks, the database from a `SELECT`-cheap
/// read cached for two seconds (`CachedProbe`), the mail queue and stakepoold reachability refreshed by `run()`.
///
/// `down` only when the database is unreachable (nothing can be served); `degraded` when a wallet is not up
/// (down, locked, lagging, being verified, lacking scripts or tickets), the pool is stopped, a wallet's dcrd
/// is disconnected, mail is failing (`MailQueueProbe.check`: queued mail after a failed delivery attempt, or
/// queued longer than `mailStaleAfter`), or a stakepoold is unreachable or refuses our token.
///
/// The database check also raises the operator's `database` incident (issue 18.4): the alert is logged the
/// moment a check fails (its mail is held by the alerter, as the outbox lives in that database) and both the
/// incident's and the recovery's mails are queued when a check answers again.
public final class WebAppHealth: EngineService {
    public let name = "health"
    /// The legacy wallet pool; nil in vspd-only mode (`apifronts=vspd`), where `vspChecks` cover the vspd front's
    /// node and wallets instead and no legacy wallet or dcrd check is reported.
    let pool: WalletPool?
    let vspChecks: (@Sendable () async -> [HealthReport.Check])?
    let database: CachedProbe
    let mail: MailQueueProbe
    let mailPlugin: String
    let stakepoolds: PeerReachability
    let pingStakepoolds: @Sendable () async -> Void
    let refreshInterval: Duration
    let mailStaleAfter: TimeInterval
    let logger: Logger
    let alerter: OperatorAlerter?
    let clock: @Sendable () -> Date
    /// The database outage as told to the operator, and the check result it last saw.
    private let databaseOutage = LockedValue<(tracker: OutageTracker, seen: Date?)>((OutageTracker(), nil))

    public init(pool: WalletPool?, storage: any StorageBackend, mailPlugin: String, stakepoolds: PeerReachability,
                pingStakepoolds: @escaping @Sendable () async -> Void = {}, refreshInterval: Duration = .seconds(15),
                mailStaleAfter: TimeInterval = MailQueueProbe.staleAfter, clock: @escaping @Sendable () -> Date = { Date() },
                alerter: OperatorAlerter? = nil, logger: Logger,
                vspChecks: (@Sendable () async -> [HealthReport.Check])? = nil) {
        self.pool = pool
        self.vspChecks = vspChecks
        self.alerter = alerter
        self.clock = clock
        database = CachedProbe(maxAge: 2, timeout: .seconds(2), clock: clock) { _ = try await storage.read { try $0.maxUserId() } }
        mail = MailQueueProbe(storage: storage, clock: clock)
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
            await databaseChecked(await database.result())
            // Alert mails held while the database was down go out as soon as it answers.
            await alerter?.flush()
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
        await databaseChecked(db)
        checks.append(.init(component: "database", state: db.ok ? .ok : .down,
                            detail: db.ok ? "" : "database unreachable: \(db.detail)"))
        if let pool { checks += legacyWalletChecks(pool.status()) }
        if let vspChecks { checks += await vspChecks() }
        // As fresh as the database check (2 s), so /health agrees with the mail alerts.
        await mail.refresh(ifOlderThan: 2)
        checks.append(mail.check(plugin: mailPlugin, staleAfter: mailStaleAfter))
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

    /// The legacy wallets, the pool's fail-closed state and the wallets' dcrd connections.
    func legacyWalletChecks(_ status: WalletPoolStatus) -> [HealthReport.Check] {
        var checks: [HealthReport.Check] = []
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
        return checks
    }

    /// Tells the operator when the database check turns down or answers again (each check result once).
    func databaseChecked(_ result: CachedProbe.Result) async {
        let transition = databaseOutage.withLock { state -> OutageTracker.Transition? in
            guard state.seen != result.checkedAt else { return nil }
            state.seen = result.checkedAt
            return state.tracker.record(ok: result.ok, detail: result.detail, now: result.checkedAt)
        }
        switch transition {
        case .began(_, _, let detail):
            await alerter?.send(.databaseDown(detail, daemon: "hxstakepool"))
        case .ended(_, let duration):
            logger.info("the database answers again (it was unreachable for \(duration))")
            await alerter?.send(.databaseRecovered(daemon: "hxstakepool", outage: duration))
        case nil:
            break
        }
    }

    /// `pool_database_up`, `pool_mail_queue_depth`, `pool_mail_oldest_queued_seconds`, `pool_mail_failing`,
    /// `pool_stakepoold_reachable{host}`, `pool_stakepoold_token_refused{host}` (the refusals are counted by
    /// `StakepooldNotifier.export` as `pool_stakepoold_auth_failures_total`).
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
        registry.gaugeFunction("pool_mail_failing", help: "Queued mails whose last delivery attempt failed.") {
            Double(mail.figures?.failing ?? 0)
        }
        registry.gaugeFunction("pool_stakepoold_reachable", help: "1 when the last call to that stakepoold reached it.",
                               labels: ["host"]) {
            stakepoolds.snapshot.map { (labels: [$0.name], value: $0.reachable == false ? 0 : 1) }
        }
        registry.gaugeFunction("pool_stakepoold_token_refused",
                               help: "1 while the last call to that stakepoold was refused for the token (stakepooldtoken).",
                               labels: ["host"]) {
            stakepoolds.snapshot.map { (labels: [$0.name], value: $0.authFailed ? 1 : 0) }
        }
    }
}
