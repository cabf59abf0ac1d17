import Foundation
import Synchronization

/// Tells people about a vote this daemon missed or sent too late (the thing users fear most is never silent):
/// the operator at once (an `ALERT vote-missed` log line, `stakepoold_missed_vote_alerts_total`, and a mail
/// when `alertemail` is set), and the ticket's owner by mail. Mails go into the shared database's outbox,
/// which the web app delivers. While the database is down they wait here (bounded) and are queued by
/// `retryPending()` once it answers again.
public final class MissedVoteNotifier: Sendable {
    public struct Settings: Sendable {
        /// This daemon, as named in messages (its wallet host).
        public var daemonName: String
        /// Operator address (`alertemail`); empty: log and metrics only.
        public var operatorEmail: String = ""
        /// Sender of the mails (`alertfrom`).
        public var sender: String = ""
        /// Mail the ticket's owner (`missedvotemail`).
        public var mailOwners = true
        /// Most mails kept while the database is down (the oldest are dropped, logged).
        public var pendingLimit = 1_000
        public init(daemonName: String) { self.daemonName = daemonName }
    }

    let storage: (any StorageBackend)?
    let settings: Settings
    let logger: Logger
    let clock: @Sendable () -> Date
    private let pending = Mutex<[OutboxMessage]>([])
    /// Owners' user ids waiting for their email address (looked up when the database answers).
    private let pendingOwners = Mutex<[(UserId, String, String)]>([])
    private let alerts = Atomic<Int>(0)

    public init(storage: (any StorageBackend)?, settings: Settings, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.settings = settings
        self.logger = logger
        self.clock = clock
    }

    /// Missed-vote alerts raised so far (`stakepoold_missed_vote_alerts_total`).
    public var alertCount: Int { alerts.load(ordering: .relaxed) }
    /// Mails waiting for the database.
    public var pendingCount: Int { pending.withLock { $0.count } + pendingOwners.withLock { $0.count } }

    /// Reports every winner of `report` whose vote is not on the wire.
    public func blockProcessed(_ report: VoteLoop.BlockReport) async {
        let missed = report.results.filter { !$0.outcome.isOnTheWire }
        guard !missed.isEmpty else { return }
        alerts.add(missed.count, ordering: .relaxed)
        var lines: [String] = []
        for result in missed {
            let why = Self.reason(result.outcome)
            let line = "ticket \(result.ticket) at height \(report.blockHeight) (block \(report.blockHash)), "
                + "user \(result.userId.map { String($0.rawValue) } ?? "unknown"), tried by \(settings.daemonName) "
                + "(\(result.attempts) attempt(s)): \(why)"
            logger.error("ALERT vote-missed: \(line)")
            lines.append(line)
        }
        var mails: [OutboxMessage] = []
        if !settings.operatorEmail.isEmpty {
            let subject = "[hxstakepool] ALERT: \(missed.count) vote(s) missed at height \(report.blockHeight)"
            let body = "stakepoold \(settings.daemonName) could not put these votes on the wire in time:\n\n"
                + lines.map { "  - " + $0 }.joined(separator: "\n")
                + "\n\nSibling vote daemons may still have voted these tickets (their own logs and metrics say). "
                + "Check the wallet and dcrd this daemon uses, and the pool's /status."
            mails.append(message(to: settings.operatorEmail, subject: subject, body: body))
        }
        await queue(mails)
        if settings.mailOwners {
            let owners = missed.compactMap { result in
                result.userId.map { ($0, result.ticket, "height \(report.blockHeight): \(Self.reason(result.outcome))") }
            }
            pendingOwners.withLock { list in
                list.append(contentsOf: owners)
                list.removeFirst(max(0, list.count - settings.pendingLimit))
            }
            await retryPending()
        }
    }

    /// Queues what waited for the database (call when it answers again).
    public func retryPending() async {
        guard let storage else { return }
        let owners = pendingOwners.withLock { list in defer { list = [] }; return list }
        var resolved: [OutboxMessage] = []
        var unresolved: [(UserId, String, String)] = []
        for (index, owner) in owners.enumerated() {
            do {
                guard let user = try await storage.user(id: owner.0), !user.email.isEmpty else { continue }
                resolved.append(message(
                    to: user.email, subject: "Your ticket's vote was missed",
                    body: "Hello,\n\nthe voting service could not cast the vote of your ticket \(owner.1) in time "
                        + "(\(owner.2)).\nThe pool operator has been alerted. A missed ticket's stake is returned by a "
                        + "revocation; the ticket does not earn the vote reward.\n"))
            } catch {
                unresolved = Array(owners[index...])
                break
            }
        }
        if !unresolved.isEmpty { pendingOwners.withLock { $0.insert(contentsOf: unresolved, at: 0) } }
        await queue(resolved)
    }

    private func queue(_ mails: [OutboxMessage]) async {
        let all = pending.withLock { list in defer { list = [] }; return list } + mails
        guard !all.isEmpty else { return }
        guard let storage else { return }
        do {
            _ = try await storage.write { tx in for mail in all { _ = try tx.enqueueMail(mail) } }
        } catch {
            let dropped = pending.withLock { list -> Int in
                list.append(contentsOf: all)
                let excess = max(0, list.count - settings.pendingLimit)
                list.removeFirst(excess)
                return excess
            }
            logger.warn("\(all.count) missed-vote mail(s) wait for the database: \(error)"
                        + (dropped > 0 ? " (\(dropped) oldest dropped)" : ""))
        }
    }

    private func message(to recipient: String, subject: String, body: String) -> OutboxMessage {
        let seconds = Int64(clock().timeIntervalSince1970)
        return OutboxMessage(to: recipient, subject: subject, body: body,
                             messageID: MailMessage.makeMessageID(from: settings.sender),
                             nextAttemptAt: seconds, createdAt: seconds)
    }

    static func reason(_ outcome: VoteOutcome) -> String {
        switch outcome {
        case .failed(let message): "the vote failed: \(message)"
        case .deadline: "no answer from the wallet or dcrd before the block's deadline (late vote)"
        case .cast, .duplicate: "voted"
        }
    }
}
