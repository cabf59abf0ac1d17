import NotifyLog
import NotifySMTP
import PoolKernel
import StorageMySQL
import StorageSQLite
import VotePolicies
import WalletDcrwallet

extension PoolPlugins {
    /// Every plugin this package ships, each registered by its own module (name, options, check, factory).
    public static func builtIn() -> PoolPlugins {
        var plugins = PoolPlugins()
        SQLiteStoragePlugin.register(into: &plugins.storage)
        MySQLStoragePlugin.register(into: &plugins.storage)
        SMTPNotifier.register(into: &plugins.mail)
        LogNotifier.register(into: &plugins.mail)
        DcrwalletPlugin.register(into: &plugins)
        SimnetWalletPlugin.register(into: &plugins.wallets)
        VotePolicyPlugins.register(into: &plugins.votePolicies)
        return plugins
    }
}
