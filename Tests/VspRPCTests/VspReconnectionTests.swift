import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
@testable import VspRPC
import XCTest

/// vspd checks a daemon on every new connection: the plugins re-run the checks after a reconnect, and a wallet that
/// is down when the pool starts is dialled until it comes up.
final class VspReconnectionTests: XCTestCase {
    private let quick = ReconnectPolicy(step: .milliseconds(20), maxDelay: .milliseconds(100))

    private func eventually(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<500 where !(await condition()) { try await Task.sleep(for: .milliseconds(10)) }
        let holds = await condition()
        XCTAssertTrue(holds, what)
    }

    func testNodeReconnect_rerunsTheChecks_andUsesNoNodeThatFailsThem() async throws {
        let dcrd = try FakeDcrd()
        defer { dcrd.rpc.stop() }
        let node = try VspDcrdBackend(configuration: try dcrd.rpc.start(name: "vsp dcrd", reconnect: quick), logger: .disabled)
        defer { Task { await node.close() } }
        try await node.connect(label: "dcrd", network: .simnet)
        XCTAssertEqual(dcrd.rpc.params(of: "getinfo").count, 1, "checked at connect")

        // dcrd comes back without its transaction index: every reconnection is refused, no call gets through.
        dcrd.chain.withLock { $0.txIndex = false }
        dcrd.rpc.server.dropAllConnections()
        try await eventually("the checks ran again on a new connection") { dcrd.rpc.params(of: "getinfo").count >= 3 }
        do {
            _ = try await node.bestBlockHeader()
            XCTFail("a node that fails the checks is not used")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable, "\(error)")
        }

        dcrd.chain.withLock { $0.txIndex = true }
        try await eventually("a node that passes again is used") { (try? await node.bestBlockHeader()) != nil }
    }

    func testWalletDownAtStart_isDialledUntilItComesUp_andCheckedThen() async throws {
        let probe = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        let port = probe.localAddress.port
        probe.close()
        let dcrwallet = try FakeDcrwallet(port: port)
        defer { dcrwallet.rpc.stop() }
        let endpoint = dcrwallet.rpc.client(at: HostPort(host: "127.0.0.1", port: port), name: "vsp wallet 0", reconnect: quick)
        let wallet = try VspDcrwalletBackend(configuration: endpoint, logger: .disabled)
        defer { Task { await wallet.close() } }
        do {
            try await wallet.connect(label: "w0", network: .simnet)
            XCTFail("nothing listens yet")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable, "\(error)")
        }
        do {
            _ = try await wallet.walletInfo()
            XCTFail("unavailable until it is up")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable, "\(error)")
        }

        try dcrwallet.rpc.server.start()
        try await eventually("the wallet answers once it is up") { (try? await wallet.walletInfo()) != nil }
        XCTAssertGreaterThanOrEqual(dcrwallet.rpc.params(of: "version").count, 1, "checked before use")
        XCTAssertEqual(dcrwallet.rpc.requests.value.first?.method, "version", "the checks come first on the new connection")
    }
}
