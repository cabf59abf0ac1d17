import XCTest
@testable import PoolKernel

final class ConfigTests: XCTestCase {
    /// A minimal valid file for the in-process simulated wallets (no wallet hosts needed).
    private let minimal = """
    [Application Options]
    ; comment
    # another comment
    apisecret=api-secret-value
    cookiesecret=cookie-secret-value
    coldwalletextpub=spubCold
    votingwalletextpub=spubVoting
    adminips=127.0.0.1
    wallet=simnet
    """

    private func load(_ file: String?, _ args: [String] = [], files: [String: String] = [:]) throws -> PoolConfig {
        let all = files.merging(file.map { ["/home/x/.dcrstakepool/dcrstakepool.conf": $0] } ?? [:]) { a, _ in a }
        let (config, _, _) = try PoolConfig.load(arguments: args, home: "/home/x/.dcrstakepool",
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
        XCTAssertEqual(config.db, .init(host: "localhost", port: 3306, user: "stakepool", password: "", name: "stakepool", poolSize: 4, tls: false))
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
        for spec in WebAppOptions.all {
            guard let value = spec.defaultValue else { continue }
            XCTAssertNoThrow(try OptionValues.validate(value, spec: spec, source: .defaultValue), spec.name)
        }
    }

    func testConfig_flagsOverrideFile() throws {
        let file = minimal + "\nlisten=127.0.0.1:9000\npoolfees=5\nclosepool=1\n"
        let config = try load(file, ["--listen=127.0.0.1:9100", "--poolfees", "2.5", "--closepool=false", "--testnet"])
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
        let config = try load(nil, ["-C", "/etc/pool.conf", "--simnet"], files: ["/etc/pool.conf": minimal])
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
        XCTAssertThrowsError(try PoolConfig.load(arguments: ["-C", path], home: dir.path)) { error in
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
        XCTAssertEqual(config.wallets.map(\.host), ["10.0.0.1:9110", "10.0.0.2:1234"], "default port appended, duplicates removed")
        XCTAssertEqual(config.wallets.map(\.certPath), ["/home/x/.dcrstakepool/w1.cert", "/certs/w2.cert"], "cert resolved under home")
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

    /// transport slice: dbtls verifies unless dbtlsskipverify; smtptls accepts opportunistic.
    func testConfig_transportSecurityOptions() throws {
        let verifying = try load(minimal + "\ndbtls=true\ndbtlsca=/etc/pool/mysql-ca.pem\n")
        XCTAssertTrue(verifying.db.tls)
        XCTAssertEqual(verifying.db.tlsCAFile, "/etc/pool/mysql-ca.pem")
        XCTAssertFalse(verifying.db.tlsSkipVerify)
        XCTAssertTrue(try load(minimal + "\ndbtls=true\ndbtlsskipverify=true\n").db.tlsSkipVerify)
        assertConfigError(minimal + "\ndbtlsskipverify=true\n", code: .badValue, contains: "dbtlsskipverify only applies with dbtls=true")
        assertConfigError(minimal + "\ndbtls=true\ndbtlsskipverify=true\ndbtlsca=/ca.pem\n", code: .conflict,
                          contains: "dbtlsskipverify and dbtlsca contradict")
        let mysql = minimal + "\nstorage=mysql\ndbpassword=pw\ndbtls=true\ndbtlsca=/etc/pool/mysql-ca.pem\n"
        assertConfigError(mysql, code: .unreadableFile, contains: "dbtlsca /etc/pool/mysql-ca.pem does not exist")
        XCTAssertEqual(try load(mysql, files: ["/etc/pool/mysql-ca.pem": "PEM"]).db.tlsCAFile, "/etc/pool/mysql-ca.pem")
        XCTAssertEqual(try load(minimal + "\n").smtp.tls, "starttls")
        XCTAssertEqual(try load(minimal + "\nsmtptls=opportunistic\n").smtp.tls, "opportunistic")
        assertConfigError(minimal + "\nsmtptls=maybe\n", code: .badValue,
                          contains: "smtptls must be starttls, opportunistic, implicit or none")
    }

    func testConfig_debugLevel() throws {
        XCTAssertEqual(try load(minimal + "\ndebuglevel=debug\n").debugLevel.defaultLevel, .debug)
        let pairs = try load(minimal + "\ndebuglevel=CNTL=trace,HTTP=warn\n").debugLevel
        XCTAssertEqual(pairs.perSubsystem, ["CNTL": .trace, "HTTP": .warn])
        assertConfigError(minimal + "\ndebuglevel=loud\n", code: .badValue, contains: "debug level [loud] is invalid")
        assertConfigError(minimal + "\ndebuglevel=NOPE=info\n", code: .badValue, contains: "subsystem [NOPE] is invalid")
        assertConfigError(minimal + "\ndebuglevel=CNTL=info,HTTP\n", code: .badValue, contains: "invalid subsystem/level pair [HTTP]")
        XCTAssertTrue(try load(minimal + "\ndebuglevel=show\n").debugLevel.showSubsystems)
    }

    func testConfig_profileMustBeAPort() {
        assertConfigError(minimal + "\nprofile=80\n", code: .badValue, contains: "profile port must be between 1024 and 65535")
    }

    func testConfig_helpAndVersionAreReported() throws {
        let (config, result, loader) = try PoolConfig.load(arguments: ["-h"], home: "/h", readFile: { _ in nil })
        XCTAssertNil(config)
        XCTAssertTrue(result.helpRequested)
        let usage = loader.usage()
        for spec in WebAppOptions.all { XCTAssertTrue(usage.contains("--\(spec.name)"), spec.name) }
        XCTAssertTrue(usage.contains("(default: :8000)"))
        let (_, version, _) = try PoolConfig.load(arguments: ["-V"], home: "/h", readFile: { _ in nil })
        XCTAssertTrue(version.versionRequested)
    }

    func testConfig_missingDefaultFileIsAWarningNotAnError() throws {
        let (_, result, _) = try PoolConfig.load(arguments: ["--apisecret=a", "--cookiesecret=b", "--coldwalletextpub=c",
                                                             "--votingwalletextpub=d", "--adminips=127.0.0.1", "--wallet=simnet"],
                                                 home: "/h", readFile: { _ in nil })
        XCTAssertEqual(result.missingConfigFileWarning, "open /h/dcrstakepool.conf: no such file or directory")
    }

    func testConfig_nulByteRejected() {
        assertConfigError(minimal + "\npoolemail=a\u{0}b\n", code: .badValue, contains: "NUL byte")
    }

    func testExpand_homeAndVariables() {
        XCTAssertEqual(ConfigLoader.expand("~/x/$NAME/${OTHER}y", environment: ["HOME": "/root", "NAME": "n", "OTHER": "o"]), "/root/x/n/oy")
    }
}
