import Synchronization

/// The vote daemon's figures: votes cast / duplicate / failed / past the deadline, managed tickets the chain
/// reported missed, decision and end-to-end latencies, and the ticket map size.
///
/// Kept here (lock-protected counters + latency rings) so the vote path never depends on an exporter;
/// `StakepooldMain` renders them on `/metrics`.
public final class VotingMetrics: Sendable {
    public struct Counts: Sendable, Equatable {
        /// Votes accepted by the node (`sendrawtransaction` returned a txid).
        public var cast = 0
        /// Votes the node already had ("already have transaction": a sibling cluster was first).
        public var duplicate = 0
        /// Votes that failed after the retry (error from wallet or node, or an empty vote).
        public var failed = 0
        /// Votes still unanswered at the deadline.
        public var deadline = 0
        /// Managed tickets the chain reported as missed (`spentandmissedtickets`).
        public var chainMissed = 0
        /// Winners this daemon does not manage (not ours, or filtered low-fee tickets).
        public var unmanaged = 0
        /// Blocks processed.
        public var blocks = 0
        /// Blocks whose handling has ended: votes counted and logged, the vote audit written, the policy told.
        public var blocksFinished = 0
        public init() {}

        /// Managed winners without a vote on the wire from this daemon or a sibling.
        public var missed: Int { failed + deadline }
    }

    private let counts = Mutex(Counts())
    private let ticketCount = Atomic<Int>(0)
    /// Policy decision time for one block's winners, seconds.
    public let decisionLatency: LatencyRecorder
    /// Notification received → node answered, per vote, seconds.
    public let endToEndLatency: LatencyRecorder
    /// Notification received → vote request handed to the wallet, per vote, seconds.
    public let requestLatency: LatencyRecorder

    public init(sampleCapacity: Int = 100_000) {
        decisionLatency = LatencyRecorder(capacity: sampleCapacity)
        endToEndLatency = LatencyRecorder(capacity: sampleCapacity)
        requestLatency = LatencyRecorder(capacity: sampleCapacity)
    }

    public var snapshot: Counts { counts.withLock { $0 } }
    public func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }

    func recordDecision(_ duration: Duration) {
        decisionLatency.record(duration)
        exported?.decision.observe(duration.seconds)
    }

    func recordEndToEnd(_ duration: Duration) {
        endToEndLatency.record(duration)
        exported?.endToEnd.observe(duration.seconds)
    }

    func recordBlock(outcomes: [VoteOutcome], unmanaged: Int) {
        update { counts in
            counts.blocks += 1
            counts.unmanaged += unmanaged
            for outcome in outcomes {
                switch outcome {
                case .cast: counts.cast += 1
                case .duplicate: counts.duplicate += 1
                case .failed: counts.failed += 1
                case .deadline: counts.deadline += 1
                }
            }
        }
        guard let exported else { return }
        exported.blocks.increment()
        let missed = outcomes.filter { !$0.isOnTheWire }.count
        if missed > 0 { exported.missed.increment(by: Double(missed)) }
        for outcome in outcomes {
            let label = switch outcome {
            case .cast: "cast"
            case .duplicate: "duplicate"
            case .failed: "failed"
            case .deadline: "deadline"
            }
            exported.votes.increment([label])
        }
    }

    func recordChainMissed(_ count: Int) {
        update { $0.chainMissed += count }
        exported?.chainMissed.increment(by: Double(count))
    }

    public var ticketMapSize: Int { ticketCount.load(ordering: .relaxed) }
    public func setTicketMapSize(_ size: Int) { ticketCount.store(size, ordering: .relaxed) }

    /// Mirrors these figures into a Prometheus registry (the host's `/metrics`): `stakepoold_votes_total{result}`
    /// (cast, duplicate, failed, deadline), `stakepoold_votes_missed_total`, `stakepoold_tickets_chain_missed_total`, `stakepoold_blocks_total`,
    /// histograms `stakepoold_vote_decision_seconds` and `stakepoold_vote_end_to_end_seconds`, and the gauge
    /// `stakepoold_ticket_map_size`. Call once, before the first vote.
    public func export(to registry: MetricsRegistry) {
        let exported = Exported(
            votes: registry.counter("stakepoold_votes_total", help: "Vote attempts by result.", labels: ["result"]),
            missed: registry.counter("stakepoold_votes_missed_total",
                                     help: "Managed winners this daemon failed to put on the wire (failed or past the deadline)."),
            chainMissed: registry.counter("stakepoold_tickets_chain_missed_total",
                                          help: "Managed tickets the chain reported missed."),
            blocks: registry.counter("stakepoold_blocks_total", help: "Winning-ticket notifications processed."),
            decision: registry.histogram("stakepoold_vote_decision_seconds", help: "Policy decisions for one block.",
                                         buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01]),
            endToEnd: registry.histogram("stakepoold_vote_end_to_end_seconds",
                                         help: "Notification to the node's answer, per vote."))
        registry.gaugeFunction("stakepoold_ticket_map_size", help: "Live tickets this daemon votes.") { [weak self] in
            Double(self?.ticketMapSize ?? 0)
        }
        exporter.withLock { $0 = exported }
    }

    struct Exported: Sendable {
        let votes: Counter
        let missed: Counter
        let chainMissed: Counter
        let blocks: Counter
        let decision: Histogram
        let endToEnd: Histogram
    }
    let exporter = Mutex<Exported?>(nil)
    var exported: Exported? { exporter.withLock { $0 } }
}
