import Foundation
import HostKit
import PoolKernel
import StakepooldControl
import PoolSystem
import WebHost

/// The assembled web app: plugins built from the config, the engine services over them, and the HTTP
/// server in front. Hosts (the `hxstakepool` executable, tests, an embedding program) assemble one and
/// run it; nothing starts until `run()`.
public final class WebApp: Sendable {
    /// A startup step failed: dcrstakepool's message and exit code (webapp spec §10.1).
    public struct StartupFailure: Error {
        public var message: String
        public var exitCode: Int32
    }

    public let config: PoolConfig
    public let logs: LogBackend
    public let storage: any StorageBackend
    public let mailer: any NotificationBackend
    public let outbox: OutboxDelivery
    public let metrics: MetricsRegistry
    public let server: HTTPServer
    let walletServices: [any EngineService]
    /// Closes the vspd front's node and wallets (nothing when it is off).
    let closeVspFront: @Sendable () async -> Void
    /// The legacy front's wallet pool, registration and sync; nil in vspd-only mode (`apifronts=vspd`).
    public let legacyServices: PoolServices?
    /// The legacy front's services (`legacyServices`); only for an app that serves the legacy API.
    public var services: PoolServices {
        guard let legacyServices else { preconditionFailure("apifronts=vspd: this web app has no legacy wallet services") }
        return legacyServices
    }
    /// The page templates; SIGUSR1 reloads them (a broken set keeps the old one).
    public let templates: TemplateLibrary
    private let group: ServiceGroup

    init(config: PoolConfig, logs: LogBackend, storage: any StorageBackend, mailer: any NotificationBackend,
         outbox: OutboxDelivery, metrics: MetricsRegistry, server: HTTPServer, walletServices: [any EngineService],
         services: PoolServices?, templates: TemplateLibrary, closeVspFront: @escaping @Sendable () async -> Void = {}) {
        self.closeVspFront = closeVspFront
        self.legacyServices = services
        self.templates = templates
        self.config = config
        self.logs = logs
        self.storage = storage
        self.mailer = mailer
        self.outbox = outbox
        self.metrics = metrics
        self.server = server
        self.walletServices = walletServices
        // Start order: background work first, the HTTP server last (so it is the first to stop).
        group = ServiceGroup(services: walletServices + [outbox, server], logger: logs.logger("DCRS"))
    }

    /// Builds every component from the config and brings the pool to a serving state, in dcrstakepool's order
    /// (webapp spec §10.1): storage + migrations (exit 7), wallets connected and their vote version agreed
    /// (exit 3), vote-bits reset and wallet sync (exit 4). Nothing is served until `run()`.
    public static func assemble(config: PoolConfig, plugins: PoolPlugins, logs: LogBackend) async throws -> WebApp {
        let context = config.pluginContext(logs: logs)
        let log = logs.logger("DCRS")
        if let warning = config.insecureCookieWarning { log.warn(warning) }
        let storage = try plugins.storage.make(config.storagePlugin, context)
        do {
            try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try await storage.migrate()
        } catch {
            log.critical("Unable to establish connection to database: \(ConfigLoader.describe(error))")
            await storage.shutdown()
            throw StartupFailure(message: "Failed to open database.", exitCode: ExitCode.database)
        }
        log.info("storage: \(storage.engineName) ready")
        // dcrstakepool's migration step 6: verified users without an API token get one (needs apisecret/baseurl).
        if config.apiFronts.servesLegacy {
            do {
                try await APITokenBackfill.run(storage: storage, signer: APITokenSigner(secret: config.apiSecret, issuer: config.baseURL),
                                               logger: log)
            } catch {
                log.critical("Select verified users failed: \(ConfigLoader.describe(error))")
            }
        }
        let mailer = try plugins.mail.make(config.mailPlugin, context)
        log.info("mail: \(mailer.name)\(mailer.name == "log" ? " (emails are written to the log)" : "")")
        let metrics = MetricsRegistry()

        // vsponly: the legacy wallet side only with the legacy front; in vspd-only mode the pool has no member (so
        // nothing connects) and serves the pages and gauges that read it as "no legacy wallet".
        let legacy = config.apiFronts.servesLegacy ? try await startLegacyWallets(config: config, plugins: plugins, logs: logs,
                                                                                   storage: storage) : nil
        let pool = legacy?.pool ?? WalletPool(members: [], logger: log)
        let alerter = legacy?.alerter ?? OperatorAlerter(configuration: .init(recipient: config.alertEmail, sender: config.mailFrom),
                                                         storage: storage, logger: log)
        let params = config.netParams
        // The outbox tells the operator when mail keeps failing (that alert waits in this outbox for mail to work).
        let outbox = OutboxDelivery(storage: storage, notifier: mailer, logger: logs.logger("MAIL"), alerter: alerter)

        // HTTP: API v1/v2, /status, /health, /metrics.
        let apiConfiguration = APIConfiguration(network: params.displayName, poolEmail: config.poolEmail,
                                                poolFees: config.poolFees, closePool: config.closePool, version: WebAppMain.version)
        let stats = legacy.map { _ in
            StatsCache(storage: storage, wallets: pool, configuration: apiConfiguration,
                       tipHeight: { try? await pool.bestBlock().height }, logger: logs.logger("CNTL"))
        }
        let voteVersion = try? await legacy?.sync.agreedVoteVersion()
        let agendas = params.agendas(forVoteVersion: voteVersion ?? 0)
        let registrar: any AddressRegistering = legacy?.registration ?? LegacyFrontOff()
        let preferencesChanged: @Sendable (UserId) async -> Void = { await legacy?.votingPreferencesChanged($0, logs: logs) }
        var api: PoolAPI?
        if let legacy, let stats {
            api = PoolAPI(configuration: apiConfiguration, storage: storage,
                          tokens: APITokenSigner(secret: config.apiSecret, issuer: config.baseURL),
                          registrar: legacy.registration, wallets: pool, stats: stats,
                          isValidVoteBits: { VoteBits($0).isValid(for: agendas) },
                          votingPreferencesChanged: preferencesChanged, logger: logs.logger("CNTL"))
        }
        let pages: Pages
        let templates: TemplateLibrary
        do {
            templates = try TemplateLibrary(directory: config.templatePath)
        } catch {
            throw StartupFailure(message: "Failed to load templates: \(ConfigLoader.describe(error))", exitCode: ExitCode.usage)
        }
        let renderer = EmailRenderer(configuration: .init(baseURL: config.baseURL, from: config.mailFrom,
                                                          templateDirectory: config.values.string("emailtemplates")),
                                     logger: logs.logger("MAIL"))
        let accounts = AccountService(configuration: .init(closePool: config.closePool, voteVersion: voteVersion ?? 0,
                                                           bcryptCost: config.bcryptCost,
                                                           passwordPolicy: PasswordPolicy(minimumLength: config.minPasswordLength)),
                                      storage: storage, renderer: renderer,
                                      tokens: APITokenSigner(secret: config.apiSecret, issuer: config.baseURL),
                                      wakeOutbox: { outbox.wake() }, logger: logs.logger("CNTL"))
        let recaptchaSecret = config.values.string("recaptchasecret"), recaptchaSiteKey = config.values.string("recaptchasitekey")
        let captcha: CaptchaMode = recaptchaSecret.isEmpty || recaptchaSiteKey.isEmpty ? .builtIn
            : RecaptchaVerifier(secret: recaptchaSecret, logger: logs.logger("CNTL")).mode(siteKey: recaptchaSiteKey)
        var pagesConfiguration = PagesConfiguration(
                          network: params.displayName, shortNetwork: config.network.shortName,
                          poolEmail: config.poolEmail, poolFees: config.poolFees, poolLink: config.poolLink,
                          closePool: config.closePool, closePoolMessage: config.closePoolMessage,
                          smtpDisabled: config.mailPlugin == "log", maxVotedAge: Int64(config.maxVotedAge),
                          cookieSecret: config.cookieSecret, cookieSecure: config.cookieSecure, publicPath: config.publicPath,
                          adminIPs: config.adminIPs, voteVersion: voteVersion ?? 0, agendas: agendas,
                          maintenance: config.values.bool("maintenance"),
                          revealCaptchaForTests: config.values.bool("captchatesthook"),
                          addressIDs: params.addressIDs, minPasswordLength: config.minPasswordLength)
        pagesConfiguration.explorerURL = config.explorerURL
        pagesConfiguration.ticketMaturity = Int64(params.tickets.maturity)
        pagesConfiguration.lowFeeDirectory = config.dataDir  // where stakepoold writes lowfeetickets.json
        pagesConfiguration.showsVspTickets = config.apiFronts.servesVspd  // vspviews
        // vspfront: the vspd API v3 front when `apifronts` asks for it.
        let vspFront = config.apiFronts.servesVspd
            ? try await VspFront.assemble(config: config, plugins: plugins, context: context, storage: storage, metrics: metrics,
                                          logs: logs) : nil
        if let vspFront, legacy == nil {  // vsponly: the home and stats pages are the VSP's
            pagesConfiguration.vspOnly = PagesConfiguration.VspOnly(feePercent: config.vspFeePercent.percent, closed: config.vspClosed,
                                                                    closedMessage: config.vspClosedMessage,
                                                                    publicKey: vspFront.publicKey)
        }
        // dash22: the dashboard's pool-wide missed and expired tickets, swept from the wallets when it is opened.
        let unvotedTickets = legacy.map { _ in UnvotedTicketsSweep(storage: storage, tickets: pool, logger: logs.logger("CNTL")) }
        pages = Pages(configuration: pagesConfiguration,
                      storage: storage, templates: templates, accounts: accounts, registrar: registrar,
                      wallets: pool, tickets: pool, stats: stats, captcha: captcha,
                      userChanged: preferencesChanged, logger: logs.logger("CNTL"),
                      unvotedTickets: unvotedTickets)
        // /health and the dependency gauges (database, mail queue, stakepoold) from cached state, plus the vspd
        // front's node and wallets whenever that front is served (in vspd-only mode instead of the absent legacy ones).
        let stakepooldReachability = legacy?.stakepooldReachability ?? PeerReachability(names: [])
        let health = WebAppHealth(pool: legacy == nil ? nil : pool, storage: storage, mailPlugin: config.mailPlugin,
                                  stakepoolds: stakepooldReachability,
                                  pingStakepoolds: { [clients = legacy?.stakepoolds ?? []] in
                                      await ControlClient.pingAll(clients, into: stakepooldReachability) },
                                  alerter: alerter, logger: logs.logger("SYTM"),
                                  vspChecks: vspFront?.healthChecks)
        health.register(in: metrics)
        // The admin gate: adminips, and with adminuserids the user signed in on the session cookie.
        let guardian = AdminGuard(adminIPs: config.adminIPs, adminUserIDs: config.adminUserIDs, logger: logs.logger("SYTM"),
                                  currentUser: pages.signedInUser)
        // The storage plugin's automatic online backups (SQLite), downloadable at /admin/backup.
        let backupable = storage as? any OnlineBackupCapable
        let backupSchedule = backupable?.onlineBackupSchedule
        // /status also shows what /metrics knows: stakepoold pushes and refusals, the proxy warning, open incidents.
        let serverBox = LockedValue<HTTPServer?>(nil)
        let statusExtras: StatusPage.Extras = { [notifier = legacy?.stakepooldNotifier] in
            StatusExtras(stakepoolds: notifier?.statusRows ?? [],
                         warnings: serverBox.value?.forwardedHeaderIgnored == true ? [StatusExtras.forwardedHeaderWarning] : [],
                         incidents: alerter.openIncidentDetails)
        }
        // vsponly: /status shows the legacy wallets, so a vspd-only app has none (/health and /admin cover it).
        let router = WebStack.router(vspAPI: vspFront?.api, api: api, status: legacy == nil ? nil : StatusPage(wallets: pool, render: pages.statusRenderer,
                                                                  extras: statusExtras),
                                     adminGuard: guardian, metrics: metrics, metricsOnMainListener: config.metricsListen == nil,
                                     rateLimiter: WebStack.rateLimiter(rate: config.rateLimit, burst: config.rateLimitBurst),
                                     pages: pages.routes + [BackupDownloadRoute.route(schedule: backupSchedule, adminGuard: guardian)]
                                        + pages.adminRoutes(adminGuard: guardian),  // /admin
                                     health: { await health.report() },
                                     notFound: pages.notFoundPage)
        let listen: ListenAddress
        do {
            listen = try ListenAddress(parsing: config.values.string("listen"))
        } catch {
            throw StartupFailure(message: ConfigLoader.describe(error), exitCode: ExitCode.listen)
        }
        let server = HTTPServer(configuration: WebStack.serverConfiguration(
            listen: listen, realIPHeader: config.realIPHeader, trustedProxies: config.trustedProxies,
            maxBodyBytes: config.maxBodyBytes, maxConnections: config.maxConnections,
            maxConnectionsPerIP: config.maxConnectionsPerIP), responder: router, logger: logs.logger("SYTM"),
            metrics: HTTPServerMetrics(registry: metrics))
        serverBox.withLock { $0 = server }
        // Wallet pool, users, tickets and votes on /metrics (storage read in the background, never per scrape).
        let poolMetrics = PoolMetrics(registry: metrics, pool: pool, stats: stats, storage: storage,
                                      logger: logs.logger("SYTM"))
        legacy?.stakepooldNotifier.export(to: metrics)
        var background: [any EngineService] = (legacy?.walletSet.services ?? []) + (vspFront?.services ?? [])
        if let legacy, let stats { background += [legacy.monitor, legacy.stakepooldNotifier, stats] }
        background += [poolMetrics, health]
        if let unvotedTickets { background.append(unvotedTickets) }
        background.append(SessionPurger(storage: storage, logger: logs.logger("CNTL")))
        // First in the list, so it stops last: its shutdown backup sees every other service's last write.
        if let backupable, let backupSchedule {
            background.insert(OnlineBackupService(storage: backupable, schedule: backupSchedule, logger: logs.logger("STOR"),
                                                  metrics: metrics), at: 0)
        }
        if legacy != nil {
            // Closed accounts' email addresses are erased once none of their tickets can still vote.
            let ticketParams = params.tickets
            background.append(ClosedAccountEraser(storage: storage, tickets: pool,
                                                  votingWindow: Int64(ticketParams.maturity + ticketParams.expiry),
                                                  logger: logs.logger("CNTL")))
            // The hourly history the dashboard and stats page chart (one row per hour across web hosts).
            background.append(PoolHistorySampler(storage: storage, wallets: pool, poolFees: config.poolFees,
                                                 logger: logs.logger("CNTL")))
        }
        // The web app owns the outbox, so it purges finished mail (stakepoold purges the vote audit).
        background.append(RetentionPurge(storage: storage, policy: .init(mailDays: config.mailRetentionDays, voteAuditDays: nil,
                                                                                      historyDays: config.historyRetentionDays),
                                         logger: logs.logger("MAIL")))
        if let metricsListen = config.metricsListen, let address = try? ListenAddress(parsing: metricsListen) {
            background.append(HTTPServer(configuration: HTTPServerConfiguration(listen: address, name: "metrics"),
                                         responder: WebStack.metricsRouter(metrics, health: { await health.report() }), logger: logs.logger("SYTM")))
        }
        return WebApp(config: config, logs: logs, storage: storage, mailer: mailer, outbox: outbox, metrics: metrics,
                      server: server, walletServices: background, services: legacy, templates: templates,
                      closeVspFront: { await vspFront?.close() })
    }

    /// The legacy front's wallets: connected, their vote version agreed (exit 3), vote bits reset and synced (exit 4),
    /// and stakepoold told to reload.
    private static func startLegacyWallets(config: PoolConfig, plugins: PoolPlugins, logs: LogBackend,
                                           storage: any StorageBackend) async throws -> PoolServices {
        let log = logs.logger("DCRS")
        let services: PoolServices
        do {
            services = try PoolServices.make(config: config, plugins: plugins, logs: logs, storage: storage)
            try await services.walletSet.connect()
        } catch let error as ConfigError {
            throw error
        } catch {
            throw StartupFailure(message: "Fatal error in controller init: RPC server connection failure on start \(ConfigLoader.describe(error))",
                                 exitCode: ExitCode.controllerInit)
        }
        do {
            let report = try await services.sync.run(agendas: { services.agendas($0) })
            log.info("wallet sync done: \(report)")
            FreedMemory.release()  // the sync's replies are gone; do not stay at their peak
        } catch {
            throw StartupFailure(message: "Failed to sync the wallets: \(ConfigLoader.describe(error))", exitCode: ExitCode.walletSync)
        }
        if !services.stakepoolds.isEmpty { services.stakepooldNotifier.notify(userId: 0) }
        return services
    }

    /// Binds the listener now (so a bad `listen` fails before anything runs) and returns the address.
    public func bind() throws -> ListenAddress {
        do {
            return try server.start()
        } catch {
            throw StartupFailure(message: ConfigLoader.describe(error), exitCode: ExitCode.listen)
        }
    }

    /// Runs every service until `shutdown()`; then stops them in reverse order.
    public func run() async throws {
        do {
            try await group.run()
        } catch {
            await close()
            throw error
        }
        await close()
    }

    public func shutdown() { group.shutdown() }

    private func close() async {
        for wallet in legacyServices?.walletSet.wallets ?? [] { await wallet.close() }
        await closeVspFront()
        await mailer.shutdown()
        await storage.shutdown()
    }

    /// The executable's loop: binds, logs the address, routes SIGINT/SIGTERM to a graceful stop and SIGUSR1 to a
    /// template reload. SIGHUP (log reopening) is the caller's: `WebAppMain` routes it from its first log line on
    /// (a Dispatch signal source cancelled and made again for the same signal is not delivered to on Linux).
    public func runUntilSignalled() async -> Int32 {
        let log = logs.logger("DCRS")
        let address: ListenAddress
        do {
            address = try bind()
        } catch let failure as StartupFailure {
            log.critical(failure.message)
            return failure.exitCode
        } catch {
            return ExitCode.listen
        }
        // Signals are routed before "listening on" is logged: whoever waits for that line may signal at once.
        let signals = SignalRouter()
        defer { signals.cancelAll() }
        signals.on(SIGUSR1) { [templates] in
            log.info("Received: user defined signal 1")
            do {
                try templates.reload()
                log.info("LoadTemplates() executed.")
            } catch {
                log.error("template reload failed, keeping the previous templates: \(ConfigLoader.describe(error))")
            }
        }
        for signal in [SIGINT, SIGTERM] {
            signals.on(signal) { [self] in
                log.info("received \(signal == SIGINT ? "SIGINT" : "SIGTERM"), shutting down")
                shutdown()
            }
        }
        log.info("listening on \(address)")
        do {
            try await run()
            log.info("stopped")
            return ExitCode.ok
        } catch {
            log.critical("serve failed: \(ConfigLoader.describe(error))")
            return ExitCode.serve
        }
    }
}
