import PoolKernel

/// The plugin registries a host chooses from, one per port. `builtIn()` holds every plugin this
/// package ships; an embedding program (or a fork) registers more before building.
///
/// ```swift
/// var plugins = PoolPlugins.builtIn()
/// plugins.votePolicies.register("majority") { _ in MajorityPolicy() }
/// let storage = try plugins.storage.make(config.storagePlugin, context)
/// ```
public struct PoolPlugins: Sendable {
    public var storage = PluginRegistry<any StorageBackend, PluginContext>(kind: "storage", option: "storage")
    public var mail = PluginRegistry<any NotificationBackend, PluginContext>(kind: "mail", option: "mail")
    public var wallets = PluginRegistry<WalletSet, PluginContext>(kind: "wallet", option: "wallet")

    public init() {}

    /// Checks every plugin name in the config before anything is built, so a typo is reported at once.
    public func validate(_ config: PoolConfig) throws {
        try storage.check(config.storagePlugin)
        try mail.check(config.mailPlugin)
        try wallets.check(config.walletPlugin)
    }
}
