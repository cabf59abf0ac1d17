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
    /// Owners' mails waiting for their email address (looked up when the database answers).
    private let pendingOwners = Mutex<[OwnerNotice]>([])
    private let alerts = Atomic<Int>(0)

    /// An owner's mail before their address is known.
    private struct OwnerNotice: Sendable {
        var userId: UserId
        var subject: String
        var text: String
    }

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

    /// Reports every winner of `report` whose vote is not on the wire: late (no answer within the deadline) or
    /// failed (an error), each said as such.
    public func blockProcessed(_ report: VoteLoop.BlockReport) async {
        let missed = report.results.filter { !$0.outcome.isOnTheWire }
        guard !missed.isEmpty else { return }
        alerts.add(missed.count, ordering: .relaxed)
        var lines: [String] = []
        for result in missed {
            let line = "ticket \(result.ticket) at height \(report.blockHeight) (block \(report.blockHash)), "
                + "user \(result.userId.map { String($0.rawValue) } ?? "unknown"), tried by \(settings.daemonName) "
                + "(\(result.attempts) attempt(s)): \(Self.reason(result, deadline: report.deadline))"
            logger.error("ALERT vote-missed: \(line)")
            lines.append(line)
        }
        let late = missed.filter { $0.outcome == .deadline }.count
        var mails: [OutboxMessage] = []
        if !settings.operatorEmail.isEmpty {
            let kinds = [missed.count > late ? "\(missed.count - late) failed" : nil,
                         late > 0 ? "\(late) late: no answer within the \(report.deadline) deadline" : nil]
            let subject = "[hxstakepool] ALERT: \(missed.count) vote(s) missed at height \(report.blockHeight) "
                + "(\(kinds.compactMap { $0 }.joined(separator: ", ")))"
            var body = "stakepoold \(settings.daemonName) could not put these votes on the wire in time:\n\n"
                + lines.map { "  - " + $0 }.joined(separator: "\n") + "\n\n"
            if late > 0 {
                body += "A late vote is one the wallet or dcrd did not answer within the block's \(report.deadline) "
                    + "deadline: no vote was sent. Check the load and latency of that wallet and dcrd "
                    + "(the stakepoold_vote_end_to_end_seconds metric).\n"
            }
            if missed.count > late {
                body += "A failed vote is one the wallet or dcrd refused or could not be reached for; the reason is "
                    + "given for each ticket.\n"
            }
            body += "Sibling vote daemons may still have voted these tickets (their own logs and metrics say). "
                + "Check the wallet and dcrd this daemon uses, and the pool's /status."
            mails.append(message(to: settings.operatorEmail, subject: subject, body: body))
        }
        await queue(mails)
        if settings.mailOwners {
            let notices = missed.compactMap { result in
                result.userId.map { Self.ownerNotice(result, user: $0, height: report.blockHeight, deadline: report.deadline) }
            }
            pendingOwners.withLock { list in
                list.append(contentsOf: notices)
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
        var unresolved: [OwnerNotice] = []
        for (index, owner) in owners.enumerated() {
            do {
                guard let user = try await storage.user(id: owner.userId), !user.email.isEmpty else { continue }
                resolved.append(message(to: user.email, subject: owner.subject, body: owner.text))
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

    /// Why a vote is not on the wire, starting "late" or "failed" so the operator tells them apart at a glance.
    static func reason(_ result: VoteLoop.VoteResult, deadline: Duration) -> String {
        switch result.outcome {
        case .failed(let message): "failed: \(message)"
        case .deadline:
            "late: no answer from \(result.unansweredCall ?? "the wallet or dcrd") within the block's \(deadline) "
                + "deadline, so no vote was sent"
        case .cast, .duplicate: "voted"
        }
    }

    /// The owner's mail: the same distinction in plain words.
    private static func ownerNotice(_ result: VoteLoop.VoteResult, user: UserId, height: Int64,
                                    deadline: Duration) -> OwnerNotice {
        let what: String
        let subject: String
        switch result.outcome {
        case .deadline:
            subject = "Your ticket's vote was late (not sent in time)"
            what = "the pool's voting wallet or node did not answer within the block's \(deadline) deadline, so the "
                + "vote was not sent in time (a late vote)"
        case .failed(let message):
            subject = "Your ticket's vote was missed"
            what = "the vote failed (\(message))"
        case .cast, .duplicate:
            subject = "Your ticket's vote was missed"
            what = "the vote was not sent"
        }
        return OwnerNotice(userId: user, subject: subject,
                           text: "Hello,\n\nthe voting service could not cast the vote of your ticket \(result.ticket) "
                               + "when it was called at height \(height): \(what).\nThe pool operator has been alerted. "
                               + "A missed ticket's stake is returned by a revocation; the ticket does not earn the "
                               + "vote reward.\n")
    }
}
