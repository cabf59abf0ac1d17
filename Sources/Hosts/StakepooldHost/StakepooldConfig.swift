import Foundation
import PoolKernel
import WebHost

/// stakepoold's configuration (stakepoold.md §2) plus this engine's options: `votepolicyoptions`,
/// `controltoken` for the control API and `metricslisten` for `/metrics`. Storage, voting wallet, node and vote
/// policy are plugins chosen by name (`storage`, `wallet`, `node`, `votepolicy`; `PoolPlugins.stakepoold`): each
/// plugin's options (`dbhost`, `wallethost`, `dcrdhost`, …) come with it and are checked by it at load.
public struct StakepooldConfig: Sendable {
    /// Every option with `plugins`' options (`--help` prints them, the loader accepts them).
    public static func options(plugins: PoolPlugins) -> [OptionSpec] {
        OptionSpec.merged(hostOptions + plugins.stakepoold.optionSpecs)
    }

    /// The daemon's own options.
    public static let hostOptions: [OptionSpec] = [
        OptionSpec("appdata", short: "A", .string, commandLineOnly: true, help: "Path to application home directory, where the config file and default paths are (default: ~/.stakepoold)"),
        OptionSpec("version", short: "V", .bool, default: "false", commandLineOnly: true, help: "Display version information and exit"),
        OptionSpec("configfile", short: "C", .string, commandLineOnly: true, help: "Path to configuration file (default: <appdata>/stakepoold.conf)"),
        OptionSpec("datadir", short: "b", .string, help: "Directory to store data (default: <appdata>/data)"),
        OptionSpec("logdir", .string, help: "Directory to log output (default: <appdata>/logs)"),
        OptionSpec("testnet", .bool, default: "false", help: "Use the test network"),
        OptionSpec("simnet", .bool, default: "false", help: "Use the simulation test network"),
        OptionSpec("profile", .string, default: "", help: "Enable HTTP profiling on given port (validated, unused)"),
        OptionSpec("cpuprofile", .string, default: "", help: "Write CPU profile to the specified file (unused)"),
        OptionSpec("memprofile", .string, default: "", help: "Write mem profile to the specified file (unused)"),
        OptionSpec("debuglevel", short: "d", .string, default: "info", help: "Logging level {trace, debug, info, warn, error, critical} or SUBSYS=level,..."),
        OptionSpec("coldwalletextpub", .string, help: "The extended public key for addresses to which voting service user fees are sent"),
        OptionSpec("poolfees", .float, default: "5", help: "The per-ticket fee mandated by the pool, in percent (0.01-100.00)"),
        OptionSpec("norpclisten", .bool, default: "false", help: "Don't listen on the control API (reload prefs every 240 s instead)"),
        OptionSpec("rpclisten", .list, help: "Listen for control API connections on this interface/port (default: 127.0.0.1 and ::1 on the network's port)"),
        OptionSpec("rpccert", .string, help: "File containing the certificate file (default: <appdata>/rpc.cert)"),
        OptionSpec("rpckey", .string, help: "File containing the certificate key (default: <appdata>/rpc.key)"),
        OptionSpec("controltoken", .string, secret: true, help: "Bearer token the web app must send to the control API (empty: TLS only; at least 16 characters)"),
        OptionSpec("metricslisten", .string, default: "", help: "host:port (a bare port: loopback) serving /metrics over plain HTTP (empty: off)"),
        OptionSpec("votepolicyoptions", .list, help: "Options of the vote policy, key=value (pooldefault: <agenda>=<choice>)"),
        OptionSpec("voteauditretentiondays", .int, default: "365", help: "Days vote audit records are kept before they are purged (0: keep for ever)"),
        // health
        OptionSpec("walletautorecover", .bool, default: "false", help: "Re-import voting users' redeem scripts the wallet lacks when it (re)connects (else: log, metric, degraded /health)"),
        OptionSpec("alertemail", .string, default: "", help: "Operator address for alerts (missed votes, database outage), queued in the web app's mail outbox (empty: log only)"),
        OptionSpec("alertfrom", .string, default: "", help: "Sender address of alert and missed-vote mails (the web app's smtpfrom)"),
        OptionSpec("missedvotemail", .bool, default: "true", help: "Mail a ticket's owner when this daemon missed or was late with the ticket's vote"),
        OptionSpec("chainparams", .string, default: "", help: "JSON file of network parameters for a fork's network (default: built-in)"),
    ]

    public var home: String
    public var network: PoolNetwork
    /// The network's parameters: the `chainparams` file's, else the bundled ones of `network`.
    public var netParams: NetParams
    public var dataDir: String
    public var logDir: String
    public var debugLevel: DebugLevel
    public var coldWalletExtPub: String
    public var poolFees: Double
    /// Plugins by name: `storage`, `wallet` (the voting wallet), `node`; `votePolicy` below.
    public var storagePlugin: String
    public var walletPlugin: String
    public var nodePlugin: String
    /// Every option's value with its source: the plugins read theirs from here.
    public var values: OptionValues
    /// How the config was checked for files: plugins built from it resolve paths the same way.
    private let fileExists: @Sendable (String) -> Bool
    public var noRPCListen: Bool
    public var rpcListen: [String]
    public var rpcCert: String
    public var rpcKey: String
    public var controlToken: String
    /// `metricslisten`: where `/metrics` is served; nil: off.
    public var metricsListen: String?
    public var votePolicy: String
    public var votePolicyOptions: [String: String]
    /// Days vote audit records are kept (`voteauditretentiondays`; 0: for ever).
    public var voteAuditRetentionDays = RetentionPurge.Policy.defaultVoteAuditDays
    /// `walletautorecover` (health): re-import missing redeem scripts when the wallet (re)connects.
    public var walletAutoRecover = false
    /// `alertemail`: operator address for alert mails (empty: log and metrics only).
    public var alertEmail = ""
    /// `alertfrom`: sender of alert and missed-vote mails.
    public var alertFrom = ""
    /// `missedvotemail`: tell a ticket's owner about a missed or late vote.
    public var missedVoteMail = true
    /// Set when the config file was missing (logged as a warning).
    public var missingConfigFileWarning: String?

    /// Subsystems for `debuglevel` (stakepoold.md §2).
    public static let subsystems = LogSubsystem.stakepooldSet

    /// The default home, `~/.stakepoold`.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (environment["HOME"] ?? NSHomeDirectory()) + "/.stakepoold"
    }

    public var secrets: [String] { values.secrets }

    /// What this config hands a plugin's factory.
    public func pluginContext(logs: LogBackend) -> PluginContext {
        PluginContext(values: values, network: network, params: netParams, homeDir: home, dataDir: dataDir, logs: logs, fileExists: fileExists)
    }

    /// Loads and validates with `plugins` (which check their own options); `nil` config with
    /// `result.helpRequested`/`versionRequested` set for the host.
    public static func load(arguments: [String], home defaultHome: String = defaultHome(), plugins: PoolPlugins,
                            fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        throws -> (config: StakepooldConfig?, result: ConfigLoader.Result)
    {
        // -A/--appdata re-roots every default path.
        var home = defaultHome
        for (index, argument) in arguments.enumerated() {
            if argument == "-A" || argument == "--appdata", index + 1 < arguments.count {
                home = ConfigLoader.expand(arguments[index + 1])
            } else if argument.hasPrefix("--appdata=") {
                home = ConfigLoader.expand(String(argument.dropFirst("--appdata=".count)))
            }
        }
        let result = try loader(home: home, plugins: plugins).load(arguments)
        if result.helpRequested || result.versionRequested || result.showSubsystemsRequested { return (nil, result) }
        var config = try StakepooldConfig(values: result.values, home: home, plugins: plugins, fileExists: fileExists)
        config.missingConfigFileWarning = result.missingConfigFileWarning
        return (config, result)
    }

    /// The commented sample `examples/stakepoold.conf` (`poolctl config sample stakepoold`), from the option table.
    public static func sampleFile(plugins: PoolPlugins) -> String {
        SampleConfig.render(options(plugins: plugins), title: "stakepoold.conf (every option)")
    }

    /// The option loader for a home directory (also prints `--help`).
    public static func loader(home: String = defaultHome(), plugins: PoolPlugins) -> ConfigLoader {
        ConfigLoader(specs: options(plugins: plugins), appName: "stakepoold", defaultConfigFile: home + "/stakepoold.conf")
    }

    public init(values v: OptionValues, home: String, plugins: PoolPlugins,
                fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws {
        self.home = home
        values = v
        self.fileExists = fileExists
        let fail = { (code: ErrorCode, option: String, text: String) -> ConfigError in
            ConfigError(code, OptionChecks.prefix(v.source(option)) + text)
        }
        if v.bool("testnet") && v.bool("simnet") {
            throw fail(.conflict, "simnet", "the testnet and simnet params can't be used together -- choose one of the three")
        }
        network = v.bool("testnet") ? .testnet : (v.bool("simnet") ? .simnet : .mainnet)
        // A `chainparams` file names the network, its directories and default ports.
        let chainParams = v.string("chainparams")
        do {
            netParams = chainParams.isEmpty ? try NetParams.named(network.name) : try NetParams.resolve(ConfigLoader.expand(chainParams))
        } catch {
            throw fail(.badValue, "chainparams", "chainparams: \(ConfigLoader.describe(error))")
        }
        if !chainParams.isEmpty { network = PoolNetwork(params: netParams) }
        dataDir = ConfigLoader.expand(v.isSet("datadir") ? v.string("datadir") : home + "/data") + "/" + network.dirName
        logDir = ConfigLoader.expand(v.isSet("logdir") ? v.string("logdir") : home + "/logs") + "/" + network.dirName
        debugLevel = try DebugLevel.parse(v.string("debuglevel"), subsystems: Self.subsystems)
        let profile = v.string("profile")
        if !profile.isEmpty, Int(profile).map({ !(1024...65535).contains($0) }) ?? true {
            throw fail(.badValue, "profile", "the profile port must be between 1024 and 65535")
        }
        coldWalletExtPub = try OptionChecks.required(v, "coldwalletextpub")
        try OptionChecks.extendedPublicKey(coldWalletExtPub, option: "coldwalletextpub", network: netParams,
                                           source: v.source("coldwalletextpub"))
        poolFees = v.double("poolfees")
        guard OptionChecks.isValidPoolFee(poolFees) else {
            throw fail(.badValue, "poolfees", "invalid pool fee \(v.string("poolfees")), pool fee must be between 0.01 and 100.00")
        }
        storagePlugin = plugins.storage.selectedName(v)
        walletPlugin = plugins.votingWallet.selectedName(v)
        nodePlugin = plugins.node.selectedName(v)
        votePolicy = plugins.votePolicies.selectedName(v)
        // Each plugin checks its options (the chosen one also demands what it needs).
        try plugins.stakepoold.check(PluginContext(values: v, network: network, params: netParams, homeDir: home, dataDir: dataDir,
                                                   fileExists: fileExists))
        noRPCListen = v.bool("norpclisten")
        let listen = v.list("rpclisten").filter { !$0.isEmpty }
        let port = network.stakepooldPort
        rpcListen = HostPort.deduplicate((listen.isEmpty ? ["127.0.0.1", "::1"] : listen)
            .map { HostPort.normalize($0, defaultPort: port) })
        for address in rpcListen {
            guard let (host, _) = HostPort.split(address), host.isEmpty || OptionChecks.isIPAddress(host) || OptionChecks.isHostName(host) else {
                throw fail(.badValue, "rpclisten", "rpclisten entry \"\(address)\" is not host:port")
            }
        }
        rpcCert = v.string("rpccert").isEmpty ? home + "/rpc.cert" : ConfigLoader.expand(v.string("rpccert"))
        rpcKey = v.string("rpckey").isEmpty ? home + "/rpc.key" : ConfigLoader.expand(v.string("rpckey"))
        controlToken = v.string("controltoken")
        if let problem = OptionChecks.tokenProblem(controlToken, option: "controltoken") { throw fail(.badValue, "controltoken", problem) }
        let metrics = v.string("metricslisten").trimmingCharacters(in: .whitespaces)
        do {
            _ = try StakepooldMetrics.listenAddress(metrics)
        } catch {
            throw fail(.badValue, "metricslisten", "invalid metricslisten \(metrics): \(error.message) (give host:port, or a bare port for loopback)")
        }
        metricsListen = metrics.isEmpty ? nil : metrics
        votePolicyOptions = try VotePolicyContext.parseOptions(v.list("votepolicyoptions"))
        voteAuditRetentionDays = v.int("voteauditretentiondays")
        walletAutoRecover = v.bool("walletautorecover")   // health
        if voteAuditRetentionDays < 0 { throw fail(.badValue, "voteauditretentiondays", "voteauditretentiondays must be 0 or more") }

        // Checks and options of the control API, alerts and the database link.
        if !noRPCListen, controlToken.isEmpty, let open = rpcListen.first(where: { !Self.isLoopback($0) }) {
            throw fail(.badValue, "rpclisten", "rpclisten \(open) is not a loopback address, so controltoken must be set "
                              + "(and stakepooldtoken in the web app's config)")
        }
        alertEmail = v.string("alertemail").trimmingCharacters(in: .whitespaces)
        if !alertEmail.isEmpty, !alertEmail.contains("@") {
            throw fail(.badValue, "alertemail", "alertemail \(alertEmail) is not an email address")
        }
        alertFrom = v.string("alertfrom").trimmingCharacters(in: .whitespaces)
        missedVoteMail = v.bool("missedvotemail")
    }

    /// Whether a `host:port` listen address only accepts local connections.
    static func isLoopback(_ hostPort: String) -> Bool {
        guard let host = HostPort.split(hostPort)?.host.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
