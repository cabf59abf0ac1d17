import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StakepooldHost
import StorageMySQL
import XCTest

/// stakepoold reaches MySQL like the web app (`dbtls`, `dbtlsca`, `dbtlsskipverify`, `dbpoolsize`, checked by
/// the same code): a real `stakepoold` process against the test MariaDB, whose certificate a throwaway test CA
/// signed (with-test-services), connects with `dbtls` + `dbtlsca`, and with `dbtls` alone refuses the server
/// it cannot verify with a sentence naming `dbtlsca`.
final class StakepooldMySQLTLSTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    func testStakepoold_dbtlsWithTheCAConnects_withoutItRefusesNamingDbtlsca() async throws {
        let host = try TestEnvironment.require("POOL_MYSQL_HOST")
        let port = try TestEnvironment.require("POOL_MYSQL_PORT")
        let user = try TestEnvironment.require("POOL_MYSQL_USER")
        let password = try TestEnvironment.require("POOL_MYSQL_PASSWORD")
        let database = try TestEnvironment.require("POOL_MYSQL_DATABASE")
        let ca = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-mysql-tls")
        self.harness = harness
        let binary = try BuiltExecutable.path("stakepoold")
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: 29)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        func arguments(_ home: String, _ extra: [String]) -> [String] {
            ["--simnet", "--appdata", harness.path(home), "--coldwalletextpub=\(coldKey)",
             "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
             "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
             "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
             "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)",
             "--norpclisten", "--storage=mysql", "--dbhost=\(host)", "--dbport=\(port)", "--dbuser=\(user)",
             "--dbpassword=\(password)", "--dbname=\(database)", "--dbtls=true", "--dbpoolsize=2"] + extra
        }

        // Verified against the test CA: the database answers (prefs loaded from it, no outage).
        let verifiedLog = harness.path("verified.log")
        let verified = try harness.launch(binary, arguments("verified", ["--dbtlsca=\(ca)"]), log: verifiedLog)
        try await harness.waitForLine(verified, verifiedLog, containing: "loaded prefs for", seconds: 60)
        try await harness.waitForLine(verified, verifiedLog, containing: "subscribed to notifications from dcrd", seconds: 60)
        XCTAssertFalse(harness.contents(verifiedLog).contains("database unreachable"), harness.contents(verifiedLog))
        verified.terminate()
        let stopped = await harness.waitForExit(verified, seconds: 20)
        XCTAssertTrue(stopped)

        // No CA: the system store does not know the test CA, so the server is refused, saying what to set.
        let refusedLog = harness.path("refused.log")
        let refused = try harness.launch(binary, arguments("refused", []), log: refusedLog)
        let line = try await harness.waitForLine(refused, refusedLog, containing: "database unreachable", seconds: 60)
        XCTAssertTrue(line.contains("dbtlsca"), line)
        XCTAssertFalse(harness.contents(refusedLog).contains(password), "no password in the log")
        XCTAssertFalse(harness.contents(refusedLog).contains("loaded prefs for 0 users from storage"), harness.contents(refusedLog))
    }

    func testStakepooldConfig_databaseOptionsAreCheckedLikeTheWebApps() throws {
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "stakepoold-db-options")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("wallet.cert").path
        FileManager.default.createFile(atPath: certificate, contents: Data("x".utf8))
        let base = ["--simnet", "--coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)", "--dcrdhost=127.0.0.1",
                    "--dcrduser=u", "--dcrdpassword=p", "--dcrdcert=\(certificate)", "--wallethost=127.0.0.1",
                    "--walletuser=u", "--walletpassword=p", "--walletcert=\(certificate)", "--storage=mysql",
                    "--dbpassword=secret"]
        func failure(_ extra: [String]) -> String {
            do {
                _ = try StakepooldConfig.load(arguments: base + extra, home: directory.path, plugins: .builtIn(), fileExists: { FileManager.default.fileExists(atPath: $0) })
                return ""
            } catch {
                return (error as? ConfigError)?.message ?? "\(error)"
            }
        }
        XCTAssertTrue(failure(["--dbtls=true", "--dbtlsca=/nonexistent/ca.pem"]).contains("dbtlsca /nonexistent/ca.pem does not exist"))
        XCTAssertTrue(failure(["--dbtlsskipverify=true"]).contains("dbtlsskipverify only applies with dbtls=true"))
        XCTAssertTrue(failure(["--dbpoolsize=0"]).contains("dbpoolsize must be between 1 and 256"))
        let (loaded, _) = try StakepooldConfig.load(arguments: base + ["--dbtls=true", "--dbtlsskipverify=true", "--dbpoolsize=9"],
                                                    home: directory.path, plugins: .builtIn())
        let config = try XCTUnwrap(loaded)
        let db = try config.db
        XCTAssertEqual(db.poolSize, 9)
        XCTAssertTrue(db.tls && db.tlsSkipVerify)
    }
}
