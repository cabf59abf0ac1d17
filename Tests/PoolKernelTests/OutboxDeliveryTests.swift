import Foundation
import XCTest
import PoolTestKit
@testable import PoolKernel

final class OutboxDeliveryTests: XCTestCase {
    private let clock = LockedValue<Int64>(1_800_000_000)
    private var storage = InMemoryStorage()
    private var notifier = RecordingNotifier()

    override func setUp() {
        storage = InMemoryStorage()
        notifier = RecordingNotifier()
    }

    private func delivery(_ notifier: any NotificationBackend, configuration: OutboxDelivery.Configuration = .init(
        initialBackoff: .seconds(30), maxBackoff: .seconds(600), giveUpAfter: .seconds(86_400))) -> OutboxDelivery {
        let clock = self.clock
        return OutboxDelivery(storage: storage, notifier: notifier, configuration: configuration, logger: .disabled,
                              now: { clock.value })
    }

    private func enqueue(to recipient: String = "user@example.org") async throws -> (Int64, MailMessage) {
        let mail = EmailRenderer(configuration: .init(from: "pool@example.com", templateDirectory: nil), logger: .disabled)
            .render(.passwordReset(token: "00112233445566778899aabbccddeeff", ip: "192.0.2.1"), to: recipient,
                    date: Date(timeIntervalSince1970: TimeInterval(clock.value)))
        let id = try await storage.write { tx in try tx.enqueueMail(OutboxMessage(queuing: mail)) }
        return (id, mail)
    }

    private func stored(_ id: Int64) async throws -> OutboxMessage {
        let row = try await storage.read { try $0.outboxMessage(id: id) }
        return try XCTUnwrap(row)
    }

    private func advance(_ seconds: Int64) { clock.withLock { $0 += seconds } }

    /// No email address at info level (issue 18.6): the recipient, also when an SMTP reply repeats it, is redacted.
    func testOutboxDelivery_logLinesCarryNoRecipientAddress() async throws {
        _ = try await enqueue(to: "alice.smith@example.org")
        _ = try await enqueue(to: "bob@example.org")
        let sink = CapturingSink()
        let clock = self.clock
        notifier.failNext(NotifyError(.mailTemporary, "451 4.2.0 <alice.smith@example.org>: mailbox busy", replyCode: 451))
        let service = OutboxDelivery(storage: storage, notifier: notifier, logger: LogBackend(level: .info, sinks: [sink]).logger("MAIL"),
                                     now: { clock.value })
        _ = try await service.deliverDue()
        XCTAssertFalse(sink.text.contains("alice.smith@"), sink.text)
        XCTAssertFalse(sink.text.contains("bob@"), sink.text)
        XCTAssertTrue(sink.text.contains("to a***@example.org not delivered"), sink.text)
        XCTAssertTrue(sink.text.contains("<a***@example.org>: mailbox busy"), sink.text)
        XCTAssertTrue(sink.text.contains("to b***@example.org delivered"), sink.text)
    }

    func testOutboxDelivery_deliversOnceWithStableMessageID() async throws {
        let (id, mail) = try await enqueue()
        let service = delivery(notifier)
        let value1 = try await service.deliverDue()
        XCTAssertEqual(value1, .init(delivered: 1))
        let value2 = try await stored(id).status
        XCTAssertEqual(value2, .delivered)
        let sent = try XCTUnwrap(notifier.sent.first)
        XCTAssertEqual(sent.messageID, mail.messageID)
        XCTAssertEqual(sent.subject, "Stake pool password reset")
        XCTAssertEqual(sent.body, mail.body)
        XCTAssertEqual(sent.date, mail.date)
        // A recorded delivery is final: later passes (even long after any lease) send nothing.
        advance(100_000)
        let value3 = try await service.deliverDue()
        XCTAssertEqual(value3, .init())
        XCTAssertEqual(notifier.attempts, 1)
    }

    func testOutboxDelivery_temporaryErrorRetriedWithBackoffThenDelivered() async throws {
        let (id, _) = try await enqueue()
        notifier.failNext(NotifyError(.mailTemporary, "SMTP server refused RCPT TO: 451 try later", replyCode: 451),
                          NotifyError(.mailTemporary, "connection refused"))
        let service = delivery(notifier)
        let value4 = try await service.deliverDue()
        XCTAssertEqual(value4, .init(retried: 1))
        var row = try await stored(id)
        XCTAssertEqual(row.status, .queued)
        XCTAssertEqual(row.nextAttemptAt, clock.value + 30)
        XCTAssertTrue(row.lastError.contains("451"))

        advance(29)
        let value5 = try await service.deliverDue()
        XCTAssertEqual(value5, .init(), "not due before the backoff")
        advance(1)
        let value6 = try await service.deliverDue()
        XCTAssertEqual(value6, .init(retried: 1))
        row = try await stored(id)
        XCTAssertEqual(row.nextAttemptAt, clock.value + 60, "backoff doubles")
        XCTAssertEqual(row.lastError, "connection refused")

        advance(60)
        let value7 = try await service.deliverDue()
        XCTAssertEqual(value7, .init(delivered: 1))
        row = try await stored(id)
        XCTAssertEqual(row.status, .delivered)
        XCTAssertEqual(row.attempts, 3)
        XCTAssertEqual(notifier.sent.count, 1)
    }

    func testOutboxDelivery_permanentErrorMarksFailedWithReason() async throws {
        let (id, _) = try await enqueue(to: "perm-fail@example.org")
        notifier.failNext(NotifyError(.mailPermanent, "SMTP server refused RCPT TO: 550 no such user", replyCode: 550))
        let service = delivery(notifier)
        let value8 = try await service.deliverDue()
        XCTAssertEqual(value8, .init(failed: 1))
        let row = try await stored(id)
        XCTAssertEqual(row.status, .failed)
        XCTAssertEqual(row.lastError, "SMTP server refused RCPT TO: 550 no such user")
        advance(100_000)
        let value9 = try await service.deliverDue()
        XCTAssertEqual(value9, .init())
        XCTAssertEqual(notifier.attempts, 1)
    }

    func testOutboxDelivery_invalidMessageFails() async throws {
        let mail = MailMessage(to: "user@example.org", from: "", subject: "x\r\nBcc: a@b.c", body: "b", messageID: "m1@example.com",
                               date: Date(timeIntervalSince1970: TimeInterval(clock.value)))
        let id = try await storage.write { tx in try tx.enqueueMail(OutboxMessage(queuing: mail)) }
        let value10 = try await delivery(notifier).deliverDue()
        XCTAssertEqual(value10, .init(failed: 1))
        let value11 = try await stored(id).lastError.contains("header injection")
        XCTAssertTrue(value11)
    }

    func testOutboxDelivery_givesUpAfterConfiguredAge() async throws {
        let (id, _) = try await enqueue()
        notifier.failWhen { _ in NotifyError(.mailTemporary, "server down") }
        let service = delivery(notifier)
        let value12 = try await service.deliverDue()
        XCTAssertEqual(value12, .init(retried: 1))
        advance(86_400)
        let value13 = try await service.deliverDue()
        XCTAssertEqual(value13, .init(failed: 1))
        let row = try await stored(id)
        XCTAssertEqual(row.status, .failed)
        XCTAssertTrue(row.lastError.hasPrefix("gave up after 2 attempts"))
    }

    func testOutboxDelivery_backoffIsExponentialAndCapped() {
        let service = delivery(notifier)
        XCTAssertEqual((1...7).map { service.backoff(attempts: $0) }, [30, 60, 120, 240, 480, 600, 600])
        XCTAssertEqual(service.backoff(attempts: 10_000), 600)
    }

    func testOutboxDelivery_killedMidDeliveryDeliveredOnceAfterRestart() async throws {
        let (id, mail) = try await enqueue()
        let hanging = HangingNotifier()
        let first = delivery(hanging)
        let pass = Task { try await first.deliverDue() }
        try await hanging.waitUntilSending()
        pass.cancel()   // the process "dies" while the server holds the message half-sent
        _ = try? await pass.value
        let value14 = try await stored(id).status
        XCTAssertEqual(value14, .sending, "nothing recorded for an unfinished send")

        // After a restart the message is not claimed while its lease runs, then exactly once.
        let restarted = delivery(notifier)
        let value15 = try await restarted.deliverDue()
        XCTAssertEqual(value15, .init())
        advance(600)
        let value16 = try await restarted.deliverDue()
        XCTAssertEqual(value16, .init(delivered: 1))
        advance(600)
        let value17 = try await restarted.deliverDue()
        XCTAssertEqual(value17, .init())
        XCTAssertEqual(notifier.sent.map(\.messageID), [mail.messageID])
        let value18 = try await stored(id).attempts
        XCTAssertEqual(value18, 2)
    }

    func testOutboxDelivery_storageDownDuringClaimThrowsAndLosesNothing() async throws {
        let (id, _) = try await enqueue()
        storage.failNext()
        let service = delivery(notifier)
        do {
            _ = try await service.deliverDue()
            XCTFail("claim should fail")
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .unavailable)
        }
        let value19 = try await service.deliverDue()
        XCTAssertEqual(value19, .init(delivered: 1))
        let value20 = try await stored(id).status
        XCTAssertEqual(value20, .delivered)
    }

    func testOutboxDelivery_runDeliversAtOnceWhenWokenAndStopsOnCancel() async throws {
        let service = delivery(notifier, configuration: .init(pollInterval: .seconds(3600)))
        let runner = Task { try await service.run() }
        // The first pass runs at once; after it the service sleeps for an hour unless woken.
        _ = try await enqueue(to: "first@example.org")
        service.wake()
        let first = try await notifier.waitForSent(count: 1)
        XCTAssertEqual(first.count, 1)
        let (id, _) = try await enqueue(to: "second@example.org")
        service.wake()
        let sent = try await notifier.waitForSent(count: 2)
        XCTAssertEqual(sent.map(\.to), ["first@example.org", "second@example.org"])
        // The outcome is recorded just after the backend returns (a bound on waiting, not on speed).
        let deadline = ContinuousClock.now + .seconds(30)
        var row = try await stored(id)
        while row.status != .delivered && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            row = try await stored(id)
        }
        XCTAssertEqual(row.status, .delivered)
        // Stopping is the outcome: `value` returns although the service is asleep for an hour (poll interval).
        runner.cancel()
        try await runner.value
    }
}

/// A backend that never finishes a send until cancelled, like a process killed mid-DATA.
private final class HangingNotifier: NotificationBackend {
    let name = "hanging"
    private let started = LockedValue(false)

    func send(_ message: MailMessage) async throws {
        started.withLock { $0 = true }
        try await Task.sleep(for: .seconds(3600))
    }

    func waitUntilSending() async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !started.value && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertTrue(started.value)
    }
}
