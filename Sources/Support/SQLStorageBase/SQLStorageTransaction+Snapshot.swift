import Foundation
import PoolKernel

/// Backups over SQL: `snapshot()` reads every table inside the caller's transaction; `restore(_:)`
/// inserts every row with its own ids into an empty database (both engines then assign later ids above them:
/// SQLite's AUTOINCREMENT sequence and InnoDB's AUTO_INCREMENT follow the largest id inserted).
extension SQLStorageTransaction {
    /// The tables `restore` fills, all of which must be empty first.
    static let backedUpTables = ["Users", "EmailChange", "PasswordReset", "Sessions", "MailOutbox", "VoteAudit",
                                 "LowFeeTickets", "RateCounters", "CaptchaChallenges", "ClosedAccounts"]
        + vspTables

    public func snapshot() throws -> StorageSnapshot {
        var snapshot = StorageSnapshot()
        snapshot.users = try sql.query("SELECT \(Self.userColumns) FROM Users ORDER BY UserId", [], map: Self.user(from:))
        snapshot.emailChanges = try sql.query("""
            SELECT EmailChangeID, UserId, NewEmail, Token, Created, Expires FROM EmailChange ORDER BY EmailChangeID
            """, []).map { EmailChange(id: $0[0].int64, userId: UserId($0[1].int64), newEmail: $0[2].string,
                                       token: $0[3].string, created: $0[4].int64, expires: $0[5].int64) }
        snapshot.passwordResets = try sql.query("""
            SELECT PasswordResetID, UserId, Token, Created, Expires FROM PasswordReset ORDER BY PasswordResetID
            """, []).map { PasswordReset(id: $0[0].int64, userId: UserId($0[1].int64), token: $0[2].string,
                                         created: $0[3].int64, expires: $0[4].int64) }
        snapshot.sessions = try sql.query("""
            SELECT SessionId, UserId, Payload, CreatedAt, LastSeenAt, ExpiresAt FROM Sessions ORDER BY SessionId
            """, []).map {
            SessionRecord(id: $0[0].string, userId: $0[1].isNull ? nil : UserId($0[1].int64), payload: $0[2].data,
                          createdAt: $0[3].int64, lastSeenAt: $0[4].int64, expiresAt: $0[5].int64)
        }
        snapshot.outbox = try sql.query("SELECT \(Self.outboxColumns) FROM MailOutbox ORDER BY OutboxId", [])
            .map(Self.message(from:))
        snapshot.voteAudits = try sql.query("SELECT \(Self.auditColumns) FROM VoteAudit ORDER BY AuditId", [])
            .map(Self.audit(from:))
        snapshot.lowFeeTickets = try sql.query("SELECT TicketHash FROM LowFeeTickets", []).map { $0[0].string }
        snapshot.rateCounters = try sql.query("SELECT CounterKey, WindowStart, Count FROM RateCounters", []).map {
            StorageSnapshot.RateCounter(key: $0[0].string, windowStart: $0[1].int64, count: Int($0[2].int64))
        }
        snapshot.captchas = try sql.query("SELECT ChallengeId, Answer, ExpiresAt FROM CaptchaChallenges", [])
            .map { CaptchaChallenge(id: $0[0].string, answer: $0[1].string, expiresAt: $0[2].int64) }
        snapshot.closedAccounts = try sql.query("SELECT \(Self.closedAccountColumns) FROM ClosedAccounts", []).map {
            ClosedAccount(userId: UserId($0[0].int64), closedHeight: $0[1].int64, closedAt: $0[2].int64,
                          emailErased: $0[3].int64 != 0)
        }
        try snapshotVspTables(into: &snapshot)
        // Byte order for text keys whatever the column collation.
        snapshot.sort()
        return snapshot
    }

    public func restore(_ snapshot: StorageSnapshot) throws {
        for table in Self.backedUpTables where !(try sql.query("SELECT 1 FROM \(table) LIMIT 1", []).isEmpty) {
            throw StorageError(.notEmpty, "the database is not empty (table \(table) has rows)")
        }
        try snapshot.validate()
        for user in snapshot.users {
            var columns = Self.userColumns
            var values = [SQLValue.integer(user.id.rawValue)] + userValues(user)
            if dialect.usesEmailKeyColumn {
                columns += ", EmailKey"
                values.append(.text(EmailKey.fold(user.email)))
            }
            try insert("Users", columns, values)
        }
        for change in snapshot.emailChanges {
            try insert("EmailChange", "EmailChangeID, UserId, NewEmail, Token, Created, Expires",
                       [.integer(change.id), .integer(change.userId.rawValue), .text(change.newEmail),
                        .text(change.token), .integer(change.created), .integer(change.expires)])
        }
        for reset in snapshot.passwordResets {
            try insert("PasswordReset", "PasswordResetID, UserId, Token, Created, Expires",
                       [.integer(reset.id), .integer(reset.userId.rawValue), .text(reset.token),
                        .integer(reset.created), .integer(reset.expires)])
        }
        for session in snapshot.sessions {
            try insert("Sessions", "SessionId, UserId, Payload, CreatedAt, LastSeenAt, ExpiresAt",
                       [.text(session.id), userIdValue(session.userId), .blob(session.payload),
                        .integer(session.createdAt), .integer(session.lastSeenAt), .integer(session.expiresAt)])
        }
        for message in snapshot.outbox {
            try insert("MailOutbox", Self.outboxColumns,
                       [.integer(message.id), .text(message.to), .text(message.subject), .text(message.body),
                        .text(message.messageID), .text(message.status.rawValue), .integer(Int64(message.attempts)),
                        .integer(message.nextAttemptAt), .text(message.lastError), .integer(message.createdAt)])
        }
        for record in snapshot.voteAudits {
            try insert("VoteAudit", Self.auditColumns,
                       [.integer(record.id), .text(record.ticketHash), .integer(record.blockHeight),
                        .text(record.blockHash), userIdValue(record.userId), .integer(Int64(record.voteBits)),
                        .text(record.policyName), .text(record.reason), .text(record.result.rawValue),
                        .text(record.detail), .integer(record.receivedAtMillis), .integer(record.decisionMicros),
                        .integer(record.totalMicros)])
        }
        for hash in snapshot.lowFeeTickets { try insert("LowFeeTickets", "TicketHash", [.text(hash)]) }
        for counter in snapshot.rateCounters {
            try insert("RateCounters", "CounterKey, WindowStart, Count",
                       [.text(counter.key), .integer(counter.windowStart), .integer(Int64(counter.count))])
        }
        for challenge in snapshot.captchas {
            try insert("CaptchaChallenges", "ChallengeId, Answer, ExpiresAt",
                       [.text(challenge.id), .text(challenge.answer), .integer(challenge.expiresAt)])
        }
        for account in snapshot.closedAccounts {
            try insert("ClosedAccounts", Self.closedAccountColumns,
                       [.integer(account.userId.rawValue), .integer(account.closedHeight), .integer(account.closedAt),
                        .integer(account.emailErased ? 1 : 0)])
        }
        try restoreVspTables(snapshot)
    }

    private func insert(_ table: String, _ columns: String, _ values: [SQLValue]) throws {
        let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
        try sql.execute("INSERT INTO \(table) (\(columns)) VALUES (\(placeholders))", values)
    }
}
