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

        public init(pollInterval: Duration = .seconds(5), batchSize: Int = 20, lease: Duration = .seconds(600),
                    initialBackoff: Duration = .seconds(30), maxBackoff: Duration = .seconds(3600),
                    giveUpAfter: Duration = .seconds(5 * 86_400)) {
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

    /// - Parameter now: Unix seconds; tests inject a clock they move forward.
    public init(storage: any StorageBackend, notifier: any NotificationBackend, configuration: Configuration = .init(),
                logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
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
        while !Task.isCancelled {
            let start = now()
            let leaseUntil = start + Self.seconds(configuration.lease)
            let limit = max(1, configuration.batchSize)
            let claimed = try await storage.write { tx in try tx.claimDueMail(now: start, leaseUntil: leaseUntil, limit: limit) }
            for message in claimed {
                try Task.checkCancellation()
                await deliver(message, into: &result)
            }
            if claimed.count < limit { break }
        }
        try Task.checkCancellation()
        return result
    }

    private func deliver(_ message: OutboxMessage, into result: inout PassResult) async {
        let error: any Error
        do {
            try await notifier.send(message.mailMessage)
            logger.info("mail \(message.id) to \(LogText.redactedEmail(message.to)) delivered (attempt \(message.attempts), Message-ID <\(message.messageID)>)")
            await record(message) { try $0.markMailDelivered(id: message.id) }
            result.delivered += 1
            return
        } catch let caught {
            error = caught
        }
        // Cancelled mid-send (shutdown): leave the lease to expire; the next start sends it again.
        if Task.isCancelled { return }

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
