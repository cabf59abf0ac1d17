import Foundation
import PoolKernel
import WebHost

/// stakepoold's `/metrics` endpoint (option `metricslisten`, same syntax as the web app's): the vote figures
/// in Prometheus text format over plain HTTP, with `/health`. Off unless the option is set.
///
/// Series: `stakepoold_votes_total{result}` (cast, duplicate, failed, deadline), `stakepoold_votes_missed_total`,
/// `stakepoold_tickets_chain_missed_total`, `stakepoold_blocks_total`, histograms
/// `stakepoold_vote_decision_seconds` and `stakepoold_vote_end_to_end_seconds` (notification →
/// `sendrawtransaction` answered), gauges `stakepoold_ticket_map_size`, `stakepoold_user_prefs` and
/// `stakepoold_lowfee_tickets` (detected low-fee tickets; `stakepoold_lowfee_tickets_excluded` of them not voted),
/// `stakepoold_database_up` (0 during a database outage), `stakepoold_missed_vote_mails_pending`.
public enum StakepooldMetrics {
    /// Registers the engine's figures in `registry`. Call once, before the daemon runs.
    public static func register(_ engine: StakepooldEngine, in registry: MetricsRegistry, watch: StakepooldWalletWatch? = nil) {
        engine.metrics.export(to: registry)
        watch?.register(in: registry)
        registry.gaugeFunction("stakepoold_user_prefs", help: "Users whose voting preferences are cached.") {
            [prefs = engine.prefs] in Double(prefs.count)
        }
        registry.gaugeFunction("stakepoold_lowfee_tickets", help: "Tickets detected paying less than the pool fee.") {
            [lowFee = engine.lowFee] in Double(lowFee.detectedCount)
        }
        registry.gaugeFunction("stakepoold_lowfee_tickets_excluded",
                               help: "Detected low-fee tickets not voted (not added by the operator).") {
            [lowFee = engine.lowFee] in Double(lowFee.excludedCount)
        }
        registry.gaugeFunction("stakepoold_missed_vote_mails_pending",
                               help: "Missed-vote mails (operator, owners) waiting for the database to queue them.") {
            [missed = engine.missedVotes] in Double(missed.pendingCount)
        }
        if let database = engine.database {
            registry.gaugeFunction("stakepoold_database_up",
                                   help: "1 while the pool database answers, 0 during an outage (voting goes on with cached prefs).") {
                database.isUp ? 1 : 0
            }
        }
    }

    /// Parses `metricslisten`: empty → nil (off); `host:port` as the web app's `listen`; a bare port → loopback
    /// (`127.0.0.1:<port>`).
    public static func listenAddress(_ text: String) throws(WebError) -> ListenAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if let port = Int(trimmed) {
            guard (0...65535).contains(port) else { throw WebError(.badListenAddress, "error while parsing bind arg \(text)") }
            return .tcp(host: "127.0.0.1", port: port)
        }
        return try ListenAddress(parsing: trimmed)
    }

    /// The HTTP server for `/metrics` and `/health` on `listen` (one event loop, no access log). With `watch`,
    /// `/health` answers its JSON report (503 while the wallet or dcrd does not answer).
    public static func server(listen: ListenAddress, registry: MetricsRegistry, watch: StakepooldWalletWatch? = nil,
                              logger: Logger) -> HTTPServer {
        HTTPServer(configuration: HTTPServerConfiguration(listen: listen, maxConnections: 64, eventLoops: 1,
                                                          accessLog: false, shutdownGracePeriod: .seconds(1),
                                                          name: "metrics"),
                   responder: WebStack.metricsRouter(registry, health: watch.map { watch in { @Sendable in watch.report() } }),
                   logger: logger)
    }
}
