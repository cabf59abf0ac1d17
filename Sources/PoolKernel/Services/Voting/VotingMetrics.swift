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

    public var ticketMapSize: Int { ticketCount.load(ordering: .relaxed) }
    public func setTicketMapSize(_ size: Int) { ticketCount.store(size, ordering: .relaxed) }

    /// Prometheus text for these figures (the stakepoold `/metrics` body).
    public func renderPrometheus() -> String {
        let c = snapshot
        var out = ""
        func counter(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        counter("stakepoold_votes_cast_total", "Votes accepted by the node.", c.cast)
        counter("stakepoold_votes_duplicate_total", "Votes the node already had (sibling cluster first).", c.duplicate)
        counter("stakepoold_votes_failed_total", "Votes that failed after the retry.", c.failed)
        counter("stakepoold_votes_deadline_total", "Votes unanswered at the deadline.", c.deadline)
        counter("stakepoold_votes_missed_total", "Managed winners this daemon could not vote (failed + deadline).",
                c.missed)
        counter("stakepoold_tickets_chain_missed_total", "Managed tickets reported missed by the chain.", c.chainMissed)
        counter("stakepoold_blocks_total", "Winning-ticket notifications processed.", c.blocks)
        out += "# HELP stakepoold_ticket_map_size Live tickets this daemon votes.\n"
        out += "# TYPE stakepoold_ticket_map_size gauge\nstakepoold_ticket_map_size \(ticketMapSize)\n"
        for (name, help, recorder) in [
            ("stakepoold_vote_decision_seconds", "Policy decision time per block.", decisionLatency),
            ("stakepoold_vote_end_to_end_seconds", "Notification to node answer, per vote.", endToEndLatency),
        ] {
            out += "# HELP \(name) \(help)\n# TYPE \(name) summary\n"
            for q in [0.5, 0.9, 0.99] {
                out += "\(name){quantile=\"\(q)\"} \(recorder.percentile(q * 100))\n"
            }
            out += "\(name)_count \(recorder.count)\n"
        }
        return out
    }
}
