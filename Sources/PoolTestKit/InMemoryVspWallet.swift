import Foundation
import PoolKernel
import Synchronization

/// Today's dcrwallet in memory: the `VspWalletBackend` contract with state a test reads and sets directly. It
/// records what the vspd front asked of it (keys, tickets, per-ticket choices) and knows the agendas it is given.
public final class InMemoryVspWallet: VspWalletBackend {
    public struct State: InMemoryBackendState {
        public var info = WalletInfo(voting: true)
        public var bestBlock = BestBlock(hash: String(repeating: "0", count: 64), height: 0)
        /// Imported voting keys (WIF), in import order, each once.
        public var importedKeys: [String] = []
        /// Added transactions: txid → (block hash, hex).
        public var transactions: [String: (blockHash: String, hex: String)] = [:]
        /// Ticket → agenda → choice.
        public var voteChoices: [String: [String: String]] = [:]
        /// Ticket → tspend hash → policy.
        public var tspendPolicies: [String: [String: String]] = [:]
        /// Ticket → treasury key → policy.
        public var treasuryPolicies: [String: [String: String]] = [:]
        /// Agendas the wallet knows (`setvotechoice` for another: "no agenda with ID").
        public var agendas: Set<String> = ["maxtreasuryspend"]
        /// Ticket → status reported by `ticketinfo`.
        public var ticketStatus: [String: String] = [:]
        /// Every `rescanwallet` height, in call order.
        public var rescans: [Int64] = []
        public var net: UInt32 = 0x1214_1c16
        public var versions: [String: APIVersion] = [
            "dcrwallet": APIVersion(major: 2, minor: 1, patch: 6),
            "dcrwalletjsonrpcapi": APIVersion(major: 11, minor: 0, patch: 0),
            "dcrdjsonrpcapi": APIVersion(major: 8, minor: 3, patch: 0),
            "dcrd": APIVersion(major: 2, minor: 1, patch: 6),
        ]
        /// When set, every call fails with this error (fault injection).
        public var failure: WalletError?
        public var isClosed = false
        public init() {}
    }

    public let state: LockedValue<State>

    public init(_ state: State = State()) { self.state = LockedValue(state) }

    private func read<T: Sendable>(_ body: (inout State) throws -> T) throws -> T { try state.call(body) }

    public func walletInfo() async throws -> WalletInfo { try read { $0.info } }

    public func importPrivateKey(wif: String) async throws {
        try read { state in
            guard !wif.isEmpty else { throw WalletError.rpc(code: WalletRPCCode.invalidParameter, message: "invalid WIF") }
            if !state.importedKeys.contains(wif) { state.importedKeys.append(wif) }
        }
    }

    public func addTransaction(blockHash: String, transactionHex: String) async throws {
        try read { state in
            guard let tx = try? DecredTransaction(hex: transactionHex) else {
                throw WalletError.rpc(code: WalletRPCCode.deserialization, message: "Could not decode transaction")
            }
            state.transactions[tx.txid] = (blockHash, transactionHex)
            if state.ticketStatus[tx.txid] == nil { state.ticketStatus[tx.txid] = "live" }
        }
    }

    public func setVoteChoice(agenda: String, choice: String, ticketHash: String) async throws {
        try read { state in
            guard state.agendas.contains(agenda) else {
                throw WalletError.rpc(code: WalletRPCCode.invalidParameter, message: "no agenda with ID \(agenda)")
            }
            state.voteChoices[ticketHash, default: [:]][agenda] = choice
        }
    }

    public func setTSpendPolicy(tspendHash: String, policy: String, ticketHash: String) async throws {
        try read { $0.tspendPolicies[ticketHash, default: [:]][tspendHash] = policy }
    }

    public func setTreasuryPolicy(key: String, policy: String, ticketHash: String) async throws {
        try read { $0.treasuryPolicies[ticketHash, default: [:]][key] = policy }
    }

    public func ticketInfo(startHeight: Int64) async throws -> [VspWalletTicket] {
        try read { state in
            state.ticketStatus.keys.sorted().map {
                VspWalletTicket(hash: $0, status: state.ticketStatus[$0] ?? "live", choices: state.voteChoices[$0] ?? [:])
            }
        }
    }

    public func rescan(from height: Int64) async throws { try read { $0.rescans.append(height) } }
    public func bestBlock() async throws -> BestBlock { try read { $0.bestBlock } }
    public func currentNet() async throws -> UInt32 { try read { $0.net } }
    public func version() async throws -> [String: APIVersion] { try read { $0.versions } }
    public func close() async { state.withLock { $0.isClosed = true } }
}
