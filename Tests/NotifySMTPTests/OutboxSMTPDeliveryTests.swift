import Foundation
import XCTest
import PoolKernel
import PoolTestKit
@testable import NotifySMTP

/// The durable outbox delivering through the real SMTP client to the aiosmtpd sink.
final class OutboxSMTPDeliveryTests: XCTestCase {
    private let clock = LockedValue<Int64>(Int64(Date().timeIntervalSince1970))
    private let storage = InMemoryStorage()

    private func delivery(_ listener: String, sink: SMTPSink, commandTimeout: Duration = .seconds(10)) throws -> OutboxDelivery {
        let notifier = try SMTPNotifier(configuration: .init(host: try sink.address(listener), from: "pool@example.com",
                                                             tlsMode: .none, commandTimeout: commandTimeout),
                                        logger: .disabled)
        let clock = self.clock
        return OutboxDelivery(storage: storage, notifier: notifier,
                              configuration: .init(lease: .seconds(600), initialBackoff: .seconds(30)),
                              logger: .disabled, now: { clock.value })
    }

    private func enqueue(to recipient: String) async throws -> (Int64, MailMessage) {
        let mail = EmailRenderer(configuration: .init(baseURL: "https://pool.example.com", from: "pool@example.com",
                                                      templateDirectory: nil), logger: .disabled)
            .render(.signupVerification(token: "0123456789abcdef0123456789abcdef", ip: "192.0.2.9"), to: recipient,
                    date: Date(timeIntervalSince1970: TimeInterval(clock.value)))
        let id = try await storage.write { tx in try tx.enqueueMail(OutboxMessage(queuing: mail)) }
        return (id, mail)
    }

    private func row(_ id: Int64) async throws -> OutboxMessage {
        let row = try await storage.read { try $0.outboxMessage(id: id) }
        return try XCTUnwrap(row)
    }

    private func advance(_ seconds: Int64) { clock.withLock { $0 += seconds } }

    func testOutboxSMTP_verificationMailDeliveredWithLink() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("verify")
        let (id, mail) = try await enqueue(to: recipient)
        let result = try await delivery("plain", sink: sink).deliverDue()
        XCTAssertEqual(result, .init(delivered: 1))
        let received = try await sink.waitForMessage(to: recipient)
        XCTAssertEqual(received.header("Subject"), "Stake pool email verification")
        XCTAssertEqual(received.header("Message-ID"), "<\(mail.messageID)>")
        XCTAssertTrue(MessageEncoderTests.decodeQuotedPrintable(received.body)
            .contains("\r\nhttps://pool.example.com/emailverify?t=0123456789abcdef0123456789abcdef\r\n"))
        let stored = try await row(id)
        XCTAssertEqual(stored.status, .delivered)
    }

    func testOutboxSMTP_temporary4xxRetriedLaterAndDelivered() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("temp-fail")
        let (id, mail) = try await enqueue(to: recipient)
        let service = try delivery("plain", sink: sink)
        let first = try await service.deliverDue()
        XCTAssertEqual(first, .init(retried: 1))
        var stored = try await row(id)
        XCTAssertEqual(stored.status, .queued)
        XCTAssertTrue(stored.lastError.contains("451"), stored.lastError)
        XCTAssertTrue(try sink.messages(to: recipient).isEmpty)

        advance(30)
        let second = try await service.deliverDue()
        XCTAssertEqual(second, .init(delivered: 1))
        stored = try await row(id)
        XCTAssertEqual(stored.status, .delivered)
        let received = try sink.messages(to: recipient)
        XCTAssertEqual(received.count, 1)
        XCTAssertEqual(received.first?.header("Message-ID"), "<\(mail.messageID)>")
    }

    func testOutboxSMTP_permanent5xxMarkedFailed() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("perm-fail")
        let (id, _) = try await enqueue(to: recipient)
        let service = try delivery("plain", sink: sink)
        let result = try await service.deliverDue()
        XCTAssertEqual(result, .init(failed: 1))
        let stored = try await row(id)
        XCTAssertEqual(stored.status, .failed)
        XCTAssertTrue(stored.lastError.contains("550"), stored.lastError)
        advance(100_000)
        let later = try await service.deliverDue()
        XCTAssertEqual(later, .init())
    }

    func testOutboxSMTP_serverDownQueuedThenDeliveredWhenBack() async throws {
        let sink = try SMTPSink()
        try await sink.setFlaky(up: false)
        do {
            let recipient = SMTPSink.recipient("down")
            let (id, _) = try await enqueue(to: recipient)
            let service = try delivery("flaky", sink: sink)
            let whileDown = try await service.deliverDue()
            XCTAssertEqual(whileDown, .init(retried: 1))
            let queued = try await row(id)
            XCTAssertEqual(queued.status, .queued)

            try await sink.setFlaky(up: true)
            advance(30)
            let whenBack = try await service.deliverDue()
            XCTAssertEqual(whenBack, .init(delivered: 1))
            let received = try await sink.waitForMessage(to: recipient)
            XCTAssertEqual(received.listener, "flaky")
        } catch {
            try? await sink.setFlaky(up: true)
            throw error
        }
    }

    func testOutboxSMTP_killedMidDeliveryDeliveredOnceAfterRestart() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("stall-once")
        let (id, mail) = try await enqueue(to: recipient)

        // The sink holds its reply to the end of DATA; the sender "dies" while waiting for it.
        let first = try delivery("plain", sink: sink)
        let pass = Task { try await first.deliverDue() }
        let marker = sink.maildir + "/stalled-" + recipient
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: marker) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "the sink never held the message")
        pass.cancel()
        _ = try? await pass.value
        let afterKill = try await row(id)
        XCTAssertEqual(afterKill.status, .sending)

        // A new sender after the restart: waits for the lease, then delivers exactly once.
        let restarted = try delivery("plain", sink: sink)
        let duringLease = try await restarted.deliverDue()
        XCTAssertEqual(duringLease, .init())
        advance(600)
        let afterLease = try await restarted.deliverDue()
        XCTAssertEqual(afterLease, .init(delivered: 1))
        advance(600)
        let later = try await restarted.deliverDue()
        XCTAssertEqual(later, .init())
        let received = try sink.messages(to: recipient)
        XCTAssertEqual(received.count, 1)
        XCTAssertEqual(received.first?.header("Message-ID"), "<\(mail.messageID)>")
    }
}
