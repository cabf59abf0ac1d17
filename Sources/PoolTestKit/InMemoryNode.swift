import PoolKernel
import Synchronization

/// A node that lives in memory: records sent transactions and lets a test push notifications.
public final class InMemoryNode: NodeBackend {
    public struct State: InMemoryBackendState {
        public var bestBlock = BestBlock(hash: String(repeating: "0", count: 64), height: 0)
        public var currentNet: UInt32 = 0x1214_1c16
        /// Block hash → serialized header hex.
        public var headers: [String: String] = [:]
        /// Transaction hex → decoded form, for `decoderawtransaction`.
        public var decoded: [String: DecodedTransaction] = [:]
        /// Transactions accepted by `sendrawtransaction`, in order.
        public var sent: [String] = []
        /// Reply for `sendrawtransaction` (txid) by hex; unknown hex gets a placeholder txid.
        public var txids: [String: String] = [:]
        public var versions: [String: APIVersion] = [APIVersion.nodeAPIName: APIVersion(major: 3, minor: 1, patch: 0)]
        /// Subscription registrations received, in order (as method names).
        public var registrations: [String] = []
        public var failure: WalletError?
        public var isClosed = false
        public init() {}
    }

    public let state: LockedValue<State>
    private let handler = LockedValue<(@Sendable (ChainNotification) -> Void)?>(nil)

    public init(_ state: State = State()) { self.state = LockedValue(state) }

    private func read<T: Sendable>(_ body: (inout State) throws -> T) throws -> T { try state.call(body) }

    /// Delivers a notification to the subscriber, if any (synchronously, like a connection reader).
    public func emit(_ notification: ChainNotification) {
        handler.value?(notification)
    }

    public func sendRawTransaction(_ hex: String, allowHighFees: Bool) async throws -> String {
        try read { state in
            guard !hex.isEmpty, hex.utf8.count % 2 == 0, InMemoryWallet.isHex(hex) else {
                throw WalletError.rpc(code: WalletRPCCode.deserialization, message: "TX decode failed")
            }
            let txid = state.txids[hex] ?? InMemoryWallet.placeholderHex(hex, bytes: 32)
            guard !state.sent.contains(hex) else {
                throw WalletError.rpc(code: WalletRPCCode.generic,
                                      message: "Rejected transaction \(txid): already have transaction \(txid)")
            }
            state.sent.append(hex)
            return txid
        }
    }

    public func decodeRawTransaction(_ hex: String) async throws -> DecodedTransaction {
        try read { state in
            guard let tx = state.decoded[hex] else {
                throw WalletError.rpc(code: WalletRPCCode.deserialization, message: "TX decode failed")
            }
            return tx
        }
    }

    public func blockHeader(hash: String) async throws -> String {
        try read { state in
            guard let header = state.headers[hash] else {
                throw WalletError.rpc(code: WalletRPCCode.noInformation, message: "Block not found")
            }
            return header
        }
    }

    public func currentNet() async throws -> UInt32 { try read { $0.currentNet } }
    public func bestBlock() async throws -> BestBlock { try read { $0.bestBlock } }
    public func version() async throws -> [String: APIVersion] { try read { $0.versions } }

    public func subscribe(_ handler: @escaping @Sendable (ChainNotification) -> Void) async throws {
        try read { state in
            state.registrations += ["notifyblocks", "notifywinningtickets", "notifynewtickets",
                                    "notifyspentandmissedtickets"]
        }
        self.handler.withLock { $0 = handler }
    }

    public func close() async {
        state.withLock { $0.isClosed = true }
        handler.withLock { $0 = nil }
    }
}
