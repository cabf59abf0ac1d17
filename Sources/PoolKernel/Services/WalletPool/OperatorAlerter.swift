import Foundation

/// Sends operator alerts: always to the log, and when `alertemail` is set, as mail through the storage outbox
/// (delivered by the web app's outbox service with the configured mail plugin). Events are grouped into
/// incidents (`IncidentBook`): one message when an incident opens, one when it is over, summaries in between;
/// a missed vote is mailed at once, on its own.
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
        logger.warn("ALERT \(alert.kind): \(alert.subject)")
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
        for message in book.withLock({ $0.due(now: now) }) {
            await enqueue(subject: message.subject, body: message.body)
        }
    }

    /// Incident families open now (`wallet`, `database`, …).
    public var openIncidents: [String] { book.withLock { $0.openFamilies } }

    private func enqueue(subject: String, body: String) async {
        guard !configuration.recipient.isEmpty, let storage else { return }
        let seconds = Int64(clock().timeIntervalSince1970)
        let message = OutboxMessage(to: configuration.recipient, subject: "[hxstakepool] " + subject,
                                    body: body, messageID: MailMessage.makeMessageID(from: configuration.sender),
                                    nextAttemptAt: seconds, createdAt: seconds)
        do {
            _ = try await storage.write { try $0.enqueueMail(message) }
        } catch {
            logger.error("could not queue the alert mail to the operator: \(error)")
        }
    }
}
