import Foundation

/// The background service that empties the durable mail outbox through the mail plugin.
///
/// Each pass claims due messages from storage (they become `sending` with a lease), hands them to the
/// `NotificationBackend` one by one and records the outcome:
/// - accepted → `delivered` (final; a delivered message is never claimed, so never sent again);
/// - `NotifyError` `.mailTemporary` (or any other error) → back to `queued`, due after an exponential backoff
///   (`initialBackoff · 2^(attempts−1)`, capped at `maxBackoff`), unless the message is older than
///   `giveUpAfter`, then `failed`;
/// - `.mailPermanent` / `.mailInvalidMessage` (5xx, bad address) → `failed` with the error's message.
///
/// Crash safety: nothing is marked before the backend returns. If the process dies mid-send the message stays
/// `sending` until its lease ends and is then claimed again — at-least-once delivery, with the same Message-ID
/// and Date every time so receivers can recognise a duplicate. The lease must exceed the longest possible
/// send (the backend's timeouts). If storage is unreachable when recording an outcome, the lease handles it
/// the same way.
///
/// `run()` passes every `pollInterval` and at once after `wake()` (call it after committing a new message).
///
/// Mail trouble (issue 18.4): `alertAfterFailures` failed attempts in a row (transport trouble, not a refused
/// recipient), or a row of failures older than `alertAfter`, open a `mail` incident with the operator alerter —
/// logged at once as an error; its mail waits in this very outbox. The first delivery that succeeds again
/// closes it and makes every mail waiting for a retry due at once (the transport works: no need to wait out each
/// backoff), so the incident's and the recovery's messages go out together.
public final class OutboxDelivery: EngineService {
    public struct Configuration: Sendable {
        /// Time between passes when nobody calls `wake()`.
        public var pollInterval: Duration
        /// Messages claimed per storage round trip.
        public var batchSize: Int
        /// How long a claimed message is reserved for this sender before another pass may claim it again.
        public var lease: Duration
        /// Delay after the first temporary failure; doubles with each further attempt.
        public var initialBackoff: Duration
        /// Upper bound of the retry delay.
        public var maxBackoff: Duration
        /// A message still failing temporarily this long after it was queued is marked failed.
        public var giveUpAfter: Duration
        /// Failed delivery attempts in a row that make a `mail` incident.
        public var alertAfterFailures: Int
        /// A row of failed attempts this old makes a `mail` incident however few they are.
        public var alertAfter: Duration

        public init(pollInterval: Duration = .seconds(5), batchSize: Int = 20, lease: Duration = .seconds(600),
                    initialBackoff: Duration = .seconds(30), maxBackoff: Duration = .seconds(3600),
                    giveUpAfter: Duration = .seconds(5 * 86_400), alertAfterFailures: Int = 3,
                    alertAfter: Duration = .seconds(600)) {
            self.alertAfterFailures = alertAfterFailures
            self.alertAfter = alertAfter
            self.pollInterval = pollInterval
            self.batchSize = batchSize
            self.lease = lease
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.giveUpAfter = giveUpAfter
        }
    }

    /// What one pass did (for logs and tests).
    public struct PassResult: Equatable, Sendable {
        public var delivered = 0
        public var retried = 0
        public var failed = 0
        public init(delivered: Int = 0, retried: Int = 0, failed: Int = 0) {
            self.delivered = delivered
            self.retried = retried
            self.failed = failed
        }
    }

    public let name = "outbox"
    public let configuration: Configuration
    private let storage: any StorageBackend
    private let notifier: any NotificationBackend
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let doorbell = Doorbell()
    private let alerter: OperatorAlerter?
    private let outage: LockedValue<OutageTracker>

    /// - Parameters:
    ///   - alerter: told when delivery keeps failing and when it works again; nil: log lines only.
    ///   - now: Unix seconds; tests inject a clock they move forward.
    public init(storage: any StorageBackend, notifier: any NotificationBackend, configuration: Configuration = .init(),
                logger: Logger, alerter: OperatorAlerter? = nil,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.alerter = alerter
        outage = LockedValue(OutageTracker(failuresBeforeAlert: configuration.alertAfterFailures,
                                           alertAfter: TimeInterval(Self.seconds(configuration.alertAfter))))
        self.storage = storage
        self.notifier = notifier
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Asks the running service to make a pass now (e.g. right after a message was enqueued). Cheap, never blocks.
    public func wake() { doorbell.ring() }

    public func run() async throws {
        logger.info("outbox delivery started (mail plugin \(notifier.name))")
        while !Task.isCancelled {
            do {
                _ = try await deliverDue()
            } catch is CancellationError {
                break
            } catch {
                logger.error("outbox pass failed: \(error)")
            }
            await doorbell.wait(timeout: configuration.pollInterval)
        }
        logger.info("outbox delivery stopped")
    }

    /// Delivers everything due now (claiming batches until none is left) and returns what happened.
    /// Throws only when claiming fails (storage unreachable) or the task is cancelled.
    public func deliverDue() async throws -> PassResult {
        var result = PassResult()
        var retryingWaiting = false
        while !Task.isCancelled {
            let start = now()
            let leaseUntil = start + Self.seconds(configuration.lease)
            let limit = max(1, configuration.batchSize)
            let claimed = try await storage.write { tx in try tx.claimDueMail(now: start, leaseUntil: leaseUntil, limit: limit) }
            var recovered = false
            for message in claimed {
                try Task.checkCancellation()
                recovered = await deliver(message, into: &result) || recovered
            }
            if recovered && !retryingWaiting {
                retryingWaiting = true
                await retryWaitingNow()
                continue
            }
            if claimed.count < limit { break }
        }
        try Task.checkCancellation()
        return result
    }

    /// Sends one message and records the outcome; true when this delivery ended a told mail outage.
    private func deliver(_ message: OutboxMessage, into result: inout PassResult) async -> Bool {
        let error: any Error
        do {
            try await notifier.send(message.mailMessage)
            logger.info("mail \(message.id) to \(LogText.redactedEmail(message.to)) delivered (attempt \(message.attempts), Message-ID <\(message.messageID)>)")
            await record(message) { try $0.markMailDelivered(id: message.id) }
            result.delivered += 1
            return await noteAttempt(error: nil)
        } catch let caught {
            error = caught
        }
        // Cancelled mid-send (shutdown): leave the lease to expire; the next start sends it again.
        if Task.isCancelled { return false }

        let notifyError = error as? NotifyError
        let reason = notifyError?.message ?? "mail backend error: \(error)"
        let current = now()
        let age = current - message.createdAt
        if let notifyError, !notifyError.isTemporary {
            logger.error("mail \(message.id) to \(LogText.redactedEmail(message.to)) failed permanently: \(LogText.redactingEmails(reason))")
            await record(message) { try $0.markMailFailed(id: message.id, error: reason) }
            result.failed += 1
        } else if age >= Self.seconds(configuration.giveUpAfter) {
            let final = "gave up after \(message.attempts) attempts: \(reason)"
            logger.error("mail \(message.id) to \(LogText.redactedEmail(message.to)) \(LogText.redactingEmails(final))")
            await record(message) { try $0.markMailFailed(id: message.id, error: final) }
            result.failed += 1
        } else {
            let delay = backoff(attempts: message.attempts)
            logger.warn("mail \(message.id) to \(LogText.redactedEmail(message.to)) not delivered (attempt \(message.attempts)), retrying in \(delay)s: \(LogText.redactingEmails(reason))")
            await record(message) { try $0.scheduleMailRetry(id: message.id, at: current + delay, error: reason) }
            result.retried += 1
        }
        if Self.isTransportTrouble(notifyError) { _ = await noteAttempt(error: LogText.redactingEmails(reason)) }
        return false
    }

    /// Whether a failure says the mail path is in trouble (not one message or recipient refused).
    static func isTransportTrouble(_ error: NotifyError?) -> Bool {
        guard let error else { return true }
        if error.isTemporary { return true }
        if error.code == .mailInvalidMessage { return false }
        // 550–553: this mailbox or address refused; 554 and authentication/TLS refusals concern every mail.
        return !(error.replyCode.map { (550...553).contains($0) } ?? false)
    }

    /// Feeds the mail outage tracker; alerts on a transition. True when a told outage ended.
    private func noteAttempt(error: String?) async -> Bool {
        let at = Date(timeIntervalSince1970: TimeInterval(now()))
        let transition = outage.withLock { $0.record(ok: error == nil, detail: error ?? "", now: at) }
        switch transition {
        case .began(let failures, let since, let detail):
            await alerter?.send(.mailFailing(detail, failures: failures, since: OutageTracker.stamp(since)))
            if alerter == nil { logger.error("mail delivery failing: \(failures) attempt(s) in a row failed: \(detail)") }
            return false
        case .ended(_, let duration):
            logger.info("mail delivery works again (it was failing for \(duration)); mails waiting for a retry are sent now")
            await alerter?.send(.mailRecovered(outage: duration))
            return true
        case nil:
            return false
        }
    }

    /// Makes every mail waiting for a retry due now (mail works again), the alerts of the outage among them.
    private func retryWaitingNow() async {
        let current = now()
        do {
            let waiting = try await storage.read { try $0.outboxMessages(status: .queued, limit: 5_000) }
            let later = waiting.filter { $0.nextAttemptAt > current }
            guard !later.isEmpty else { return }
            try await storage.write { tx in
                for message in later { try tx.scheduleMailRetry(id: message.id, at: current, error: message.lastError) }
            }
        } catch {
            logger.warn("could not make the waiting mails due now (they keep their retry times): \(error)")
        }
    }

    /// Seconds to wait after the `attempts`-th failure: initial · 2^(attempts−1), capped.
    public func backoff(attempts: Int) -> Int64 {
        let initial = max(1, Self.seconds(configuration.initialBackoff))
        let cap = max(initial, Self.seconds(configuration.maxBackoff))
        let shift = min(max(0, attempts - 1), 40)
        let (delay, overflow) = initial.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? cap : min(delay, cap)
    }

    /// Writes an outcome; a storage failure is logged and left to the lease (the message is claimed again later).
    private func record(_ message: OutboxMessage, _ change: @escaping @Sendable (any StorageWriter) throws -> Void) async {
        do {
            try await storage.write { tx in try change(tx) }
        } catch {
            logger.error("could not record the outcome for mail \(message.id): \(error); it will be retried after its lease")
        }
    }

    private static func seconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }
}
