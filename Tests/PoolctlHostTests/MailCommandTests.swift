import Foundation
import HostKit
@testable import PoolctlHost
import XCTest
import PoolKernel
import PoolTestKit

final class MailCommandTests: XCTestCase {
    private let storage = InMemoryStorage()
    private let lines = LockedValue<(out: [String], err: [String])>(([], []))
    private var output: HostOutput {
        let lines = self.lines
        return HostOutput(out: { text in lines.withLock { $0.out.append(text) } },
                          err: { text in lines.withLock { $0.err.append(text) } })
    }

    private func enqueue(_ to: String, id: String) async throws -> Int64 {
        let message = OutboxMessage(to: to, subject: "Stake pool password reset", body: "secret link ?t=abcdef",
                                    messageID: "\(id)@example.com", nextAttemptAt: 1000, createdAt: 1000)
        return try await storage.write { try $0.enqueueMail(message) }
    }

    private func row(_ id: Int64) async throws -> OutboxMessage {
        let row = try await storage.read { try $0.outboxMessage(id: id) }
        return try XCTUnwrap(row)
    }

    func testMailCommand_statusCountsAndListsWithoutBodies() async throws {
        let delivered = try await enqueue("a@example.org", id: "1")
        let failed = try await enqueue("perm-fail@example.org", id: "2")
        _ = try await enqueue("c@example.org", id: "3")
        try await storage.write { tx in
            try tx.markMailDelivered(id: delivered)
            try tx.markMailFailed(id: failed, error: "SMTP server refused RCPT TO: 550 no such user")
        }
        let code = await MailCommand.run(["status"], storage: storage, output: output, now: 990)
        XCTAssertEqual(code, ExitCode.ok)
        let out = lines.value.out
        XCTAssertEqual(out.first, "outbox: 1 queued, 0 sending, 1 delivered, 1 failed")
        XCTAssertTrue(out.contains { $0.contains("#3 to c@example.org") && $0.contains("next attempt in 10s") })
        XCTAssertTrue(out.contains { $0.contains("#2 to perm-fail@example.org") && $0.contains("550 no such user") })
        XCTAssertFalse(out.joined().contains("secret link"))
    }

    func testMailCommand_retryRequeuesFailedButNeverDelivered() async throws {
        let delivered = try await enqueue("a@example.org", id: "1")
        let failed = try await enqueue("b@example.org", id: "2")
        try await storage.write { tx in
            try tx.markMailDelivered(id: delivered)
            try tx.markMailFailed(id: failed, error: "550")
        }
        let code = await MailCommand.run(["retry", "\(failed)", "\(delivered)", "99"], storage: storage, output: output, now: 5000)
        XCTAssertEqual(code, ExitCode.failure)
        let requeued = try await row(failed)
        XCTAssertEqual(requeued.status, .queued)
        XCTAssertEqual(requeued.nextAttemptAt, 5000)
        let untouched = try await row(delivered)
        XCTAssertEqual(untouched.status, .delivered)
        XCTAssertTrue(lines.value.err.contains { $0.contains("#\(delivered): already delivered") })
        XCTAssertTrue(lines.value.err.contains { $0.contains("#99: no such message") })
    }

    func testMailCommand_retryAllFailedAndBadUsage() async throws {
        let first = try await enqueue("a@example.org", id: "1")
        let second = try await enqueue("b@example.org", id: "2")
        try await storage.write { tx in
            try tx.markMailFailed(id: first, error: "x")
            try tx.markMailFailed(id: second, error: "y")
        }
        let code = await MailCommand.run(["retry", "--failed"], storage: storage, output: output, now: 7000)
        XCTAssertEqual(code, ExitCode.ok)
        let queued = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(queued.map(\.id), [first, second])
        for bad in [["retry"], ["retry", "abc"], ["retry", "-1"], ["frobnicate"], [], ["status", "extra"]] {
            let usage = await MailCommand.run(bad, storage: storage, output: output)
            XCTAssertEqual(usage, ExitCode.usage, "\(bad)")
        }
    }

    func testMailCommand_storageDownIsFailure() async {
        storage.failNext()
        let code = await MailCommand.run(["status"], storage: storage, output: output)
        XCTAssertEqual(code, ExitCode.failure)
        XCTAssertTrue(lines.value.err.first?.contains("cannot read the mail outbox") ?? false)
    }
}
