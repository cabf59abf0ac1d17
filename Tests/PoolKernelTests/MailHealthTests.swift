import Foundation
import PoolTestKit
import XCTest
@testable import PoolKernel

/// The `mail` line of `/health` (issue 18 item 2): `degraded` as soon as queued mail waits after a failed
/// delivery attempt, or when queued mail has waited longer than ten minutes; `ok` again once delivered. The real
/// outbox delivery (`OutboxDelivery`) over in-memory storage and a notifier that fails on request, one injected
/// clock for both.
final class MailHealthTests: XCTestCase {
    private let now = LockedValue<Int64>(1_800_000_000)

    private func probe(_ storage: InMemoryStorage) -> MailQueueProbe {
        let now = self.now
        return MailQueueProbe(storage: storage, clock: { Date(timeIntervalSince1970: TimeInterval(now.value)) })
    }

    private func delivery(_ storage: InMemoryStorage, _ notifier: RecordingNotifier) -> OutboxDelivery {
        let now = self.now
        return OutboxDelivery(storage: storage, notifier: notifier,
                              configuration: .init(initialBackoff: .seconds(30), maxBackoff: .seconds(600),
                                                   giveUpAfter: .seconds(86_400)),
                              logger: .disabled, now: { now.value })
    }

    private func enqueue(_ storage: InMemoryStorage) async throws {
        let mail = EmailRenderer(configuration: .init(from: "pool@example.com", templateDirectory: nil), logger: .disabled)
            .render(.passwordReset(token: "00112233445566778899aabbccddeeff", ip: "192.0.2.1"), to: "user@example.org",
                    date: Date(timeIntervalSince1970: TimeInterval(now.value)))
        _ = try await storage.write { tx in try tx.enqueueMail(OutboxMessage(queuing: mail)) }
    }

    private func advance(_ seconds: Int64) { now.withLock { $0 += seconds } }

    private func figure(_ check: HealthReport.Check, _ name: String) -> Double? {
        check.figures.first { $0.0 == name }?.1
    }

    func testMailHealth_failedDeliveryAttemptIsDegradedAtOnceAndClearsWhenDelivered() async throws {
        let storage = InMemoryStorage()
        let notifier = RecordingNotifier()
        let probe = probe(storage)
        XCTAssertEqual(probe.check(plugin: "smtp").detail, "queue not read yet")
        try await enqueue(storage)
        try await probe.refresh()
        XCTAssertEqual(probe.check(plugin: "smtp").state, .ok, "a fresh queued mail is normal")

        notifier.failNext(NotifyError(.mailTemporary, "SMTP server refused RCPT TO: 451 try later", replyCode: 451))
        let first = try await delivery(storage, notifier).deliverDue()
        XCTAssertEqual(first, .init(retried: 1))
        advance(5)
        try await probe.refresh()
        var check = probe.check(plugin: "smtp")
        XCTAssertEqual(check.state, .degraded, "mail is not going out: seconds, not ten minutes")
        XCTAssertTrue(check.detail.contains("1 queued mail(s) failed their last delivery attempt"), check.detail)
        XCTAssertTrue(check.detail.contains("451 try later"), check.detail)
        XCTAssertEqual(figure(check, "failing"), 1)
        XCTAssertEqual(figure(check, "queued"), 1)
        XCTAssertEqual(figure(check, "oldest_queued_seconds"), 5)

        advance(30)
        let second = try await delivery(storage, notifier).deliverDue()
        XCTAssertEqual(second, .init(delivered: 1))
        try await probe.refresh()
        check = probe.check(plugin: "smtp")
        XCTAssertEqual(check.state, .ok, check.detail)
        XCTAssertEqual(figure(check, "queued"), 0)
        XCTAssertEqual(figure(check, "failing"), 0)
    }

    func testMailHealth_queuedMailOlderThanTenMinutesIsDegraded() async throws {
        let storage = InMemoryStorage()
        let probe = probe(storage)
        try await enqueue(storage)
        advance(600)
        try await probe.refresh()
        XCTAssertEqual(probe.check(plugin: "log").state, .ok, "exactly ten minutes is still ok")
        advance(1)
        try await probe.refresh()
        let check = probe.check(plugin: "log")
        XCTAssertEqual(check.state, .degraded)
        XCTAssertEqual(check.detail, "the oldest queued mail has waited 601 s")
        XCTAssertEqual(figure(check, "failing"), 0)
    }

    /// `/health` asks for figures at most 2 s old: the background round's (every 15 s) are read again when older.
    func testMailHealth_healthRefreshesFiguresOlderThanItsMaxAge() async throws {
        let storage = InMemoryStorage()
        let probe = probe(storage)
        await probe.refresh(ifOlderThan: 2)
        XCTAssertEqual(probe.figures?.queued, 0, "no figures yet: read now")
        try await enqueue(storage)
        advance(2)
        await probe.refresh(ifOlderThan: 2)
        XCTAssertEqual(probe.figures?.queued, 0, "2 s old figures are fresh enough")
        advance(1)
        await probe.refresh(ifOlderThan: 2)
        XCTAssertEqual(probe.figures?.queued, 1, "older: read again")
        XCTAssertEqual(probe.check(plugin: "smtp").state, .ok)
    }
}
