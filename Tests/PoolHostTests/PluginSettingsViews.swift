import PoolHost
import PoolKernel
import NotifySMTP
import StorageMySQL
import StorageSQLite
import WalletDcrwallet

/// The plugin settings a loaded config describes, as the plugins themselves read them (the fields the kernel's
/// config carried before plugins owned their options).
extension PoolConfig {
    var context: PluginContext { pluginContext(logs: LogBackend(level: .off, sinks: [])) }
    var db: MySQLStoragePlugin.Configuration { get throws { try MySQLStoragePlugin.configuration(context, isSelected: false) } }
    var sqlitePath: String { SQLiteStoragePlugin.configuration(context).path }
    var wallets: [RPCEndpointConfiguration] { get throws { try DcrwalletPlugin.walletEndpoints(context) } }
    var smtp: SMTPNotifier.Configuration { SMTPNotifier.Configuration(values: values) }
}

extension StakepooldConfig {
    var context: PluginContext { pluginContext(logs: LogBackend(level: .off, sinks: [])) }
    var db: MySQLStoragePlugin.Configuration { get throws { try MySQLStoragePlugin.configuration(context, isSelected: false) } }
    var sqlitePath: String { SQLiteStoragePlugin.configuration(context).path }
    var dcrd: RPCEndpointConfiguration { get throws { try DcrwalletPlugin.endpoint(context, prefix: "dcrd") } }
    var wallet: RPCEndpointConfiguration { get throws { try DcrwalletPlugin.endpoint(context, prefix: "wallet") } }
}
