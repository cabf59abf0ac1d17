import Foundation
import HostKit
import HostTestSupport
import PoolctlHost
import StakepooldHost
import WebAppHost
import PoolKernel
import PoolTestKit
import XCTest

/// Issue 19 items 1 and 5, through the real entry points: every host takes the plugin set as a value, refuses an
/// unknown plugin name with one sentence listing the known ones, lists and checks the options each plugin
/// registers (with `file:line`), and accepts a plugin an embedding program adds.
final class PluginSeamTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "plugin-seam")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func capture() -> (HostOutput, LockedValue<String>, LockedValue<String>) {
        let out = LockedValue(""), err = LockedValue("")
        return (HostOutput(out: { text in out.withLock { $0 += text + "\n" } }, err: { text in err.withLock { $0 += text + "\n" } }),
                out, err)
    }

    /// The built-in set plus what an embedding program adds: a storage plugin with an option of its own.
    private var embedded: PoolPlugins {
        var plugins = PoolPlugins.builtIn()
        plugins.storage.register("memory", options: [OptionSpec("memorylimit", .int, default: "100", help: "Most users kept in memory")],
                                 check: { context, _ in
            let v = context.values
            if v.int("memorylimit") < 1 {
                throw ConfigError(.badValue, OptionChecks.prefix(v.source("memorylimit")) + "memorylimit must be at least 1")
            }
        }) { _ in InMemoryStorage() }
        return plugins
    }

    // MARK: - Web app

    func testWebAppMain_unknownNameInEveryRegistryIsOneSentenceListingTheKnownOnes() async throws {
        let cases = [("storage=postgres", "unknown storage plugin \"postgres\" in option storage (known: mysql, sqlite)"),
                     ("mail=pigeon", "unknown mail plugin \"pigeon\" in option mail (known: log, smtp)"),
                     ("wallet=abacus", "unknown wallet plugin \"abacus\" in option wallet (known: dcrwallet, simnet)"),
                     ("votepolicy=coinflip", "unknown vote policy plugin \"coinflip\" in option votepolicy (known: pooldefault, userprefs)")]
        for (line, sentence) in cases {
            // WebAppTestConfig's first extra line is line 13; `wallet=` there replaces its `wallet=simnet`.
            let path = try WebAppTestConfig.write(into: directory.path, extra: line.hasPrefix("wallet=") ? "" : line)
            var arguments = ["-C", path]
            if line.hasPrefix("wallet=") { arguments.append("--" + line) }
            let (output, _, err) = capture()
            let code = await WebAppMain.run(arguments: arguments, plugins: .builtIn(), output: output)
            XCTAssertEqual(code, ExitCode.usage, line)
            let place = line.hasPrefix("wallet=") ? "--wallet: " : "dcrstakepool.conf:13: "
            XCTAssertTrue(err.value.hasPrefix("hxstakepool: " + place + sentence + "\n"), err.value)
        }
    }

    func testWebAppMain_pluginOptionsAreCheckedAtLoadWithFileAndLine() async throws {
        let path = try WebAppTestConfig.write(into: directory.path, extra: "storage=mysql\ndbpassword=pw\ndbport=notaport")
        let (output, _, err) = capture()
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains("dcrstakepool.conf:15: dbport must be a port number 1-65535, not \"notaport\""), err.value)

        let smtp = try WebAppTestConfig.write(into: directory.path, extra: "smtptls=maybe")
        let (output2, _, err2) = capture()
        let smtpCode = await WebAppMain.run(arguments: ["-C", smtp], output: output2)
        XCTAssertEqual(smtpCode, ExitCode.usage)
        XCTAssertTrue(err2.value.contains("dcrstakepool.conf:13: smtptls must be starttls, opportunistic, implicit or none"), err2.value)
    }

    func testEmbeddedPlugin_optionsShownInHelpAndSampleAndCheckedInTheFile() async throws {
        let (output, out, _) = capture()
        let helpCode = await WebAppMain.run(arguments: ["--help"], plugins: embedded, output: output)
        XCTAssertEqual(helpCode, ExitCode.ok)
        XCTAssertTrue(out.value.contains("--memorylimit="), out.value)
        XCTAssertTrue(out.value.contains("Most users kept in memory (default: 100)"), out.value)
        XCTAssertTrue(out.value.contains("Storage plugin: memory, mysql, sqlite (default: sqlite)"), out.value)
        let stockHelp = await helpText(plugins: .builtIn())
        XCTAssertFalse(stockHelp.contains("memorylimit"), "only the set that registers it shows it")

        let (sampleOutput, sample, _) = capture()
        let sampleCode = await PoolctlMain.run(arguments: ["config", "sample"], plugins: embedded, output: sampleOutput,
                                               home: directory.path)
        XCTAssertEqual(sampleCode, ExitCode.ok)
        XCTAssertTrue(sample.value.contains("; Most users kept in memory\n;memorylimit=100\n"), sample.value)

        let bad = try WebAppTestConfig.write(into: directory.path, extra: "storage=memory\nmemorylimit=0")
        let (badOutput, _, err) = capture()
        let badCode = await WebAppMain.run(arguments: ["-C", bad], plugins: embedded, output: badOutput)
        XCTAssertEqual(badCode, ExitCode.usage)
        XCTAssertTrue(err.value.contains("dcrstakepool.conf:14: memorylimit must be at least 1"), err.value)
        let (refusedOutput, _, refused) = capture()
        _ = await WebAppMain.run(arguments: ["-C", bad], plugins: .builtIn(), output: refusedOutput)
        XCTAssertTrue(refused.value.contains("unknown option \"memorylimit\""), "the stock set does not accept it: \(refused.value)")

        let good = try WebAppTestConfig.write(into: directory.path, extra: "storage=memory\nmemorylimit=5")
        let (checkOutput, check, checkErr) = capture()
        let checkCode = await PoolctlMain.run(arguments: ["-C", good, "config", "check"], plugins: embedded, output: checkOutput,
                                              home: directory.path)
        XCTAssertEqual(checkCode, ExitCode.ok, checkErr.value)
        XCTAssertTrue(check.value.contains("storage memory"), check.value)
    }

    private func helpText(plugins: PoolPlugins) async -> String {
        let (output, out, _) = capture()
        _ = await WebAppMain.run(arguments: ["--help"], plugins: plugins, output: output)
        return out.value
    }

    // MARK: - stakepoold

    private func stakepooldArguments() throws -> [String] {
        let certificate = directory.appendingPathComponent("rpc.cert").path
        FileManager.default.createFile(atPath: certificate, contents: Data("x".utf8))
        return ["--simnet", "--coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)", "--dcrdhost=127.0.0.1", "--dcrduser=u",
                "--dcrdpassword=p", "--dcrdcert=\(certificate)", "--wallethost=127.0.0.1", "--walletuser=u",
                "--walletpassword=p", "--walletcert=\(certificate)", "--norpclisten"]
    }

    func testStakepooldMain_unknownNameInEveryRegistryIsOneSentenceListingTheKnownOnes() async throws {
        let cases = [("storage=postgres", "unknown storage plugin \"postgres\" in option storage (known: mysql, sqlite)"),
                     ("wallet=abacus", "unknown wallet plugin \"abacus\" in option wallet (known: dcrwallet)"),
                     ("node=btcd", "unknown node plugin \"btcd\" in option node (known: dcrd)"),
                     ("votepolicy=coinflip", "unknown vote policy plugin \"coinflip\" in option votepolicy (known: pooldefault, userprefs)")]
        for (flag, sentence) in cases {
            let (output, _, err) = capture()
            let code = await StakepooldMain.run(arguments: try stakepooldArguments() + ["--" + flag], plugins: .builtIn(),
                                                output: output, home: directory.path)
            XCTAssertEqual(code, ExitCode.usage, flag)
            let option = String(flag.prefix { $0 != "=" })
            XCTAssertTrue(err.value.hasPrefix("stakepoold: --\(option): \(sentence)\n"), err.value)
        }
    }

    func testStakepooldMain_pluginOptionsCheckedAtLoadAndListed() async throws {
        let file = directory.appendingPathComponent("stakepoold.conf").path
        try "storage=mysql\ndbpassword=pw\ndbport=notaport\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (output, _, err) = capture()
        let code = await StakepooldMain.run(arguments: try stakepooldArguments() + ["-C", file], output: output, home: directory.path)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains("stakepoold.conf:3: dbport must be a port number 1-65535, not \"notaport\""), err.value)

        let (helpOutput, help, _) = capture()
        _ = await StakepooldMain.run(arguments: ["--help"], plugins: embedded, output: helpOutput, home: directory.path)
        for option in ["--storage=", "--wallet=", "--node=", "--votepolicy=", "--dbtlsca=", "--wallethost=", "--dcrdcert=",
                       "--memorylimit="] {
            XCTAssertTrue(help.value.contains(option), "\(option) in \(help.value)")
        }
        XCTAssertTrue(help.value.contains("(default: dcrd)") && help.value.contains("(default: dcrwallet)"), help.value)
    }
}
