import HostKit
import PoolKernel
import NotifySMTP
import StorageMySQL
import StorageSQLite
import StakepooldHost
import WalletDcrwallet

/// The plugin settings a loaded config describes, as the plugins themselves read them (the fields the kernel's
/// config carried before plugins owned their options).
extension PoolConfig {
    package var context: PluginContext { pluginContext(logs: LogBackend(level: .off, sinks: [])) }
    package var db: MySQLStoragePlugin.Configuration { get throws { try MySQLStoragePlugin.configuration(context, isSelected: false) } }
    package var sqlitePath: String { SQLiteStoragePlugin.configuration(context).path }
    package var wallets: [RPCEndpointConfiguration] { get throws { try DcrwalletPlugin.walletEndpoints(context) } }
    package var smtp: SMTPNotifier.Configuration { SMTPNotifier.Configuration(values: values) }
}

extension StakepooldConfig {
    package var context: PluginContext { pluginContext(logs: LogBackend(level: .off, sinks: [])) }
    package var db: MySQLStoragePlugin.Configuration { get throws { try MySQLStoragePlugin.configuration(context, isSelected: false) } }
    package var sqlitePath: String { SQLiteStoragePlugin.configuration(context).path }
    package var dcrd: RPCEndpointConfiguration { get throws { try DcrwalletPlugin.endpoint(context, prefix: "dcrd") } }
    package var wallet: RPCEndpointConfiguration { get throws { try DcrwalletPlugin.endpoint(context, prefix: "wallet") } }
}
