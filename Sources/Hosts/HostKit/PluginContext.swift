import PoolKernel

/// What a plugin factory gets: the validated config and the process's log backend.
public struct PluginContext: Sendable {
    public var config: PoolConfig
    public var logs: LogBackend

    public init(config: PoolConfig, logs: LogBackend) {
        self.config = config
        self.logs = logs
    }
}

/// The voting wallets (and, when the plugin has one, their node) that a wallet plugin provides.
public struct WalletSet: Sendable {
    public var wallets: [any WalletBackend]
    public var node: (any NodeBackend)?
    /// Background work the plugin needs (a simulated chain's block timer), run by the host.
    public var services: [any EngineService]
    /// Opens the connections (dcrwallet: TLS websockets); the host calls it once before using the wallets.
    public var connect: @Sendable () async throws -> Void
    /// Dials a fresh backend for wallet `index` after its connection was lost (nil: backends recover themselves).
    public var redial: (@Sendable (_ index: Int) async throws -> any WalletBackend)?

    public init(wallets: [any WalletBackend], node: (any NodeBackend)? = nil, services: [any EngineService] = [],
                connect: @escaping @Sendable () async throws -> Void = {},
                redial: (@Sendable (_ index: Int) async throws -> any WalletBackend)? = nil) {
        self.wallets = wallets
        self.node = node
        self.services = services
        self.connect = connect
        self.redial = redial
    }
}
