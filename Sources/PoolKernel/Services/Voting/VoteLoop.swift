import Foundation
import Synchronization

/// Votes every managed winner of a block (stakepoold.md §6.4, improved): look each winner up in the ticket
/// map, decide its bits through the vote policy (validated, with the wallet-default fallback), then
/// `generatevote` + `sendrawtransaction` for all of them concurrently inside the block's deadline, with one
/// retry where it can help. Afterwards: one log line per vote with timings, the block summary, one vote audit
/// record per decision (storage), metrics, and `VotePolicy.observe`.
public final class VoteLoop: Sendable {
    public struct Settings: Sendable {
        /// Votes not on the wire this long after the notification count as missed by the deadline. Miners
        /// build the next block ~3 s after a tip, so the default leaves ~0.5 s of margin.
        public var deadline: Duration = .milliseconds(2500)
        /// The first try of each wallet/node call gives up after this long, leaving time for the retry.
        public var attemptTimeout: Duration = .milliseconds(1200)
        public var retryDelay: Duration = .milliseconds(50)
        /// How many recent block hashes are remembered to ignore a repeated notification.
        public var recentBlocks = 64
        /// Write one vote audit record per decision.
        public var auditEnabled = true
        public init() {}
    }

    /// One managed winner's decision and outcome.
    public struct VoteResult: Sendable {
        public var ticket: String
        public var multiSigAddress: String
        public var userId: UserId?
        public var decision: CheckedVoteDecision
        public var outcome: VoteOutcome
        public var signDuration: Duration
        public var sendDuration: Duration
        /// Notification → last answer for this vote.
        public var totalDuration: Duration
        public var attempts: Int
        /// With `.deadline`: the call that had not answered ("the wallet's generatevote", "dcrd's sendrawtransaction").
        public var unansweredCall: String? = nil
    }

    /// What happened for one block.
    public struct BlockReport: Sendable {
        public var blockHash: String
        public var blockHeight: Int64
        public var results: [VoteResult] = []
        public var unmanaged = 0
        /// Set when the notification repeated a block already processed (nothing was done).
        public var repeated = false
        /// The block's vote deadline (`Settings.deadline`), counted from the notification.
        public var deadline: Duration = .zero
        public var decisionDuration: Duration = .zero
        public var duration: Duration = .zero

        public var cast: Int { results.filter { if case .cast = $0.outcome { true } else { false } }.count }
        public var duplicates: Int { results.filter { if case .duplicate = $0.outcome { true } else { false } }.count }
        public var missed: Int { results.filter { !$0.outcome.isOnTheWire }.count }
    }

    let tracker: TicketTracker
    let prefs: UserPrefsCache
    let decider: VoteDecisionStep
    let rules: VoteRules
    let caster: VoteCaster
    let storage: (any StorageBackend)?
    let metrics: VotingMetrics
    let logger: Logger
    let settings: Settings
    private let recent = Mutex<[String]>([])
    private let missedObserver = Mutex<(@Sendable (BlockReport) async -> Void)?>(nil)

    private let storageFailure = Mutex<(@Sendable (any Error) -> Void)?>(nil)

    /// Called when the vote audit could not be written (the engine marks the database down).
    public func onStorageFailure(_ hook: @escaping @Sendable (any Error) -> Void) {
        storageFailure.withLock { $0 = hook }
    }

    /// Called (off the vote path) with every block report that has a missed or late vote.
    public func onMissedVotes(_ observer: @escaping @Sendable (BlockReport) async -> Void) {
        missedObserver.withLock { $0 = observer }
    }

    public init(tracker: TicketTracker, prefs: UserPrefsCache, policy: any VotePolicy, rules: VoteRules,
                wallet: any WalletBackend, node: any NodeBackend, storage: (any StorageBackend)?,
                metrics: VotingMetrics, logger: Logger, settings: Settings = Settings()) {
        self.tracker = tracker
        self.prefs = prefs
        self.decider = VoteDecisionStep(policy: policy, logger: logger)
        self.rules = rules
        self.caster = VoteCaster(wallet: wallet, node: node,
                                 settings: VoteCaster.Settings(attemptTimeout: settings.attemptTimeout,
                                                               retryDelay: settings.retryDelay))
        self.storage = storage
        self.metrics = metrics
        self.logger = logger
        self.settings = settings
    }

    /// The decisions for a block's winners, without casting (benchmarks, dry runs). Unmanaged winners are left out.
    public func decide(_ winners: WinningTickets) -> [(WinningTicket, CheckedVoteDecision)] {
        var decided: [(WinningTicket, CheckedVoteDecision)] = []
        decided.reserveCapacity(winners.tickets.count)
        for ticket in winners.tickets {
            guard let hash = TicketHash(hex: ticket), let owner = tracker.owner(of: hash) else { continue }
            let winner = WinningTicket(ticketHash: ticket, blockHash: winners.blockHash,
                                       blockHeight: winners.blockHeight, multiSigAddress: owner,
                                       owner: prefs.user(multiSigAddress: owner))
            decided.append((winner, decider.decide(for: winner, rules: rules)))
        }
        return decided
    }

    /// Votes the block's managed winners. `receivedAt` is when the notification arrived (the deadline counts
    /// from there).
    @discardableResult
    public func process(_ winners: WinningTickets,
                        receivedAt: ContinuousClock.Instant = ContinuousClock.now) async -> BlockReport {
        let clock = ContinuousClock()
        let receivedAtMillis = Int64(Date().timeIntervalSince1970 * 1000)
        var report = BlockReport(blockHash: winners.blockHash, blockHeight: winners.blockHeight)
        guard markNew(winners.blockHash) else {
            logger.debug("winningtickets for block \(winners.blockHash) repeated; ignored")
            report.repeated = true
            return report
        }
        let deadline = receivedAt + settings.deadline
        report.deadline = settings.deadline

        // 1. Decide (synchronous, microseconds).
        let decided = decide(winners)
        report.unmanaged = winners.tickets.count - decided.count
        report.decisionDuration = clock.now - receivedAt
        metrics.recordDecision(report.decisionDuration)
        for (winner, decision) in decided {
            logger.debug("calling GenerateVote with blockHash \(winner.blockHash) blockHeight \(winner.blockHeight) "
                         + "ticket \(winner.ticketHash) VoteBits \(decision.bits) "
                         + "VoteBitsExtended \(rules.defaultBitsExtended)")
        }

        // 2. Cast all concurrently.
        let reports = await withTaskGroup(of: (Int, VoteCaster.Report).self) { group in
            for (index, (winner, decision)) in decided.enumerated() {
                group.addTask { [caster, rules] in
                    let result = await caster.cast(ticket: winner.ticketHash, bits: decision.bits,
                                                   bitsExtended: rules.defaultBitsExtended,
                                                   blockHash: winner.blockHash, blockHeight: winner.blockHeight,
                                                   deadline: deadline)
                    return (index, result)
                }
            }
            var collected = [VoteCaster.Report?](repeating: nil, count: decided.count)
            for await (index, result) in group {
                collected[index] = result
                // End-to-end per vote: notification → this vote's last answer.
                metrics.recordEndToEnd(clock.now - receivedAt)
                if let requested = result.requestedAt { metrics.requestLatency.record(requested - receivedAt) }
            }
            return collected
        }
        let finished = clock.now
        for (index, (winner, decision)) in decided.enumerated() {
            let cast = reports[index] ?? VoteCaster.Report(outcome: .deadline)
            report.results.append(VoteResult(
                ticket: winner.ticketHash, multiSigAddress: winner.multiSigAddress, userId: winner.owner?.userId,
                decision: decision, outcome: cast.outcome, signDuration: cast.signDuration,
                sendDuration: cast.sendDuration, totalDuration: cast.signDuration + cast.sendDuration,
                attempts: cast.attempts, unansweredCall: cast.unanswered))
        }
        report.duration = finished - receivedAt

        // 3. Count, log, audit, let the policy observe.
        account(report)
        log(report)
        if report.missed > 0, let observer = missedObserver.withLock({ $0 }) {
            let missedReport = report
            Task { await observer(missedReport) }
        }
        if settings.auditEnabled { await audit(report, receivedAtMillis: receivedAtMillis) }
        decider.policy.observe(DecidedBlock(
            blockHash: winners.blockHash, blockHeight: winners.blockHeight,
            entries: decided.map { DecidedBlock.Entry(ticket: $0.0, bits: $0.1.bits) }))
        metrics.update { $0.blocksFinished += 1 }
        return report
    }

    private func markNew(_ blockHash: String) -> Bool {
        recent.withLock { recent in
            if recent.contains(blockHash) { return false }
            recent.append(blockHash)
            if recent.count > settings.recentBlocks { recent.removeFirst(recent.count - settings.recentBlocks) }
            return true
        }
    }

    private func account(_ report: BlockReport) {
        metrics.recordBlock(outcomes: report.results.map(\.outcome), unmanaged: report.unmanaged)
    }

    private func log(_ report: BlockReport) {
        var errors = 0
        for result in report.results {
            let txid: String
            let status: String
            switch result.outcome {
            case .cast(let hash): txid = hash; status = "success"
            case .duplicate(let hash): txid = hash ?? "<nil>"; status = "duplicate (already have transaction)"
            case .failed(let message): txid = "<nil>"; status = message; errors += 1
            case .deadline: txid = "<nil>"; status = "no answer within the \(settings.deadline) deadline"; errors += 1
            }
            let line = "voted ticket \(result.ticket) (hash: \(txid) bits: \(result.decision.bits)) "
                + "msa \(result.multiSigAddress) duration \(result.totalDuration) "
                + "(\(result.signDuration) + \(result.sendDuration)) attempts \(result.attempts) "
                + "policy \(result.decision.policyName): \(status)"
            if result.outcome.isOnTheWire { logger.info(line) } else { logger.error(line) }
        }
        logger.info("processWinningTickets: height \(report.blockHeight) block \(report.blockHash) "
                    + "duration \(report.duration) decision \(report.decisionDuration) newvotes \(report.cast) "
                    + "duplicatevotes \(report.duplicates) errors \(errors) unmanaged \(report.unmanaged)")
    }

    private func audit(_ report: BlockReport, receivedAtMillis: Int64) async {
        guard let storage, !report.results.isEmpty else { return }
        let decisionMicros = Int64(report.decisionDuration.seconds * 1e6)
        let records = report.results.map { result -> VoteAuditRecord in
            let (outcome, detail): (VoteAuditRecord.Result, String) = switch result.outcome {
            case .cast(let txid): (.voted, txid)
            case .duplicate(let txid): (.duplicate, txid ?? "")
            case .failed(let message): (.failed, String(message.prefix(500)))
            case .deadline: (.deadline, "no answer within \(settings.deadline)")
            }
            return VoteAuditRecord(
                ticketHash: result.ticket, blockHeight: report.blockHeight, blockHash: report.blockHash,
                userId: result.userId, voteBits: result.decision.bits, policyName: result.decision.policyName,
                reason: String(result.decision.reason.prefix(200)), result: outcome, detail: detail,
                receivedAtMillis: receivedAtMillis, decisionMicros: decisionMicros,
                totalMicros: Int64(result.totalDuration.seconds * 1e6))
        }
        do {
            try await storage.write { tx in
                for record in records { _ = try tx.appendVoteAudit(record) }
            }
        } catch {
            logger.error("unable to write \(records.count) vote audit records for block \(report.blockHash): \(error)")
            storageFailure.withLock { $0 }?(error)
        }
    }
}
