import Foundation

/// The web app's configuration, typed and validated (dcrstakepool.conf + flags).
///
/// Built by `PoolConfig.load(arguments:plugins:)`; every field keeps dcrstakepool's meaning. Plugins (storage,
/// mail, wallets, vote policy) are named by their selection options only: each plugin checks its own options
/// at load (`PluginRegistry`) and reads them from `values` when built. Secrets are listed in `secrets` so hosts
/// can register them with the log backend.
public struct PoolConfig: Sendable {
    public struct StakepooldEndpoint: Sendable, Equatable {
        public var host: String
        public var certPath: String
    }
    /// Where the HTTP server listens.
    public enum Listen: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var homeDir: String
    public var configFile: String?
    public var network: PoolNetwork
    public var dataDir: String
    public var logDir: String
    public var listen: Listen
    public var debugLevel: DebugLevel
    public var apiSecret: String
    public var baseURL: String
    public var coldWalletExtPub: String
    public var votingWalletExtPub: String
    public var closePool: Bool
    public var closePoolMessage: String
    public var cookieSecret: String
    /// `cookiesecure`; when not set, true exactly when `baseurl` is https://.
    public var cookieSecure: Bool
    public var publicPath: String
    public var templatePath: String
    public var poolEmail: String
    public var poolFees: Double
    public var poolLink: String
    public var realIPHeader: String
    public var adminIPs: [String]
    public var minServers: Int
    public var enableStakepoold: Bool
    public var stakepoolds: [StakepooldEndpoint]
    public var maxVotedAge: Int
    // Plugins, by name (`PoolPlugins.webApp`).
    public var storagePlugin: String
    public var mailPlugin: String
    public var walletPlugin: String
    public var votePolicy: String
    public var chainParamsFile: String?
    /// The network's parameters: the `chainparams` file's, else the bundled ones of `network`.
    public var netParams: NetParams
    // Web.
    public var trustedProxies: [String]
    public var adminUserIDs: [Int64]
    public var metricsListen: String?
    public var maxBodyBytes: Int
    public var maxConnections: Int
    // Pool.
    public var alertEmail: String
    public var walletAutoRecover: Bool
    public var bcryptCost: Int
    public var skipVoteBitsSync: Bool
    // Retention (days; 0 keeps rows for ever).
    public var mailRetentionDays = RetentionPurge.Policy.defaultMailDays
    public var voteAuditRetentionDays = RetentionPurge.Policy.defaultVoteAuditDays
    /// `historyretentiondays`, the hourly history the dashboard charts.
    public var historyRetentionDays = RetentionPurge.Policy.defaultHistoryDays
    /// `maxconnectionsperip`: connections one client address may hold (0: no cap).
    public var maxConnectionsPerIP = 64
    /// `ratelimit` (requests/s per client) and `ratelimitburst`; either 0 turns the limit off.
    public var rateLimit: Double = 20
    public var rateLimitBurst = 60
    public var minPasswordLength = PasswordPolicy.defaultMinimumLength
    /// `explorerurl`: the prefix of ticket links (hash appended); "" shows plain hashes.
    public var explorerURL = ""
    // vspfront: the vspd API v3 front.
    /// `apifronts`: which APIs are served.
    public var apiFronts = APIFronts.legacy
    /// `vspfee`.
    public var vspFeePercent = try! VspFeePercent(3.0)
    /// `vspclosed`, `vspclosedmsg`.
    public var vspClosed = false
    public var vspClosedMessage = ""
    /// `vspfeexpub`: "" while the vspd front is off.
    public var vspFeeXPub = ""
    /// `vspnode`, `vspwallet` (`PoolPlugins.vspNode`, `vspWallets`).
    public var vspNodePlugin = ""
    public var vspWalletPlugin = ""
    /// Every option's value with its source: the plugins' and the host's options are read from here.
    public var values: OptionValues
    /// How the config was checked for files: plugins built from it resolve paths the same way.
    private let fileExists: @Sendable (String) -> Bool

    /// Values that must never be printed.
    public var secrets: [String] { values.secrets }

    /// Subsystems the web app logs under (for `debuglevel`).
    public static let subsystems = LogSubsystem.webAppSet

    /// How much of the configuration a program needs: all of it (the web app, most poolctl commands), or only
    /// the database options (`poolctl db …`: other required options and certificate files are not demanded,
    /// though any option that is set must still be valid).
    public enum Scope: Sendable { case full, database }
}

extension PoolConfig {
    /// The default home directory, `~/.dcrstakepool`.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (environment["HOME"] ?? NSHomeDirectory()) + "/.dcrstakepool"
    }

    /// Every option `dcrstakepool.conf` accepts: the engine's, then `hostOptions`, then the plugins' (each name once).
    public static func options(plugins: PoolPlugins, hostOptions: [OptionSpec] = []) -> [OptionSpec] {
        OptionSpec.merged(WebAppOptions.all + hostOptions + plugins.webApp.optionSpecs)
    }

    /// Loads and validates the web app's configuration: the engine's options, `hostOptions` and the options of
    /// every plugin in `plugins` (each checked by its plugin). Throws `ConfigError` with one clear sentence.
    /// `--help` and `--version` are returned in `ConfigLoader.Result` for the host to act on.
    public static func load(arguments: [String], home: String = defaultHome(), plugins: PoolPlugins,
                            hostOptions: [OptionSpec] = [], appName: String = "hxstakepool",
                            readFile: (@Sendable (String) throws -> String?)? = nil,
                            fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        throws -> (config: PoolConfig?, result: ConfigLoader.Result, loader: ConfigLoader)
    {
        var loader = ConfigLoader(specs: options(plugins: plugins, hostOptions: hostOptions), appName: appName,
                                  defaultConfigFile: home + "/dcrstakepool.conf")
        if let readFile { loader.readFile = readFile }
        let result = try loader.load(arguments)
        if result.helpRequested || result.versionRequested || result.showSubsystemsRequested { return (nil, result, loader) }
        let config = try PoolConfig(values: result.values, home: home, configFile: result.configFile, plugins: plugins,
                                    fileExists: fileExists)
        return (config, result, loader)
    }

    /// What this config hands a plugin's factory.
    public func pluginContext(logs: LogBackend) -> PluginContext {
        PluginContext(values: values, network: network, params: netParams, homeDir: homeDir, dataDir: dataDir, logs: logs,
                      fileExists: fileExists)
    }

    /// Validates raw values in dcrstakepool's order (webapp spec §1.4), with this engine's plugin rules.
    /// `plugins` check their options; with `scope == .database` only the storage choice must be known and the
    /// other plugins check only the values that are set.
    public init(values v: OptionValues, home: String, configFile: String? = nil, plugins: PoolPlugins,
                fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) },
                scope: Scope = .full) throws {
        let full = scope == .full
        let fail = { (code: ErrorCode, option: String, text: String) -> ConfigError in
            let source = v.source(option)
            return ConfigError(code, (source == .defaultValue ? "" : "\(source): ") + text)
        }
        values = v
        self.fileExists = fileExists
        homeDir = home
        self.configFile = configFile

        if v.bool("testnet") && v.bool("simnet") {
            throw fail(.conflict, "simnet", "the testnet and simnet params can't be used together -- choose one of the three")
        }
        var net: PoolNetwork = v.bool("testnet") ? .testnet : (v.bool("simnet") ? .simnet : .mainnet)
        // A `chainparams` file names the network, its directories and default ports.
        chainParamsFile = v.string("chainparams").isEmpty ? nil : ConfigLoader.expand(v.string("chainparams"))
        do {
            netParams = try chainParamsFile.map { try NetParams.resolve($0) } ?? NetParams.named(net.name)
        } catch {
            throw fail(.badValue, "chainparams", "chainparams: \(ConfigLoader.reason(error))")
        }
        if chainParamsFile != nil { net = PoolNetwork(params: netParams) }
        network = net
        dataDir = ConfigLoader.expand(v.isSet("datadir") ? v.string("datadir") : home + "/data") + "/" + network.dirName
        logDir = ConfigLoader.expand(v.isSet("logdir") ? v.string("logdir") : home + "/logs") + "/" + network.dirName

        debugLevel = try DebugLevel.parse(v.string("debuglevel"), subsystems: PoolConfig.subsystems)
        let profile = v.string("profile")
        if !profile.isEmpty {
            guard let port = Int(profile), (1024...65535).contains(port) else {
                throw fail(.badValue, "profile", "the profile port must be between 1024 and 65535")
            }
        }

        storagePlugin = plugins.storage.selectedName(v)
        mailPlugin = plugins.mail.selectedName(v)
        walletPlugin = plugins.wallets.selectedName(v)
        votePolicy = plugins.votePolicies.selectedName(v)

        // vsponly: the fronts first, since the vspd API alone (`apifronts=vspd`) needs none of the legacy front's
        // options (API tokens, the 1-of-2 multisig keys, the legacy wallets, stakepoold); set ones are still checked.
        guard let fronts = APIFronts(rawValue: v.string("apifronts").lowercased()) else {
            throw fail(.badValue, "apifronts", "apifronts must be legacy, vspd or both, not \"\(v.string("apifronts"))\"")
        }
        apiFronts = fronts
        let legacy = full && fronts.servesLegacy

        // Required options, in dcrstakepool's order; some only matter for the plugin that uses them.
        apiSecret = try PoolConfig.required(v, "apisecret", label: "APIsecret", when: legacy)
        cookieSecret = try PoolConfig.required(v, "cookiesecret", when: full)
        for name in ["apisecret", "cookiesecret"] where !v.string(name).isEmpty {
            let length = v.string(name).count
            if length < OptionChecks.minimumSecretLength {
                throw fail(.badValue, name, "\(name) is \(length) characters long; use at least \(OptionChecks.minimumSecretLength) "
                           + "random characters (e.g. the output of `openssl rand -hex 32`)")
            }
        }
        if let problem = OptionChecks.tokenProblem(v.string("stakepooldtoken"), option: "stakepooldtoken") {
            throw fail(.badValue, "stakepooldtoken", problem)
        }
        coldWalletExtPub = try PoolConfig.required(v, "coldwalletextpub", when: legacy)
        adminIPs = v.list("adminips").filter { !$0.isEmpty }
        if adminIPs.isEmpty && full { throw ConfigError(.missingOption, "adminips is not set in config") }
        // Each entry names the line it came from (a repeated list key adds entries from another line).
        for name in ["adminips", "trustedproxies"] {
            for (entry, source) in v.entries(name) where !entry.isEmpty && IPRange(entry) == nil {
                throw ConfigError(.badValue, OptionChecks.prefix(source) + "\(name) entry \"\(entry)\" is not an IP address or CIDR range "
                                  + "(such as 192.0.2.10, 10.0.0.0/8 or ::1/128)")
            }
        }
        votingWalletExtPub = try PoolConfig.required(v, "votingwalletextpub", when: legacy)
        if full {
            // Decoded now, for the configured network, so a wrong key names its option instead of failing wallet start-up.
            for name in ["coldwalletextpub", "votingwalletextpub"] where legacy || !v.string(name).isEmpty {
                try OptionChecks.extendedPublicKey(v.string(name), option: name, network: netParams, source: v.source(name))
            }
        }

        // vspfront: the vspd front's options (its plugins are demanded only when it is on).
        do {
            vspFeePercent = try VspFeePercent(v.double("vspfee"))
        } catch let error as VspError {
            throw fail(.badValue, "vspfee", "vspfee: \(error.message)")
        }
        vspClosed = v.bool("vspclosed")
        vspClosedMessage = v.string("vspclosedmsg")
        vspNodePlugin = plugins.vspNode.selectedName(v)
        vspWalletPlugin = plugins.vspWallets.selectedName(v)
        if fronts.servesVspd && full {
            vspFeeXPub = v.string("vspfeexpub").trimmingWhitespace()
            if vspFeeXPub.isEmpty {
                throw ConfigError(.missingOption, "vspfeexpub is not set in config: apifronts=\(fronts.rawValue) serves the vspd API, "
                                  + "which derives each ticket's fee address from this extended public key of the fee wallet")
            }
            _ = try OptionChecks.extendedPublicKey(vspFeeXPub, option: "vspfeexpub", network: netParams, source: v.source("vspfeexpub"))
        }
        let vspRegistries = [plugins.vspNode.option, plugins.vspWallets.option]
        // vsponly: the legacy wallets are chosen (and their options demanded) only with the legacy front.
        let legacyRegistries = [plugins.wallets.option]

        // Each plugin checks its options (the chosen one also demands what it needs).
        let context = PluginContext(values: v, network: net, params: netParams, homeDir: home, dataDir: dataDir,
                                    fileExists: fileExists)
        try plugins.webApp.check(context, selecting: {
            $0.option == plugins.storage.option || (full && (fronts.servesVspd || !vspRegistries.contains($0.option))
                                                     && (legacy || !legacyRegistries.contains($0.option)))
        })

        enableStakepoold = v.bool("enablestakepoold")
        if enableStakepoold && legacy {
            let hosts = HostPort.deduplicate(v.list("stakepooldhosts").filter { !$0.isEmpty }
                .map { HostPort.normalize($0, defaultPort: net.stakepooldPort) })
            let certs = v.list("stakepooldcerts").filter { !$0.isEmpty }
            if hosts.isEmpty { throw ConfigError(.missingOption, "stakepooldhosts is not set in config") }
            if certs.isEmpty { throw ConfigError(.missingOption, "stakepooldcerts is not set in config") }
            guard hosts.count >= 2 else { throw fail(.badValue, "stakepooldhosts", "you must specify at least 2 stakepooldhosts") }
            guard certs.count == hosts.count else {
                throw fail(.badValue, "stakepooldcerts", "wallet configuration mismatch (stakepooldcerts and stakepooldhosts counts differ)")
            }
            for host in hosts where !OptionChecks.isHostPort(host) {
                throw fail(.badValue, "stakepooldhosts", "stakepooldhosts entry \"\(host)\" is not host:port")
            }
            var endpoints: [StakepooldEndpoint] = []
            for (host, cert) in zip(hosts, certs) {
                endpoints.append(StakepooldEndpoint(
                    host: host, certPath: try OptionChecks.resolveFile(cert, home: home, option: "stakepooldcert", fileExists: fileExists)))
            }
            stakepoolds = endpoints
        } else {
            stakepoolds = []
        }

        listen = try PoolConfig.parseListen(v.string("listen"), source: v.source("listen"))
        baseURL = v.string("baseurl")
        if let problem = OptionChecks.baseURLProblem(baseURL) { throw fail(.badValue, "baseurl", "baseurl \(problem)") }
        closePool = v.bool("closepool")
        closePoolMessage = v.string("closepoolmsg")
        // Unset, it follows baseurl, so a site served over https:// never sends its session cookie in clear.
        cookieSecure = v.isSet("cookiesecure") ? v.bool("cookiesecure") : PoolConfig.isHTTPS(baseURL)
        publicPath = ConfigLoader.expand(v.string("publicpath"))
        templatePath = ConfigLoader.expand(v.string("templatepath"))
        poolEmail = v.string("poolemail")
        poolFees = v.double("poolfees")
        if !OptionChecks.isValidPoolFee(poolFees) {
            throw fail(.badValue, "poolfees", "poolfees must be between 0.01 and 100.00 percent (what stakepoold accepts), not \(v.string("poolfees"))")
        }
        poolLink = v.string("poollink")
        realIPHeader = v.string("realipheader")
        if !realIPHeader.isEmpty && !OptionChecks.isHeaderName(realIPHeader) {
            throw fail(.badValue, "realipheader", "realipheader must be an HTTP header name such as X-Real-IP, not \"\(realIPHeader)\"")
        }
        minServers = v.int("minservers")
        if minServers < 1 { throw fail(.badValue, "minservers", "minservers must be at least 1") }
        maxVotedAge = v.int("maxvotedage")
        if maxVotedAge < 0 { throw fail(.badValue, "maxvotedage", "maxvotedage must not be negative") }

        trustedProxies = v.list("trustedproxies").filter { !$0.isEmpty }
        var ids: [Int64] = []
        for text in v.list("adminuserids") where !text.isEmpty {
            guard let id = Int64(text), id > 0 else { throw fail(.badValue, "adminuserids", "adminuserids entry \"\(text)\" is not a user id") }
            ids.append(id)
        }
        adminUserIDs = ids
        metricsListen = v.string("metricslisten").isEmpty ? nil : v.string("metricslisten")
        if let metricsListen {
            do {
                _ = try PoolConfig.parseListen(metricsListen, source: v.source("metricslisten"))
            } catch {
                throw fail(.badValue, "metricslisten", "metricslisten must be host:port (e.g. 127.0.0.1:9102) or a Unix socket path, "
                           + "not \"\(metricsListen)\"")
            }
        }
        maxBodyBytes = v.int("maxbodybytes")
        if maxBodyBytes < 1024 { throw fail(.badValue, "maxbodybytes", "maxbodybytes must be at least 1024") }
        maxConnections = v.int("maxconnections")
        if maxConnections < 1 { throw fail(.badValue, "maxconnections", "maxconnections must be at least 1") }
        alertEmail = v.string("alertemail")
        for name in ["alertemail", "poolemail"] where !v.string(name).isEmpty && !PoolConfig.looksLikeEmail(v.string(name)) {
            throw fail(.badValue, name, "\(name) must be an email address, not \"\(v.string(name))\"")
        }
        walletAutoRecover = v.bool("walletautorecover")
        bcryptCost = v.int("bcryptcost")
        if !(4...31).contains(bcryptCost) { throw fail(.badValue, "bcryptcost", "bcryptcost must be between 4 and 31") }
        skipVoteBitsSync = v.bool("skipvotebitssync")
        mailRetentionDays = v.int("mailretentiondays")
        if mailRetentionDays < 0 { throw fail(.badValue, "mailretentiondays", "mailretentiondays must be 0 or more") }
        voteAuditRetentionDays = v.int("voteauditretentiondays")
        if voteAuditRetentionDays < 0 {
            throw fail(.badValue, "voteauditretentiondays", "voteauditretentiondays must be 0 or more")
        }
        historyRetentionDays = v.int("historyretentiondays")
        if historyRetentionDays < 0 {
            throw fail(.badValue, "historyretentiondays", "historyretentiondays must be 0 or more")
        }

        // HTTP edge (adminips/trustedproxies entries are checked with the other address options above)
        maxConnectionsPerIP = v.int("maxconnectionsperip")
        if maxConnectionsPerIP < 0 { throw fail(.badValue, "maxconnectionsperip", "maxconnectionsperip must be 0 (no cap) or more") }
        rateLimit = v.double("ratelimit")
        if !rateLimit.isFinite || rateLimit < 0 { throw fail(.badValue, "ratelimit", "ratelimit must be 0 (off) or a positive number of requests per second") }
        rateLimitBurst = v.int("ratelimitburst")
        if rateLimitBurst < 0 { throw fail(.badValue, "ratelimitburst", "ratelimitburst must be 0 (off) or more") }
        minPasswordLength = v.int("minpasswordlength")
        if !(1...PasswordPolicy.maximumMinimumLength).contains(minPasswordLength) {
            throw fail(.badValue, "minpasswordlength",
                       "minpasswordlength must be between 1 and \(PasswordPolicy.maximumMinimumLength)")
        }
        // `explorerurl`: unset means the network's explorer (none on simnet), set empty means no links.
        explorerURL = v.isSet("explorerurl") ? v.string("explorerurl") : PoolConfig.defaultExplorerURL(network: network.shortName)
        if !explorerURL.isEmpty, let problem = PoolConfig.explorerURLProblem(explorerURL) {
            throw fail(.badValue, "explorerurl", "explorerurl \(problem)")
        }
    }

    /// The block explorer ticket links of a network (`shortName`): mainnet and testnet have public explorers,
    /// simnet (and any other network) has none.
    public static func defaultExplorerURL(network shortName: String) -> String {
        switch shortName {
        case "mainnet": "https://mainnet.decred.org/tx/"
        case "testnet": "https://testnet.decred.org/tx/"
        default: ""
        }
    }

    /// Why an `explorerurl` value is unusable, or nil: an absolute http(s) URL with a host and no fragment (the
    /// ticket hash is appended to it).
    public static func explorerURLProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty, url.fragment == nil,
              !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }) else {
            return "must be an http:// or https:// URL that ticket hashes are appended to, such as https://explorer.example/tx/, not \"\(text)\""
        }
        return nil
    }

    /// Whether `baseURL` is served over TLS (scheme compared without case).
    public static func isHTTPS(_ baseURL: String) -> Bool { baseURL.lowercased().hasPrefix("https://") }

    /// The start-up warning when `cookiesecure=false` was set explicitly although `baseurl` is https://, else nil.
    public var insecureCookieWarning: String? {
        guard PoolConfig.isHTTPS(baseURL), values.isSet("cookiesecure"), !cookieSecure else { return nil }
        return "cookiesecure=false although baseurl is \(baseURL): the session and CSRF cookies may travel over plain "
            + "HTTP; remove the line (it then follows baseurl) or set cookiesecure=true"
    }

    /// The retention purge policy from `mailretentiondays`, `voteauditretentiondays` and `historyretentiondays`.
    public var retentionPolicy: RetentionPurge.Policy {
        RetentionPurge.Policy(mailDays: mailRetentionDays, voteAuditDays: voteAuditRetentionDays,
                              historyDays: historyRetentionDays)
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }

    static func required(_ v: OptionValues, _ name: String, label: String? = nil, when condition: Bool = true) throws -> String {
        let value = v.string(name)
        if condition && value.isEmpty { throw ConfigError(.missingOption, "\(label ?? name) is not set in config") }
        return value
    }

    /// dcrstakepool's `listen`: `host:port` (empty host = all addresses) or a Unix socket path.
    static func parseListen(_ text: String, source: OptionSource) throws -> Listen {
        if text.contains(":") {
            let normalized = text.hasPrefix(":") ? "0.0.0.0" + text : text
            guard let (host, port) = HostPort.split(normalized) else {
                throw ConfigError(.badValue, "\(source == .defaultValue ? "" : "\(source): ")error while parsing bind arg \(text)")
            }
            return .tcp(host: host, port: port)
        }
        if text.hasPrefix(".") || text.hasPrefix("/") { return .unix(path: text) }
        throw ConfigError(.badValue, "\(source == .defaultValue ? "" : "\(source): ")error while parsing bind arg \(text)")
    }
}

extension PoolConfig {
    /// `apifronts`: the legacy dcrstakepool API (v1/v2), the vspd API (v3), or both (issue 24).
    public enum APIFronts: String, Sendable, CaseIterable {
        case legacy, vspd, both

        public var servesLegacy: Bool { self != .vspd }
        public var servesVspd: Bool { self != .legacy }
    }
}
