import NotifyLog
import NotifySMTP
import PoolKernel
import StorageMySQL
import StorageSQLite

extension PoolPlugins {
    /// Every plugin this package ships, registered under its config name.
    public static func builtIn() -> PoolPlugins {
        var plugins = PoolPlugins()
        plugins.storage.register(SQLiteStoragePlugin.name) { context in
            SQLiteStorage(configuration: .init(path: context.config.sqlitePath), logger: context.logs.logger("STOR"))
        }
        plugins.storage.register("mysql") { context in
            let db = context.config.db
            return MySQLStorage(configuration: .init(host: db.host, port: db.port, user: db.user, password: db.password,
                                                     database: db.name, poolSize: db.poolSize, tls: db.tls),
                                logger: context.logs.logger("STOR"))
        }
        plugins.mail.register("smtp") { context in
            try SMTPNotifier(configuration: .init(options: context.config.smtp), logger: context.logs.logger("MAIL"))
        }
        plugins.mail.register("log") { context in
            LogNotifier(configuration: .init(from: context.config.smtp.from), logger: context.logs.logger("MAIL"))
        }
        plugins.wallets.register(SimnetWalletPlugin.name) { SimnetWalletPlugin.make($0) }
        return plugins
    }
}
