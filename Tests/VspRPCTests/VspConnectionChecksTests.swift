import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
@testable import VspRPC
import XCTest

/// vspd's connection checks (§8.2), one clear error each, against the plugins over the wire and against the ports'
/// in-memory fakes.
final class VspConnectionChecksTests: XCTestCase {
    private let simnet = NetParams.simnet

    private func refusal(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .vspBackendRefused, "\(error)")
            return error.message
        } catch {
            XCTFail("expected a refusal, got \(error)")
            return nil
        }
    }

    func testNodeChecks_versionNetworkAndTxIndex_overTheWire() async throws {
        let dcrd = try FakeDcrd()
        defer { dcrd.rpc.stop() }
        let node = try VspDcrdBackend(configuration: try dcrd.rpc.start(name: "vsp dcrd"), logger: .disabled)
        try await node.connect()
        defer { Task { await node.close() } }
        let check = { try await VspConnectionChecks.checkNode(node, label: "127.0.0.1:19556", network: self.simnet) }
        let passes = await refusal(check)
        XCTAssertNil(passes, "API 8.3, simnet, txindex: accepted")
        dcrd.chain.withLock { $0.api = (8, 4, 1) }
        let newer = await refusal(check)
        XCTAssertNil(newer, "a later 8.x is accepted")

        dcrd.chain.withLock { $0.api = (8, 2, 9) }
        let old = await refusal(check)
        XCTAssertEqual(old, "dcrd at 127.0.0.1:19556 speaks dcrdjsonrpcapi 8.2.9; the vspd front needs 8.3 or a later 8.x")
        dcrd.chain.withLock { $0.api = (9, 0, 0) }
        let major = await refusal(check)
        XCTAssertEqual(major, "dcrd at 127.0.0.1:19556 speaks dcrdjsonrpcapi 9.0.0; the vspd front needs 8.3 or a later 8.x")

        dcrd.chain.withLock { $0.api = (8, 3, 0); $0.net = 0xb194_aa75 }
        let network = await refusal(check)
        XCTAssertEqual(network, "dcrd at 127.0.0.1:19556 is on network 0xb194aa75, not simnet (0x12141c16)")

        dcrd.chain.withLock { $0.net = 0x1214_1c16; $0.txIndex = false }
        let txIndex = await refusal(check)
        XCTAssertEqual(txIndex, "dcrd at 127.0.0.1:19556 runs without the transaction index; restart it with --txindex")

        // The program too, as vspd 1.5 checks it (spec §8.2: dcrd 2.1.6 or a later 2.x).
        dcrd.chain.withLock { $0.txIndex = true; $0.program = (2, 2, 0) }
        let newerProgram = await refusal(check)
        XCTAssertNil(newerProgram, "a later 2.x is accepted")
        dcrd.chain.withLock { $0.program = (2, 1, 5) }
        let oldProgram = await refusal(check)
        XCTAssertEqual(oldProgram, "dcrd at 127.0.0.1:19556 runs dcrd 2.1.5+release; the vspd front needs 2.1.6 or a later 2.x")
        dcrd.chain.withLock { $0.program = (3, 0, 0) }
        let majorProgram = await refusal(check)
        XCTAssertEqual(majorProgram, "dcrd at 127.0.0.1:19556 runs dcrd 3.0.0+release; the vspd front needs 2.1.6 or a later 2.x")
    }

    func testWalletChecks_versionSPVAndNetwork_overTheWire() async throws {
        let dcrwallet = try FakeDcrwallet()
        defer { dcrwallet.rpc.stop() }
        let wallet = try VspDcrwalletBackend(configuration: try dcrwallet.rpc.start(name: "vsp wallet 0"), logger: .disabled)
        try await wallet.connect()
        defer { Task { await wallet.close() } }
        let check = { try await VspConnectionChecks.checkWallet(wallet, label: "w1:19557", network: self.simnet) }
        let passes = await refusal(check)
        XCTAssertNil(passes, "API 11.0 with its dcrd, simnet: accepted")

        dcrwallet.wallet.withLock { $0.api = (10, 9, 0) }
        let old = await refusal(check)
        XCTAssertEqual(old, "dcrwallet at w1:19557 speaks dcrwalletjsonrpcapi 10.9.0; the vspd front needs 11.0 or a later 11.x")

        dcrwallet.wallet.withLock { $0.api = (11, 2, 0); $0.spv = true }
        let spv = await refusal(check)
        XCTAssertEqual(spv, "dcrwallet at w1:19557 is an SPV wallet (its version lists no dcrd); the vspd front needs wallets connected to their own dcrd")

        dcrwallet.wallet.withLock { $0.spv = false; $0.net = 0xd9b4_00f9 }
        let network = await refusal(check)
        XCTAssertEqual(network, "dcrwallet at w1:19557 is on network 0xd9b400f9, not simnet (0x12141c16)")

        // The program and the wallet's own dcrd API, as vspd 1.5 checks them (spec §8.2).
        dcrwallet.wallet.withLock { $0.net = 0x1214_1c16; $0.program = (2, 1, 0) }
        let oldProgram = await refusal(check)
        XCTAssertEqual(oldProgram, "dcrwallet at w1:19557 runs dcrwallet 2.1.0; the vspd front needs 2.1.6 or a later 2.x")
        dcrwallet.wallet.withLock { $0.program = (2, 1, 6); $0.nodeAPI = (8, 2, 0) }
        let oldNode = await refusal(check)
        XCTAssertEqual(oldNode, "the dcrd of dcrwallet at w1:19557 speaks dcrdjsonrpcapi 8.2.0; the vspd front needs 8.3 or a later 8.x")
    }

    /// vspd 1.5 checks the programs too (`dcrd`, `dcrwallet` ≥ 2.1.6, same major; spec §8.2), and a wallet's own dcrd
    /// and its API against the node's minimums — not only that they are present.
    func testChecks_refuseAnOldProgramBehindTheInMemoryFakes() async throws {
        let node = InMemoryVspNode()
        node.state.withLock { $0.versions["dcrd"] = nil }
        let missing = await refusal { try await VspConnectionChecks.checkNode(node, label: "mem", network: self.simnet) }
        XCTAssertEqual(missing, "dcrd at mem does not report its dcrd version")
        let wallet = InMemoryVspWallet()
        wallet.state.withLock { $0.versions["dcrd"] = APIVersion(major: 1, minor: 8, patch: 1) }
        let oldNode = await refusal { try await VspConnectionChecks.checkWallet(wallet, label: "mem", network: self.simnet) }
        XCTAssertEqual(oldNode, "the dcrd of dcrwallet at mem runs dcrd 1.8.1; the vspd front needs 2.1.6 or a later 2.x")
    }

    func testChecks_holdTheInMemoryFakesToTheSameRules() async throws {
        let node = InMemoryVspNode()
        node.state.withLock { $0.txIndex = false }
        let noIndex = await refusal { try await VspConnectionChecks.checkNode(node, label: "mem", network: self.simnet) }
        XCTAssertEqual(noIndex, "dcrd at mem runs without the transaction index; restart it with --txindex")
        let wallet = InMemoryVspWallet()
        wallet.state.withLock { $0.versions["dcrd"] = nil }
        let spv = await refusal { try await VspConnectionChecks.checkWallet(wallet, label: "mem", network: self.simnet) }
        XCTAssertEqual(spv, "dcrwallet at mem is an SPV wallet (its version lists no dcrd); the vspd front needs wallets connected to their own dcrd")
    }
}
