import Foundation

/// A snapshot of the wallet pool for `/status`, `/metrics` and `poolctl`: one entry per configured wallet plus
/// the pool mode. A plain value; take a new one with `WalletPool.status()`.
public struct WalletPoolStatus: Sendable, Equatable {
    /// One wallet (`wallethosts[index]`).
    public struct Wallet: Sendable, Equatable {
        public var index: Int
        /// The host (or simulated wallet name); never credentials.
        public var label: String
        public var condition: WalletCondition
        /// dcrstakepool's `Connected`: the wallet answered the last probe.
        public var connected: Bool
        public var daemonConnected: Bool
        public var unlocked: Bool
        /// The wallet's `enablevoting` (`EnableVoting` on /status).
        public var voting: Bool
        public var voteVersion: UInt32?
        public var bestHeight: Int64?
        /// Why the wallet is not up (empty when up).
        public var lastError: String
        /// When `condition` last changed.
        public var since: Date
        /// Redeem scripts (registered in the database or held by another wallet) it lacked at the last
        /// consistency check; nil before the first check.
        public var missingScripts: Int?
        /// Tickets held by another wallet it lacked at the last consistency check; nil before the first check.
        public var missingTickets: Int?
        /// When its scripts and tickets were last verified.
        public var lastChecked: Date?
    }

    public var wallets: [Wallet]
    public var minServers: Int
    public var autoRecover: Bool
    /// The pool shut down (fail closed) and refuses wallet work.
    public var isStopped: Bool
    /// `RPC <fn> failed: <err>` when stopped.
    public var stopReason: String?
    public var stoppedSince: Date?

    /// Wallets whose condition is `up`.
    public var usableCount: Int { wallets.filter { $0.condition.isUsable }.count }
    /// Every wallet answers and none is lagging, being verified or lacking scripts or tickets (and the pool runs).
    public var isConsistent: Bool {
        guard !isStopped else { return false }
        let answering = wallets.filter(\.connected)
        let bad: Set<WalletCondition> = [.lagging, .checking, .inconsistent]
        guard !answering.contains(where: { bad.contains($0.condition) }) else { return false }
        guard !wallets.contains(where: { ($0.missingScripts ?? 0) + ($0.missingTickets ?? 0) > 0 }) else { return false }
        return Set(answering.compactMap(\.voteVersion)).count <= 1
    }

    /// Wallets that answered the last probe.
    public var connectedCount: Int { wallets.filter(\.connected).count }

    /// dcrstakepool's `RPCStatus`: `OK` when every wallet is connected, `Emergency` with none, `Critical` with
    /// one, `Degraded` otherwise.
    public var rpcStatus: String {
        let connected = connectedCount
        if connected == wallets.count { return "OK" }
        switch connected {
        case 0: return "Emergency"
        case 1: return "Critical"
        default: return "Degraded"
        }
    }

    /// `/status` answers 500 while the pool is stopped (the README's intended behaviour), else 200.
    public var httpStatus: Int { isStopped ? 500 : 200 }

    /// Whether an address submission would be attempted now (not stopped, every wallet up, at least
    /// `minServers`). The submission itself re-checks the wallets.
    public var acceptsRegistrations: Bool {
        !isStopped && usableCount == wallets.count && usableCount >= minServers
    }
}
