/// The vspd front's voting wallets, as its `vspwallet` plugin provides them (the node comes from `vspnode`).
public struct VspWalletSet: Sendable {
    public var wallets: [any VspWalletBackend]
    /// One label per wallet for status pages and logs (dcrwallet: its host).
    public var labels: [String]
    /// Background work the plugin needs (a simulated chain's block timer), run by the host.
    public var services: [any EngineService]
    /// Opens the connections; the host calls it once before using the wallets.
    public var connect: @Sendable () async throws -> Void

    public init(wallets: [any VspWalletBackend], labels: [String], services: [any EngineService] = [],
                connect: @escaping @Sendable () async throws -> Void = {}) {
        self.wallets = wallets
        self.labels = labels
        self.services = services
        self.connect = connect
    }
}
