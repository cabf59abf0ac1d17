import Foundation

/// What the web host needs to know about the pool's voting wallets (the "wallet RPC manager"):
/// implemented by the wallet pool service, faked in tests.
///
/// Implementation requirements: `isStopped` is cheap (no I/O) and, once true, stays true until the
/// process restarts (spec §6.6); `stakeInfo()` follows the multi-wallet rules of spec §6.5;
/// `walletStatuses()` never throws (an unreachable wallet is `connected == false`).
public protocol WalletPoolReporting: Sendable {
    /// The wallet pool stopped processing commands after a fatal error ("RPC stop").
    var isStopped: Bool { get }
    /// Why the pool stopped (`RPC <fn> failed: <err>`), nil while running. Cheap (no I/O).
    var stopReason: String? { get }
    /// `getstakeinfo` of the pool (the first answering wallet's view).
    func stakeInfo() async throws -> StakeInfo
    /// One entry per configured wallet, in `wallethosts` order (a `walletinfo` round, spec §7.2).
    func walletStatuses() async -> [WalletSlotStatus]
    /// The wallets as the last probe round saw them (the wallet monitor probes every 15 seconds), and when that
    /// round finished; nil before the first round. No I/O: pages that are read often show this instead of probing.
    func lastProbedWalletStatuses() -> ProbedWalletStatuses?
}

/// `walletStatuses()` as a probe round left them, with the round's time (the dashboard shows its age).
public struct ProbedWalletStatuses: Sendable, Equatable {
    public var wallets: [WalletSlotStatus]
    public var probedAt: Date
    public init(wallets: [WalletSlotStatus], probedAt: Date) {
        self.wallets = wallets
        self.probedAt = probedAt
    }
}

/// One wallet's line on `/status`.
public struct WalletSlotStatus: Sendable, Equatable {
    public var connected: Bool
    public var daemonConnected: Bool
    public var enableVoting: Bool
    public var unlocked: Bool
    /// The wallet's condition (`up`, `checking`, `inconsistent`, `down`, …: `WalletCondition`'s raw values), as
    /// `/metrics` and `poolctl wallets check` report it; empty when unknown to the reporter.
    public var state: String
    /// Redeem scripts / tickets it lacked at its last consistency check; nil before the first check.
    public var missingScripts: Int?
    public var missingTickets: Int?
    /// Why it is not up (empty when up).
    public var detail: String
    /// The wallet's best block height at its last answer; nil when unknown (the dashboard).
    public var height: Int64?

    public init(connected: Bool, daemonConnected: Bool = false, enableVoting: Bool = false, unlocked: Bool = false,
                state: String = "", missingScripts: Int? = nil, missingTickets: Int? = nil, detail: String = "",
                height: Int64? = nil) {
        self.height = height
        self.connected = connected
        self.daemonConnected = daemonConnected
        self.enableVoting = enableVoting
        self.unlocked = unlocked
        self.state = state
        self.missingScripts = missingScripts
        self.missingTickets = missingTickets
        self.detail = detail
    }

    /// `OK` when all wallets are connected, `Emergency` with none, `Critical` with one, else `Degraded`.
    public static func rpcStatus(_ slots: [WalletSlotStatus]) -> String {
        let connected = slots.filter(\.connected).count
        if connected == slots.count { return "OK" }
        switch connected {
        case 0: return "Emergency"
        case 1: return "Critical"
        default: return "Degraded"
        }
    }
}

extension WalletPoolReporting {
    public var stopReason: String? { nil }
    /// Reporters without a probe loop of their own have nothing cached.
    public func lastProbedWalletStatuses() -> ProbedWalletStatuses? { nil }
}
