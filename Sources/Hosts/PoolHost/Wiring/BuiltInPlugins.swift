import NotifyLog
import PoolKernel
import StorageSQLite

extension PoolPlugins {
    /// Every plugin this package ships, registered under its config name.
    public static func builtIn() -> PoolPlugins {
        var plugins = PoolPlugins()
        plugins.storage.register(SQLiteStoragePlugin.name) { context in
            SQLiteStorage(configuration: .init(path: context.config.sqlitePath), logger: context.logs.logger("STOR"))
        }
        plugins.mail.register("log") { context in
            LogNotifier(configuration: .init(from: context.config.smtp.from), logger: context.logs.logger("MAIL"))
        }
        plugins.wallets.register(SimnetWalletPlugin.name) { SimnetWalletPlugin.make($0) }
        return plugins
    }
}
