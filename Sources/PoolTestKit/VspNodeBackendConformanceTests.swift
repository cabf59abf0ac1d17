import PoolKernel
import XCTest

/// Chain facts a `VspNodeBackend` under test holds, provided by its test (staged into an in-memory node, answered by
/// a scripted server, or read from a simulated chain).
public struct VspNodeFixture: Sendable {
    /// A transaction mined at least one block deep.
    public var minedTransaction: DecredTransaction
    /// A ticket in the live pool, and one that is not.
    public var liveTicket: String
    public var notLiveTicket: String
    /// A main-chain block and the ticket spends of its stake tree (at least one vote and one revocation).
    public var spendBlock: String
    public var spends: [VspTicketSpend]

    public init(minedTransaction: DecredTransaction, liveTicket: String, notLiveTicket: String, spendBlock: String,
                spends: [VspTicketSpend]) {
        self.minedTransaction = minedTransaction
        self.liveTicket = liveTicket
        self.notLiveTicket = notLiveTicket
        self.spendBlock = spendBlock
        self.spends = spends
    }
}

/// The `VspNodeBackend` contract (dcrd API 8.x as the vspd front uses it) as tests. Subclass it in a backend's test
/// target, override `makeNode()` and `fixture(for:)` (and `produceBlock(on:)` when the chain can advance), and declare
/// one test that runs the suite (Linux XCTest discovery does not see inherited test methods):
///
/// ```swift
/// final class MyVspNodeTests: VspNodeBackendConformanceTests {
///     override func makeNode() async throws -> (any VspNodeBackend)? { MyNode(...) }
///     override func fixture(for node: any VspNodeBackend) async throws -> VspNodeFixture? { ... }
///     func testMyVspNode_conformance() async throws { try await runVspNodeConformance() }
/// }
/// ```
open class VspNodeBackendConformanceTests: XCTestCase {
    /// A fresh node client for one check, or nil (the base class).
    open func makeNode() async throws -> (any VspNodeBackend)? { nil }

    /// The chain facts behind `node`, or nil when the backend has none (the checks needing them then skip).
    open func fixture(for node: any VspNodeBackend) async throws -> VspNodeFixture? { nil }

    /// Makes the chain behind `node` advance by one block and returns true, or false when it cannot.
    open func produceBlock(on node: any VspNodeBackend) async throws -> Bool { false }

    /// The network magic the node must report (simnet by default).
    open var expectedNet: UInt32 { 0x1214_1c16 }

    public var vspNodeChecks: [ConformanceCheck] {
        [
            ("unknownTransactionIsMinus5", checkVspNode_unknownTransactionIsMinus5),
            ("minedTransactionCarriesItsBlock", checkVspNode_minedTransactionCarriesItsBlock),
            ("undecodableTransactionIsMinus22", checkVspNode_undecodableTransactionIsMinus22),
            ("sendingAgain_waitingIsSuccess_minedIsTheRuleError", checkVspNode_sendingAgain_waitingIsSuccess_minedIsTheRuleError),
            ("reachableWhileConnected", checkVspNode_reachableWhileConnected),
            ("liveTicketBitsFollowTheHashes", checkVspNode_liveTicketBitsFollowTheHashes),
            ("bestHeaderIsTheTipOfTheMainChain", checkVspNode_bestHeaderIsTheTipOfTheMainChain),
            ("heightBeyondTheTipIsOutOfRange", checkVspNode_heightBeyondTheTipIsOutOfRange),
            ("ticketSpendsOfABlock", checkVspNode_ticketSpendsOfABlock),
            ("networkVersionAndTxIndex", checkVspNode_networkVersionAndTxIndex),
            ("subscribeDeliversTheNextBlock", checkVspNode_subscribeDeliversTheNextBlock),
            ("concurrentCallsAllComplete", checkVspNode_concurrentCallsAllComplete),
            ("callsAfterCloseFailWithShutdown", checkVspNode_callsAfterCloseFailWithShutdown),
        ]
    }

    /// Runs every check; a failing check is reported with its name and the others still run; a skip fails with
    /// `CI=true` (`ConformanceRunner`).
    public func runVspNodeConformance(failSkips: Bool = TestEnvironment.isCI, file: StaticString = #filePath,
                                      line: UInt = #line) async throws {
        guard let probe = try await makeNode() else { throw XCTSkip("base conformance class: no backend") }
        await probe.close()
        var outcome: (any Error)?
        do {
            try await ConformanceRunner.run("vsp node", vspNodeChecks, failSkips: failSkips, file: file, line: line)
        } catch {
            outcome = error
        }
        for node in opened.value { await node.close() }
        opened.withLock { $0 = [] }
        if let outcome { throw outcome }
    }

    private let opened = LockedValue<[any VspNodeBackend]>([])

    private func node() async throws -> any VspNodeBackend {
        guard let node = try await makeNode() else { throw XCTSkip("base conformance class: no backend") }
        opened.withLock { $0.append(node) }
        return node
    }

    private func nodeWithFixture() async throws -> (any VspNodeBackend, VspNodeFixture) {
        let node = try await node()
        guard let fixture = try await fixture(for: node) else { throw XCTSkip("backend has no chain fixture") }
        return (node, fixture)
    }

    private static let unknownHash = String(repeating: "ab", count: 32)

    static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    public func checkVspNode_unknownTransactionIsMinus5() async throws {
        let node = try await node()
        await assertVspRPCError(WalletRPCCode.noInformation, "getrawtransaction of an unknown txid") {
            try await node.rawTransaction(txid: Self.unknownHash)
        }
    }

    public func checkVspNode_minedTransactionCarriesItsBlock() async throws {
        let (node, fixture) = try await nodeWithFixture()
        let tx = try await node.rawTransaction(txid: fixture.minedTransaction.txid)
        XCTAssertEqual(tx.hex, VspChainSamples.hex(fixture.minedTransaction), "getrawtransaction returns the bytes")
        XCTAssertGreaterThanOrEqual(tx.confirmations, 1, "a mined transaction has confirmations")
        let hash = try await node.blockHash(height: tx.blockHeight)
        XCTAssertEqual(tx.blockHash, hash, "blockhash is the main-chain block at blockheight")
        let tip = try await node.bestBlockHeader()
        XCTAssertEqual(tx.confirmations, tip.height - tx.blockHeight + 1, "confirmations count the tip")
    }

    public func checkVspNode_undecodableTransactionIsMinus22() async throws {
        let node = try await node()
        await assertVspRPCError(WalletRPCCode.deserialization, "sendrawtransaction of non-hex") {
            try await node.sendRawTransaction("zz")
        }
    }

    public func checkVspNode_sendingAgain_waitingIsSuccess_minedIsTheRuleError() async throws {
        let (node, fixture) = try await nodeWithFixture()
        let waiting = VspChainSamples.payment(seed: 0x5A)
        let first = try await node.sendRawTransaction(VspChainSamples.hex(waiting))
        let again = try await node.sendRawTransaction(VspChainSamples.hex(waiting))
        XCTAssertEqual(first, waiting.txid, "the txid of the transaction sent")
        XCTAssertEqual(again, waiting.txid, "sent again while in the mempool: success (rpc −40 is not an error)")
        await assertVspRPCError(WalletRPCCode.generic, "sending a mined transaction again",
                                messageContains: "transaction already exists") {
            try await node.sendRawTransaction(VspChainSamples.hex(fixture.minedTransaction))
        }
    }

    public func checkVspNode_reachableWhileConnected() async throws {
        let node = try await node()
        _ = try await node.bestBlockHeader()
        let reachable = await node.isReachable()
        XCTAssertTrue(reachable, "a node that answers is reachable")
    }

    public func checkVspNode_liveTicketBitsFollowTheHashes() async throws {
        let (node, fixture) = try await nodeWithFixture()
        let hashes = [fixture.notLiveTicket, fixture.liveTicket, fixture.notLiveTicket, fixture.liveTicket,
                      Self.unknownHash, fixture.notLiveTicket, fixture.notLiveTicket, fixture.notLiveTicket, fixture.liveTicket]
        let live = try await node.existsLiveTickets(hashes)
        XCTAssertEqual(live, [false, true, false, true, false, false, false, false, true],
                       "one answer per hash, in order, across a byte boundary")
    }

    public func checkVspNode_bestHeaderIsTheTipOfTheMainChain() async throws {
        let node = try await node()
        let header = try await node.bestBlockHeader()
        XCTAssertTrue(Self.isHash(header.hash), "best block hash \(header.hash)")
        let hash = try await node.blockHash(height: header.height)
        XCTAssertEqual(hash, header.hash, "getblockhash at the tip's height is the tip")
        XCTAssertGreaterThan(header.ticketPrice, 0, "ticket price in atoms")
        XCTAssertGreaterThanOrEqual(header.poolSize, 0)
    }

    public func checkVspNode_heightBeyondTheTipIsOutOfRange() async throws {
        let node = try await node()
        let tip = try await node.bestBlockHeader()
        await assertVspRPCError(WalletRPCCode.generic, "getblockhash beyond the tip", messageContains: "out of range") {
            try await node.blockHash(height: tip.height + 1_000)
        }
    }

    public func checkVspNode_ticketSpendsOfABlock() async throws {
        let (node, fixture) = try await nodeWithFixture()
        let spends = try await node.ticketSpends(blockHash: fixture.spendBlock)
        XCTAssertEqual(Set(spends.map(\.ticketHash)), Set(fixture.spends.map(\.ticketHash)), "every spent ticket, nothing else")
        for spend in fixture.spends {
            XCTAssertEqual(spends.first { $0.ticketHash == spend.ticketHash }?.isVote, spend.isVote,
                           "\(spend.ticketHash) is \(spend.isVote ? "voted" : "revoked")")
        }
        await assertVspRPCError(WalletRPCCode.noInformation, "getblock of an unknown hash") {
            try await node.ticketSpends(blockHash: Self.unknownHash)
        }
    }

    public func checkVspNode_networkVersionAndTxIndex() async throws {
        let node = try await node()
        let net = try await node.currentNet()
        XCTAssertEqual(net, expectedNet, "getcurrentnet")
        let versions = try await node.version()
        let api = try XCTUnwrap(versions[APIVersion.nodeAPIName], "version lists \(APIVersion.nodeAPIName)")
        XCTAssertTrue(api.isCompatible(withRequired: APIVersion(major: 8, minor: 3, patch: 0)), "API \(api.versionString) is 8.3+")
        let txIndex = try await node.hasTxIndex()
        XCTAssertTrue(txIndex, "getinfo reports txindex")
    }

    public func checkVspNode_subscribeDeliversTheNextBlock() async throws {
        let node = try await node()
        let before = try await node.bestBlockHeader()
        let heights = LockedValue<[UInt32]>([])
        try await node.subscribeBlocks { block in
            if let height = block.height { heights.withLock { $0.append(height) } }
        }
        guard try await produceBlock(on: node) else { throw XCTSkip("backend cannot produce blocks") }
        let expected = UInt32(before.height + 1)
        try await ConformanceAssertions.eventually { heights.value.contains(expected) }
        XCTAssertTrue(heights.value.contains(expected), "blockconnected for height \(expected); got \(heights.value)")
    }

    public func checkVspNode_concurrentCallsAllComplete() async throws {
        let node = try await node()
        try await ConformanceAssertions.concurrentCallsAgree { try await node.bestBlockHeader() }
    }

    public func checkVspNode_callsAfterCloseFailWithShutdown() async throws {
        let node = try await node()
        try await ConformanceAssertions.failsAfterClose("node", close: { await node.close() }) { try await node.bestBlockHeader() }
    }
}

/// Asserts that `body` fails with a JSON-RPC error of `code` (the server's code and message kept).
public func assertVspRPCError<T>(_ code: Int, _ what: String, messageContains: String? = nil,
                                 _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await body()
        XCTFail("\(what): expected RPC error \(code)", file: file, line: line)
    } catch let error as WalletError {
        XCTAssertEqual(error.code, .walletRPC, "\(what): \(error)", file: file, line: line)
        XCTAssertEqual(error.rpcCode, code, "\(what): \(error)", file: file, line: line)
        if let messageContains {
            XCTAssertTrue(error.rpcMessage?.contains(messageContains) == true, "\(what): \(error)", file: file, line: line)
        }
    } catch {
        XCTFail("\(what): expected a WalletError, got \(error)", file: file, line: line)
    }
}
