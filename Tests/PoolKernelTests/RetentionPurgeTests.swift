import Foundation
import PoolKernel
import PoolTestKit
import XCTest

final class RetentionPurgeTests: XCTestCase {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)
    private static let day: Int64 = 86_400

    private func seeded() async throws -> InMemoryStorage {
        let storage = InMemoryStorage()
        let now = Int64(Self.now.timeIntervalSince1970)
        try await storage.write { tx in
            for (n, age) in [(1, 31 * Self.day), (2, 30 * Self.day), (3, 29 * Self.day)] {
                let id = try tx.enqueueMail(OutboxMessage(to: "u\(n)@example.com", subject: "s", body: "b",
                                                          messageID: "<\(n)@pool.test>", nextAttemptAt: 0,
                                                          createdAt: now - age))
                try tx.markMailDelivered(id: id)
            }
            for (n, age) in [(1, 366 * Self.day), (2, 365 * Self.day), (3, 10 * Self.day)] {
                _ = try tx.appendVoteAudit(VoteAuditRecord(
                    ticketHash: "t\(n)", blockHeight: 1, blockHash: "b", voteBits: 1, policyName: "userprefs",
                    reason: "r", result: .voted, receivedAtMillis: (now - age) * 1_000, decisionMicros: 1, totalMicros: 1))
            }
        }
        return storage
    }

    func testRetentionPurge_deletesRowsOlderThanTheirRetention() async throws {
        let storage = try await seeded()
        let purge = RetentionPurge(storage: storage, policy: .init(mailDays: 30, voteAuditDays: 365), logger: .disabled,
                                   now: { Self.now })
        let result = try await purge.purgeOnce()
        XCTAssertEqual(result, RetentionPurge.PassResult(mail: 1, voteAudits: 1), "exactly N days old is kept")
        let (delivered, audits) = try await storage.read {
            (try $0.outboxMessages(status: .delivered, limit: 10), try $0.recentVoteAudits(limit: 10))
        }
        XCTAssertEqual(delivered.map(\.to), ["u2@example.com", "u3@example.com"])
        XCTAssertEqual(audits.map(\.ticketHash), ["t3", "t2"])
        let again = try await purge.purgeOnce()
        XCTAssertEqual(again, RetentionPurge.PassResult())
    }

    func testRetentionPurge_zeroDaysKeepsForEverAndRunReturnsAtOnce() async throws {
        let storage = try await seeded()
        let policy = RetentionPurge.Policy(mailDays: 0, voteAuditDays: nil)
        XCTAssertNil(policy.finishedMail)
        XCTAssertNil(policy.voteAudits)
        let purge = RetentionPurge(storage: storage, policy: policy, logger: .disabled, now: { Self.now })
        try await purge.run()  // nothing to purge: returns instead of looping
        let result = try await purge.purgeOnce()
        XCTAssertEqual(result, RetentionPurge.PassResult())
        let count = try await storage.read { try $0.outboxMessages(status: .delivered, limit: 10).count }
        XCTAssertEqual(count, 3)
    }

    func testRetentionPurge_runPurgesAtStartAndStopsWhenCancelled() async throws {
        let storage = try await seeded()
        let purge = RetentionPurge(storage: storage, policy: .init(mailDays: 1, voteAuditDays: 1, interval: .seconds(3_600)),
                                   logger: .disabled, now: { Self.now })
        let task = Task { try await purge.run() }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let left = try await storage.read { try $0.recentVoteAudits(limit: 10).count }
            if left == 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let left = try await storage.read { (try $0.recentVoteAudits(limit: 10).count, try $0.outboxMessages(status: .delivered, limit: 10).count) }
        XCTAssertEqual(left.0, 0)
        XCTAssertEqual(left.1, 0)
        task.cancel()
        try await task.value
    }

    func testRetentionPurge_failedPassIsLoggedAndRetried() async throws {
        let storage = try await seeded()
        storage.failNext(1, with: StorageError(.unavailable, "down"))
        let purge = RetentionPurge(storage: storage, policy: .init(mailDays: 30, voteAuditDays: nil), logger: .disabled,
                                   now: { Self.now })
        do {
            try await purge.purgeOnce()
            XCTFail("the injected failure is reported")
        } catch {
            XCTAssertEqual((error as? StorageError)?.code, .unavailable)
        }
        let result = try await purge.purgeOnce()
        XCTAssertEqual(result.mail, 1)
    }
}
