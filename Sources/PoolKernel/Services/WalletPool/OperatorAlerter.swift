import Foundation

/// Sends operator alerts: always to the log, and when `alertemail` is set, as mail through the storage outbox
/// (delivered by the outbox service with the configured notification plugin), rate-limited per wallet.
public final class OperatorAlerter: Sendable {
    public struct Configuration: Sendable {
        /// `alertemail`; empty means log only.
        public var recipient: String
        /// Sender shown in the mail (`smtpfrom`), may be empty.
        public var sender: String
        /// At most one mail per wallet (and one for the pool) per this many seconds.
        public var minimumInterval: TimeInterval

        public init(recipient: String = "", sender: String = "", minimumInterval: TimeInterval = 900) {
            self.recipient = recipient
            self.sender = sender
            self.minimumInterval = minimumInterval
        }
    }

    let configuration: Configuration
    let storage: (any StorageBackend)?
    let logger: Logger
    let clock: @Sendable () -> Date
    private let limiter: LockedValue<AlertRateLimiter>

    /// - Parameters:
    ///   - storage: where alert mails are queued (the outbox); nil logs only.
    ///   - clock: injectable for tests.
    public init(configuration: Configuration, storage: (any StorageBackend)?, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.storage = storage
        self.logger = logger
        self.clock = clock
        limiter = LockedValue(AlertRateLimiter(interval: configuration.minimumInterval))
    }

    /// Logs the alert and queues a mail unless the rate limit holds it back.
    public func send(_ alert: OperatorAlert) async {
        logger.warn("ALERT \(alert.kind): \(alert.subject)")
        let now = clock()
        guard let admitted = limiter.withLock({ $0.admit(alert, now: now) }) else {
            logger.info("alert mail held back by the rate limit: \(alert.subject)")
            return
        }
        await deliver(admitted, now: now)
    }

    /// Sends the newest held-back alert of every wallet whose rate-limit window has passed.
    public func flush() async {
        let now = clock()
        for held in limiter.withLock({ $0.flush(now: now) }) { await deliver(held, now: now) }
    }

    private func deliver(_ held: AlertRateLimiter.Held, now: Date) async {
        guard !configuration.recipient.isEmpty, let storage else { return }
        var body = held.alert.body
        if held.suppressed > 0 {
            body += "\n\n(\(held.suppressed) earlier alert(s) about the same wallet were held back by the rate limit; "
                + "this is the latest state.)"
        }
        let seconds = Int64(now.timeIntervalSince1970)
        let message = OutboxMessage(to: configuration.recipient, subject: "[hxstakepool] " + held.alert.subject,
                                    body: body, messageID: MailMessage.makeMessageID(from: configuration.sender),
                                    nextAttemptAt: seconds, createdAt: seconds)
        do {
            _ = try await storage.write { try $0.enqueueMail(message) }
        } catch {
            logger.error("could not queue the alert mail to the operator: \(error)")
        }
    }
}
