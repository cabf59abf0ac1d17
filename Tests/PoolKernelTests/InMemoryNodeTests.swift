import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The in-memory node passes the node contract: the fake the kernel's unit tests lean on behaves like dcrd.
final class InMemoryNodeTests: NodeBackendConformanceTests {
    /// A 180-byte header (hex) carrying `height` where dcrd puts it.
    private static func header(height: UInt32) -> String {
        var bytes = [UInt8](repeating: 0, count: BlockHeaderBytes.size)
        for index in 0..<4 { bytes[BlockHeaderBytes.heightOffset + index] = UInt8(truncatingIfNeeded: height >> (8 * index)) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func hash(_ height: Int64) -> String {
        let digits = String(height, radix: 16)
        return String(repeating: "0", count: 64 - digits.count) + digits
    }

    override func makeNode() async throws -> (any NodeBackend)? {
        var state = InMemoryNode.State()
        state.bestBlock = BestBlock(hash: Self.hash(7), height: 7)
        state.headers[Self.hash(7)] = Self.header(height: 7)
        return InMemoryNode(state)
    }

    override func produceBlock(on node: any NodeBackend) async throws -> Bool {
        guard let memory = node as? InMemoryNode else { return false }
        let next = memory.state.withLock { state -> Int64 in
            let height = state.bestBlock.height + 1
            state.bestBlock = BestBlock(hash: Self.hash(height), height: height)
            state.headers[Self.hash(height)] = Self.header(height: UInt32(height))
            return height
        }
        memory.emit(.blockConnected(BlockConnected(headerHex: Self.header(height: UInt32(next)))))
        return true
    }

    func testInMemoryNode_conformance() async throws { try await runNodeConformance() }
}
