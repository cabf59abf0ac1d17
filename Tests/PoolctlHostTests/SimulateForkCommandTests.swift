import Foundation
import HostKit
import HostTestSupport
import PoolctlHost
import PoolKernel
import PoolTestKit
import Synchronization
import WalletSimnet
import XCTest

/// `poolctl simulate --chainparams FILE --votepolicy NAME --votepolicyoptions …` (issue 19 item 2): the vote
/// daemons simulate on the fork's network with that policy, and the summary names the fork agenda's choice.
final class SimulateForkCommandTests: XCTestCase {
    private func poolctl(_ arguments: [String]) async throws -> (code: Int32, out: String, err: String) {
        let home = try TestEnvironment.makeTemporaryDirectory(prefix: "poolctl-simulate")
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = Mutex<(out: [String], err: [String])>(([], []))
        let output = HostOutput(out: { text in lines.withLock { $0.out.append(text) } },
                                err: { text in lines.withLock { $0.err.append(text) } })
        let code = await PoolctlMain.run(arguments: arguments, output: output, home: home.path)
        return lines.withLock { (code, $0.out.joined(separator: "\n"), $0.err.joined(separator: "\n")) }
    }

    func testSimulate_forkNetworkWithPoolDefaultVotesTheForkAgendasChoice() async throws {
        let fork = try ForkNetworkFacts()
        let result = try await poolctl([
            "simulate", "--blocks", "12", "--tickets", "120", "--users", "4", "--clusters", "2",
            "--chainparams", ForkNetworkFacts.file,
            "--votepolicy", "pooldefault", "--votepolicyoptions", "poolfeecap=no",
        ])
        XCTAssertEqual(result.code, 0, result.out + result.err)
        XCTAssertTrue(result.out.contains("policy pooldefault on \(fork.name) vote version \(fork.newestVersion): poolfeecap no "),
                      result.out)
        XCTAssertTrue(result.out.contains("0 with wrong bits"), result.out)
        // Every cast vote chose "no" for the fork agenda: the report's tally has no other choice.
        let json = try XCTUnwrap(result.out.split(separator: "\n").last.map(String.init))
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let choices = try XCTUnwrap((report["choices"] as? [String: [String: Int]])?["poolfeecap"])
        XCTAssertEqual(Array(choices.keys), ["no"], json)
        XCTAssertEqual(choices["no"], report["voted"] as? Int, json)
        XCTAssertEqual(report["network"] as? String, fork.name)

        // The same run with userprefs: the users' own (mixed) choices, so the policy flag is what decided above.
        let prefs = try await poolctl([
            "simulate", "--blocks", "12", "--tickets", "120", "--users", "4", "--clusters", "2",
            "--chainparams", ForkNetworkFacts.file,
        ])
        XCTAssertEqual(prefs.code, 0, prefs.out + prefs.err)
        XCTAssertTrue(prefs.out.contains("policy userprefs on \(fork.name)"), prefs.out)
        let prefsJSON = try XCTUnwrap(prefs.out.split(separator: "\n").last.map(String.init))
        let prefsReport = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(prefsJSON.utf8)) as? [String: Any])
        let prefsChoices = try XCTUnwrap((prefsReport["choices"] as? [String: [String: Int]])?["poolfeecap"])
        XCTAssertGreaterThan(prefsChoices.count, 1, "the users' own mixed choices: \(prefsJSON)")
    }

    /// A command reading the config (`config check`) runs on the file's network: its name, directories and keys.
    func testPoolctlConfigCheck_honoursTheConfigsChainParams() async throws {
        let fork = try ForkNetworkFacts()
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "poolctl-fork-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = Simnet(configuration: .init(seed: 1, walletCount: 1, parameters: SimnetParameters(
            netParams: try NetParams.resolve(ForkNetworkFacts.file))), logger: .disabled)
        func write(_ chainParams: String, cold: String, voting: String) throws -> String {
            let path = directory.path + "/dcrstakepool.conf"
            try ["apisecret=api-secret-value-0123456789abcdef", "cookiesecret=cookie-secret-value-0123456789abcdef",
                 "coldwalletextpub=\(cold)", "votingwalletextpub=\(voting)", "adminips=127.0.0.1", "wallet=simnet",
                 "datadir=\(directory.path)/data", "chainparams=\(chainParams)"]
                .joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = try write(ForkNetworkFacts.file, cold: keys.coldExtendedPublicKey,
                             voting: keys.votingExtendedPublicKey)
        let checked = try await poolctl(["-C", good, "config", "check"])
        XCTAssertEqual(checked.code, 0, checked.err)
        XCTAssertTrue(checked.out.contains("configuration is valid (network \(fork.name),"), checked.out)
        // simnet's keys are not the fork's: the key check runs against the file's network.
        let simnetKeys = SimnetWalletPlugin.defaultKeys
        let wrongKeys = try await poolctl(["-C", try write(ForkNetworkFacts.file, cold: simnetKeys.cold,
                                                           voting: simnetKeys.voting), "config", "check"])
        XCTAssertEqual(wrongKeys.code, 2)
        XCTAssertTrue(wrongKeys.err.contains("coldwalletextpub"), wrongKeys.err)
        let missing = try await poolctl(["-C", try write(directory.path + "/none.json", cold: keys.coldExtendedPublicKey,
                                                         voting: keys.votingExtendedPublicKey), "db", "status"])
        XCTAssertEqual(missing.code, 2)
        XCTAssertTrue(missing.err.contains("chainparams: "), missing.err)
    }

    func testSimulate_unknownPolicyOrBadChainParamsIsOneSentenceExitTwo() async throws {
        let unknown = try await poolctl(["simulate", "--votepolicy", "nosuchpolicy"])
        XCTAssertEqual(unknown.code, 2)
        XCTAssertEqual(unknown.err, "poolctl simulate: unknown vote policy plugin \"nosuchpolicy\" in option votepolicy "
                       + "(known: pooldefault, userprefs)")
        let missing = try await poolctl(["simulate", "--chainparams", "/nonexistent/fork.json"])
        XCTAssertEqual(missing.code, 2)
        XCTAssertTrue(missing.err.hasPrefix("poolctl simulate: --chainparams: "), missing.err)
        XCTAssertTrue(missing.err.contains("/nonexistent/fork.json"), missing.err)
    }
}
