import Foundation
import NotifySMTP
import HostKit
import HostTestSupport
import PoolctlHost
import StakepooldHost
import WebAppHost
import PoolTestKit
import StorageMySQL
import StorageSQLite
import WalletDcrwallet
import XCTest
@testable import PoolKernel

/// Extended public keys per network from dcrd's hdkeychain vectors (`../shared/vectors/hdkeychain.json`).
enum VectorKeys {
    static let byNetwork: [String: [String]] = {
        var keys: [String: [String]] = [:]
        let directory = TestEnvironment.optional("POOL_VECTORS_DIR")
            ?? URL(fileURLWithPath: WebAppTestConfig.repoRoot).deletingLastPathComponent().appendingPathComponent("shared/vectors").path
        let root = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/hdkeychain.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        for vector in root["vectors"] as? [[String: Any]] ?? [] {
            if let network = vector["network"] as? String, let key = vector["ext_pub"] as? String { keys[network, default: []].append(key) }
        }
        for derived in root["extractor_derived"] as? [[String: Any]] ?? [] {
            for field in ["master_ext_pub", "account_ext_pub"] {
                if let network = derived["network"] as? String, let key = derived[field] as? String { keys[network, default: []].append(key) }
            }
        }
        return keys
    }()

    static func key(_ network: String, _ index: Int = 0) -> String { byNetwork[network]?[index] ?? "missing-\(network)-vector" }

    /// Flags replacing the file's mainnet keys with keys of `network`.
    static func flags(_ network: String) -> [String] {
        ["--coldwalletextpub=\(key(network, 0))", "--votingwalletextpub=\(key(network, 1))"]
    }
}

final class ConfigTests: XCTestCase {
    static let apiSecret = "api-secret-value-0123456789abcdef"
    static let cookieSecret = "cookie-secret-value-0123456789abcdef"

    /// A minimal valid file for the in-process simulated wallets (no wallet hosts needed).
    private let minimal = """
    [Application Options]
    ; comment
    # another comment
    apisecret=\(ConfigTests.apiSecret)
    cookiesecret=\(ConfigTests.cookieSecret)
    coldwalletextpub=\(VectorKeys.key("mainnet", 0))
    votingwalletextpub=\(VectorKeys.key("mainnet", 1))
    adminips=127.0.0.1
    wallet=simnet
    """

    private func load(_ file: String?, _ args: [String] = [], files: [String: String] = [:]) throws -> PoolConfig {
        let all = files.merging(file.map { ["/home/x/.dcrstakepool/dcrstakepool.conf": $0] } ?? [:]) { a, _ in a }
        let (config, _, _) = try PoolConfig.load(arguments: args, home: "/home/x/.dcrstakepool", plugins: .builtIn(),
                                                 hostOptions: WebAppHostOptions.all,
                                                 readFile: { all[$0] }, fileExists: { all[$0] != nil })
        return try XCTUnwrap(config)
    }

    private func assertConfigError(_ file: String?, _ args: [String] = [], files: [String: String] = [:],
                                   code: ErrorCode, contains text: String,
                                   file testFile: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(file, args, files: files), file: testFile, line: line) { error in
            guard let error = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)", file: testFile, line: line) }
            XCTAssertEqual(error.code, code, error.message, file: testFile, line: line)
            XCTAssertTrue(error.message.contains(text), "\"\(error.message)\" lacks \"\(text)\"", file: testFile, line: line)
        }
    }

    func testConfig_everyOptionHasItsDefault() throws {
        let config = try load(minimal)
        XCTAssertEqual(config.listen, .tcp(host: "0.0.0.0", port: 8000))
        XCTAssertEqual(config.network, .mainnet)
        XCTAssertEqual(config.baseURL, "http://127.0.0.1:8000")
        XCTAssertEqual(config.closePoolMessage, "The stake pool is temporarily closed to new signups.")
        XCTAssertFalse(config.closePool)
        XCTAssertFalse(config.cookieSecure)
        XCTAssertEqual(try config.db, .init(host: "localhost", port: 3306, user: "stakepool", password: "", database: "stakepool", poolSize: 4, tls: false))
        XCTAssertNil(try config.db.socket, "dbhost means TCP unless dbsocket is set")
        XCTAssertEqual(config.poolEmail, "admin@example.com")
        XCTAssertEqual(config.poolFees, 7.5)
        XCTAssertEqual(config.poolLink, WebAppOptions.defaultPoolLink)
        XCTAssertEqual(config.minServers, 2)
        XCTAssertEqual(config.maxVotedAge, 8640)
        XCTAssertEqual(config.debugLevel, DebugLevel(defaultLevel: .info))
        XCTAssertEqual(config.dataDir, "/home/x/.dcrstakepool/data/mainnet")
        XCTAssertEqual(config.logDir, "/home/x/.dcrstakepool/logs/mainnet")
        XCTAssertEqual(config.sqlitePath, "/home/x/.dcrstakepool/data/mainnet/stakepool.sqlite")
        XCTAssertEqual(config.storagePlugin, "sqlite")
        XCTAssertEqual(config.mailPlugin, "log", "empty smtphost means log mail, as dcrstakepool")
        XCTAssertEqual(config.votePolicy, "userprefs")
        XCTAssertEqual(config.publicPath, "public")
        XCTAssertEqual(config.templatePath, "templates")
        XCTAssertEqual(config.realIPHeader, "")
        XCTAssertEqual(config.trustedProxies, ["127.0.0.1", "::1"])
        XCTAssertEqual(config.bcryptCost, 10)
        XCTAssertFalse(config.enableStakepoold)
        // Every spec with a default parses as its own kind.
        for spec in WebAppHostOptions.options(plugins: .builtIn()) {
            guard let value = spec.defaultValue else { continue }
            XCTAssertNoThrow(try OptionValues.validate(value, spec: spec, source: .defaultValue), spec.name)
        }
    }

    func testConfig_flagsOverrideFile() throws {
        let file = minimal + "\nlisten=127.0.0.1:9000\npoolfees=5\nclosepool=1\n"
        let config = try load(file, ["--listen=127.0.0.1:9100", "--poolfees", "2.5", "--closepool=false", "--testnet"] + VectorKeys.flags("testnet3"))
        XCTAssertEqual(config.listen, .tcp(host: "127.0.0.1", port: 9100))
        XCTAssertEqual(config.poolFees, 2.5)
        XCTAssertFalse(config.closePool)
        XCTAssertEqual(config.network, .testnet)
    }

    func testConfig_simnetWithDefaultFileSkipsTheFile() {
        // dcrstakepool skips the default config file with --simnet, so the required options are missing.
        assertConfigError(minimal, ["--simnet"], code: .missingOption, contains: "APIsecret is not set in config")
    }

    func testConfig_explicitConfigFileWithShortFlag() throws {
        let config = try load(nil, ["-C", "/etc/pool.conf", "--simnet"] + VectorKeys.flags("simnet"), files: ["/etc/pool.conf": minimal])
        XCTAssertEqual(config.configFile, "/etc/pool.conf")
        XCTAssertEqual(config.network, .simnet)
        XCTAssertEqual(config.dataDir, "/home/x/.dcrstakepool/data/simnet")
    }

    func testConfig_unknownOptionNamesFileLineAndSuggests() {
        assertConfigError(minimal + "\nwalethosts=a,b\n", code: .unknownOption,
                          contains: "dcrstakepool.conf:10: unknown option \"walethosts\" (did you mean \"wallethosts\"?)")
    }

    func testConfig_unknownFlag() {
        assertConfigError(minimal, ["--lissten=:1"], code: .unknownOption, contains: "did you mean \"listen\"")
    }

    func testConfig_badNumber() {
        assertConfigError(minimal + "\nminservers=two\n", code: .badValue, contains: "dcrstakepool.conf:10: option minservers must be a whole number")
    }

    func testConfig_badFloat() {
        assertConfigError(minimal + "\npoolfees=7.5%\n", code: .badValue, contains: "option poolfees must be a number")
    }

    func testConfig_badBool() {
        assertConfigError(minimal + "\nclosepool=yes\n", code: .badValue, contains: "option closepool must be true or false")
    }

    func testConfig_badNetworkCombination() {
        assertConfigError(minimal, ["--testnet", "--simnet", "-C", "/home/x/.dcrstakepool/dcrstakepool.conf"],
                          code: .conflict, contains: "can't be used together")
    }

    func testConfig_unreadableExplicitFile() {
        assertConfigError(nil, ["-C", "/nope/pool.conf"], code: .unreadableFile, contains: "/nope/pool.conf does not exist")
    }

    func testConfig_unreadableFileOnDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("dcrstakepool.conf").path
        try Data([0xff, 0xfe, 0x00, 0x41]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PoolConfig.load(arguments: ["-C", path], home: dir.path, plugins: .builtIn())) { error in
            XCTAssertEqual((error as? ConfigError)?.code, .unreadableFile)
        }
    }

    func testConfig_emptyRequiredOptions() {
        for (option, message) in [("apisecret", "APIsecret is not set in config"), ("cookiesecret", "cookiesecret is not set in config"),
                                  ("coldwalletextpub", "coldwalletextpub is not set in config"),
                                  ("votingwalletextpub", "votingwalletextpub is not set in config"),
                                  ("adminips", "adminips is not set in config")] {
            let file = minimal.split(separator: "\n").map { $0.hasPrefix(option + "=") ? "\(option)=" : String($0) }.joined(separator: "\n")
            assertConfigError(file, code: .missingOption, contains: message)
        }
        assertConfigError(minimal + "\nstorage=mysql\n", code: .missingOption, contains: "dbpassword is not set in config")
    }

    func testConfig_walletHostsRules() throws {
        let base = minimal.replacingOccurrences(of: "wallet=simnet", with: "")
        let files = ["/home/x/.dcrstakepool/w1.cert": "x", "/certs/w2.cert": "x"]
        let good = base + "\nwallethosts=10.0.0.1,10.0.0.2:1234,10.0.0.1\nwalletusers=u1,u2\nwalletpasswords=p1,p2\nwalletcerts=w1.cert,/certs/w2.cert\n"
        let config = try load(good, files: files)
        XCTAssertEqual(try config.wallets.map(\.host), ["10.0.0.1:9110", "10.0.0.2:1234"], "default port appended, duplicates removed")
        XCTAssertEqual(try config.wallets.map(\.certificatePath), ["/home/x/.dcrstakepool/w1.cert", "/certs/w2.cert"], "cert resolved under home")
        XCTAssertTrue(config.secrets.contains("p1"))

        assertConfigError(base + "\nwallethosts=a\nwalletusers=u\nwalletpasswords=p\nwalletcerts=c\n",
                          code: .badValue, contains: "you must specify at least 2 wallethosts")
        assertConfigError(base + "\nwallethosts=a,b\nwalletusers=u\nwalletpasswords=p,q\nwalletcerts=w1.cert,/certs/w2.cert\n", files: files,
                          code: .badValue, contains: "wallet configuration mismatch (walletusers and wallethosts counts differ)")
        assertConfigError(base + "\nwallethosts=a,b\nwalletusers=u,v\nwalletpasswords=p,q\nwalletcerts=w1.cert,missing.cert\n", files: files,
                          code: .unreadableFile, contains: "walletcert missing.cert and /home/x/.dcrstakepool/missing.cert don't exist")
        assertConfigError(base, code: .missingOption, contains: "wallethosts is not set in config")
        assertConfigError(good + "minservers=3\n", files: files, code: .badValue, contains: "minservers (3) is more than the 2 wallethosts")
    }

    func testConfig_repeatedListKeysAppend() throws {
        let config = try load(minimal + "\nadminips=10.0.0.1,10.0.0.2\n")
        XCTAssertEqual(config.adminIPs, ["127.0.0.1", "10.0.0.1", "10.0.0.2"])
    }

    func testConfig_listenForms() throws {
        XCTAssertEqual(try load(minimal + "\nlisten=/run/pool.sock\n").listen, .unix(path: "/run/pool.sock"))
        XCTAssertEqual(try load(minimal + "\nlisten=[::1]:8000\n").listen, .tcp(host: "::1", port: 8000))
        assertConfigError(minimal + "\nlisten=localhost\n", code: .badValue, contains: "error while parsing bind arg localhost")
        assertConfigError(minimal + "\nlisten=:99999\n", code: .badValue, contains: "error while parsing bind arg")
    }

    func testConfig_sectionsAndSyntax() throws {
        assertConfigError("[Other]\n" + minimal, code: .badSection, contains: "could not find option group `Other'")
        assertConfigError(minimal + "\njust words\n", code: .badSyntax, contains: "expected key=value")
        let quoted = try load(minimal + "\nclosepoolmsg=\"closed\\tfor \\\"now\\\"\"\n")
        XCTAssertEqual(quoted.closePoolMessage, "closed\tfor \"now\"")
        assertConfigError(minimal + "\nclosepoolmsg=\"unterminated\n", code: .badSyntax, contains: "malformed quoted value")
    }

    func testConfig_mailPluginRule() throws {
        XCTAssertEqual(try load(minimal + "\nsmtphost=mail.example.com:25\n").mailPlugin, "smtp")
        XCTAssertEqual(try load(minimal + "\nsmtphost=mail.example.com:25\nmail=log\n").mailPlugin, "log")
        assertConfigError(minimal + "\nmail=smtp\n", code: .missingOption, contains: "smtphost is not set")
    }

    /// `dbtls` verifies unless `dbtlsskipverify`; smtptls accepts opportunistic.
    func testConfig_transportSecurityOptions() throws {
        let verifying = try load(minimal + "\ndbtls=true\ndbtlsca=/etc/pool/mysql-ca.pem\n")
        XCTAssertTrue(try verifying.db.tls)
        XCTAssertEqual(try verifying.db.tlsCAFile, "/etc/pool/mysql-ca.pem")
        XCTAssertFalse(try verifying.db.tlsSkipVerify)
        XCTAssertTrue(try load(minimal + "\ndbtls=true\ndbtlsskipverify=true\n").db.tlsSkipVerify)
        assertConfigError(minimal + "\ndbtlsskipverify=true\n", code: .badValue, contains: "dbtlsskipverify only applies with dbtls=true")
        assertConfigError(minimal + "\ndbtls=true\ndbtlsskipverify=true\ndbtlsca=/ca.pem\n", code: .conflict,
                          contains: "dbtlsskipverify and dbtlsca contradict")
        let mysql = minimal + "\nstorage=mysql\ndbpassword=pw\ndbtls=true\ndbtlsca=/etc/pool/mysql-ca.pem\n"
        assertConfigError(mysql, code: .unreadableFile, contains: "dbtlsca /etc/pool/mysql-ca.pem does not exist")
        XCTAssertEqual(try load(mysql, files: ["/etc/pool/mysql-ca.pem": "PEM"]).db.tlsCAFile, "/etc/pool/mysql-ca.pem")
        XCTAssertEqual(try load(minimal + "\n").smtp.tlsMode.rawValue, "starttls")
        XCTAssertEqual(try load(minimal + "\nsmtptls=opportunistic\n").smtp.tlsMode.rawValue, "opportunistic")
        assertConfigError(minimal + "\nsmtptls=maybe\n", code: .badValue,
                          contains: "smtptls must be starttls, opportunistic, implicit or none")
    }

    func testConfig_debugLevel() throws {
        XCTAssertEqual(try load(minimal + "\ndebuglevel=debug\n").debugLevel.defaultLevel, .debug)
        let pairs = try load(minimal + "\ndebuglevel=CNTL=trace,SYTM=warn\n").debugLevel
        XCTAssertEqual(pairs.perSubsystem, ["CNTL": .trace, "SYTM": .warn])
        // dcrstakepool's old names stay accepted, as aliases of today's subsystems.
        let aliases = try load(minimal + "\ndebuglevel=GRPC=debug,DB=trace,HTTP=warn\n").debugLevel
        XCTAssertEqual(aliases.perSubsystem, ["CTRL": .debug, "STOR": .trace, "SYTM": .warn])
        assertConfigError(minimal + "\ndebuglevel=loud\n", code: .badValue, contains: "debug level [loud] is invalid")
        assertConfigError(minimal + "\ndebuglevel=NOPE=info\n", code: .badValue, contains: "subsystem [NOPE] is invalid")
        assertConfigError(minimal + "\ndebuglevel=CNTL=info,HTTP\n", code: .badValue, contains: "invalid subsystem/level pair [HTTP]")
        // `show` is answered before the rest of the configuration is required.
        let (config, result, _) = try PoolConfig.load(arguments: ["--debuglevel=show"], home: "/h", plugins: .builtIn(), readFile: { _ in nil })
        XCTAssertNil(config)
        XCTAssertTrue(result.showSubsystemsRequested)
    }

    func testConfig_profileMustBeAPort() {
        assertConfigError(minimal + "\nprofile=80\n", code: .badValue, contains: "profile port must be between 1024 and 65535")
    }

    func testConfig_helpAndVersionAreReported() throws {
        let (config, result, loader) = try PoolConfig.load(arguments: ["-h"], home: "/h", plugins: .builtIn(),
                                                           hostOptions: WebAppHostOptions.all, readFile: { _ in nil })
        XCTAssertNil(config)
        XCTAssertTrue(result.helpRequested)
        let usage = loader.usage()
        for spec in WebAppHostOptions.options(plugins: .builtIn()) { XCTAssertTrue(usage.contains("--\(spec.name)"), spec.name) }
        XCTAssertTrue(usage.contains("(default: :8000)"))
        let (_, version, _) = try PoolConfig.load(arguments: ["-V"], home: "/h", plugins: .builtIn(), readFile: { _ in nil })
        XCTAssertTrue(version.versionRequested)
    }

    func testConfig_missingDefaultFileIsAWarningNotAnError() throws {
        let (_, result, _) = try PoolConfig.load(arguments: ["--apisecret=\(Self.apiSecret)", "--cookiesecret=\(Self.cookieSecret)",
                                                             "--adminips=127.0.0.1", "--wallet=simnet"] + VectorKeys.flags("mainnet"),
                                                 home: "/h", plugins: .builtIn(), readFile: { _ in nil })
        XCTAssertEqual(result.missingConfigFileWarning, "open /h/dcrstakepool.conf: no such file or directory")
    }

    func testConfig_nulByteRejected() {
        assertConfigError(minimal + "\npoolemail=a\u{0}b\n", code: .badValue, contains: "NUL byte")
    }

    // MARK: - No configuration mistake is silent (issue 18.5)

    func testConfig_singleValueOptionSetTwiceNamesBothLines() throws {
        assertConfigError(minimal + "\npoolfees=5\npoolfees=6\n", code: .conflict,
                          contains: "dcrstakepool.conf:11: option poolfees is set twice (also at dcrstakepool.conf:10)")
        // On the command line the last flag wins (go-flags); a flag over the file is an override, not a duplicate;
        // a repeated list key still appends.
        XCTAssertEqual(try load(minimal, ["--listen=:1", "--listen=:2"]).listen, .tcp(host: "0.0.0.0", port: 2))
        XCTAssertEqual(try load(minimal + "\npoolfees=5\n", ["--poolfees=6"]).poolFees, 6)
        XCTAssertEqual(try load(minimal + "\nadminips=10.0.0.1\n").adminIPs, ["127.0.0.1", "10.0.0.1"])
    }

    func testConfig_poolFeesWithinWhatStakepooldAccepts() throws {
        assertConfigError(minimal + "\npoolfees=150\n", code: .badValue,
                          contains: "dcrstakepool.conf:10: poolfees must be between 0.01 and 100.00 percent")
        assertConfigError(minimal + "\npoolfees=0\n", code: .badValue, contains: "poolfees must be between")
        XCTAssertEqual(try load(minimal + "\npoolfees=100\n").poolFees, 100)
        XCTAssertEqual(try load(minimal + "\npoolfees=0.01\n").poolFees, 0.01)
    }

    func testConfig_adminIPsAndTrustedProxiesAreAddressesOrCIDRs() throws {
        let config = try load(minimal + "\nadminips=127.0.0.0/8,fd00::/8,::1\ntrustedproxies=10.0.0.0/24,192.168.1.1\n")
        XCTAssertEqual(config.adminIPs, ["127.0.0.1", "127.0.0.0/8", "fd00::/8", "::1"])
        XCTAssertEqual(config.trustedProxies, ["10.0.0.0/24", "192.168.1.1"])
        assertConfigError(minimal + "\ntrustedproxies=nginx.local\n", code: .badValue,
                          contains: "dcrstakepool.conf:10: trustedproxies entry \"nginx.local\" is not an IP address or CIDR range")
        assertConfigError(minimal + "\nadminips=10.0.0.0/33\n", code: .badValue, contains: "adminips entry \"10.0.0.0/33\"")
        assertConfigError(minimal + "\nadminips=localhost\n", code: .badValue, contains: "adminips entry \"localhost\"")
    }

    func testConfig_hostPortOptionsAreHostPort() {
        assertConfigError(minimal + "\nsmtphost=mail example.com:25\n", code: .badValue,
                          contains: "dcrstakepool.conf:10: smtphost must be host:port, not \"mail example.com:25\"")
        assertConfigError(minimal + "\nsmtphost=mail.example.com:0\n", code: .badValue, contains: "smtphost must be host:port")
        let base = minimal.replacingOccurrences(of: "wallet=simnet", with: "")
        assertConfigError(base + "\nwallethosts=wallet one,10.0.0.2\nwalletusers=u,v\nwalletpasswords=p,q\nwalletcerts=/c/a,/c/b\n",
                          files: ["/c/a": "x", "/c/b": "x"], code: .badValue, contains: "wallethosts entry \"wallet one:9110\" is not host:port")
    }

    func testConfig_baseURLWithTrailingSlashIsRefused() throws {
        assertConfigError(minimal + "\nbaseurl=https://pool.example.com/\n", code: .badValue,
                          contains: "dcrstakepool.conf:10: baseurl must not end with a slash (write https://pool.example.com)")
        assertConfigError(minimal + "\nbaseurl=pool.example.com\n", code: .badValue, contains: "baseurl must be an absolute http")
        XCTAssertEqual(try load(minimal + "\nbaseurl=https://example.com/pool\n").baseURL, "https://example.com/pool")
    }

    func testConfig_shortSecretsAreRefused() {
        let short = minimal.replacingOccurrences(of: "cookiesecret=\(Self.cookieSecret)", with: "cookiesecret=abc")
        assertConfigError(short, code: .badValue, contains: "dcrstakepool.conf:5: cookiesecret is 3 characters long; use at least 32")
        let shortAPI = minimal.replacingOccurrences(of: "apisecret=\(Self.apiSecret)", with: "apisecret=0123456789abcdef")
        assertConfigError(shortAPI, code: .badValue, contains: "apisecret is 16 characters long")
        assertConfigError(minimal + "\nstakepooldtoken=secret\n", code: .badValue,
                          contains: "dcrstakepool.conf:10: stakepooldtoken is 6 characters long; use at least 16")
    }

    func testConfig_metricsListenMustBeHostPort() throws {
        for bad in ["9102", "localhost:notaport", "localhost:99999"] {
            assertConfigError(minimal + "\nmetricslisten=\(bad)\n", code: .badValue,
                              contains: "dcrstakepool.conf:10: metricslisten must be host:port (e.g. 127.0.0.1:9102) or a Unix socket path, not \"\(bad)\"")
        }
        XCTAssertEqual(try load(minimal + "\nmetricslisten=127.0.0.1:9102\n").metricsListen, "127.0.0.1:9102")
    }

    func testConfig_extendedKeysAreDecodedForTheNetworkAndNamed() {
        let garbage = minimal.replacingOccurrences(of: "coldwalletextpub=\(VectorKeys.key("mainnet", 0))", with: "coldwalletextpub=not-a-key!")
        assertConfigError(garbage, code: .badValue,
                          contains: "dcrstakepool.conf:6: coldwalletextpub is not a mainnet extended public key: Text contains a character that is not base58")
        // A testnet key on mainnet fails at load, naming the option, not at wallet start-up.
        assertConfigError(minimal, ["--votingwalletextpub=\(VectorKeys.key("testnet3"))"], code: .badValue,
                          contains: "--votingwalletextpub: votingwalletextpub is not a mainnet extended public key: The extended key is for testnet3")
    }

    func testConfig_dbhostIsTCPAndDbsocketIsExplicit() throws {
        XCTAssertEqual(try load(minimal + "\ndbsocket=/run/mysqld/mysqld.sock\n").db.socket, "/run/mysqld/mysqld.sock")
        assertConfigError(minimal + "\ndbsocket=/run/mysqld/mysqld.sock\ndbhost=db.example.com\n", code: .conflict,
                          contains: "dbsocket is set, so dbhost and dbport would be ignored")
        assertConfigError(minimal + "\ndbhost=/run/mysqld/mysqld.sock\n", code: .badValue,
                          contains: "dcrstakepool.conf:10: dbhost is a TCP host name or address; give a socket path as dbsocket=")
        assertConfigError(minimal + "\ndbsocket=mysqld.sock\n", code: .badValue, contains: "dbsocket must be an absolute path")
    }

    func testConfig_databaseScopeNeedsOnlyTheDatabaseOptions() throws {
        let specs = WebAppHostOptions.options(plugins: .builtIn())
        var values = OptionValues(specs: specs)
        try ConfigLoader(specs: specs, appName: "t", defaultConfigFile: "/x/dcrstakepool.conf")
            .apply(file: "storage=mysql\ndbpassword=pw\ndbhost=127.0.0.1\nenablestakepoold=1\nstakepooldhosts=a,b\nstakepooldcerts=/tmp/a.cert,/tmp/b.cert\n",
                   path: "/x/dcrstakepool.conf", to: &values)
        let config = try PoolConfig(values: values, home: "/root/.dcrstakepool", plugins: .builtIn(), fileExists: { _ in false },
                                    scope: .database)
        XCTAssertEqual(try config.db.host, "127.0.0.1")
        XCTAssertEqual(try config.db.password, "pw")
        XCTAssertThrowsError(try PoolConfig(values: values, home: "/root/.dcrstakepool", plugins: .builtIn(), fileExists: { _ in false })) { error in
            XCTAssertEqual((error as? ConfigError)?.code, .missingOption, "the full config still needs apisecret: \(error)")
        }
    }

    func testConfig_absoluteCertPathIsNotJoinedToHome() {
        let file = minimal + "\nenablestakepoold=1\nstakepooldhosts=127.0.0.1,127.0.0.2\nstakepooldcerts=/tmp/none-a.cert,/tmp/none-b.cert\n"
        assertConfigError(file, code: .unreadableFile, contains: "stakepooldcert /tmp/none-a.cert does not exist")
        XCTAssertThrowsError(try load(file)) { XCTAssertFalse("\($0)".contains("//tmp"), "\($0)") }
    }

    func testConfig_commandLineOnlyOptionInFileSaysSo() {
        assertConfigError(minimal + "\nconfigfile=/etc/x.conf\n", code: .unknownOption,
                          contains: "dcrstakepool.conf:10: option configfile is accepted on the command line only")
    }

    func testConfig_debugLevelShowListsSubsystemsReadably() {
        let listing = LogSubsystem.listing(PoolConfig.subsystems)
        XCTAssertFalse(listing.contains("["), "no Swift array: \(listing)")
        XCTAssertTrue(listing.contains("  STOR  storage (SQLite or MySQL) and retention purges (also accepted: DB, MODL)"), listing)
        XCTAssertTrue(listing.contains("  CTRL  stakepoold control API"), listing)
    }

    /// Moved from the kernel's LoggingTests: a plugin's secret option (smtppassword) is redacted like the engine's.
    func testLogger_secretsAreRedacted() throws {
        let sink = CapturingSink()
        let backend = LogBackend(level: .trace, sinks: [sink])
        let config = try PoolConfig(values: {
            var values = OptionValues(specs: WebAppHostOptions.options(plugins: .builtIn()))
            for (key, value) in [("apisecret", "sup3r-api-secret-0123456789abcdef"), ("cookiesecret", "c00kie-secret-0123456789abcdef-xyz"),
                                 ("coldwalletextpub", VectorKeys.key("mainnet", 0)), ("votingwalletextpub", VectorKeys.key("mainnet", 1)),
                                 ("adminips", "127.0.0.1"), ("wallet", "simnet"),
                                 ("smtppassword", "smtp-pass-word")] {
                try values.set(key, value, source: .commandLine(flag: "--\(key)"))
            }
            return values
        }(), home: "/h", plugins: .builtIn())
        for secret in config.secrets { backend.registerSecret(secret) }
        let log = backend.logger("DCRS")
        log.info("config: apisecret=\(config.apiSecret) cookiesecret=\(config.cookieSecret) smtp=\(config.smtp.password)")
        XCTAssertFalse(sink.text.contains("sup3r-api-secret"))
        XCTAssertFalse(sink.text.contains("c00kie-secret"))
        XCTAssertFalse(sink.text.contains("smtp-pass-word"))
        XCTAssertTrue(sink.text.contains("apisecret=*** cookiesecret=*** smtp=***"))
    }

    func testExpand_homeAndVariables() {
        XCTAssertEqual(ConfigLoader.expand("~/x/$NAME/${OTHER}y", environment: ["HOME": "/root", "NAME": "n", "OTHER": "o"]), "/root/x/n/oy")
    }
}

