import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolctlHost
import StakepooldHost
import WebAppHost
import StorageMySQL
import WalletDcrwallet
import XCTest

final class StakepooldConfigTests: XCTestCase {
    let base = ["--coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)", "--dcrdhost=127.0.0.1", "--dcrduser=u", "--dcrdpassword=p",
                "--dcrdcert=/c/dcrd.cert", "--wallethost=127.0.0.1", "--walletuser=u", "--walletpassword=p",
                "--walletcert=/c/wallet.cert", "--simnet"]

    func load(_ extra: [String]) throws -> StakepooldConfig {
        let (config, _) = try StakepooldConfig.load(arguments: base + extra, home: "/tmp/spd-home-test", plugins: .builtIn(),
                                                    fileExists: { $0.hasPrefix("/c/") })
        return try XCTUnwrap(config)
    }

    func testStakepooldConfig_defaultsAndPorts() throws {
        let config = try load([])
        XCTAssertEqual(config.poolFees, 5)
        XCTAssertEqual(try config.dcrd.host, "127.0.0.1:19556")
        XCTAssertEqual(try config.wallet.host, "127.0.0.1:19557")
        XCTAssertEqual(config.rpcListen, ["127.0.0.1:19560", "[::1]:19560"])
        XCTAssertEqual(config.votePolicy, "userprefs")
        XCTAssertEqual(config.storagePlugin, "sqlite")
        XCTAssertEqual(config.dataDir, "/tmp/spd-home-test/data/simnet")
        XCTAssertEqual(config.sqlitePath, "/tmp/spd-home-test/data/simnet/stakepool.sqlite")
        XCTAssertNil(config.metricsListen, "metrics are off by default")
        XCTAssertEqual(try load(["--metricslisten=9114"]).metricsListen, "9114")
    }

    func testStakepooldConfig_rejectsBadValues() {
        XCTAssertThrowsError(try load(["--poolfees=0"])) { XCTAssertTrue("\($0)".contains("invalid pool fee 0")) }
        XCTAssertThrowsError(try load(["--poolfees=100.01"]))
        XCTAssertThrowsError(try load(["--testnet"]))
        XCTAssertThrowsError(try load(["--storage=mysql"])) { XCTAssertTrue("\($0)".contains("dbpassword")) }
        XCTAssertThrowsError(try load(["--storage=postgres"]))
        XCTAssertThrowsError(try load(["--votepolicyoptions=novalue"]))
        XCTAssertThrowsError(try load(["--metricslisten=nohostport"])) { XCTAssertTrue("\($0)".contains("metricslisten")) }
        XCTAssertThrowsError(try StakepooldConfig.load(arguments: Array(base.dropFirst()), home: "/tmp/spd-home-test", plugins: .builtIn(),
                                                       fileExists: { _ in true }))
        XCTAssertThrowsError(try StakepooldConfig.load(arguments: base, home: "/tmp/spd-home-test", plugins: .builtIn(),
                                                       fileExists: { _ in false })) {
            // An absolute path is not also tried under the home directory (no "/home//c/..." in the message).
            XCTAssertTrue("\($0)".contains("dcrdcert /c/dcrd.cert does not exist"), "\($0)")
        }
    }

    func testStakepooldConfig_policyOptions() throws {
        let config = try load(["--votepolicy=PoolDefault", "--votepolicyoptions=lnfeatures=yes"])
        XCTAssertEqual(config.votePolicy, "pooldefault")
        XCTAssertEqual(config.votePolicyOptions, ["lnfeatures": "yes"])
    }

    // MARK: - Same option machinery as the web app (issue 18.5)

    private var repoRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    private func loadFile(_ text: String) throws -> StakepooldConfig {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("spd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try text.write(toFile: home + "/stakepoold.conf", atomically: true, encoding: .utf8)
        let (config, _) = try StakepooldConfig.load(arguments: base + ["-C", home + "/stakepoold.conf"], home: home, plugins: .builtIn(),
                                                    fileExists: { $0.hasPrefix("/c/") })
        return try XCTUnwrap(config)
    }

    private func assertFileError(_ text: String, contains expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try loadFile(text), line: line) { error in
            XCTAssertTrue(ConfigLoader.describe(error).contains(expected), "\"\(ConfigLoader.describe(error))\" lacks \"\(expected)\"", line: line)
        }
    }

    func testStakepooldConfig_mistakesNameOptionAndLine() throws {
        assertFileError("poolfees=2\npoolfees=150\n", contains: "stakepoold.conf:2: option poolfees is set twice (also at stakepoold.conf:1)")
        assertFileError("controltoken=short\n", contains: "stakepoold.conf:1: controltoken is 5 characters long; use at least 16")
        assertFileError("poolfees=150\n", contains: "stakepoold.conf:1: invalid pool fee 150, pool fee must be between 0.01 and 100.00")
        assertFileError("\nappdata=/srv/spd\n", contains: "stakepoold.conf:2: option appdata is accepted on the command line only (--appdata)")
        assertFileError("metricslisten=localhost:notaport\n", contains: "stakepoold.conf:1: invalid metricslisten localhost:notaport")
        assertFileError("storage=mysql\ndbpassword=pw\ndbhost=/run/mysqld/mysqld.sock\n",
                        contains: "stakepoold.conf:3: dbhost is a TCP host name or address; give a socket path as dbsocket=")
        let socket = try loadFile("storage=mysql\ndbpassword=pw\ndbsocket=/run/mysqld/mysqld.sock\n")
        XCTAssertEqual(try socket.db.socket, "/run/mysqld/mysqld.sock")
        XCTAssertNil(try loadFile("").db.socket, "dbhost means TCP by default")
        XCTAssertEqual(try loadFile("debuglevel=GRPC=debug,DB=trace\n").debugLevel.perSubsystem, ["CTRL": .debug, "STOR": .trace],
                       "dcrstakepool's subsystem names are aliases")
    }

    func testStakepooldConfig_extendedKeyDecodedForTheNetwork() {
        XCTAssertThrowsError(try load(["--coldwalletextpub=garbage!"])) { error in
            XCTAssertTrue(ConfigLoader.describe(error).contains("--coldwalletextpub: coldwalletextpub is not a simnet extended public key: "
                                                                + "Text contains a character that is not base58"), "\(error)")
        }
    }

    func testStakepooldMain_configErrorExitsTwoLikeTheWebApp() async {
        let err = LockedValue(""), out = LockedValue("")
        let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } }, err: { text in err.withLock { $0 += text + "\n" } })
        let code = await StakepooldMain.run(arguments: base + ["--poolfees=150"], output: output, home: "/tmp/spd-home-test-\(UUID().uuidString)")
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains("stakepoold: --poolfees: invalid pool fee 150"), err.value)
    }

    func testStakepooldMain_helpShowsDefaultsAndShowListsSubsystems() async {
        let out = LockedValue("")
        let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } }, err: { _ in })
        let code = await StakepooldMain.run(arguments: ["--help"], output: output, home: "/tmp/spd-home-test")
        XCTAssertEqual(code, ExitCode.ok)
        XCTAssertTrue(out.value.contains("--poolfees="), out.value)
        XCTAssertTrue(out.value.contains("(default: 5)"), out.value)
        XCTAssertTrue(out.value.contains("(default: userprefs)"), out.value)
        XCTAssertTrue(out.value.contains("-A, --appdata="), out.value)
        XCTAssertTrue(out.value.contains("(command line only)"), out.value)
        let listing = LockedValue("")
        let showCode = await StakepooldMain.run(arguments: base + ["--debuglevel=show"],
                                                output: HostOutput(out: { text in listing.withLock { $0 += text } }, err: { _ in }),
                                                home: "/tmp/spd-home-test")
        XCTAssertEqual(showCode, ExitCode.ok)
        XCTAssertTrue(listing.value.contains("  STOR  storage (SQLite or MySQL)"), listing.value)
        XCTAssertFalse(listing.value.contains("[\""), "a readable list, not a Swift array: \(listing.value)")
    }

    /// One version string for every program (stakepoold said "1.1.1+dev" while the web app said "1.1.1").
    func testStakepooldMain_versionIsTheWebAppsVersion() async {
        let out = LockedValue("")
        let code = await StakepooldMain.run(arguments: ["-V"], output: HostOutput(out: { text in out.withLock { $0 += text } }, err: { _ in }),
                                            home: "/tmp/spd-home-test")
        XCTAssertEqual(code, ExitCode.ok)
        XCTAssertEqual(out.value, "stakepoold version \(WebAppMain.version)")
        XCTAssertEqual(StakepooldMain.version, WebAppMain.version)
    }

    /// examples/stakepoold.conf is what `poolctl config sample stakepoold` prints.
    func testStakepooldSample_committedFileMatchesTheGeneratedOne() async throws {
        let out = LockedValue("")
        let code = await PoolctlMain.run(arguments: ["config", "sample", "stakepoold"],
                                         output: HostOutput(out: { text in out.withLock { $0 += text } }, err: { _ in }),
                                         home: "/tmp/poolctl-home-\(UUID().uuidString)")
        XCTAssertEqual(code, ExitCode.ok)
        let shipped = try String(contentsOfFile: repoRoot + "/examples/stakepoold.conf", encoding: .utf8)
        XCTAssertEqual(shipped.trimmingCharacters(in: .whitespacesAndNewlines), out.value.trimmingCharacters(in: .whitespacesAndNewlines),
                       "examples/stakepoold.conf is stale: run `poolctl config sample stakepoold > examples/stakepoold.conf`")
        for spec in StakepooldConfig.options(plugins: .builtIn()) where !spec.commandLineOnly { XCTAssertTrue(shipped.contains(";\(spec.name)="), spec.name) }
        XCTAssertNoThrow(try INIParser().parse(shipped, path: "stakepoold.conf"))
    }
}
