/// The plugin set: one registry per port, for every host. A host is given a set as a value, checks the
/// config's choices and the plugins' options against it at load, and builds each port from it by name.
/// `PoolPlugins.builtIn()` (HostKit) holds every plugin this package ships; an embedding program or a fork
/// adds its own before handing the set to a host:
///
/// ```swift
/// var plugins = PoolPlugins.builtIn()
/// plugins.votePolicies.register("majority") { context in MajorityPolicy(options: context.options) }
/// exit(await StakepooldMain.run(arguments: Array(CommandLine.arguments.dropFirst()), plugins: plugins))
/// ```
/// Each plugin module registers itself (`SQLiteStoragePlugin.register(into: &plugins.storage)`, …): its name,
/// its options (shown by `--help` and the sample config, accepted in the config file), their check and its factory.
public struct PoolPlugins: Sendable {
    /// `storage`: the pool's database (web app, stakepoold, poolctl).
    public var storage = PluginRegistry<any StorageBackend, PluginContext>(
        kind: "storage", option: "storage", help: "Storage plugin")
    /// `mail`: how the web app sends emails; empty chooses the plugin that claims it (else `fallbackName`).
    public var mail = PluginRegistry<any NotificationBackend, PluginContext>(
        kind: "mail", option: "mail", help: "Mail plugin")
    /// `wallet` in the web app: its voting wallets (and their node).
    public var wallets = PluginRegistry<WalletSet, PluginContext>(
        kind: "wallet", option: "wallet", help: "Wallet plugin")
    /// `votepolicy`: how stakepoold decides each vote (the web app checks the name).
    public var votePolicies = VotePolicyRegistry(
        kind: "vote policy", option: "votepolicy", help: "Vote policy plugin")
    /// `wallet` in stakepoold: the one voting wallet the daemon drives.
    public var votingWallet = PluginRegistry<ConnectableBackend<any WalletBackend>, PluginContext>(
        kind: "wallet", option: "wallet", help: "Voting wallet plugin")
    /// `node` in stakepoold: the chain node it follows.
    public var node = PluginRegistry<ConnectableBackend<any NodeBackend>, PluginContext>(
        kind: "node", option: "node", help: "Node plugin")
    /// `vspnode` in the web app: the dcrd (API 8.x, txindex) the vspd front (API v3) drives; connected by the host
    /// (`ConnectableBackend.connect`) before use.
    public var vspNode = PluginRegistry<ConnectableBackend<any VspNodeBackend>, PluginContext>(
        kind: "vsp node", option: "vspnode", help: "Node plugin of the vspd API front")
    /// `vspwallet` in the web app: the vspd front's voting wallets (today's dcrwallet), each ticket voted with its own
    /// choices.
    public var vspWallets = PluginRegistry<VspWalletSet, PluginContext>(
        kind: "vsp wallet", option: "vspwallet", help: "Voting wallet plugin of the vspd API front")

    /// An empty set: no plugin registered, no defaults (`builtIn()` registers the stock plugins and their defaults).
    public init() {}

    /// The registries the web app (and poolctl, reading the same file) chooses from.
    public var webApp: [any PluginSelection] { [storage, mail, wallets, votePolicies, vspNode, vspWallets] }
    /// The registries stakepoold chooses from.
    public var stakepoold: [any PluginSelection] { [storage, node, votingWallet, votePolicies] }
}

extension Array where Element == any PluginSelection {
    /// Every registry's selection option and plugin options, each name once.
    public var optionSpecs: [OptionSpec] { OptionSpec.merged(flatMap(\.optionSpecs)) }

    /// Checks the names the values choose and every plugin's options. `selecting` limits which registries must
    /// have a known choice (the others' plugins check only the values that are set).
    public func check(_ context: PluginContext, selecting: (any PluginSelection) -> Bool = { _ in true }) throws {
        for registry in self {
            try registry.checkOptions(context, selected: selecting(registry) ? registry.selectedName(context.values) : nil)
        }
    }
}
