import Foundation
import PoolKernel

/// stakepoold's view of its dependencies, and its wallet's consistency check: probes its dcrwallet and dcrd
/// every `probeInterval` (shorter than the RPC client's first reconnect delay, 5 s, so a wallet restart is
/// always seen), and whenever the wallet answers after not answering — and once at start — verifies that it
/// holds the redeem script of every voting user (the database's registered scripts). A missing script is an
/// error in the log, `stakepoold_wallet_missing_scripts`, a degraded `/health`, and — with `walletautorecover`
/// — re-imported (`importscript` with a rescan from the user's registration height).
///
/// Tickets: the daemon's ticket map (built from the wallet at start, then kept by dcrd's `newtickets` and
/// `spentandmissedtickets` notifications, never re-read from the wallet on a reconnect) is the record of the
/// live pool tickets this daemon votes. A ticket still in the map that the wallet no longer lists as live is
/// missing — counted only when two checks `probeInterval` apart agree, so a ticket the wallet saw voted a moment
/// before our notification arrived is never reported. Missing tickets are an error in the log,
/// `stakepoold_wallet_missing_tickets` and a degraded `/health`; the script re-import's rescan brings them back.
///
/// `/health`: `down` (503) while the wallet or dcrd does not answer (this daemon cannot vote); `degraded` while
/// the wallet lacks scripts, is not connected to its dcrd, or the database is unreachable (it votes from its
/// cache then).
public final class StakepooldWalletWatch: EngineService {
    public let name = "walletwatch"

    struct State: Sendable {
        var walletError: String?
        var dcrdError: String?
        var walletDaemonConnected = true
        var needsCheck = true
        var missingScripts: Int?
        /// Confirmed missing tickets (nil before the first confirmed check).
        var missingTickets: Int?
        /// Tickets missing at the last check, not yet confirmed by a second one.
        var ticketSuspects: Set<TicketHash> = []
        var databaseError: String?
        var checkedAt: Date?
        var probed = false
    }

    let wallet: any WalletBackend
    let node: any NodeBackend
    let storage: (any StorageBackend)?
    /// The live tickets this daemon votes (its ticket map); nil: tickets are not compared.
    let trackedTickets: (@Sendable () -> Set<TicketHash>)?
    let autoRecover: Bool
    let probeInterval: Duration
    let logger: Logger
    private let state = LockedValue(State())

    public init(wallet: any WalletBackend, node: any NodeBackend, storage: (any StorageBackend)?, autoRecover: Bool,
                trackedTickets: (@Sendable () -> Set<TicketHash>)? = nil, probeInterval: Duration = .seconds(4),
                logger: Logger) {
        self.wallet = wallet
        self.node = node
        self.storage = storage
        self.trackedTickets = trackedTickets
        self.autoRecover = autoRecover
        self.probeInterval = probeInterval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled {
            await tick()
            do {
                try await Task.sleep(for: probeInterval)
            } catch {
                return
            }
        }
    }

    /// One round: probe both daemons, verify the wallet when it (re)connected or still lacks scripts.
    public func tick() async {
        var walletError: String?
        var daemonConnected = true
        do {
            daemonConnected = try await wallet.walletInfo().daemonConnected
        } catch {
            walletError = Self.text(error)
        }
        var dcrdError: String?
        do { _ = try await node.bestBlock() } catch { dcrdError = Self.text(error) }
        let (verify, lines) = state.withLock { state -> (Bool, [(LogLevel, String)]) in
            var lines: [(LogLevel, String)] = []
            if (state.walletError == nil) != (walletError == nil) || !state.probed {
                if let walletError {
                    lines.append((.error, "dcrwallet does not answer: \(walletError); votes cannot be cast until it is back"))
                    state.needsCheck = true
                } else if state.probed {
                    lines.append((.info, "dcrwallet answers again; verifying it holds every voting user's redeem script"))
                }
            }
            if (state.dcrdError == nil) != (dcrdError == nil), let dcrdError {
                lines.append((.error, "dcrd does not answer: \(dcrdError)"))
            }
            state.walletError = walletError
            state.dcrdError = dcrdError
            state.walletDaemonConnected = daemonConnected
            state.probed = true
            let verify = walletError == nil && (state.needsCheck || (state.missingScripts ?? 0) > 0
                || (state.missingTickets ?? 0) > 0 || !state.ticketSuspects.isEmpty)
            return (verify, lines)
        }
        for (level, line) in lines { logger.log(level, line) }
        if verify {
            await verifyScripts()
            await verifyTickets()
        }
    }

    /// Compares the wallet's live tickets with the ticket map (see the type's comment for the two-check rule).
    func verifyTickets() async {
        guard let trackedTickets else { return }
        let missingNow: Set<TicketHash>
        do {
            let before = trackedTickets()
            // As 32-byte hashes, not strings (a hash the wallet lists that is not one can match no ticket).
            let held = Set(try await wallet.tickets(includeImmature: false).compactMap(TicketHash.init(hex:)))
            missingNow = before.intersection(trackedTickets()).subtracting(held)
        } catch {
            logger.warn("cannot verify the wallet's tickets: \(Self.text(error))")
            return
        }
        let (confirmed, was) = state.withLock { state -> (Int, Int?) in
            let confirmed = state.ticketSuspects.intersection(missingNow)
            state.ticketSuspects = missingNow
            let was = state.missingTickets
            // The first sighting waits for a second check; nothing missing is final at once.
            if missingNow.isEmpty || !confirmed.isEmpty || was != nil { state.missingTickets = confirmed.count }
            return (confirmed.count, was)
        }
        if confirmed > 0, confirmed != was {
            logger.error("dcrwallet is missing \(confirmed) live ticket(s) this daemon votes: it cannot vote them"
                + (autoRecover ? " (the script re-import's rescan should restore them)"
                    : "; set walletautorecover or run `poolctl wallets sync`"))
        } else if confirmed == 0, (was ?? 0) > 0 {
            logger.info("dcrwallet holds every live ticket this daemon votes again")
        }
    }

    /// Compares the wallet's scripts with the voting users' registered scripts, as bytes (`VotingUserScripts`);
    /// re-imports when configured.
    func verifyScripts() async {
        guard let storage else {
            state.withLock { $0.needsCheck = false; $0.missingScripts = 0 }
            return
        }
        let registered: VotingUserScripts
        do {
            registered = try await VotingUserScripts.read(from: storage)
            state.withLock { $0.databaseError = nil }
        } catch {
            let text = Self.text(error)
            state.withLock { $0.databaseError = text }
            logger.warn("cannot verify the wallet's redeem scripts yet: the database is unreadable: \(text)")
            return
        }
        do {
            var missing = try await missingScripts(registered)
            if !missing.isEmpty {
                logger.error("dcrwallet is missing \(missing.count) redeem script(s) of voting users: it cannot vote their "
                    + "tickets\(autoRecover ? "; re-importing them (walletautorecover)" : "; set walletautorecover or run `poolctl wallets sync`")")
                if autoRecover {
                    for position in missing {
                        let script = registered.script(at: position)
                        do {
                            try await wallet.importScript(script.multiSigScript, rescan: true, scanFrom: script.heightRegistered)
                        } catch {
                            logger.error("importscript of a voting user's redeem script failed: \(Self.text(error))")
                        }
                    }
                    missing = try await missingScripts(registered)
                    if missing.isEmpty { logger.info("dcrwallet holds every voting user's redeem script again") }
                }
            }
            let count = missing.count
            let now = Date()
            let wasMissing = state.withLock { state -> Int? in
                defer {
                    state.missingScripts = count
                    state.needsCheck = false
                    state.checkedAt = now
                }
                return state.missingScripts
            }
            if count == 0, (wasMissing ?? 0) > 0, !autoRecover {
                logger.info("dcrwallet holds every voting user's redeem script again")
            }
            if count == 0, wasMissing == nil {
                logger.info("dcrwallet holds all \(registered.users) voting users' redeem scripts")
            }
        } catch {
            logger.warn("cannot verify the wallet's redeem scripts: \(Self.text(error))")
        }
    }

    /// Positions in `registered` of the scripts the wallet's `listscripts` lacks (read straight into bytes).
    private func missingScripts(_ registered: VotingUserScripts) async throws -> [Int] {
        registered.missing(from: try await wallet.listScriptSet())
    }

    /// What `/health` answers.
    public func report() -> HealthReport {
        let s = state.value
        var checks: [HealthReport.Check] = []
        let scripts = s.missingScripts ?? 0, tickets = s.missingTickets ?? 0
        var lacks: [String] = []
        if scripts > 0 { lacks.append("\(scripts) voting user redeem script(s)") }
        if tickets > 0 { lacks.append("\(tickets) live ticket(s)") }
        var figures: [(String, Double)] = []
        if let missing = s.missingScripts { figures.append(("missing_scripts", Double(missing))) }
        if let missing = s.missingTickets { figures.append(("missing_tickets", Double(missing))) }
        checks.append(.init(component: "wallet", instance: "dcrwallet",
                            state: s.walletError != nil ? .down : !lacks.isEmpty || !s.walletDaemonConnected ? .degraded : .ok,
                            detail: s.walletError.map { "unreachable: \($0)" }
                                ?? (!lacks.isEmpty ? "missing " + lacks.joined(separator: " and ")
                                    : !s.walletDaemonConnected ? "not connected to dcrd" : (s.probed ? "" : "not probed yet")),
                            figures: figures))
        checks.append(.init(component: "dcrd", state: s.dcrdError != nil ? .down : .ok,
                            detail: s.dcrdError.map { "unreachable: \($0)" } ?? ""))
        checks.append(.init(component: "database", state: s.databaseError != nil ? .degraded : .ok,
                            detail: s.databaseError.map { "unreachable (voting from the cached preferences): \($0)" } ?? ""))
        return HealthReport(checks: checks, status: checks.map(\.state).max() ?? .ok)
    }

    /// `stakepoold_wallet_up`, `stakepoold_dcrd_up`, `stakepoold_wallet_missing_scripts` and
    /// `stakepoold_wallet_missing_tickets` (-1 before the first check).
    public func register(in registry: MetricsRegistry) {
        let state = self.state
        registry.gaugeFunction("stakepoold_wallet_up", help: "1 when dcrwallet answered the last probe.") {
            state.value.walletError == nil ? 1 : 0
        }
        registry.gaugeFunction("stakepoold_dcrd_up", help: "1 when dcrd answered the last probe.") {
            state.value.dcrdError == nil ? 1 : 0
        }
        registry.gaugeFunction("stakepoold_wallet_missing_scripts",
                               help: "Voting users' redeem scripts the wallet lacked at its last check (-1: not checked yet).") {
            Double(state.value.missingScripts ?? -1)
        }
        registry.gaugeFunction("stakepoold_wallet_missing_tickets",
                               help: "Live tickets of the ticket map the wallet lacked at its last check (-1: not checked yet).") {
            Double(state.value.missingTickets ?? -1)
        }
    }

    static func text(_ error: any Error) -> String { (error as? any CodedError)?.message ?? "\(error)" }
}
