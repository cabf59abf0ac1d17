import Foundation
import HostKit
import PoolKernel
import PoolNet
import PoolSystem
import StakepooldControl
import Synchronization
import VotePolicies
import WebHost

/// The stakepoold program (stakepoold.md §3 start-up, §10 shutdown). `Sources/Hosts/stakepoold/main.swift`
/// only calls `run`; a fork's daemon calls it with its own plugin set (`PoolPlugins.builtIn()` plus its policy).
public enum StakepooldMain {
    public static let version = PoolVersion.string

    /// Runs the daemon until SIGINT/SIGTERM; returns the exit code (0 after a clean stop, 2 for a configuration
    /// mistake, as the web app, 1 on another start-up failure).
    /// Storage, voting wallet, node and vote policy are built from `plugins` by the names the config chooses.
    public static func run(arguments: [String], plugins: PoolPlugins = .builtIn(), output: HostOutput = .standard,
                           home: String = StakepooldConfig.defaultHome()) async -> Int32 {
        let loaded: (config: StakepooldConfig?, result: ConfigLoader.Result)
        do {
            loaded = try StakepooldConfig.load(arguments: arguments, home: home, plugins: plugins)
        } catch {
            output.err("stakepoold: \(ConfigLoader.describe(error))\nUse stakepoold -h to show usage")
            return ExitCode.usage
        }
        if loaded.result.helpRequested { output.out(StakepooldConfig.loader(home: home, plugins: plugins).usage()); return ExitCode.ok }
        if loaded.result.versionRequested { output.out("stakepoold version \(version)"); return ExitCode.ok }
        if loaded.result.showSubsystemsRequested {
            output.out(LogSubsystem.listing(StakepooldConfig.subsystems))
            return ExitCode.ok
        }
        guard let config = loaded.config else { return ExitCode.usage }
        let backend: LogBackend
        do {
            backend = try HostLogging.makeBackend(logDir: config.logDir, fileName: "stakepoold.log",
                                                  debugLevel: config.debugLevel, secrets: config.secrets)
        } catch {
            output.err("stakepoold: \(ConfigLoader.describe(error))")
            return ExitCode.usage
        }
        let logger = backend.logger("STPK")
        let hangup = HostLogging.reopenOnHangup(backend, logger: logger)
        defer { hangup.cancelAll() }
        do {
            return try await start(config, plugins: plugins, logs: backend)
        } catch {
            logger.critical(ConfigLoader.describe(error))
            output.err("stakepoold: \(ConfigLoader.describe(error))")
            return error is ConfigError ? ExitCode.usage : ExitCode.failure
        }
    }

    static func start(_ config: StakepooldConfig, plugins: PoolPlugins, logs: LogBackend) async throws -> Int32 {
        let logger = logs.logger("STPK")
        logger.info("Version \(version)")
        logger.info("Network: \(config.network.name)")
        logger.info("Home dir: \(config.home)")
        if let warning = config.missingConfigFileWarning { logger.warn(warning) }
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let netParams = config.netParams

        // The control API binds first: one that cannot listen is a configuration error, found before the slow steps.
        let reloadRequests = Mutex<(@Sendable () -> Void)?>(nil)
        // /health on the control listener (no token): the wallet watch's report once it exists, "down" before.
        let healthReport = Mutex<(@Sendable () -> HealthReport)?>(nil)
        var control: ControlServer?
        if !config.noRPCListen {
            // Port 0 lets the system pick one; the bound address is logged ("control API listening on …").
            let listen = try config.rpcListen.map { text in
                guard let (host, port) = PoolKernel.HostPort.split(text) else {
                    throw ConfigError(.badValue, "rpclisten \(text) is not host:port")
                }
                return PoolNet.HostPort(host: host, port: UInt16(port))
            }
            let server = ControlServer(
                configuration: ControlServer.Configuration(listen: listen, certificateFile: config.rpcCert,
                                                           privateKeyFile: config.rpcKey,
                                                           authToken: config.controlToken,
                                                           health: { healthReport.withLock { $0 }?() ?? HealthReport(checks: [], status: .down) }),
                logger: logger.with(subsystem: "CTRL")) { _ in reloadRequests.withLock { $0 }?() }
            do {
                try server.bind()
            } catch {
                // Unlike stakepoold.md §11.1: without its control API the web app's preference pushes would stop
                // silently, so a control API that cannot listen is a configuration error (exit 2).
                throw ConfigError(.badValue, ControlServer.reason(error))
            }
            control = server
        }

        // Fee addresses: cold wallet xpub, external branch, children 0…9999 (stakepoold.md §3 step 3).
        logger.info("Please wait, deriving 10000 stake pool fees addresses for extended public key \(config.coldWalletExtPub)")
        let branch = try ExtendedPublicKey(parsing: config.coldWalletExtPub, network: netParams).child(0)
        var feeAddresses = Set<String>()
        for index in 0..<UInt32(10_000) {
            feeAddresses.insert(try branch.child(index).p2pkhAddress(network: netParams).encoded)
        }
        let isFeeAddress: @Sendable (String) -> Bool = { [feeAddresses] in feeAddresses.contains($0) }

        // Storage (the web app's database), voting wallet, node and vote policy: the plugins the config names.
        let context = config.pluginContext(logs: logs)
        let storage = try plugins.storage.make(config.storagePlugin, context)
        // No migrate here: the engine's database link tries it and starts without the database if it must.
        let walletPort = try plugins.votingWallet.make(config.walletPlugin, context)
        let nodePort = try plugins.node.make(config.nodePlugin, context)
        let wallet = walletPort.backend, node = nodePort.backend
        try await walletPort.connect()
        try await nodePort.connect()
        guard try await wallet.hasCompatibleAPI() else {
            throw ControlError(.controlIncompatible, "\(config.walletPlugin) does not advertise dcrwalletjsonrpcapi 4.1.0")
        }
        guard try await node.hasCompatibleAPI() else {
            throw ControlError(.controlIncompatible, "\(config.nodePlugin) does not advertise dcrdjsonrpcapi 3.1.0")
        }
        let magic = try await node.currentNet()
        logger.info("Connected to \(config.nodePlugin) on network 0x\(String(magic, radix: 16))")
        if magic != netParams.netMagic {
            logger.warn("\(config.nodePlugin)'s network 0x\(String(magic, radix: 16)) is not \(netParams.name) (0x\(String(netParams.netMagic, radix: 16)))")
        }

        let policy = try plugins.votePolicies.make(
            config.votePolicy, VotePolicyContext(options: config.votePolicyOptions, logger: logger))
        var settings = StakepooldEngine.Settings(dataDirectory: config.dataDir)
        settings.poolFeePercent = config.poolFees
        settings.subsidy = PoolTicketFee.SubsidyParams(network: netParams)
        settings.isFeeAddress = isFeeAddress
        settings.prefsReloadInterval = config.noRPCListen ? .seconds(240) : nil
        var missed = MissedVoteNotifier.Settings(daemonName: "stakepoold (wallet \(walletPort.label))")
        missed.operatorEmail = config.alertEmail
        missed.sender = config.alertFrom
        missed.mailOwners = config.missedVoteMail
        settings.missedVotes = missed
        settings.alerter = OperatorAlerter(configuration: .init(recipient: config.alertEmail, sender: config.alertFrom),
                                           storage: storage, logger: logger)
        let engine = try await StakepooldEngine.start(
            wallet: wallet, node: node, storage: storage, policy: policy,
            agendas: { netParams.agendas(forVoteVersion: $0) }, settings: settings, logger: logger)
        if let poolDefault = policy as? PoolDefaultPolicy {
            for problem in poolDefault.problems(under: engine.rules) { logger.warn("votepolicyoptions: \(problem)") }
        }

        reloadRequests.withLock { $0 = { [reloader = engine.reloader] in reloader.requestReload() } }
        var services = engine.services
        // stakepoold writes the vote audit, so it purges it (the web app purges the outbox).
        services.append(RetentionPurge(storage: storage,
                                       policy: .init(mailDays: nil, voteAuditDays: config.voteAuditRetentionDays),
                                       logger: logger.with(subsystem: "STOR")))
        let watch = StakepooldWalletWatch(wallet: wallet, node: node, storage: storage, autoRecover: config.walletAutoRecover,
                                          trackedTickets: { [tracker = engine.tracker] in tracker.snapshot.ticketHashes },
                                          logger: logger.with(subsystem: "STPK"))   // health
        services.append(watch)
        healthReport.withLock { $0 = { watch.report() } }
        if let metricsListen = config.metricsListen {
            // A busy metrics address is fatal: the operator asked for monitoring (the syntax was checked with the config).
            guard let address = try StakepooldMetrics.listenAddress(metricsListen) else {
                throw ConfigError(.badValue, "invalid metricslisten \(metricsListen)")
            }
            let registry = MetricsRegistry()
            StakepooldMetrics.register(engine, in: registry, watch: watch)
            let server = StakepooldMetrics.server(listen: address, registry: registry, watch: watch, logger: logger.with(subsystem: "STPK"))
            _ = try server.start()
            services.append(server)
        }
        if let control { services.append(control) }
        if config.noRPCListen { engine.reloader.requestReload() }

        let group = ServiceGroup(services: services, logger: logger)
        let signals = SignalRouter()
        signals.on(SIGINT) {
            logger.info("CTRL+C hit.  Closing goroutines.")
            group.shutdown()
        }
        signals.on(SIGTERM) { group.shutdown() }
        defer { signals.cancelAll() }
        try await group.run()
        // stakepoold.md §10 saves on SIGINT only; any clean stop (SIGINT or SIGTERM) saves here.
        engine.saveCache()
        await wallet.close()
        await node.close()
        await storage.shutdown()
        logger.info("stakepoold stopped")
        return 0
    }
}
