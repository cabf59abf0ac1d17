import PoolKernel
import PoolNet

/// The vspd front's `dcrd` node plugin (`vspnode`) and `dcrwallet` voting-wallet plugin (`vspwallet`): JSON-RPC over
/// TLS websockets to dcrd API 8.x and dcrwallet API 11.x. Their options carry a `vsp` prefix, so a pool can run the
/// legacy `wallethosts`/`dcrdhost` daemons beside today's.
public enum VspRPCPlugin {
    public static let nodeName = "dcrd"
    public static let walletName = "dcrwallet"

    public static let nodeOptions: [OptionSpec] = [
        OptionSpec("vspdcrdhost", .string, help: "host[:port] of the dcrd (JSON-RPC API 8.x, run with --txindex) of the vspd front (required with vspnode=dcrd)"),
        OptionSpec("vspdcrduser", .string, help: "RPC user name of the vspd front's dcrd"),
        OptionSpec("vspdcrdpassword", .string, secret: true, help: "RPC password of the vspd front's dcrd"),
        OptionSpec("vspdcrdcert", .string, help: "Certificate path of the vspd front's dcrd RPC server"),
    ]
    public static let walletOptions: [OptionSpec] = [
        OptionSpec("vspwallethosts", .list, help: "Comma-separated host[:port] of the vspd front's voting dcrwallets (JSON-RPC API 11.x; required with vspwallet=dcrwallet)"),
        OptionSpec("vspwalletusers", .list, help: "Comma-separated RPC user names of the vspd front's wallets, same order"),
        OptionSpec("vspwalletpasswords", .list, secret: true, help: "Comma-separated RPC passwords of the vspd front's wallets, same order"),
        OptionSpec("vspwalletcerts", .list, help: "Comma-separated RPC certificate paths of the vspd front's wallets, same order"),
    ]

    /// Registers `dcrd` in `vspNode` and `dcrwallet` in `vspWallets`.
    public static func register(into plugins: inout PoolPlugins) {
        plugins.vspNode.register(nodeName, options: nodeOptions, check: { context, isSelected in
            try checkHosts(context, "vspdcrdhost", defaultPort: context.network.dcrdRPCPort)
            if isSelected { _ = try nodeEndpoint(context) }
        }) { context in try node(context) }
        plugins.vspWallets.register(walletName, options: walletOptions, check: { context, isSelected in
            try checkHosts(context, "vspwallethosts", defaultPort: context.network.walletRPCPort)
            if isSelected { _ = try walletEndpoints(context) }
        }) { context in try walletSet(context) }
    }

    // MARK: - Endpoints from the options

    /// `vspdcrdhost`, `vspdcrduser`, `vspdcrdpassword`, `vspdcrdcert`, all required; the connection is redialled for
    /// ever and `notifyblocks` re-registered.
    public static func nodeEndpoint(_ context: PluginContext) throws -> JSONRPCClientConfiguration {
        let v = context.values
        let port = context.network.dcrdRPCPort
        let host = PoolKernel.HostPort.normalize(try OptionChecks.required(v, "vspdcrdhost"), defaultPort: port)
        let user = try OptionChecks.required(v, "vspdcrduser")
        let password = try OptionChecks.required(v, "vspdcrdpassword")
        let cert = try OptionChecks.resolveFile(try OptionChecks.required(v, "vspdcrdcert"), home: context.homeDir,
                                                option: "vspdcrdcert", fileExists: context.fileExists)
        return try endpoint(host: host, option: "vspdcrdhost", context: context, defaultPort: port, user: user,
                            password: password, cert: cert, name: "vsp dcrd")
    }

    /// One endpoint per `vspwallethosts` entry (default port added, duplicates removed), paired by index with its
    /// user, password and certificate; at least one wallet.
    public static func walletEndpoints(_ context: PluginContext) throws -> [JSONRPCClientConfiguration] {
        let v = context.values
        for name in ["vspwallethosts", "vspwalletusers", "vspwalletpasswords", "vspwalletcerts"] where v.list(name).isEmpty {
            throw ConfigError(.missingOption, "\(name) is not set in config")
        }
        let port = context.network.walletRPCPort
        let hosts = PoolKernel.HostPort.deduplicate(v.list("vspwallethosts").map { PoolKernel.HostPort.normalize($0, defaultPort: port) })
        for name in ["vspwalletusers", "vspwalletpasswords", "vspwalletcerts"] where v.list(name).count != hosts.count {
            throw ConfigError(.badValue, OptionChecks.prefix(v.source(name))
                + "vsp wallet configuration mismatch (\(name) has \(v.list(name).count) entries, vspwallethosts \(hosts.count))")
        }
        return try hosts.enumerated().map { index, host in
            let cert = try OptionChecks.resolveFile(v.list("vspwalletcerts")[index], home: context.homeDir,
                                                    option: "vspwalletcerts", fileExists: context.fileExists)
            return try endpoint(host: host, option: "vspwallethosts", context: context, defaultPort: port,
                                user: v.list("vspwalletusers")[index], password: v.list("vspwalletpasswords")[index],
                                cert: cert, name: "vsp wallet \(index)")
        }
    }

    private static func endpoint(host: String, option: String, context: PluginContext, defaultPort: Int, user: String,
                                 password: String, cert: String, name: String) throws -> JSONRPCClientConfiguration {
        guard let address = try? PoolNet.HostPort(parsing: host, defaultPort: UInt16(defaultPort)) else {
            throw badHost(context, option, host)
        }
        return JSONRPCClientConfiguration(address: address, tls: TLSClientConfiguration(trust: .certificateFile(cert)),
                                          user: user, password: password, reconnect: ReconnectPolicy(), name: name)
    }

    /// Every host set in `option` must be `host` or `host:port` (checked whether or not the plugin is chosen).
    static func checkHosts(_ context: PluginContext, _ option: String, defaultPort: Int) throws {
        let v = context.values
        let hosts = v.list(option)
        for host in hosts where !OptionChecks.isHostPort(PoolKernel.HostPort.normalize(host, defaultPort: defaultPort)) {
            throw badHost(context, option, host)
        }
    }

    private static func badHost(_ context: PluginContext, _ option: String, _ host: String) -> ConfigError {
        ConfigError(.badValue, OptionChecks.prefix(context.values.source(option)) + "\(option) entry \"\(host)\" is not host or host:port")
    }

    // MARK: - Factories

    /// The node, connected and checked (§8.2: API 8.3+, network, txindex) by the host's `connect`, and checked again
    /// on every reconnection.
    static func node(_ context: PluginContext) throws -> ConnectableBackend<any VspNodeBackend> {
        let configuration = try nodeEndpoint(context)
        let backend = try VspDcrdBackend(configuration: configuration, logger: context.logs.logger("VSPN"))
        let label = configuration.address.description
        let network = context.params
        return ConnectableBackend(backend, label: label) { try await backend.connect(label: label, network: network) }
    }

    /// The wallets; `connect` dials and checks every one (§8.2: API 11.0+, not SPV, network) and throws the first
    /// failure after trying them all: a wallet that fails the checks is closed for good, one that cannot be reached
    /// is dialled again in the background.
    static func walletSet(_ context: PluginContext) throws -> VspWalletSet {
        let endpoints = try walletEndpoints(context)
        let logger = context.logs.logger("VSPW")
        let backends = try endpoints.map { try VspDcrwalletBackend(configuration: $0, logger: logger) }
        let labels = endpoints.map(\.address.description)
        let network = context.params
        return VspWalletSet(wallets: backends, labels: labels) {
            var firstError: (any Error)?
            for (backend, label) in zip(backends, labels) {
                do { try await backend.connect(label: label, network: network) } catch { firstError = firstError ?? error }
            }
            if let firstError { throw firstError }
        }
    }
}
