import Foundation
import PoolKernel

/// An in-memory `NotificationBackend` for tests: records every message it accepts and can be told to fail.
///
/// ```swift
/// let notifier = RecordingNotifier()
/// notifier.failNext(NotifyError(.mailTemporary, "451 try later", replyCode: 451))
/// ```
/// It validates messages like real transports (`MailMessage.validate()`).
public final class RecordingNotifier: NotificationBackend {
    private struct State {
        var sent: [MailMessage] = []
        var attempts = 0
        var scriptedFailures: [NotifyError] = []
        var failure: (@Sendable (MailMessage) -> NotifyError?)?
    }

    public let name = "recording"
    private let state = LockedValue(State())

    public init() {}

    /// Messages accepted so far, in order.
    public var sent: [MailMessage] { state.withLock { $0.sent } }
    /// Calls to `send`, including failed ones.
    public var attempts: Int { state.withLock { $0.attempts } }

    /// The next `send` calls fail with these errors, one each, before messages are accepted again.
    public func failNext(_ errors: NotifyError...) {
        state.withLock { $0.scriptedFailures.append(contentsOf: errors) }
    }

    /// Every `send` asks `rule` first; a non-nil error fails that attempt (`nil` clears the rule).
    public func failWhen(_ rule: (@Sendable (MailMessage) -> NotifyError?)?) {
        state.withLock { $0.failure = rule }
    }

    public func send(_ message: MailMessage) async throws {
        try message.validate()
        try state.withLock { state in
            state.attempts += 1
            if !state.scriptedFailures.isEmpty { throw state.scriptedFailures.removeFirst() }
            if let error = state.failure?(message) { throw error }
            state.sent.append(message)
        }
    }

    /// Waits (bounded polling) until at least `count` messages were accepted; returns them.
    @discardableResult
    public func waitForSent(count: Int, timeout: Duration = .seconds(5)) async throws -> [MailMessage] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let sent = self.sent
            if sent.count >= count { return sent }
            try await Task.sleep(for: .milliseconds(5))
        }
        return sent
    }
}
