import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// Mail trouble as an operator incident (issue 18 item 4), with one injected clock for the outbox and the
/// alerter: delivery failing K times in a row, or for longer than N minutes, is an `ALERT mail-failing` error
/// in the log at once; its mail waits in the outbox and goes out — with the recovery message — as soon as a
/// delivery succeeds again. A refused recipient is not mail trouble.
final class MailIncidentTests: XCTestCase {
    private let seconds = LockedValue<Int64>(1_800_000_000)
    private let logs = CapturingSink()
    private let storage = InMemoryStorage()
    private let notifier = RecordingNotifier()
    private let operatorAddress = "ops@example.com"

    private func advance(_ by: Int64) { seconds.withLock { $0 += by } }

    private func delivery(alertAfterFailures: Int = 3, alertAfter: Duration = .seconds(600)) -> OutboxDelivery {
        let seconds = self.seconds
        let alerter = OperatorAlerter(configuration: .init(recipient: operatorAddress, sender: "pool@example.com"),
                                      storage: storage, logger: LogBackend(level: .info, sinks: [logs]).logger("DCRS"),
                                      clock: { Date(timeIntervalSince1970: TimeInterval(seconds.value)) })
        return OutboxDelivery(storage: storage, notifier: notifier,
                              configuration: .init(initialBackoff: .seconds(30), maxBackoff: .seconds(600),
                                                   alertAfterFailures: alertAfterFailures, alertAfter: alertAfter),
                              logger: .disabled, alerter: alerter, now: { seconds.value })
    }

    private func enqueueUserMail(_ to: String) async throws {
        let now = seconds.value
        let message = OutboxMessage(to: to, subject: "Welcome", body: "hello", messageID: MailMessage.makeMessageID(from: "pool@example.com"),
                                    nextAttemptAt: now, createdAt: now)
        _ = try await storage.write { try $0.enqueueMail(message) }
    }

    private var alertLines: [String] { logs.captured.filter { $0.contains("ALERT mail-") } }

    func testMailIncident_threeFailuresInARowAlertAtOnce_andBothMessagesGoOutWhenMailWorks() async throws {
        let service = delivery()
        notifier.failWhen { _ in NotifyError(.mailTemporary, "connection refused by 127.0.0.1:2525") }
        for index in 0..<3 { try await enqueueUserMail("user\(index)@example.org") }

        _ = try await service.deliverDue()
        XCTAssertEqual(alertLines.count, 1, logs.text)
        let line = try XCTUnwrap(alertLines.first)
        XCTAssertTrue(line.contains("[ERR]") && line.contains("ALERT mail-failing: mail delivery failing"), line)
        let queued = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
        let incident = try XCTUnwrap(queued.first { $0.to == operatorAddress }, "the alert waits in the outbox")
        XCTAssertTrue(incident.body.contains("failed 3 delivery attempt(s) in a row since 2027-01-15T08:00:00Z"), incident.body)
        XCTAssertTrue(incident.body.contains("connection refused by 127.0.0.1:2525"), incident.body)
        XCTAssertTrue(incident.body.contains("is delivered now that mail works again"), incident.body)

        // More failures while the incident is open: no second alert.
        advance(45)
        _ = try await service.deliverDue()
        XCTAssertEqual(alertLines.count, 1, logs.text)

        // The transport works again. A new mail succeeds at once; every waiting mail is due at once, so the
        // incident's and the recovery's messages reach the operator in this very pass, in that order.
        notifier.failWhen(nil)
        advance(5)
        try await enqueueUserMail("user3@example.org")
        let pass = try await service.deliverDue()
        XCTAssertEqual(pass.delivered, 6, "the new mail, the three waiting ones, the incident and the recovery")
        let toOperator = notifier.sent.filter { $0.to == operatorAddress }.map(\.subject)
        XCTAssertEqual(toOperator.count, 2, "\(toOperator)")
        XCTAssertTrue(toOperator[0].contains("mail delivery failing"), "\(toOperator)")
        XCTAssertTrue(toOperator[1].contains("mail delivery works again") && toOperator[1].contains("trouble since 2027-01-15T08:00:00Z"),
                      "\(toOperator)")
        XCTAssertTrue(alertLines.last?.contains("ALERT mail-recovered") ?? false, logs.text)
        let left = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
        XCTAssertEqual(left.count, 0)
    }

    func testMailIncident_aRowOfFailuresOlderThanTheLimitAlertsHoweverFew() async throws {
        let service = delivery(alertAfterFailures: 100, alertAfter: .seconds(600))
        notifier.failWhen { _ in NotifyError(.mailTemporary, "451 try later", replyCode: 451) }
        try await enqueueUserMail("user@example.org")
        _ = try await service.deliverDue()
        advance(590)
        _ = try await service.deliverDue()
        XCTAssertTrue(alertLines.isEmpty, "two failures within ten minutes: not yet an incident: \(logs.text)")
        // The retry after the second failure is due 60 s later: the third failure is 650 s after the first.
        advance(60)
        _ = try await service.deliverDue()
        XCTAssertEqual(alertLines.count, 1, logs.text)
        XCTAssertTrue(alertLines.first?.contains("mail-failing") ?? false, logs.text)
    }

    func testMailIncident_refusedRecipientsAndBlipsAreNoIncident() async throws {
        let service = delivery()
        notifier.failWhen { _ in NotifyError(.mailPermanent, "550 no such mailbox", replyCode: 550) }
        for index in 0..<4 { try await enqueueUserMail("gone\(index)@example.org") }
        _ = try await service.deliverDue()
        XCTAssertTrue(alertLines.isEmpty, logs.text)

        // Two transport failures, then a success: a blip, no alert and no recovery message.
        notifier.failWhen(nil)
        notifier.failNext(NotifyError(.mailTemporary, "timeout"), NotifyError(.mailTemporary, "timeout"))
        for index in 0..<3 { try await enqueueUserMail("user\(index)@example.org") }
        _ = try await service.deliverDue()
        XCTAssertTrue(alertLines.isEmpty, logs.text)
        XCTAssertFalse(notifier.sent.contains { $0.to == operatorAddress })
    }
}
