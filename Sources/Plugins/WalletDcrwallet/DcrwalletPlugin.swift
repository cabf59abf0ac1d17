import PoolKernel
import PoolNet

/// The `dcrwallet` wallet plugin (JSON-RPC over TLS websockets) for both hosts, and stakepoold's `dcrd` node
/// plugin: their options (dcrstakepool's and stakepoold's names), checks and factories.
public enum DcrwalletPlugin {
    public static let name = "dcrwallet"
    public static let nodeName = "dcrd"

    /// The web app's wallets: lists paired by index (dcrstakepool).
    public static let walletSetOptions: [OptionSpec] = [
        OptionSpec("wallethosts", .list, help: "Comma-separated dcrwallet RPC hosts (required with wallet=dcrwallet)"),
        OptionSpec("walletusers", .list, help: "Comma-separated dcrwallet RPC user names, same order"),
        OptionSpec("walletpasswords", .list, secret: true, help: "Comma-separated dcrwallet RPC passwords, same order"),
        OptionSpec("walletcerts", .list, help: "Comma-separated dcrwallet RPC certificate paths, same order"),
        WalletMessageSizeOption.spec,
    ]
    /// stakepoold's one voting wallet.
    public static let votingWalletOptions: [OptionSpec] = [
        OptionSpec("wallethost", .string, help: "host[:port] of the dcrwallet RPC server (required)"),
        OptionSpec("walletuser", .string, help: "Username for wallet server"),
        OptionSpec("walletpassword", .string, secret: true, help: "Password for wallet server"),
        OptionSpec("walletcert", .string, help: "Certificate path for wallet server"),
        WalletMessageSizeOption.spec,
    ]
    /// stakepoold's node.
    public static let nodeOptions: [OptionSpec] = [
        OptionSpec("dcrdhost", .string, help: "host[:port] of the dcrd RPC server (required)"),
        OptionSpec("dcrduser", .string, help: "Username for dcrd server"),
        OptionSpec("dcrdpassword", .string, secret: true, help: "Password for dcrd server"),
        OptionSpec("dcrdcert", .string, help: "Certificate path for dcrd server"),
    ]

    /// Registers `dcrwallet` for the web app's wallets and stakepoold's voting wallet, and `dcrd` as stakepoold's node.
    public static func register(into plugins: inout PoolPlugins) {
        plugins.wallets.register(name, options: walletSetOptions, check: { context, isSelected in
            _ = try WalletMessageSizeOption.bytes(context.values)
            if isSelected { _ = try walletEndpoints(context) }
        }) { context in try walletSet(context) }
        plugins.votingWallet.register(name, options: votingWalletOptions, check: endpointCheck(prefix: "wallet")) { context in
            let endpoint = try endpoint(context, prefix: "wallet")
            let backend = try DcrwalletBackend(configuration: endpoint, logger: context.logs.logger("WLLT"))
            return ConnectableBackend(backend, label: endpoint.host) { try await backend.connect() }
        }
        plugins.node.register(nodeName, options: nodeOptions, check: endpointCheck(prefix: "dcrd")) { context in
            let endpoint = try endpoint(context, prefix: "dcrd")
            let backend = try DcrdBackend(configuration: endpoint, logger: context.logs.logger("DCRD"))
            return ConnectableBackend(backend, label: endpoint.host) { try await backend.connect() }
        }
    }

    // MARK: - The web app's wallets

    /// One endpoint per `wallethosts` entry (default port added, duplicates removed), paired with its user,
    /// password and certificate; `minservers` may not exceed their number.
    public static func walletEndpoints(_ context: PluginContext) throws -> [RPCEndpointConfiguration] {
        let v = context.values
        let fail = { (option: String, text: String) in ConfigError(.badValue, OptionChecks.prefix(v.source(option)) + text) }
        for name in ["wallethosts", "walletcerts", "walletusers", "walletpasswords"] where v.list(name).isEmpty {
            throw ConfigError(.missingOption, "\(name) is not set in config")
        }
        let port = context.network.walletRPCPort
        let hosts = HostPort.deduplicate(v.list("wallethosts").map { HostPort.normalize($0, defaultPort: port) })
        guard hosts.count >= 2 else { throw fail("wallethosts", "you must specify at least 2 wallethosts") }
        for name in ["walletusers", "walletpasswords", "walletcerts"] where v.list(name).count != hosts.count {
            throw fail(name, "wallet configuration mismatch (\(name) and wallethosts counts differ)")
        }
        let maxMessageSize = try WalletMessageSizeOption.bytes(v)
        var endpoints: [RPCEndpointConfiguration] = []
        for (index, host) in hosts.enumerated() {
            guard OptionChecks.isHostPort(host) else { throw fail("wallethosts", "wallethosts entry \"\(host)\" is not host:port") }
            let cert = try OptionChecks.resolveFile(v.list("walletcerts")[index], home: context.homeDir, option: "walletcert",
                                                    fileExists: context.fileExists)
            endpoints.append(RPCEndpointConfiguration(host: host, defaultPort: UInt16(port), user: v.list("walletusers")[index],
                                                      password: v.list("walletpasswords")[index], certificatePath: cert,
                                                      name: "wallet \(index)", maxMessageSize: maxMessageSize,
                                                      maxMessageSizeOption: WalletMessageSizeOption.name))
        }
        let minServers = v.int("minservers")
        if minServers > endpoints.count {
            throw fail("minservers", "minservers (\(minServers)) is more than the \(endpoints.count) wallethosts configured")
        }
        return endpoints
    }

    /// `wallet=dcrwallet`: one JSON-RPC client per endpoint, connected by the host at start; a lost connection is
    /// redialled by the wallet pool monitor.
    static func walletSet(_ context: PluginContext) throws -> WalletSet {
        let endpoints = try walletEndpoints(context)
        let logger = context.logs.logger("WLLT")
        let make: @Sendable (Int) throws -> DcrwalletBackend = { try DcrwalletBackend(configuration: endpoints[$0], logger: logger) }
        let backends = try endpoints.indices.map(make)
        return WalletSet(
            wallets: backends, labels: endpoints.map(\.host),
            connect: {
                // Every wallet is dialled (so `poolctl wallets check` can still show the others); the first failure is thrown.
                var firstError: (any Error)?
                for backend in backends {
                    do { try await backend.connect() } catch { firstError = firstError ?? error }
                }
                if let firstError { throw firstError }
            },
            redial: { index in
                let backend = try make(index)
                try await backend.connect()
                return backend
            })
    }

    // MARK: - stakepoold's wallet and node

    /// `<prefix>host`, `<prefix>user`, `<prefix>password`, `<prefix>cert` (stakepoold's names), all required;
    /// the connection is redialled for ever.
    public static func endpoint(_ context: PluginContext, prefix: String) throws -> RPCEndpointConfiguration {
        let v = context.values
        let isNode = prefix == "dcrd"
        let port = isNode ? context.network.dcrdRPCPort : context.network.walletRPCPort
        let host = HostPort.normalize(try OptionChecks.required(v, prefix + "host"), defaultPort: port)
        let user = try OptionChecks.required(v, prefix + "user")
        let password = try OptionChecks.required(v, prefix + "password")
        let cert = try OptionChecks.resolveFile(try OptionChecks.required(v, prefix + "cert"), home: context.homeDir,
                                                option: prefix + "cert", fileExists: context.fileExists)
        var configuration = RPCEndpointConfiguration(host: host, defaultPort: UInt16(port), user: user, password: password,
                                                     certificatePath: cert, reconnect: ReconnectPolicy(),
                                                     name: isNode ? "dcrd" : "dcrwallet")
        if !isNode {
            configuration.maxMessageSize = try WalletMessageSizeOption.bytes(v)
            configuration.maxMessageSizeOption = WalletMessageSizeOption.name
        }
        return configuration
    }

    /// The check of stakepoold's `<prefix>*` options: a host that is set must be `host[:port]`; chosen, all are required.
    static func endpointCheck(prefix: String) -> @Sendable (PluginContext, Bool) throws -> Void {
        { context, isSelected in
            try checkHost(context, prefix + "host")
            if prefix == "wallet" { _ = try WalletMessageSizeOption.bytes(context.values) }
            if isSelected { _ = try endpoint(context, prefix: prefix) }
        }
    }

    /// A host option that is set must be `host` or `host:port`.
    static func checkHost(_ context: PluginContext, _ name: String) throws {
        let v = context.values
        guard !v.string(name).isEmpty else { return }
        let port = name == "dcrdhost" ? context.network.dcrdRPCPort : context.network.walletRPCPort
        guard OptionChecks.isHostPort(HostPort.normalize(v.string(name), defaultPort: port)) else {
            throw ConfigError(.badValue, OptionChecks.prefix(v.source(name)) + "\(name) must be host or host:port, not \"\(v.string(name))\"")
        }
    }
}
