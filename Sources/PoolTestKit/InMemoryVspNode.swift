import Foundation
import PoolKernel
import Synchronization

/// A dcrd (API 8.x) in memory: the `VspNodeBackend` contract with a chain a test sets directly. No consensus:
/// `sendRawTransaction` puts the bytes in the mempool under their real txid (read by `DecredTransaction`), and
/// `mine` moves the mempool into a block.
public final class InMemoryVspNode: VspNodeBackend {
    public struct State: InMemoryBackendState {
        /// Every transaction the node knows (txid → what `getrawtransaction` answers).
        public var transactions: [String: VspRawTransaction] = [:]
        /// Mempool txids in arrival order.
        public var mempool: [String] = []
        /// Main-chain block hashes, index = height.
        public var blocks: [String] = [String(repeating: "0", count: 64)]
        /// Block hash → the ticket spends in its stake tree.
        public var spends: [String: [VspTicketSpend]] = [:]
        public var liveTickets: Set<String> = []
        public var ticketPrice: Int64 = 100_000_000
        public var poolSize: Int64 = 40_960
        public var net: UInt32 = 0x1214_1c16
        public var txIndex = true
        public var versions: [String: APIVersion] = [
            "dcrd": APIVersion(major: 2, minor: 1, patch: 6),
            "dcrdjsonrpcapi": APIVersion(major: 8, minor: 3, patch: 0),
        ]
        /// Hex → the rejection `sendRawTransaction` answers instead of accepting it.
        public var rejections: [String: WalletError] = [:]
        /// Every `sendRawTransaction` argument, in call order.
        public var sent: [String] = []
        /// When set, every call fails with this error (fault injection).
        public var failure: WalletError?
        public var handler: (@Sendable (BlockConnected) -> Void)?
        /// vspblocks: awaited before `getrawtransaction` and `sendrawtransaction` are answered, with the method's
        /// name and argument (a test holds a call in flight with it).
        public var beforeCall: (@Sendable (_ method: String, _ argument: String) async -> Void)?
        public var isClosed = false
        public init() {}
    }

    public let state: LockedValue<State>

    public init(_ state: State = State()) { self.state = LockedValue(state) }

    private func read<T: Sendable>(_ body: (inout State) throws -> T) throws -> T { try state.call(body) }

    /// Unreachable while an injected failure says the node cannot be reached.
    public func isReachable() async -> Bool { state.withLock { $0.failure.map { !$0.isUnavailable } ?? true } }

    private func held(_ method: String, _ argument: String) async {
        if let hook = state.withLock({ $0.beforeCall }) { await hook(method, argument) }
    }

    public func rawTransaction(txid: String) async throws -> VspRawTransaction {
        await held("getrawtransaction", txid)
        return try read { state in
            guard var tx = state.transactions[txid] else {
                throw WalletError.rpc(code: WalletRPCCode.noInformation,
                                      message: "No information available about transaction \(txid)")
            }
            if tx.blockHeight > 0 || !tx.blockHash.isEmpty {
                tx.confirmations = Int64(state.blocks.count) - tx.blockHeight
            }
            return tx
        }
    }

    public func sendRawTransaction(_ hex: String) async throws -> String {
        await held("sendrawtransaction", hex)
        return try read { state in
            state.sent.append(hex)
            if let rejection = state.rejections[hex] { throw rejection }
            guard let tx = try? DecredTransaction(hex: hex) else {
                throw WalletError.rpc(code: WalletRPCCode.deserialization, message: "Could not decode transaction")
            }
            let txid = tx.txid
            if let known = state.transactions[txid] {
                if known.blockHeight > 0 || !known.blockHash.isEmpty {
                    throw WalletError.rpc(code: WalletRPCCode.generic,
                                          message: "rejected transaction \(txid): transaction already exists")
                }
                return txid  // waiting in the mempool: dcrd's −40, which is success
            }
            state.transactions[txid] = VspRawTransaction(hex: hex)
            state.mempool.append(txid)
            return txid
        }
    }

    public func existsLiveTickets(_ hashes: [String]) async throws -> [Bool] {
        try read { state in hashes.map { state.liveTickets.contains($0) } }
    }

    public func bestBlockHeader() async throws -> VspBlockHeader {
        try read { state in
            VspBlockHeader(hash: state.blocks[state.blocks.count - 1], height: Int64(state.blocks.count - 1),
                           ticketPrice: state.ticketPrice, poolSize: state.poolSize)
        }
    }

    public func blockHash(height: Int64) async throws -> String {
        try read { state in
            guard height >= 0, height < state.blocks.count else {
                // dcrd answers ErrRPCOutOfRange (−1) here, not −5.
                throw WalletError.rpc(code: WalletRPCCode.generic, message: "Block number out of range: \(height)")
            }
            return state.blocks[Int(height)]
        }
    }

    public func ticketSpends(blockHash: String) async throws -> [VspTicketSpend] {
        try read { state in
            guard state.blocks.contains(blockHash) else {
                throw WalletError.rpc(code: WalletRPCCode.noInformation, message: "Block not found")
            }
            return state.spends[blockHash] ?? []
        }
    }

    public func currentNet() async throws -> UInt32 { try read { $0.net } }
    public func version() async throws -> [String: APIVersion] { try read { $0.versions } }
    public func hasTxIndex() async throws -> Bool { try read { $0.txIndex } }

    public func subscribeBlocks(_ handler: @escaping @Sendable (BlockConnected) -> Void) async throws {
        try read { $0.handler = handler }
    }

    public func close() async { state.withLock { $0.isClosed = true; $0.handler = nil } }

    // MARK: - Test controls

    /// Adds a transaction the node knows, mined `confirmations` blocks deep (0: in the mempool). Mines empty
    /// blocks first when the chain is too short.
    public func add(_ hex: String, txid: String, confirmations: Int64) {
        state.withLock { state in
            guard confirmations > 0 else {
                state.transactions[txid] = VspRawTransaction(hex: hex)
                return
            }
            while Int64(state.blocks.count) < confirmations + 1 { state.blocks.append(Self.blockHash(state.blocks.count)) }
            let height = Int64(state.blocks.count) - confirmations
            state.transactions[txid] = VspRawTransaction(hex: hex, blockHash: state.blocks[Int(height)], blockHeight: height)
        }
    }

    /// Mines `count` blocks; the first takes the mempool. `spends` go into the first block's stake tree. Each new
    /// block is announced to the subscribed handler (outside the lock).
    public func mine(_ count: Int = 1, spends: [VspTicketSpend] = []) {
        let (announced, handler) = state.withLock { state -> ([BlockConnected], (@Sendable (BlockConnected) -> Void)?) in
            var connected: [BlockConnected] = []
            for index in 0..<count {
                let height = state.blocks.count
                let hash = Self.blockHash(height)
                state.blocks.append(hash)
                if index == 0 {
                    for txid in state.mempool {
                        state.transactions[txid]?.blockHash = hash
                        state.transactions[txid]?.blockHeight = Int64(height)
                    }
                    state.mempool.removeAll()
                    if !spends.isEmpty { state.spends[hash] = spends }
                }
                connected.append(BlockConnected(headerHex: Self.headerHex(height: UInt32(height))))
            }
            return (connected, state.handler)
        }
        if let handler { announced.forEach(handler) }
    }

    /// A deterministic block hash for a height.
    public static func blockHash(_ height: Int) -> String { String(format: "%064x", 0xb10c_0000 + height) }

    /// A 180-byte header whose only meaningful field is the height (little-endian at byte 128).
    static func headerHex(height: UInt32) -> String {
        var bytes = [UInt8](repeating: 0, count: 180)
        withUnsafeBytes(of: height.littleEndian) { bytes.replaceSubrange(128..<132, with: $0) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
