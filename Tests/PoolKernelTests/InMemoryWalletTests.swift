import PoolKernel
import PoolTestKit
import Foundation
import XCTest

/// The in-memory wallet passes the shared wallet contract.
final class InMemoryWalletTests: WalletBackendConformanceTests {
    override func makeWallet() async throws -> (any WalletBackend)? { InMemoryWallet() }

    override func pubKeyAddresses(of wallet: any WalletBackend) async throws -> [String]? {
        ["TkQ4gNb4xcFtPi5ab3ebDA8XeHdwbVvpPNDZtiJrJEsy8RDpvbPkr", "TkKmnYznBafazDvHrbsMGFESiZHsgjoMm3mVnr9tKNMYtRbdhgdPq"]
    }

    func testInMemoryWallet_conformance() async throws { try await runWalletConformance() }

    func testInMemoryWallet_faultInjectionFailsEveryCall() async throws {
        let wallet = InMemoryWallet()
        wallet.state.withLock { $0.failure = WalletError(.walletDisconnected, "the client has been disconnected") }
        do {
            _ = try await wallet.bestBlock()
            XCTFail("expected failure")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable)
        }
    }

    func testWalletError_rpcRendersLikeTheGoClient() {
        let error = WalletError.rpc(code: -5, message: "No information for transaction")
        XCTAssertEqual(error.description, "-5: No information for transaction")
        XCTAssertEqual(error, WalletError.rpc(code: -5, message: "other text"))
        XCTAssertNotEqual(error, WalletError.rpc(code: -4, message: "No information for transaction"))
        XCTAssertFalse(error.isUnavailable)
    }

    func testBlockHeaderBytes_readsHeightAtOffset128() {
        var bytes = [UInt8](repeating: 0, count: 180)
        bytes[128] = 0x2d; bytes[129] = 0xb8; bytes[130] = 0x02
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(BlockHeaderBytes.height(fromHex: hex), 178_221)
        XCTAssertNil(BlockHeaderBytes.height(fromHex: String(hex.dropLast(2))))
        XCTAssertNil(BlockHeaderBytes.height(fromHex: "zz" + hex.dropFirst(2)))
    }

    func testInMemoryNode_subscribeDeliversNotificationsInOrder() async throws {
        let node = InMemoryNode()
        let received = LockedValue<[ChainNotification]>([])
        try await node.subscribe { note in received.withLock { $0.append(note) } }
        let winners = ChainNotification.winningTickets(WinningTickets(blockHash: "aa", blockHeight: 5, tickets: ["t1"]))
        let fresh = ChainNotification.newTickets(NewTickets(blockHash: "aa", blockHeight: 5, stakeDifficulty: 2, tickets: []))
        node.emit(winners)
        node.emit(fresh)
        XCTAssertEqual(received.value, [winners, fresh])
        XCTAssertEqual(node.state.value.registrations.first, "notifyblocks")
    }
}
