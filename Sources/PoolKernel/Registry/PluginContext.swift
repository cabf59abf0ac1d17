import Foundation

/// What a plugin's option check and factory get: every option's value (with where it came from), the network and
/// its parameters, the host's directories and log backend.
public struct PluginContext: Sendable {
    /// Every option of the host and its plugins, after defaults, the config file and the command line.
    public var values: OptionValues
    public var network: PoolNetwork
    /// The network's parameters (a `chainparams` file's, else the bundled ones of `network`).
    public var params: NetParams
    /// The host's home directory (relative certificate paths are also tried under it).
    public var homeDir: String
    /// The network's data directory (`<datadir>/<network>`).
    public var dataDir: String
    public var logs: LogBackend
    /// Whether a file exists (tests inject a fake).
    public var fileExists: @Sendable (String) -> Bool

    public init(values: OptionValues, network: PoolNetwork, params: NetParams, homeDir: String, dataDir: String,
                logs: LogBackend = LogBackend(level: .off, sinks: []),
                fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) {
        self.values = values
        self.network = network
        self.params = params
        self.homeDir = homeDir
        self.dataDir = dataDir
        self.logs = logs
        self.fileExists = fileExists
    }
}

/// The voting wallets (and, when the plugin has one, their node) that a web app wallet plugin provides.
public struct WalletSet: Sendable {
    public var wallets: [any WalletBackend]
    /// One label per wallet for status pages and logs (dcrwallet: its host); nil: "<plugin> wallet <index>".
    public var labels: [String]?
    public var node: (any NodeBackend)?
    /// Background work the plugin needs (a simulated chain's block timer), run by the host.
    public var services: [any EngineService]
    /// Opens the connections (dcrwallet: TLS websockets); the host calls it once before using the wallets.
    public var connect: @Sendable () async throws -> Void
    /// Dials a fresh backend for wallet `index` after its connection was lost (nil: backends recover themselves).
    public var redial: (@Sendable (_ index: Int) async throws -> any WalletBackend)?

    public init(wallets: [any WalletBackend], labels: [String]? = nil, node: (any NodeBackend)? = nil,
                services: [any EngineService] = [],
                connect: @escaping @Sendable () async throws -> Void = {},
                redial: (@Sendable (_ index: Int) async throws -> any WalletBackend)? = nil) {
        self.wallets = wallets
        self.labels = labels
        self.node = node
        self.services = services
        self.connect = connect
        self.redial = redial
    }
}

/// A backend a plugin built and how to open it (stakepoold's voting wallet and node): the host calls `connect`
/// once before using `backend`.
public struct ConnectableBackend<Backend: Sendable>: Sendable {
    public var backend: Backend
    /// What the backend is for messages (dcrwallet: its `host:port`).
    public var label: String
    public var connect: @Sendable () async throws -> Void

    public init(_ backend: Backend, label: String, connect: @escaping @Sendable () async throws -> Void = {}) {
        self.backend = backend
        self.label = label
        self.connect = connect
    }
}
