import PoolKernel
import XCTest

/// The `NodeBackend` contract (dcrd) as tests. Subclass it in a backend's test target, override `makeNode()`
/// (and `produceBlock(on:)` when the backend can make the chain advance), and declare one test that runs the
/// suite — Linux XCTest discovery does not see test methods inherited from another module:
///
/// ```swift
/// final class MyNodeTests: NodeBackendConformanceTests {
///     override func makeNode() async throws -> (any NodeBackend)? { MyNode(...) }
///     func testMyNode_conformance() async throws { try await runNodeConformance() }
/// }
/// ```
open class NodeBackendConformanceTests: XCTestCase {
    /// A fresh node client for one check, or nil (the base class).
    open func makeNode() async throws -> (any NodeBackend)? { nil }

    /// Makes the chain behind `node` advance by one block and returns true, or returns false when the
    /// backend has no way to do that (the notification check is then skipped).
    open func produceBlock(on node: any NodeBackend) async throws -> Bool { false }

    /// The network magic the node must report (simnet by default).
    open var expectedNet: UInt32 { 0x1214_1c16 }

    /// Every check of the contract, by name. Each gets a fresh node from `makeNode()`.
    public var nodeChecks: [ConformanceCheck] {
        [
            ("currentNetIsKnown", checkNode_currentNetIsKnown),
            ("bestBlockHeaderCarriesItsHeight", checkNode_bestBlockHeaderCarriesItsHeight),
            ("unknownBlockIsMinus5", checkNode_unknownBlockIsMinus5),
            ("malformedTransactionIsMinus22", checkNode_malformedTransactionIsMinus22),
            ("versionIsCompatible", checkNode_versionIsCompatible),
            ("subscribeDeliversTheNextBlock", checkNode_subscribeDeliversTheNextBlock),
            ("concurrentCallsAllComplete", checkNode_concurrentCallsAllComplete),
            ("callsAfterCloseFailWithShutdown", checkNode_callsAfterCloseFailWithShutdown),
        ]
    }

    /// Runs every check; a failing check is reported with its name and the others still run; a skipped check
    /// fails with `CI=true` (`failSkips`) and otherwise turns the run into a skip (`ConformanceRunner`).
    public func runNodeConformance(failSkips: Bool = TestEnvironment.isCI, file: StaticString = #filePath,
                                     line: UInt = #line) async throws {
        guard let probe = try await makeNode() else { throw XCTSkip("base conformance class: no backend") }
        await probe.close()
        var outcome: (any Error)?
        do {
            try await ConformanceRunner.run("node", nodeChecks, failSkips: failSkips, file: file, line: line)
        } catch {
            outcome = error
        }
        for node in opened { await node.close() }
        opened = []
        if let outcome { throw outcome }
    }

    private func node() async throws -> any NodeBackend {
        guard let node = try await makeNode() else { throw XCTSkip("base conformance class: no backend") }
        opened.append(node)
        return node
    }

    /// Clients opened by the checks, closed after the suite.
    private var opened: [any NodeBackend] = []

    private func expectRPCError<T>(_ code: Int, _ what: String, _ body: () async throws -> T) async {
        do {
            _ = try await body()
            XCTFail("\(what): expected RPC error \(code)")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletRPC, "\(what): \(error)")
            XCTAssertEqual(error.rpcCode, code, "\(what): \(error)")
        } catch {
            XCTFail("\(what): expected a WalletError, got \(error)")
        }
    }

    private static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    public func checkNode_currentNetIsKnown() async throws {
        let node = try await node()
        let net = try await node.currentNet()
        XCTAssertEqual(net, expectedNet, "getcurrentnet returned \(String(net, radix: 16))")
    }

    public func checkNode_bestBlockHeaderCarriesItsHeight() async throws {
        let node = try await node()
        let best = try await node.bestBlock()
        XCTAssertTrue(Self.isHash(best.hash), "best block hash \(best.hash)")
        XCTAssertGreaterThanOrEqual(best.height, 0)
        let header = try await node.blockHeader(hash: best.hash)
        XCTAssertEqual(header.utf8.count, BlockHeaderBytes.size * 2, "getblockheader returns 180 bytes as hex")
        let height = try await node.blockHeight(hash: best.hash)
        XCTAssertEqual(Int64(height), best.height)
    }

    public func checkNode_unknownBlockIsMinus5() async throws {
        let node = try await node()
        await expectRPCError(WalletRPCCode.noInformation, "getblockheader of an unknown hash") {
            try await node.blockHeader(hash: String(repeating: "ab", count: 32))
        }
    }

    public func checkNode_malformedTransactionIsMinus22() async throws {
        let node = try await node()
        await expectRPCError(WalletRPCCode.deserialization, "sendrawtransaction of non-hex") {
            try await node.sendRawTransaction("zz", allowHighFees: false)
        }
        await expectRPCError(WalletRPCCode.deserialization, "decoderawtransaction of non-hex") {
            try await node.decodeRawTransaction("zz")
        }
    }

    public func checkNode_versionIsCompatible() async throws {
        let node = try await node()
        let versions = try await node.version()
        XCTAssertNotNil(versions[APIVersion.nodeAPIName], "version lists \(APIVersion.nodeAPIName)")
        let compatible = try await node.hasCompatibleAPI()
        XCTAssertTrue(compatible)
    }

    public func checkNode_subscribeDeliversTheNextBlock() async throws {
        let node = try await node()
        let before = try await node.bestBlock()
        let heights = LockedValue<[UInt32]>([])
        try await node.subscribe { notification in
            if case .blockConnected(let block) = notification, let height = block.height {
                heights.withLock { $0.append(height) }
            }
        }
        guard try await produceBlock(on: node) else { throw XCTSkip("backend cannot produce blocks") }
        let expected = UInt32(before.height + 1)
        try await ConformanceAssertions.eventually { heights.value.contains(expected) }
        XCTAssertTrue(heights.value.contains(expected), "blockconnected for height \(expected); got \(heights.value)")
    }

    public func checkNode_concurrentCallsAllComplete() async throws {
        let node = try await node()
        try await ConformanceAssertions.concurrentCallsAgree { try await node.bestBlock() }
    }

    public func checkNode_callsAfterCloseFailWithShutdown() async throws {
        let node = try await node()
        await node.close()
        do {
            _ = try await node.bestBlock()
            XCTFail("a closed node client must not answer")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletShutdown, "\(error)")
        }
    }
}
