import Foundation
import PoolKernel

/// Rows for retention tests, aged in days before `now`: delivered outbox mails, one queued mail (due in 30 days,
/// so no outbox picks it up meanwhile) and vote audit records (ticket hash `t<age>`).
package enum RetentionSeed {
    package static func write(_ tx: any StorageWriter, deliveredAges: [Int64], queuedAge: Int64, auditAges: [Int64],
                      now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> (delivered: [Int64], queued: Int64) {
        let day: Int64 = 86_400
        var delivered: [Int64] = []
        for (index, age) in deliveredAges.enumerated() {
            let id = try tx.enqueueMail(OutboxMessage(to: "d\(index)@example.com", subject: "s", body: "b",
                                                      messageID: "<d\(index)@pool.test>", nextAttemptAt: 0,
                                                      createdAt: now - age * day))
            try tx.markMailDelivered(id: id)
            delivered.append(id)
        }
        let queued = try tx.enqueueMail(OutboxMessage(to: "q@example.com", subject: "s", body: "b", messageID: "<q@pool.test>",
                                                      nextAttemptAt: now + 30 * day, createdAt: now - queuedAge * day))
        for (index, age) in auditAges.enumerated() {
            _ = try tx.appendVoteAudit(VoteAuditRecord(ticketHash: "t\(age)", blockHeight: Int64(index), blockHash: "b",
                                                       voteBits: 1, policyName: "userprefs", reason: "r", result: .voted,
                                                       receivedAtMillis: (now - age * day) * 1_000, decisionMicros: 1,
                                                       totalMicros: 1))
        }
        return (delivered, queued)
    }
}
