import Foundation

/// The wallet pool's health as a plain state machine: per-wallet conditions and the pool mode
/// (running / stopped). Events come from probes, operations and the recovery check; the returned actions
/// (alerts, audit entries, log lines) are carried out by `WalletPool`. No I/O here.
struct WalletPoolHealthStateMachine: Sendable {
    struct Wallet: Sendable, Equatable {
        var condition: WalletCondition = .unknown
        var info: WalletInfo?
        var bestHeight: Int64?
        var lastError = ""
        var since: Date
        /// Set when the wallet answers again after being down (a reconnect, perhaps a wallet restored from
        /// seed): its scripts and tickets must be verified before it counts as up.
        var needsCheck = false
        /// Redeem scripts / tickets it lacked at the last consistency check (nil: not checked yet).
        var missingScripts: Int?
        var missingTickets: Int?
        var lastChecked: Date?

        var isMissingSomething: Bool { (missingScripts ?? 0) + (missingTickets ?? 0) > 0 }
    }

    enum Mode: Sendable, Equatable {
        case running
        case stopped(reason: String, since: Date)
    }

    /// What a probe of one wallet found.
    enum Observation: Sendable, Equatable {
        case answered(WalletInfo, height: Int64)
        case unavailable(String)
        case failed(String)
    }

    enum Action: Sendable, Equatable {
        case alert(OperatorAlert)
        case audit(WalletPoolAuditEntry)
        case log(LogLevel, String)
    }

    private(set) var wallets: [Wallet]
    private(set) var mode: Mode = .running
    let labels: [String]

    init(labels: [String], now: Date) {
        self.labels = labels
        wallets = labels.map { _ in Wallet(since: now) }
    }

    var isStopped: Bool { if case .stopped = mode { true } else { false } }

    /// A full probe round: classifies every wallet (lag measured against the highest wallet and `chainTip`).
    mutating func probed(_ observations: [Observation], chainTip: Int64?, maxLag: Int64, now: Date) -> [Action] {
        let heights = observations.compactMap { if case .answered(_, let height) = $0 { height } else { nil } }
        let top = max(heights.max() ?? 0, chainTip ?? 0)
        var actions: [Action] = []
        for (index, observation) in observations.enumerated() where index < wallets.count {
            var wallet = wallets[index]
            let condition: WalletCondition
            var error = ""
            switch observation {
            case .answered(let info, let height):
                wallet.info = info
                wallet.bestHeight = height
                if wallet.condition == .down { wallet.needsCheck = true }
                if !info.daemonConnected {
                    condition = .noDaemon
                    error = "wallet server \(index) not connected to daemon"
                } else if !info.unlocked {
                    condition = .locked
                    error = "wallet server \(index) locked"
                } else if top - height > maxLag {
                    condition = .lagging
                    error = "wallet server \(index) is \(top - height) blocks behind (height \(height), tip \(top))"
                } else if wallet.needsCheck {
                    condition = .checking
                    error = "wallet server \(index) reconnected; its scripts and tickets are being verified"
                } else if wallet.isMissingSomething {
                    condition = .inconsistent
                    error = Self.missingText(index, wallet)
                } else {
                    condition = .up
                }
            case .unavailable(let message), .failed(let message):
                condition = .down
                error = message
            }
            wallet.lastError = error
            wallets[index] = wallet
            actions += transition(index, to: condition, detail: error, now: now)
        }
        return actions
    }

    /// An operation found a wallet unavailable (between probes).
    mutating func unavailable(_ index: Int, message: String, now: Date) -> [Action] {
        guard index < wallets.count else { return [] }
        wallets[index].lastError = message
        return transition(index, to: .down, detail: message, now: now)
    }

    /// An operation got an answer from a wallet that was marked down: it is reachable again (the next probe
    /// decides whether it is fully usable).
    mutating func answered(_ index: Int, now: Date) -> [Action] {
        guard index < wallets.count, wallets[index].condition == .down else { return [] }
        wallets[index].needsCheck = true
        return transition(index, to: .checking, detail: "", now: now)
    }

    /// The backend of wallet `index` was replaced by a fresh connection: verify it before trusting it.
    mutating func reconnected(_ index: Int) {
        guard index < wallets.count else { return }
        wallets[index].needsCheck = true
    }

    /// The indices whose scripts and tickets must be (re)verified: reconnected ones, and ones found lacking
    /// (so a repair by the operator, e.g. `poolctl wallets sync`, is noticed).
    var walletsNeedingCheck: [Int] {
        wallets.indices.filter { wallets[$0].condition.isConnected && (wallets[$0].needsCheck || wallets[$0].isMissingSomething) }
    }

    /// A consistency check counted what wallet `index` lacks (registered scripts from the database and scripts
    /// and tickets of the other wallets). A reconnected wallet is "recovered" only when it lacks nothing.
    mutating func checked(_ index: Int, missingScripts: Int, missingTickets: Int, totalScripts: Int,
                          totalTickets: Int, now: Date) -> [Action] {
        guard index < wallets.count else { return [] }
        var wallet = wallets[index]
        let wasChecking = wallet.needsCheck || wallet.condition == .checking
        wallet.needsCheck = false
        wallet.missingScripts = missingScripts
        wallet.missingTickets = missingTickets
        wallet.lastChecked = now
        wallets[index] = wallet
        let name = "wallet \(index) (\(labels[index]))"
        guard [.checking, .inconsistent, .up].contains(wallet.condition) else { return [] }
        if wallet.isMissingSomething {
            wallets[index].lastError = Self.missingText(index, wallet)
            guard wallet.condition != .inconsistent else { return [] }
            wallets[index].condition = .inconsistent
            wallets[index].since = now
            let text = Self.missingText(index, wallet)
            return [.log(.error, "\(name) is inconsistent: \(text); it cannot vote those users' tickets"),
                    .alert(OperatorAlert(kind: .walletInconsistent, walletIndex: index,
                                         subject: "\(name) is missing scripts or tickets",
                                         body: "\(name) answers, but \(text). A wallet without a user's redeem script "
                                             + "cannot vote that user's tickets. Run `poolctl wallets check` and "
                                             + "`poolctl wallets sync`, or set walletautorecover to re-import them.")),
            ]
        }
        wallets[index].lastError = ""
        guard wallet.condition != .up else { return [] }
        let previous = wasChecking && wallet.condition == .checking ? "down" : "\(wallet.condition)"
        wallets[index].condition = .up
        wallets[index].since = now
        let detail = "holds all \(totalScripts) redeem script(s) and \(totalTickets) ticket(s)"
        return [.log(.info, "\(name) recovered (was \(previous)): verified, \(detail)"),
                .alert(OperatorAlert(kind: .walletRecovered, walletIndex: index, subject: "\(name) recovered",
                                     body: "\(name) is up again (it was \(previous)) and \(detail).")),
        ]
    }

    static func missingText(_ index: Int, _ wallet: Wallet) -> String {
        var parts: [String] = []
        if let scripts = wallet.missingScripts, scripts > 0 { parts.append("\(scripts) redeem script(s)") }
        if let tickets = wallet.missingTickets, tickets > 0 { parts.append("\(tickets) ticket(s)") }
        return "wallet server \(index) is missing " + parts.joined(separator: " and ")
    }

    /// Fail closed: dcrstakepool's "RPC stop". Stays stopped until `resume`.
    mutating func stop(function: String, reason: String, now: Date) -> [Action] {
        var actions: [Action] = [.log(.error, "RPC \(function) failed: \(reason)")]
        guard !isStopped else { return actions }
        mode = .stopped(reason: "RPC \(function) failed: \(reason)", since: now)
        actions.append(.log(.critical, "wallet RPC client stopped; address submissions are refused until the "
            + "wallets are verified and the pool restarted (or walletautorecover resumes it)"))
        actions.append(.audit(WalletPoolAuditEntry(event: "stopped", reason: "RPC \(function) failed: \(reason)", time: now)))
        actions.append(.alert(OperatorAlert(
            kind: .poolStopped, walletIndex: nil, subject: "wallet pool stopped: RPC \(function) failed",
            body: "The wallet pool shut down (fail closed) because RPC \(function) failed: \(reason).\n"
                + "Address submissions, stats and ticket pages are unavailable. Verify that every wallet has the "
                + "same scripts and tickets (`poolctl wallets check`, `poolctl wallets sync`), then restart the "
                + "pool, or let walletautorecover resume it once all wallets agree.")))
        return actions
    }

    /// Leaves the stopped mode (automatic recovery after every wallet agreed again).
    mutating func resume(event: String, reason: String, now: Date) -> [Action] {
        guard case .stopped(let stopReason, _) = mode else { return [] }
        mode = .running
        return [
            .log(.warn, "wallet RPC client resumed (\(event)): \(reason)"),
            .audit(WalletPoolAuditEntry(event: event, reason: reason, time: now)),
            .alert(OperatorAlert(
                kind: .poolRecovered, walletIndex: nil, subject: "wallet pool resumed",
                body: "The wallet pool resumed (\(event)): \(reason).\nIt had stopped because: \(stopReason).")),
        ]
    }

    private mutating func transition(_ index: Int, to condition: WalletCondition, detail: String,
                                     now: Date) -> [Action] {
        let previous = wallets[index].condition
        guard previous != condition else { return [] }
        wallets[index].condition = condition
        wallets[index].since = now
        let name = "wallet \(index) (\(labels[index]))"
        if condition == .checking {
            // Never "recovered" before its scripts and tickets are verified (`checked`).
            return [.log(.info, "\(name) answers again (was \(previous)); verifying its scripts and tickets")]
        }
        if condition == .inconsistent {
            return [.log(.error, "\(name) is inconsistent: \(detail)")]
        }
        if condition == .up {
            guard previous != .unknown else { return [.log(.info, "\(name) is up")] }
            return [.log(.info, "\(name) recovered (was \(previous))"),
                    .alert(OperatorAlert(kind: .walletRecovered, walletIndex: index, subject: "\(name) recovered",
                                         body: "\(name) is up again (it was \(previous)).")),
            ]
        }
        let kind: OperatorAlert.Kind = switch condition {
        case .lagging: .walletLagging
        case .locked: .walletLocked
        case .noDaemon: .walletNoDaemon
        default: .walletDown
        }
        return [.log(.warn, "\(name) is \(condition): \(detail)"),
                .alert(OperatorAlert(kind: kind, walletIndex: index, subject: "\(name) is \(condition)",
                                     body: "\(name) is \(condition): \(detail)")),
        ]
    }
}
