import NotifyLog
import NotifySMTP
import PoolKernel
import StorageMySQL
import StorageSQLite
import VotePolicies
import VspRPC
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
        VspRPCPlugin.register(into: &plugins) // vspplugins: the vspd front's dcrd and dcrwallet
        // dcrstakepool's defaults: SQLite here (no database server needed), dcrwallet and dcrd, the owner's choices,
        // and mail to the log unless a plugin claims it (smtp when smtphost is set).
        plugins.storage.defaultName = SQLiteStoragePlugin.name
        plugins.wallets.defaultName = DcrwalletPlugin.name
        plugins.votingWallet.defaultName = DcrwalletPlugin.name
        plugins.node.defaultName = DcrwalletPlugin.nodeName
        plugins.votePolicies.defaultName = VotePolicyPlugins.defaultName
        plugins.mail.fallbackName = LogNotifier.pluginName
        plugins.vspNode.defaultName = VspRPCPlugin.nodeName // vspplugins
        plugins.vspWallets.defaultName = VspRPCPlugin.walletName // vspplugins
        return plugins
    }
}
