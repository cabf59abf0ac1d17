import Foundation
import PoolKernel
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
    private let group: ServiceGroup

    init(config: PoolConfig, logs: LogBackend, storage: any StorageBackend, mailer: any NotificationBackend,
         outbox: OutboxDelivery, metrics: MetricsRegistry, server: HTTPServer, walletServices: [any EngineService]) {
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

    /// Builds every component from the config. Opens the database and migrates it (exit 7 on failure).
    public static func assemble(config: PoolConfig, plugins: PoolPlugins, logs: LogBackend) async throws -> WebApp {
        let context = PluginContext(config: config, logs: logs)
        let log = logs.logger("DCRS")
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
        let mailer = try plugins.mail.make(config.mailPlugin, context)
        log.info("mail: \(mailer.name)\(mailer.name == "log" ? " (emails are written to the log)" : "")")
        let outbox = OutboxDelivery(storage: storage, notifier: mailer, logger: logs.logger("MAIL"))
        let metrics = MetricsRegistry()

        let routes = WebRoutes.operational(config: config, metrics: metrics)
        let router = Router(routes: routes, middleware: [RequestIDMiddleware(), SecurityHeadersMiddleware(),
                                                          RequestMetricsMiddleware(registry: metrics)])
        let listen: ListenAddress = switch config.listen {
        case let .tcp(host, port): .tcp(host: host, port: port)
        case let .unix(path): .unix(path: path)
        }
        var limits = HTTPParserLimits()
        limits.maxBodyBytes = config.maxBodyBytes
        let server = HTTPServer(configuration: HTTPServerConfiguration(
            listen: listen, limits: limits, maxConnections: config.maxConnections, realIPHeader: config.realIPHeader,
            trustedProxies: config.trustedProxies), responder: router, logger: logs.logger("SYTM"))
        return WebApp(config: config, logs: logs, storage: storage, mailer: mailer, outbox: outbox, metrics: metrics,
                      server: server, walletServices: [])
    }

    /// Binds the listener now (so a bad `listen` fails before anything runs) and returns the address.
    public func bind() throws -> ListenAddress {
        do {
            return try server.start()
        } catch {
            throw StartupFailure(message: "could not bind \(error)", exitCode: ExitCode.listen)
        }
    }

    /// Runs every service until `shutdown()`; then stops them in reverse order.
    public func run() async throws {
        defer { Task { [storage, mailer] in await mailer.shutdown(); await storage.shutdown() } }
        try await group.run()
    }

    public func shutdown() { group.shutdown() }

    /// The executable's loop: binds, logs the address, routes SIGINT/SIGTERM to a graceful stop.
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
        log.info("listening on \(address)")
        let signals = SignalRouter()
        defer { signals.cancelAll() }
        for signal in [SIGINT, SIGTERM] {
            signals.on(signal) { [self] in
                log.info("received signal \(signal), shutting down")
                shutdown()
            }
        }
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
