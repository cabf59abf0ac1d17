import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
@testable import VspRPC
import XCTest

/// The vsp `dcrd` plugin on the wire: the params vspd sends, dcrd's replies decoded, its errors kept, bad replies
/// and unreachable nodes typed, and `notifyblocks` re-registered after a drop.
final class VspDcrdWireTests: XCTestCase {
    private var dcrd: FakeDcrd!
    private var endpoint: JSONRPCClientConfiguration!

    override func setUpWithError() throws {
        dcrd = try FakeDcrd()
        endpoint = try dcrd.rpc.start(name: "vsp dcrd", reconnect: ReconnectPolicy(step: .milliseconds(20), maxDelay: .milliseconds(100)))
    }

    override func tearDown() { dcrd.rpc.stop() }

    private func node() async throws -> VspDcrdBackend {
        let node = try VspDcrdBackend(configuration: endpoint, logger: .disabled)
        try await node.connect()
        addTeardownBlock { await node.close() }
        return node
    }

    func testEveryCall_sendsVspdsMethodAndParams() async throws {
        let node = try await node()
        let ticket = VspChainSamples.ticket(seed: 1)
        dcrd.add(ticket, depth: 2)
        let hex = VspChainSamples.hex(VspChainSamples.payment(seed: 2))
        _ = try await node.rawTransaction(txid: ticket.txid)
        _ = try await node.sendRawTransaction(hex)
        _ = try await node.existsLiveTickets([ticket.txid, String(repeating: "cd", count: 32)])
        let header = try await node.bestBlockHeader()
        _ = try await node.blockHash(height: 5)
        _ = try await node.ticketSpends(blockHash: header.hash)
        _ = try await node.currentNet()
        _ = try await node.version()
        _ = try await node.hasTxIndex()
        try await node.subscribeBlocks { _ in }
        let rpc = dcrd.rpc
        XCTAssertEqual(rpc.params(of: "getrawtransaction"), [#"["\#(ticket.txid)",1]"#])
        XCTAssertEqual(rpc.params(of: "sendrawtransaction"), [#"["\#(hex)",false]"#])
        XCTAssertEqual(rpc.params(of: "existslivetickets"), [#"[["\#(ticket.txid)","\#(String(repeating: "cd", count: 32))"]]"#])
        XCTAssertEqual(rpc.params(of: "getbestblockhash"), ["[]"])
        XCTAssertEqual(rpc.params(of: "getblockheader"), [#"["\#(FakeDcrd.blockHash(9))",true]"#])
        XCTAssertEqual(rpc.params(of: "getblockhash"), ["[5]"])
        XCTAssertEqual(rpc.params(of: "getblock"), [#"["\#(FakeDcrd.blockHash(9))",true,true]"#])
        XCTAssertEqual(rpc.params(of: "getcurrentnet"), ["[]"])
        XCTAssertEqual(rpc.params(of: "version"), ["[]"])
        XCTAssertEqual(rpc.params(of: "getinfo"), ["[]"])
        XCTAssertEqual(rpc.params(of: "notifyblocks"), ["[]"])
    }

    func testReplies_decodeToTheExactValuesDcrdSent() async throws {
        let node = try await node()
        let mined = VspChainSamples.ticket(seed: 3), pending = VspChainSamples.payment(seed: 4)
        dcrd.add(mined, depth: 4)
        dcrd.add(pending, depth: 0)
        let tx = try await node.rawTransaction(txid: mined.txid)
        XCTAssertEqual(tx, VspRawTransaction(hex: VspChainSamples.hex(mined), confirmations: 4, blockHash: FakeDcrd.blockHash(6), blockHeight: 6))
        let mempool = try await node.rawTransaction(txid: pending.txid)
        XCTAssertEqual(mempool, VspRawTransaction(hex: VspChainSamples.hex(pending)), "no block fields: 0 confirmations, no block")
        let header = try await node.bestBlockHeader()
        XCTAssertEqual(header, VspBlockHeader(hash: FakeDcrd.blockHash(9), height: 9, ticketPrice: 123_456_789, poolSize: 40_960),
                       "sbits 1.23456789 DCR is 123456789 atoms")
        let net = try await node.currentNet()
        XCTAssertEqual(net, 0x1214_1c16)
        let versions = try await node.version()
        XCTAssertEqual(versions["dcrdjsonrpcapi"], APIVersion(major: 8, minor: 3, patch: 0, versionString: "8.3.0"))
        XCTAssertEqual(versions["dcrd"]?.buildMetadata, "release")
    }

    func testSendRawTransaction_duplicateIsTheTxid_otherRejectionsKeepDcrdsCodeAndMessage() async throws {
        let node = try await node()
        let tx = VspChainSamples.payment(seed: 5)
        let hex = VspChainSamples.hex(tx)
        let first = try await node.sendRawTransaction(hex)
        let again = try await node.sendRawTransaction(hex)
        XCTAssertEqual([first, again], [tx.txid, tx.txid])
        XCTAssertEqual(dcrd.rpc.params(of: "sendrawtransaction").count, 2, "the second send reached dcrd and got −40")

        let orphan = "rejected transaction \(tx.txid): orphan transaction \(tx.txid) references output \(tx.txid):0 of unknown or fully-spent transaction"
        dcrd.rpc.handle("sendrawtransaction") { _ in throw NetError.rpc(code: -1, message: orphan) }
        do {
            _ = try await node.sendRawTransaction(hex)
            XCTFail("an orphan is not sent")
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, -1)
            XCTAssertEqual(error.rpcMessage, orphan, "payfee matches dcrd's orphan text")
        }
    }

    func testLiveTicketBitset_readsBitIOfByteIOver8() async throws {
        let node = try await node()
        // Bits 0, 9 and 10 set: bytes 0x01, 0x06 (jrick/bitset order).
        dcrd.rpc.answer("existslivetickets", json: #""0106""#)
        let hashes = (0..<11).map { String(format: "%064x", $0) }
        let live = try await node.existsLiveTickets(hashes)
        XCTAssertEqual(live, [true, false, false, false, false, false, false, false, false, true, true])
    }

    func testBadReplies_areWalletBadResponseNamingTheCall() async throws {
        let node = try await node()
        let cases: [(method: String, reply: String, call: @Sendable () async throws -> Void)] = [
            ("getrawtransaction", #"{"txid":"ab","confirmations":1}"#, { _ = try await node.rawTransaction(txid: "ab") }),
            ("existslivetickets", #""zz""#, { _ = try await node.existsLiveTickets(["ab"]) }),
            ("existslivetickets", #""""#, { _ = try await node.existsLiveTickets(["ab"]) }),
            ("getblockheader", #"{"hash":"ab","height":1,"sbits":"1.0","poolsize":3}"#, { _ = try await node.bestBlockHeader() }),
            ("getblock", #"{"hash":"ab","rawstx":[{"hex":"00"}]}"#, { _ = try await node.ticketSpends(blockHash: "ab") }),
            ("getinfo", #"{"version":1}"#, { _ = try await node.hasTxIndex() }),
            ("getcurrentnet", #""simnet""#, { _ = try await node.currentNet() }),
            ("version", #"{"dcrdjsonrpcapi":{"major":"8"}}"#, { _ = try await node.version() }),
        ]
        for (method, reply, call) in cases {
            dcrd.rpc.answer(method, json: reply)
            do {
                try await call()
                XCTFail("\(method) answering \(reply) must fail")
            } catch let error as WalletError {
                XCTAssertEqual(error.code, .walletBadResponse, "\(method): \(error)")
                XCTAssertTrue(error.message.contains(method), "\(method): \(error.message)")
            }
        }
    }

    /// Reachable while its websocket is up; not once dcrd has gone (vspd then answers E(1) at payfee's first step).
    func testReachable_whileConnected_notAfterTheNodeStops() async throws {
        let node = try VspDcrdBackend(configuration: endpoint, logger: .disabled)
        let before = await node.isReachable()
        XCTAssertFalse(before, "never connected")
        try await node.connect()
        let connected = await node.isReachable()
        XCTAssertTrue(connected)
        dcrd.rpc.stop()
        let deadline = Date().addingTimeInterval(10)
        var reachable = true
        while reachable && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            reachable = await node.isReachable()
        }
        XCTAssertFalse(reachable, "dcrd stopped: the dropped websocket is noticed")
        await node.close()
    }

    func testUnreachableNode_isUnavailable_andWrongPasswordIsAuth() async throws {
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        var closed = endpoint!
        closed.address = listener.localAddress
        listener.close()
        let nowhere = try VspDcrdBackend(configuration: closed, logger: .disabled)
        do {
            try await nowhere.connect()
            XCTFail("nothing listens there")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable, "\(error)")
        }

        var wrong = endpoint!
        wrong.password = "not-the-password"
        let refused = try VspDcrdBackend(configuration: wrong, logger: .disabled)
        do {
            try await refused.connect()
            XCTFail("wrong credentials")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletAuth, "\(error)")
        }
    }

    func testDroppedConnection_redialsAndReRegistersNotifyblocks() async throws {
        let node = try await node()
        let heights = LockedValue<[UInt32]>([])
        try await node.subscribeBlocks { block in heights.withLock { $0.append(block.height ?? 0) } }
        dcrd.rpc.server.dropAllConnections()
        try await waitUntil("notifyblocks sent again after the drop") { self.dcrd.rpc.params(of: "notifyblocks").count == 2 }
        dcrd.mine()
        try await waitUntil("the block after the reconnect is delivered") { heights.value == [10] }
        let tip = try await node.bestBlockHeader()
        XCTAssertEqual(tip.height, 10, "calls work on the new connection")
    }

    private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertTrue(condition(), what)
    }
}
