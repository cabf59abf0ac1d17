import Foundation

/// Deletes rows that are only kept for operators for a while: outbox mail that reached a final state (`delivered`,
/// `failed`) and vote audit records, each older than its retention period. Pending mail is never touched.
///
/// The web app runs it for the outbox (it owns that table), stakepoold for the vote audit; `poolctl db purge`
/// runs one pass by hand. `run()` makes a pass at start and then every `interval`; a failed pass is logged and
/// tried again at the next interval.
public final class RetentionPurge: EngineService {
    /// How long each kind of row is kept; nil keeps it for ever.
    public struct Policy: Sendable, Equatable {
        /// Delivered and failed outbox mail older than this (by `createdAt`) is deleted.
        public var finishedMail: Duration?
        /// Vote audit records older than this (by `receivedAtMillis`) are deleted.
        public var voteAudits: Duration?
        /// History rows (`PoolHistory`) older than this (by hour) are deleted.
        public var history: Duration?
        /// Time between passes.
        public var interval: Duration

        /// The defaults: finished mail 30 days, vote audits 365 days, a pass every hour.
        public static let defaultMailDays = 30
        public static let defaultVoteAuditDays = 365
        /// The web app's default for the hourly history: 400 days (a year of charts and the 28-day windows).
        public static let defaultHistoryDays = 400

        public init(finishedMail: Duration? = .seconds(Int64(defaultMailDays) * 86_400),
                    voteAudits: Duration? = .seconds(Int64(defaultVoteAuditDays) * 86_400),
                    history: Duration? = nil, interval: Duration = .seconds(3_600)) {
            self.finishedMail = finishedMail
            self.voteAudits = voteAudits
            self.history = history
            self.interval = interval
        }

        /// A policy from day counts as the config gives them (`0` or nil keeps rows for ever).
        public init(mailDays: Int?, voteAuditDays: Int?, historyDays: Int? = nil, interval: Duration = .seconds(3_600)) {
            self.init(finishedMail: mailDays.flatMap { $0 > 0 ? .days($0) : nil },
                      voteAudits: voteAuditDays.flatMap { $0 > 0 ? .days($0) : nil },
                      history: historyDays.flatMap { $0 > 0 ? .days($0) : nil }, interval: interval)
        }
    }

    /// What one pass deleted.
    public struct PassResult: Sendable, Equatable {
        public var mail: Int
        public var voteAudits: Int
        public var history: Int
        public init(mail: Int = 0, voteAudits: Int = 0, history: Int = 0) {
            self.mail = mail
            self.voteAudits = voteAudits
            self.history = history
        }
    }

    public let name = "purge"
    public let policy: Policy
    private let storage: any StorageBackend
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock (tests inject one).
    public init(storage: any StorageBackend, policy: Policy, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.policy = policy
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        if policy.finishedMail == nil && policy.voteAudits == nil && policy.history == nil { return }
        await repeatPass(every: policy.interval, onFailure: { logger.error("retention purge failed: \($0)") }) {
            _ = try await purgeOnce()
        }
    }

    /// One pass: deletes what the policy says is too old, each kind in its own transaction. Logs what it deleted.
    @discardableResult
    public func purgeOnce() async throws -> PassResult {
        let date = now()
        var result = PassResult()
        if let keep = policy.finishedMail {
            let cutoff = Int64((date.timeIntervalSince1970 - keep.seconds).rounded(.down))
            result.mail = try await storage.write { try $0.purgeFinishedMail(createdBefore: cutoff) }
        }
        if let keep = policy.voteAudits {
            let cutoff = Int64(((date.timeIntervalSince1970 - keep.seconds) * 1_000).rounded(.down))
            result.voteAudits = try await storage.write { try $0.purgeVoteAudits(receivedBeforeMillis: cutoff) }
        }
        if let keep = policy.history {
            let cutoff = Int64((date.timeIntervalSince1970 - keep.seconds).rounded(.down))
            result.history = try await storage.write { try $0.purgeHistorySamples(before: cutoff) }
        }
        if result.mail > 0 || result.voteAudits > 0 || result.history > 0 {
            logger.info("retention purge deleted \(result.mail) finished mail(s) and \(result.voteAudits) vote audit record(s)"
                + (result.history > 0 ? "; \(result.history) history hour(s)" : ""))
        }
        return result
    }
}

extension Duration {
    /// `days` × 86,400 seconds.
    static func days(_ days: Int) -> Duration { .seconds(Int64(days) * 86_400) }
}
