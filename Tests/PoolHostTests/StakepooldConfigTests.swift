import Foundation
import PoolHost
import PoolKernel
import XCTest

final class StakepooldConfigTests: XCTestCase {
    let base = ["--coldwalletextpub=spub", "--dcrdhost=127.0.0.1", "--dcrduser=u", "--dcrdpassword=p",
                "--dcrdcert=/c/dcrd.cert", "--wallethost=127.0.0.1", "--walletuser=u", "--walletpassword=p",
                "--walletcert=/c/wallet.cert", "--simnet"]

    func load(_ extra: [String]) throws -> StakepooldConfig {
        let (config, _) = try StakepooldConfig.load(arguments: base + extra, home: "/tmp/spd-home-test",
                                                    fileExists: { $0.hasPrefix("/c/") })
        return try XCTUnwrap(config)
    }

    func testStakepooldConfig_defaultsAndPorts() throws {
        let config = try load([])
        XCTAssertEqual(config.poolFees, 5)
        XCTAssertEqual(config.dcrd.host, "127.0.0.1:19556")
        XCTAssertEqual(config.wallet.host, "127.0.0.1:19557")
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
        XCTAssertThrowsError(try StakepooldConfig.load(arguments: Array(base.dropFirst()), home: "/tmp/spd-home-test",
                                                       fileExists: { _ in true }))
        XCTAssertThrowsError(try StakepooldConfig.load(arguments: base, home: "/tmp/spd-home-test",
                                                       fileExists: { _ in false })) {
            XCTAssertTrue("\($0)".contains("don't exist"), "\($0)")
        }
    }

    func testStakepooldConfig_policyOptions() throws {
        let config = try load(["--votepolicy=PoolDefault", "--votepolicyoptions=lnfeatures=yes"])
        XCTAssertEqual(config.votePolicy, "pooldefault")
        XCTAssertEqual(config.votePolicyOptions, ["lnfeatures": "yes"])
    }
}
