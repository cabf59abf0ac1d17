import PoolKernel
import XCTest
@testable import WalletSimnet

final class SimnetFaultTests: XCTestCase {
    func testSimnetFaults_downWalletIsUnavailableThenComesBack() async throws {
        let simnet = makeSimnet()
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 1)
        simnet.setFaults(SimnetWalletFaults(down: true), wallet: 1)
        do {
            _ = try await wallet.walletInfo()
            XCTFail("a down wallet must not answer")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable, "\(error)")
        }
        // Siblings are unaffected.
        _ = try await SimnetWalletBackend(simnet: simnet, walletIndex: 0).walletInfo()
        simnet.setFaults(SimnetWalletFaults(), wallet: 1)
        let info = try await wallet.walletInfo()
        XCTAssertTrue(info.unlocked)
    }

    func testSimnetFaults_lockedWalletReportsAndRefusesToSignOrImport() async throws {
        let simnet = makeSimnet()
        let user = try await registerUser(3, on: simnet)
        _ = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 10)
        simnet.mine(SimnetParameters.simnet.stakeValidationHeight - 1)
        simnet.setFaults(SimnetWalletFaults(locked: true), wallet: 0)
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        let info = try await wallet.walletInfo()
        XCTAssertFalse(info.unlocked)
        XCTAssertTrue(info.daemonConnected)
        let tip = try await wallet.bestBlock()
        await assertRPCCode(-4) {
            try await wallet.generateVote(blockHash: tip.hash, height: tip.height, ticket: simnet.currentWinners[0],
                                          voteBits: 1, voteBitsExtended: "06000000")
        }
        await assertRPCCode(-4) { try await wallet.importScript("51ae", rescan: true, scanFrom: 0) }
    }

    func testSimnetFaults_daemonDisconnectedWallet() async throws {
        let simnet = makeSimnet()
        simnet.setFaults(SimnetWalletFaults(daemonDisconnected: true), wallet: 2)
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 2)
        let info = try await wallet.walletInfo()
        XCTAssertFalse(info.daemonConnected)
        do {
            _ = try await wallet.stakeInfo()
            XCTFail("getstakeinfo needs the node")
        } catch let error as WalletError {
            XCTAssertEqual(error.message, "-1: Chain RPC is inactive")
        }
        await assertRPCCode(-1) { try await wallet.tickets(includeImmature: true) }
    }

    func testSimnetFaults_laggingWalletSeesAnOlderTip() async throws {
        let simnet = makeSimnet()
        let user = try await registerUser(4, on: simnet)
        simnet.mine(30)
        let tickets = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 3)
        simnet.mine(5)
        simnet.setFaults(SimnetWalletFaults(lagBlocks: 10), wallet: 1)
        let lagging = SimnetWalletBackend(simnet: simnet, walletIndex: 1)
        let current = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        let laggingTip = try await lagging.bestBlock().height
        let currentTip = try await current.bestBlock().height
        XCTAssertEqual(currentTip - laggingTip, 10)
        let seenByCurrent = try await current.tickets(includeImmature: true)
        let seenByLagging = try await lagging.tickets(includeImmature: true)
        XCTAssertEqual(Set(seenByCurrent), Set(tickets))
        XCTAssertTrue(seenByLagging.isEmpty, "the purchase block is past the lagging wallet's tip")
        simnet.setFaults(SimnetWalletFaults(), wallet: 1)
        let caughtUp = try await lagging.tickets(includeImmature: true)
        XCTAssertEqual(Set(caughtUp), Set(tickets))
    }

    func testSimnetFaults_disagreeingWalletDiffersWhereThePoolCompares() async throws {
        let simnet = makeSimnet()
        let user = try await registerUser(5, on: simnet)
        _ = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 4)
        simnet.mine(40)
        simnet.setFaults(SimnetWalletFaults(disagrees: true), wallet: 2)
        let honest = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        let odd = SimnetWalletBackend(simnet: simnet, walletIndex: 2)
        try await odd.accountSyncAddressIndex(account: "default", branch: 0, index: 100)
        let address = simnet.ticketAddress(index: 5)
        let honestKey = try await honest.validateAddress(address)
        let oddKey = try await odd.validateAddress(address)
        XCTAssertTrue(oddKey.isMine)
        XCTAssertNotEqual(honestKey.pubKey, oddKey.pubKey)
        let keys = [honestKey.pubKeyAddress, try await honest.validateAddress(simnet.ticketAddress(index: 6)).pubKeyAddress]
        let honestScript = try await honest.createMultisig(nRequired: 1, keys: keys)
        let oddScript = try await odd.createMultisig(nRequired: 1, keys: keys)
        XCTAssertNotEqual(honestScript.redeemScript, oddScript.redeemScript)
        let honestLive = try await honest.stakeInfo().live
        let oddLive = try await odd.stakeInfo().live
        XCTAssertEqual(honestLive, 4)
        XCTAssertNotEqual(honestLive, oddLive)
    }

    func testSimnetFaults_nodeDropsNotificationsWhileSet() async throws {
        let simnet = makeSimnet()
        let recorder = NotificationRecorder()
        let node = SimnetNodeBackend(simnet: simnet)
        try await node.subscribe { recorder.record($0) }
        simnet.mine(2)
        XCTAssertEqual(recorder.received.value.count, 2)
        simnet.setNodeFaults(dropNotifications: true)
        simnet.mine(3)
        XCTAssertEqual(recorder.received.value.count, 2, "notifications are lost while the node drops them")
        simnet.setNodeFaults(dropNotifications: false)
        simnet.mine(1)
        let heights = recorder.received.value.compactMap { notification -> UInt32? in
            if case .blockConnected(let block) = notification { return block.height }
            return nil
        }
        XCTAssertEqual(heights, [1, 2, 6], "no catch-up of missed blocks, like dcrd")
        simnet.setNodeFaults(dropNotifications: false, down: true)
        do {
            _ = try await node.bestBlock()
            XCTFail("a down node must not answer")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable)
        }
        await node.close()
        simnet.setNodeFaults(dropNotifications: false, down: false)
        simnet.mine(1)
        XCTAssertEqual(recorder.received.value.count, 3, "a closed node delivers nothing")
    }

    private func assertRPCCode<T>(_ code: Int, _ body: () async throws -> T, file: StaticString = #filePath,
                                  line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected RPC error \(code)", file: file, line: line)
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, code, "\(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }
}
