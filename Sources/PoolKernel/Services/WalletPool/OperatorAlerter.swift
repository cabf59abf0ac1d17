import Foundation

/// Sends operator alerts: always to the log, and when `alertemail` is set, as mail through the storage outbox
/// (delivered by the web app's outbox service with the configured mail plugin). Events are grouped into
/// incidents (`IncidentBook`): one message when an incident opens, one when it is over, summaries in between;
/// a missed vote is mailed at once, on its own. An alert mail that cannot be queued (the database is down) is
/// held in memory and queued at the next occasion, so "the database was down" reaches the operator once it is back.
///
/// Wallet events wait for the next `flush()` (the wallet monitor calls it after each probe), so wallets that
/// fail in the same probe make one message; every other event is flushed at once.
public final class OperatorAlerter: Sendable {
    public struct Configuration: Sendable {
        /// `alertemail`; empty means log only.
        public var recipient: String
        /// Sender shown in the mail (`smtpfrom`), may be empty.
        public var sender: String
        /// Updates about an open incident at most once per this many seconds; also the window of `burst`.
        public var minimumInterval: TimeInterval
        /// At most this many messages per incident family per `minimumInterval` (a flapping wallet).
        public var burst: Int

        public init(recipient: String = "", sender: String = "", minimumInterval: TimeInterval = 900, burst: Int = 4) {
            self.recipient = recipient
            self.sender = sender
            self.minimumInterval = minimumInterval
            self.burst = burst
        }
    }

    let configuration: Configuration
    let storage: (any StorageBackend)?
    let logger: Logger
    let clock: @Sendable () -> Date
    private let book: LockedValue<IncidentBook>
    private let held = LockedValue<[HeldMail]>([])

    /// - Parameters:
    ///   - storage: where alert mails are queued (the outbox); nil logs only.
    ///   - clock: injectable for tests.
    public init(configuration: Configuration, storage: (any StorageBackend)?, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.storage = storage
        self.logger = logger
        self.clock = clock
        book = LockedValue(IncidentBook(interval: configuration.minimumInterval, burst: configuration.burst))
    }

    /// Logs the alert and adds it to its incident; mails what is due.
    public func send(_ alert: OperatorAlert) async {
        // Trouble with the alert's own mail path (database, mail) is an error in the log: the mail comes later.
        if alert.kind.blocksAlertMail {
            logger.error("ALERT \(alert.kind): \(alert.subject)")
        } else {
            logger.warn("ALERT \(alert.kind): \(alert.subject)")
        }
        if alert.kind == .voteMissed {
            await enqueue(subject: alert.subject, body: alert.body)
            return
        }
        let now = clock()
        book.withLock { $0.record(alert, now: now) }
        if alert.kind.family != OperatorAlert.Kind.walletDown.family { await flush() }
    }

    /// Mails every message due now: openings and recoveries, summaries whose window has passed.
    public func flush() async {
        let now = clock()
        let due = book.withLock { $0.due(now: now) }
        for message in due {
            await enqueue(subject: message.subject, body: message.body)
        }
        // Nothing new to queue: try the held mails on their own (a new message takes them along).
        if due.isEmpty && !held.value.isEmpty { await enqueue(nil) }
    }

    /// Incident families open now (`wallet`, `database`, …).
    public var openIncidents: [String] { book.withLock { $0.openFamilies } }

    /// The incidents open now with what is affected since when (`/status`).
    public var openIncidentDetails: [OpenIncident] { book.withLock { $0.openIncidents } }

    /// Alert mails that could not be queued yet (the database was unreachable), oldest first.
    public var heldMailCount: Int { held.value.count }

    /// At most this many alert mails wait for the database; older ones are dropped (they are in the log).
    static let heldLimit = 100

    private struct HeldMail: Sendable {
        var subject: String
        var body: String
        var since: Date
        /// A queueing attempt failed (the message then says it was held back).
        var wasHeld = false
    }

    /// Queues the held mails (oldest first), then this one; whatever cannot be queued is held for the next
    /// attempt (every `flush()`, every alert), so an alert raised while the database is down is mailed once it
    /// answers again, saying when it was raised.
    private func enqueue(subject: String, body: String) async {
        await enqueue(HeldMail(subject: subject, body: body, since: clock()))
    }

    private func enqueue(_ newMail: HeldMail?) async {
        guard !configuration.recipient.isEmpty, let storage else { return }
        let queue: [HeldMail] = held.withLock { held in
            defer { held = [] }
            return held + (newMail.map { [$0] } ?? [])
        }
        for (index, mail) in queue.enumerated() {
            let now = clock()
            let seconds = Int64(now.timeIntervalSince1970)
            var body = mail.body
            if mail.wasHeld {
                body += "\n\n(This alert was raised at \(IncidentBook.stamp(mail.since)) and held back until the pool "
                    + "database could queue it at \(IncidentBook.stamp(now)).)"
            }
            let message = OutboxMessage(to: configuration.recipient, subject: "[hxstakepool] " + mail.subject,
                                        body: body, messageID: MailMessage.makeMessageID(from: configuration.sender),
                                        nextAttemptAt: seconds, createdAt: seconds)
            do {
                _ = try await storage.write { try $0.enqueueMail(message) }
            } catch {
                let rest = queue[index...].map { mail in
                    var mail = mail
                    mail.wasHeld = true
                    return mail
                }
                let dropped = held.withLock { held -> Int in
                    held = rest + held
                    let excess = max(0, held.count - Self.heldLimit)
                    held.removeFirst(excess)
                    return excess
                }
                let text = "could not queue the alert mail to the operator (\(rest.count) held until the database "
                    + "answers\(dropped > 0 ? ", \(dropped) oldest dropped" : "")): \(error)"
                // A new alert that waits is an error; a retry of held ones failing again (every probe) is not news.
                if newMail != nil { logger.error(text) } else { logger.debug(text) }
                return
            }
        }
    }
}
