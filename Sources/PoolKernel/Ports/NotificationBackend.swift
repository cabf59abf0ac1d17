/// Delivers one rendered email (the "mail" plugin port: `smtp`, `log`; `RecordingNotifier` in PoolTestKit).
///
/// The engine never calls a backend from a request handler: messages go through the durable outbox and
/// `OutboxDelivery` hands them over one at a time, retrying on temporary failures.
///
/// Implementation requirements:
/// - `send` returns normally only once the message is accepted for delivery (an SMTP server said 250 to the
///   end of DATA, or the log line was written). After that the outbox records it as delivered and never
///   sends it again.
/// - Failures throw `NotifyError`. Its code says what the outbox does next:
///   `.mailTemporary` (connection refused, timeout, 4xx reply) → retried later with backoff;
///   `.mailPermanent` (5xx reply, authentication refused) and `.mailInvalidMessage` (bad address, CR/LF in
///   a header) → marked failed with the error's message as the reason, never retried automatically.
/// - Every network step is bounded by a timeout; `send` must not hang.
/// - `send` may be called concurrently from several tasks and must be safe to do so.
/// - Messages, errors and logs never contain passwords.
public protocol NotificationBackend: Sendable {
    /// The plugin name (`smtp`, `log`), for logs and `poolctl mail status`.
    var name: String { get }

    /// Delivers `message` or throws a `NotifyError`.
    func send(_ message: MailMessage) async throws

    /// Releases whatever the backend holds (connections). Called once by the host at shutdown.
    func shutdown() async
}

extension NotificationBackend {
    public func shutdown() async {}
}
