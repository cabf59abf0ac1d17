import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
import WalletDcrwallet
import WalletSimnet
@testable import WebAppHost
import XCTest

/// `walletmaxmessagesize` (issue 23 item 4): the dcrwallet plugin's reply cap, loaded and bounded with the other
/// options, and enforced on `listscripts` replies from simulated wallets served over TLS websockets by the real
/// JSON-RPC server, through the wallets the web app assembles from its config.
final class WalletMessageCapTests: XCTestCase {
    private var pools: [SimnetRPCPool] = []

    override func tearDown() {
        for pool in pools { pool.stop() }
        pools = []
    }

    private func makePool() throws -> SimnetRPCPool {
        let pool = try SimnetRPCPool(seed: 23, walletCount: 2)
        pools.append(pool)
        return pool
    }

    /// A 1-of-2 multisig redeem script of the layout registrations make, unique per `n` (keys are stand-ins).
    private static func script(_ n: Int) -> String {
        let tag = String(format: "%08x", n)
        let key = "02" + String(repeating: "ab", count: 28) + tag
        let other = "03" + String(repeating: "cd", count: 28) + tag
        return "5121" + key + "21" + other + "52ae"
    }

    /// Imports `count` scripts into wallet 0 in process (no RPC), returning the wallet's listscripts as the server
    /// will encode it.
    private func fill(_ pool: SimnetRPCPool, count: Int) async throws -> [UInt8] {
        let wallet = SimnetWalletBackend(simnet: pool.simnet, walletIndex: 0)
        for n in 0..<count { try await wallet.importScript(Self.script(n), rescan: false, scanFrom: 0) }
        var reply = JSONObject()
        reply.entries = [("result", WalletWire.json(try await wallet.listScripts())), ("error", .null), ("id", .int(1))]
        return JSONValue.object(reply).encoded()
    }

    private func firstWallet(_ pool: SimnetRPCPool, _ extra: [String]) async throws -> (any WalletBackend, PoolServices) {
        let config = try pool.config(extra)
        let storage = try await SimnetRPCPool.storage(config)
        let services = try await SimnetRPCPool.services(config, storage: storage)
        return (services.walletSet.wallets[0], services)
    }

    func testWalletMaxMessageSize_badValuesExitTwoNamingTheOption() async throws {
        let pool = try makePool()
        for value in ["0", "4097", "-1", "lots"] {
            let path = try pool.writeConfig(["walletmaxmessagesize=\(value)"])
            let out = LockedValue(""), err = LockedValue("")
            let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } },
                                    err: { text in err.withLock { $0 += text + "\n" } })
            let code = await WebAppMain.run(arguments: ["-C", path], output: output)
            XCTAssertEqual(code, ExitCode.usage, value)
            XCTAssertTrue(err.value.contains("walletmaxmessagesize"), "\(value): \(err.value)")
            XCTAssertTrue(err.value.contains("dcrstakepool.conf:"), "names the line: \(err.value)")
        }
        let spec = try XCTUnwrap(WebAppHostOptions.options(plugins: .builtIn()).first { $0.name == "walletmaxmessagesize" })
        XCTAssertEqual(spec.defaultValue, "512")
    }

    func testListScripts_replyOverTheCapIsRefusedNamingTheOption() async throws {
        let pool = try makePool()
        let encoded = try await fill(pool, count: 6_000)
        XCTAssertGreaterThan(encoded.count, 1 << 20, "the reply must exceed the 1 MiB cap under test")
        let (wallet, _) = try await firstWallet(pool, ["walletmaxmessagesize=1"])
        do {
            let scripts = try await wallet.listScripts()
            XCTFail("a \(encoded.count)-byte reply passed a 1 MiB cap (\(scripts.count) scripts)")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletBadResponse)
            XCTAssertTrue(error.message.contains("larger than walletmaxmessagesize (1 MiB); raise walletmaxmessagesize"),
                          error.message)
        }
    }

    func testListScripts_replyBetweenTheOldAndTheNewCapIsAccepted() async throws {
        let pool = try makePool()
        let count = 140_000
        let encoded = try await fill(pool, count: count)
        XCTAssertGreaterThan(encoded.count, 32 << 20, "the reply must exceed the old 32 MiB cap")
        let (wallet, _) = try await firstWallet(pool, [])
        let scripts = try await wallet.listScripts()
        XCTAssertEqual(scripts.count, count)
        XCTAssertEqual(Set(scripts.map { $0.redeemScript.lowercased() }), Set((0..<count).map(Self.script)))
    }
}
