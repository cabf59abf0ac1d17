import Foundation
import PoolKernel
import Synchronization

/// A wallet that lives in memory: the `WalletBackend` contract with state a test sets directly.
///
/// It mimics dcrwallet's observable behaviour (error codes, idempotent `importscript`, `null`-free
/// results) without any chain logic: multisig scripts and votes are deterministic placeholders.
public final class InMemoryWallet: WalletBackend {
    /// Everything the wallet knows; tests read and change it through `state`.
    public struct State: InMemoryBackendState {
        public var info = WalletInfo()
        public var bestBlock = BestBlock(hash: String(repeating: "0", count: 64), height: 0)
        public var stakeInfo = StakeInfo()
        /// Addresses that validate as the wallet's own (address → validation result).
        public var knownAddresses: [String: AddressValidation] = [:]
        public var scripts: [ImportedScript] = []
        /// Rescan heights requested by `importscript`, in call order.
        public var importHeights: [Int64] = []
        /// Ticket hash → true if mature (live).
        public var tickets: [String: Bool] = [:]
        /// Transactions the wallet's node knows (txid → hex), for `getrawtransaction`/`addticket`.
        public var rawTransactions: [String: String] = [:]
        /// The wallet's own transaction history.
        public var transactions: [String: WalletTransaction] = [:]
        public var stakePoolUsers: [String: StakePoolUserInfo] = [:]
        public var syncedIndex: [String: UInt32] = [:]
        /// Votes generated, in call order.
        public var votes: [(ticket: String, blockHash: String, voteBits: UInt16)] = []
        public var versions: [String: APIVersion] = [
            APIVersion.walletAPIName: APIVersion(major: 4, minor: 1, patch: 0),
            APIVersion.nodeAPIName: APIVersion(major: 3, minor: 1, patch: 0),
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

    public func validateAddress(_ address: String) async throws -> AddressValidation {
        try read { state in
            if let known = state.knownAddresses[address] { return known }
            return Self.looksLikeAddress(address) ? AddressValidation(isValid: true, address: address)
                : AddressValidation(isValid: false)
        }
    }

    public func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        try read { _ in
            guard nRequired >= 1, nRequired <= keys.count, keys.allSatisfy(Self.looksLikeAddress) else {
                throw WalletError.rpc(code: WalletRPCCode.parseError, message: "invalid keys or nrequired")
            }
            let body = keys.map { "21" + Self.placeholderHex($0, bytes: 33) }.joined()
            let script = String(format: "%02x", 0x50 + nRequired) + body + String(format: "%02x", 0x50 + keys.count) + "ae"
            return MultisigScript(address: "Tc" + Self.placeholderHex(script, bytes: 16), redeemScript: script)
        }
    }

    public func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws {
        try read { state in
            guard !scriptHex.isEmpty else { throw WalletError.rpc(code: WalletRPCCode.wallet, message: "passed empty script") }
            guard Self.isHex(scriptHex) else {
                throw WalletError.rpc(code: WalletRPCCode.deserialization, message: "invalid script hex")
            }
            state.importHeights.append(scanFrom)
            guard !state.scripts.contains(where: { $0.redeemScript == scriptHex }) else { return }
            state.scripts.append(ImportedScript(hash160: Self.placeholderHex(scriptHex, bytes: 20),
                                                address: "Tc" + Self.placeholderHex(scriptHex, bytes: 16),
                                                redeemScript: scriptHex))
        }
    }

    public func bestBlock() async throws -> BestBlock { try read { $0.bestBlock } }
    public func stakeInfo() async throws -> StakeInfo { try read { $0.stakeInfo } }

    public func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
        try read { state in
            if let info = state.stakePoolUsers[multisigAddress] { return info }
            guard Self.looksLikeAddress(multisigAddress) else {
                throw WalletError.rpc(code: WalletRPCCode.wallet, message: "invalid address")
            }
            return StakePoolUserInfo()
        }
    }

    public func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws {
        try read { state in
            guard account == "default" else {
                throw WalletError.rpc(code: WalletRPCCode.wallet, message: "account '\(account)' not found")
            }
            guard index < 1 << 31 else {
                throw WalletError.rpc(code: WalletRPCCode.invalidParameter, message: "index out of range")
            }
            state.syncedIndex["\(account)/\(branch)"] = index
        }
    }

    public func listScripts() async throws -> [ImportedScript] { try read { $0.scripts } }

    public func tickets(includeImmature: Bool) async throws -> [String] {
        try read { state in
            state.tickets.filter { includeImmature || $0.value }.keys.sorted()
        }
    }

    public func rawTransaction(txid: String) async throws -> String {
        try read { state in
            guard let hex = state.rawTransactions[txid] else {
                throw WalletError.rpc(code: WalletRPCCode.noInformation, message: "No information available about transaction \(txid)")
            }
            return hex
        }
    }

    public func addTicket(_ ticketHex: String) async throws {
        try read { state in
            guard !ticketHex.isEmpty, ticketHex.utf8.count % 2 == 0, Self.isHex(ticketHex) else {
                throw WalletError.rpc(code: WalletRPCCode.deserialization, message: "TX decode failed")
            }
            guard let txid = state.rawTransactions.first(where: { $0.value == ticketHex })?.key else {
                throw WalletError.rpc(code: WalletRPCCode.wallet, message: "transaction is not a ticket")
            }
            state.tickets[txid] = true
        }
    }

    public func transaction(txid: String) async throws -> WalletTransaction {
        try read { state in
            guard let tx = state.transactions[txid] else {
                throw WalletError.rpc(code: WalletRPCCode.noInformation, message: "No information for transaction")
            }
            return tx
        }
    }

    public func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                             voteBitsExtended: String) async throws -> String {
        try read { state in
            guard state.transactions[ticket] != nil || state.tickets[ticket] != nil else {
                throw WalletError.rpc(code: WalletRPCCode.wallet, message: "ticket purchase transaction not found")
            }
            guard state.info.unlocked else {
                throw WalletError.rpc(code: WalletRPCCode.wallet, message: "wallet locked")
            }
            state.votes.append((ticket, blockHash, voteBits))
            return "0100" + Self.placeholderHex(blockHash + ticket + String(voteBits) + voteBitsExtended, bytes: 32)
        }
    }

    public func version() async throws -> [String: APIVersion] { try read { $0.versions } }

    public func close() async { state.withLock { $0.isClosed = true } }

    // MARK: - Helpers

    static func isHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// Base58-looking text of a plausible address length (no chain logic in the test kit).
    static func looksLikeAddress(_ text: String) -> Bool {
        let alphabet = Set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        return (26...70).contains(text.count) && text.allSatisfy { alphabet.contains($0) }
    }

    /// Deterministic filler hex (FNV-1a stream) standing in for real keys and hashes.
    static func placeholderHex(_ seed: String, bytes: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var out = ""
        out.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            hash = (hash ^ 0x9e) &* 0x100_0000_01b3
            out += String(format: "%02x", UInt8(truncatingIfNeeded: hash >> 24))
        }
        return out
    }
}
