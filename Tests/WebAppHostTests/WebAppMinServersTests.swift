import Foundation
import HostKit
import HostTestSupport
import WebAppHost
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
import WalletSimnet
import XCTest

/// `minservers` as configured, in the real `hxstakepool` executable over two wallets served over TLS JSON-RPC:
/// when one wallet goes down *after* start-up, `getstakeinfo` (an operation guarded by `minservers`) still
/// answers with `minservers=1` and is refused with `minservers=2` (dcrstakepool's "servers avail is below min"),
/// so the stats the pool serves stay fresh with 1 and go stale with 2. (At start-up any unreachable wallet
/// stops the web app whatever `minservers` says: `WebAppStartupWalletsTests`.)
final class WebAppMinServersTests: XCTestCase {
    private var rpcPool: SimnetRPCPool?
    private var harness: ChildProcessHarness?

    override func tearDown() async throws {
        harness?.stopAll()
        rpcPool?.stop()
    }

    /// The `BlockHeight` of `GET /api/v2/stats`, waiting (bounded) for the first snapshot after start-up.
    private static func statsHeight(_ port: Int) async throws -> Int64 {
        var body = ""
        for _ in 0..<300 {
            (_, body) = try await ChildProcessHarness.get(port, "/api/v2/stats")
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            if let data = object?["data"] as? [String: Any], let height = data["BlockHeight"] as? NSNumber {
                return height.int64Value
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("no stats served: \(body)")
        throw CancellationError()
    }

    /// Starts the web app with `minservers`, takes wallet 1 down, mines a block, opens `/stats` (which refreshes
    /// the stats at a new tip) and returns (height before, height served after, the process log).
    private func heightsWithWalletDownAfterStart(minServers: Int, seed: UInt64) async throws -> (Int64, Int64, String) {
        let binary = try BuiltExecutable.path("hxstakepool")
        let rpcPool = try SimnetRPCPool(seed: seed, walletCount: 2)
        self.rpcPool = rpcPool
        let harness = ChildProcessHarness(directory: rpcPool.directory)
        self.harness = harness
        let path = try rpcPool.writeConfig(["minservers=\(minServers)", "listen=127.0.0.1:0"])
        let output = rpcPool.directory.appendingPathComponent("hxstakepool.out")
        let log = rpcPool.directory.appendingPathComponent("logs/simnet/hxstakepool.log")
        let process = try harness.launch(binary, ["-C", path], log: output)
        let line = try await harness.waitForLine(process, log, containing: "listening on", seconds: 120)
        let port = Int(try ChildProcessHarness.address(after: "listening on ", in: line).port)

        let before = try await Self.statsHeight(port)
        rpcPool.host.setWalletDown(1, true)
        _ = rpcPool.simnet.mine(1)
        let (code, page) = try await ChildProcessHarness.get(port, "/stats")
        XCTAssertEqual(code, 200, "the stats page is served either way (fresh or from the cache): \(page.prefix(300))")
        let after = try await Self.statsHeight(port)
        XCTAssertTrue(process.isRunning, "a wallet going down after start-up never stops the web app")
        let logged = ChildProcessHarness.contents(log)
        harness.stopAll()
        return (before, after, logged)
    }

    func testWebApp_minServersOne_oneWalletDownAfterStartStillAnswersStakeInfo() async throws {
        let (before, after, log) = try await heightsWithWalletDownAfterStart(minServers: 1, seed: 91)
        XCTAssertEqual(after, before + 1, "with minservers=1 the remaining wallet's stake info is served; log: \(log.suffix(2_000))")
        XCTAssertTrue(log.contains("listening on"), "the log was read: \(log.suffix(500))")
        XCTAssertFalse(log.contains("servers avail is below min"), log.suffix(2_000).description)
    }

    func testWebApp_minServersTwo_oneWalletDownAfterStartRefusesStakeInfo() async throws {
        let (before, after, log) = try await heightsWithWalletDownAfterStart(minServers: 2, seed: 92)
        XCTAssertEqual(after, before, "with minservers=2 the refresh is refused and the old stats stay")
        XCTAssertTrue(log.contains("1 servers avail is below min of 2"), log.suffix(2_000).description)
    }
}
