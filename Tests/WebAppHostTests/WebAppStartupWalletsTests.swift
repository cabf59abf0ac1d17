import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import SimnetHost
import WebAppHost
import XCTest

/// The web app's start-up with real RPC wallets: with one of two wallets unreachable it refuses to start with
/// dcrstakepool's sentence and exit code 3, and serves nothing — whatever `minservers` says (as in dcrstakepool,
/// any wallet that cannot be reached at start-up stops it; `minservers` matters once running:
/// `WebAppMinServersTests`).
final class WebAppStartupWalletsTests: XCTestCase {
    func testWebAppStart_anyUnreachableWalletIsAClearStartupErrorEvenWithMinServersOne() async throws {
        let pool = try SimnetRPCPool(walletCount: 2)
        defer { pool.stop() }
        pool.host.setWalletDown(1, true)
        let path = try pool.writeConfig(["minservers=1", "listen=127.0.0.1:0"])
        let out = LockedValue(""), err = LockedValue("")
        let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } },
                                err: { text in err.withLock { $0 += text + "\n" } })
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, ExitCode.controllerInit)
        XCTAssertTrue(err.value.contains("RPC server connection failure on start"), err.value)
        XCTAssertFalse(err.value.contains(SimnetRPCPool.rpcPassword), "the wallet password is never printed")
        XCTAssertFalse(out.value.contains("listening"), "nothing is served: \(out.value)")
    }

    /// Exit code 4 (dcrstakepool's "wallet sync"): every wallet answers, but the start-up sync cannot complete on one
    /// (its address manager is locked), so the web app stops before serving, with a sentence naming the wallet.
    func testWebAppStart_aWalletTheStartupSyncCannotCompleteOnIsExitFour() async throws {
        let pool = try SimnetRPCPool(walletCount: 2)
        defer { pool.stop() }
        try await pool.setFaults(1, [("locked", .bool(true))])
        let path = try pool.writeConfig(["listen=127.0.0.1:0"])
        let out = LockedValue(""), err = LockedValue("")
        let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } },
                                err: { text in err.withLock { $0 += text + "\n" } })
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, 4, err.value)
        XCTAssertTrue(err.value.hasPrefix("hxstakepool: Failed to sync the wallets: "), err.value)
        XCTAssertTrue(err.value.contains("wallet server 1 locked"), err.value)
        XCTAssertFalse(out.value.contains("listening"), "nothing is served: \(out.value)")
    }
}
