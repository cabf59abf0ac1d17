/// What the vspd block handler exports on `/metrics` (docs/vspd.md, "Block handler"): runs and postponements,
/// tickets confirmed and deleted, fee broadcasts and their failures, fees confirmed, outcomes, wallet call failures
/// and the tickets the consistency pass had to add back, and the outcome scan's height.
public struct VspBlockHandlerMetrics: Sendable {
    /// `result`: `done` or `postponed` (node unreachable).
    public let runs: Counter
    public let ticketsConfirmed: Counter
    /// Tickets the node never mined (deleted with their records).
    public let ticketsDeleted: Counter
    /// `result`: `sent` or `failed`.
    public let feeBroadcasts: Counter
    /// Fees that reached 6 confirmations (the voting key then goes to the wallets).
    public let feesConfirmed: Counter
    /// Broadcast fees the node no longer knows (status `error`).
    public let feesLost: Counter
    /// Broadcast fees the node did not know, sent again from the kept hex.
    public let feeRebroadcasts: Counter
    /// `outcome`: `voted`, `missed`, `expired`.
    public let outcomes: Counter
    /// `wallet`: its label. Any failed voting-wallet call (only logged otherwise).
    public let walletErrors: Counter
    /// `wallet`: tickets the consistency pass found missing on it and added.
    public let walletRepairs: Counter
    public let consistencyPasses: Counter
    public let scanHeight: Gauge

    public init(registry: MetricsRegistry) {
        runs = registry.counter("vsp_block_handler_runs_total", help: "vspd block handler runs by result (done, postponed).",
                                labels: ["result"])
        ticketsConfirmed = registry.counter("vsp_tickets_confirmed_total", help: "vspd tickets that reached 6 confirmations.")
        ticketsDeleted = registry.counter("vsp_tickets_deleted_total", help: "vspd tickets deleted because the node never mined them.")
        feeBroadcasts = registry.counter("vsp_fee_broadcasts_total", help: "vspd fee transactions sent to the node by result (sent, failed).",
                                         labels: ["result"])
        feesConfirmed = registry.counter("vsp_fees_confirmed_total", help: "vspd fee transactions that reached 6 confirmations.")
        feesLost = registry.counter("vsp_fees_lost_total", help: "Broadcast vspd fee transactions the node no longer knew (status error).")
        feeRebroadcasts = registry.counter("vsp_fee_rebroadcasts_total",
                                           help: "Broadcast vspd fee transactions the node did not know, sent again.")
        outcomes = registry.counter("vsp_ticket_outcomes_total", help: "vspd ticket outcomes found on chain.", labels: ["outcome"])
        walletErrors = registry.counter("vsp_wallet_errors_total", help: "Failed vspd voting-wallet calls by wallet.", labels: ["wallet"])
        walletRepairs = registry.counter("vsp_wallet_repairs_total",
                                         help: "vspd tickets the consistency pass added to a wallet that lacked them.", labels: ["wallet"])
        consistencyPasses = registry.counter("vsp_consistency_passes_total", help: "Completed vspd wallet consistency passes.")
        scanHeight = registry.gauge("vsp_outcome_scan_height", help: "The last block height the vspd outcome scan covered.")
    }
}
