import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// One scripted answer to `generatevote` for a ticket.
enum VoteStep: Sendable {
    case succeed(after: Duration = .zero)
    case fail(WalletError, after: Duration = .zero)
    case empty
    /// Never answers (ignores cancellation too, like a wedged connection) until `ScriptedWallet.releaseHangs()`.
    case hang
    /// Answers only once `peers` calls have been inside `generatevote` at the same time (proves they overlap).
    case rendezvous(peers: Int)
}

/// A wallet that forwards to `InMemoryWallet` but answers `generatevote` from a per-ticket script.
final class ScriptedWallet: WalletBackend {
    let inner: InMemoryWallet
    let script = LockedValue<[String: [VoteStep]]>([:])
    let voteCalls = LockedValue<[String]>([])
    /// `generatevote` calls inside the wallet now, and the most there ever were at once.
    let inFlight = LockedValue((now: 0, most: 0))
    /// `.hang` calls not yet released.
    let hanging = LockedValue(0)
    private let hangsReleased = LockedValue(false)

    /// Lets every `.hang` call (now or later) end with a timeout error.
    func releaseHangs() { hangsReleased.withLock { $0 = true } }

    init(_ inner: InMemoryWallet = InMemoryWallet()) { self.inner = inner }

    func walletInfo() async throws -> WalletInfo { try await inner.walletInfo() }
    func validateAddress(_ address: String) async throws -> AddressValidation { try await inner.validateAddress(address) }
    func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        try await inner.createMultisig(nRequired: nRequired, keys: keys)
    }
    func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws {
        try await inner.importScript(scriptHex, rescan: rescan, scanFrom: scanFrom)
    }
    func bestBlock() async throws -> BestBlock { try await inner.bestBlock() }
    func stakeInfo() async throws -> StakeInfo { try await inner.stakeInfo() }
    func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
        try await inner.stakePoolUserInfo(multisigAddress: multisigAddress)
    }
    func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws {
        try await inner.accountSyncAddressIndex(account: account, branch: branch, index: index)
    }
    func listScripts() async throws -> [ImportedScript] { try await inner.listScripts() }
    func tickets(includeImmature: Bool) async throws -> [String] { try await inner.tickets(includeImmature: includeImmature) }
    func rawTransaction(txid: String) async throws -> String { try await inner.rawTransaction(txid: txid) }
    func addTicket(_ ticketHex: String) async throws { try await inner.addTicket(ticketHex) }
    func transaction(txid: String) async throws -> WalletTransaction { try await inner.transaction(txid: txid) }
    func version() async throws -> [String: APIVersion] { try await inner.version() }

    func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                      voteBitsExtended: String) async throws -> String {
        voteCalls.withLock { $0.append(ticket) }
        let step = script.withLock { script -> VoteStep in
            guard var steps = script[ticket], !steps.isEmpty else { return .succeed() }
            let step = steps.removeFirst()
            script[ticket] = steps
            return step
        }
        inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        defer { inFlight.withLock { $0.now -= 1 } }
        switch step {
        case .succeed(let delay):
            if delay > .zero { try? await Task.sleep(for: delay) }
            return try await inner.generateVote(blockHash: blockHash, height: height, ticket: ticket,
                                                voteBits: voteBits, voteBitsExtended: voteBitsExtended)
        case .fail(let error, let delay):
            if delay > .zero { try? await Task.sleep(for: delay) }
            throw error
        case .empty:
            return ""
        case .hang:
            // Deliberately deaf to cancellation; a safety bound keeps a broken loop from wedging the test run.
            hanging.withLock { $0 += 1 }
            defer { hanging.withLock { $0 -= 1 } }
            var polls = 0
            while !hangsReleased.value, polls < 6_000 {
                await Self.sleepIgnoringCancellation(.milliseconds(5))
                polls += 1
            }
            throw WalletError(.walletTimeout, "hung")
        case .rendezvous(let peers):
            var polls = 0
            while inFlight.value.most < peers, !Task.isCancelled, polls < 6_000 {
                try? await Task.sleep(for: .milliseconds(5))
                polls += 1
            }
            return try await inner.generateVote(blockHash: blockHash, height: height, ticket: ticket,
                                                voteBits: voteBits, voteBitsExtended: voteBitsExtended)
        }
    }

    /// A sleep that runs to its end even in a cancelled task (in a detached task nobody cancels).
    private static func sleepIgnoringCancellation(_ duration: Duration) async {
        await Task.detached { try? await Task.sleep(for: duration) }.value
    }
}

/// Builds hashes, users and the voting pieces around in-memory backends.
enum VotingFixture {
    static func hash(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }

    static func msa(_ user: Int) -> String { "Sc" + String(repeating: "m", count: 20) + String(user) }

    static let lnfeatures = VoteRules.Agenda(id: "lnfeatures", mask: 0x0006, choices: [
        VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true), VoteRules.Choice(id: "no", bits: 2, isNo: true),
        VoteRules.Choice(id: "yes", bits: 4),
    ])
    static let rules = VoteRules(voteVersion: 6, agendas: [lnfeatures], defaultBits: 1, defaultBitsExtended: "06000000")

    /// A wallet transaction for a pool ticket owned by `owner` (as dcrwallet's `gettransaction` shows it).
    static func ticketTransaction(_ ticket: String, owner: String, blockHash: String = hash(0xb10c)) -> WalletTransaction {
        WalletTransaction(confirmations: 300, blockHash: blockHash, txid: ticket,
                          details: [WalletTransactionDetail(account: "imported", address: owner, amount: 100,
                                                            category: "receive", vout: 0)],
                          hex: "01" + ticket)
    }

    /// Users 1…n with the given bits/version, stored in an `InMemoryStorage`.
    static func storage(users: Int, bits: UInt16 = 5, version: UInt32 = 6) async throws -> InMemoryStorage {
        let storage = InMemoryStorage()
        for n in 1...max(1, users) where users > 0 {
            _ = try await storage.insertUser(User(email: "u\(n)@example.com", passwordHash: "x",
                                                  multiSigAddress: msa(n), voteBits: bits, voteBitsVersion: version))
        }
        return storage
    }
}
