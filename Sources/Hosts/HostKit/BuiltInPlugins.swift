import NotifyLog
import NotifySMTP
import PoolKernel
import StorageMySQL
import StorageSQLite
import WalletDcrwallet

extension PoolPlugins {
    /// Every plugin this package ships, registered under its config name.
    public static func builtIn() -> PoolPlugins {
        var plugins = PoolPlugins()
        plugins.storage.register(SQLiteStoragePlugin.name) { context in
            SQLiteStorage(configuration: .init(path: context.config.sqlitePath), logger: context.logs.logger("STOR"))
        }
        plugins.storage.register("mysql") { context in
            MySQLStorage(configuration: .init(context.config.db), logger: context.logs.logger("STOR"))
        }
        plugins.mail.register("smtp") { context in
            try SMTPNotifier(configuration: .init(options: context.config.smtp), logger: context.logs.logger("MAIL"))
        }
        plugins.mail.register("log") { context in
            LogNotifier(configuration: .init(from: context.config.smtp.from), logger: context.logs.logger("MAIL"))
        }
        plugins.wallets.register(SimnetWalletPlugin.name) { SimnetWalletPlugin.make($0) }
        plugins.wallets.register("dcrwallet") { context in try dcrwalletSet(context) }
        return plugins
    }
}

extension MySQLStoragePlugin.Configuration {
    /// The connection the `db*` options describe (web app and stakepoold alike).
    package init(_ db: PoolConfig.Database) {
        self.init(host: db.host, port: db.port, user: db.user, password: db.password, database: db.name, poolSize: db.poolSize,
                  tls: db.tls, tlsCAFile: db.tlsCAFile.isEmpty ? nil : db.tlsCAFile, tlsSkipVerify: db.tlsSkipVerify)
        socket = db.socket
    }
}

/// `wallet=dcrwallet`: one JSON-RPC client per `wallethosts` entry (paired with its user, password and cert),
/// connected by the host at start; a lost connection is redialled by the wallet pool monitor.
func dcrwalletSet(_ context: PluginContext) throws -> WalletSet {
    let config = context.config
    let logger = context.logs.logger("WLLT")
    let make: @Sendable (Int) throws -> DcrwalletBackend = { index in
        let endpoint = config.wallets[index]
        return try DcrwalletBackend(configuration: .init(
            host: endpoint.host, defaultPort: UInt16(config.network.walletRPCPort), user: endpoint.user,
            password: endpoint.password, certificatePath: endpoint.certPath, name: "wallet \(index)"), logger: logger)
    }
    let backends = try config.wallets.indices.map(make)
    return WalletSet(
        wallets: backends,
        connect: {
            // Every wallet is dialled (so `poolctl wallets check` can still show the others); the first failure is thrown.
            var firstError: (any Error)?
            for backend in backends {
                do { try await backend.connect() } catch { firstError = firstError ?? error }
            }
            if let firstError { throw firstError }
        },
        redial: { index in
            let backend = try make(index)
            try await backend.connect()
            return backend
        })
}
