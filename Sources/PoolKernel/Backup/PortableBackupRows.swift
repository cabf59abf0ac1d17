import Foundation

/// One JSON object per row for each table of `StorageSnapshot` (the portable backup's lines after the header),
/// with the SQL schema's column names, and back.
enum PortableBackupRows {
    /// What is wrong with one row (the caller adds the line number).
    struct Problem: Error {
        let text: String
    }

    /// Hands each row of `snapshot` to `emit`, one at a time (a large database is never held twice).
    static func forEachRow(of snapshot: StorageSnapshot, _ emit: ([String: Any]) throws -> Void) rethrows {
        for user in snapshot.users {
            try emit(["table": "Users", "UserId": user.id.rawValue, "Email": user.email, "Username": user.username,
                      "Password": user.passwordHash, "MultiSigAddress": user.multiSigAddress,
                      "MultiSigScript": user.multiSigScript, "PoolPubKeyAddr": user.poolPubKeyAddr,
                      "UserPubKeyAddr": user.userPubKeyAddr, "UserFeeAddr": user.userFeeAddr,
                      "HeightRegistered": user.heightRegistered, "EmailVerified": user.emailVerified.rawValue,
                      "EmailToken": user.emailToken, "APIToken": user.apiToken, "VoteBits": Int(user.voteBits),
                      "VoteBitsVersion": Int(user.voteBitsVersion)])
        }
        for change in snapshot.emailChanges {
            try emit(["table": "EmailChange", "EmailChangeID": change.id, "UserId": change.userId.rawValue,
                      "NewEmail": change.newEmail, "Token": change.token, "Created": change.created,
                      "Expires": change.expires])
        }
        for reset in snapshot.passwordResets {
            try emit(["table": "PasswordReset", "PasswordResetID": reset.id, "UserId": reset.userId.rawValue,
                      "Token": reset.token, "Created": reset.created, "Expires": reset.expires])
        }
        for session in snapshot.sessions {
            try emit(["table": "Sessions", "SessionId": session.id, "UserId": optional(session.userId),
                      "Payload": session.payload.base64EncodedString(), "CreatedAt": session.createdAt,
                      "LastSeenAt": session.lastSeenAt, "ExpiresAt": session.expiresAt])
        }
        for message in snapshot.outbox {
            try emit(["table": "MailOutbox", "OutboxId": message.id, "Recipient": message.to,
                      "Subject": message.subject, "Body": message.body, "MessageId": message.messageID,
                      "Status": message.status.rawValue, "Attempts": message.attempts,
                      "NextAttemptAt": message.nextAttemptAt, "LastError": message.lastError,
                      "CreatedAt": message.createdAt])
        }
        for record in snapshot.voteAudits {
            try emit(["table": "VoteAudit", "AuditId": record.id, "TicketHash": record.ticketHash,
                      "BlockHeight": record.blockHeight, "BlockHash": record.blockHash, "UserId": optional(record.userId),
                      "VoteBits": Int(record.voteBits), "PolicyName": record.policyName, "Reason": record.reason,
                      "Result": record.result.rawValue, "Detail": record.detail,
                      "ReceivedAtMillis": record.receivedAtMillis, "DecisionMicros": record.decisionMicros,
                      "TotalMicros": record.totalMicros])
        }
        for hash in snapshot.lowFeeTickets { try emit(["table": "LowFeeTickets", "TicketHash": hash]) }
        for counter in snapshot.rateCounters {
            try emit(["table": "RateCounters", "CounterKey": counter.key, "WindowStart": counter.windowStart,
                      "Count": counter.count])
        }
        for challenge in snapshot.captchas {
            try emit(["table": "CaptchaChallenges", "ChallengeId": challenge.id, "Answer": challenge.answer,
                      "ExpiresAt": challenge.expiresAt])
        }
        for account in snapshot.closedAccounts {
            try emit(["table": "ClosedAccounts", "UserId": account.userId.rawValue, "ClosedHeight": account.closedHeight,
                      "ClosedAt": account.closedAt, "EmailErased": account.emailErased ? 1 : 0])
        }
        try forEachVspRow(of: snapshot, emit)
    }

    private static func optional(_ id: UserId?) -> Any { id.map { $0.rawValue as Any } ?? NSNull() }

    /// Adds the row `object` to its table in `snapshot`.
    static func add(_ object: [String: Any], to snapshot: inout StorageSnapshot) throws {
        let row = Row(object: object)
        switch try row.text("table") {
        case "Users":
            snapshot.users.append(User(
                id: UserId(try row.int("UserId")), email: try row.text("Email"), username: try row.text("Username"),
                passwordHash: try row.text("Password"), multiSigAddress: try row.text("MultiSigAddress"),
                multiSigScript: try row.text("MultiSigScript"), poolPubKeyAddr: try row.text("PoolPubKeyAddr"),
                userPubKeyAddr: try row.text("UserPubKeyAddr"), userFeeAddr: try row.text("UserFeeAddr"),
                heightRegistered: try row.int("HeightRegistered"),
                emailVerified: EmailVerificationStatus(rawValue: try row.int("EmailVerified")),
                emailToken: try row.text("EmailToken"), apiToken: try row.text("APIToken"),
                voteBits: UInt16(try row.int("VoteBits", in: 0...Int64(UInt16.max))),
                voteBitsVersion: UInt32(try row.int("VoteBitsVersion", in: 0...Int64(UInt32.max)))))
        case "EmailChange":
            snapshot.emailChanges.append(EmailChange(
                id: try row.int("EmailChangeID"), userId: UserId(try row.int("UserId")), newEmail: try row.text("NewEmail"),
                token: try row.text("Token"), created: try row.int("Created"), expires: try row.int("Expires")))
        case "PasswordReset":
            snapshot.passwordResets.append(PasswordReset(
                id: try row.int("PasswordResetID"), userId: UserId(try row.int("UserId")), token: try row.text("Token"),
                created: try row.int("Created"), expires: try row.int("Expires")))
        case "Sessions":
            guard let payload = Data(base64Encoded: try row.text("Payload")) else {
                throw Problem(text: "Sessions.Payload is not base64")
            }
            snapshot.sessions.append(SessionRecord(
                id: try row.text("SessionId"), userId: try row.optionalInt("UserId").map(UserId.init(rawValue:)),
                payload: payload, createdAt: try row.int("CreatedAt"), lastSeenAt: try row.int("LastSeenAt"),
                expiresAt: try row.int("ExpiresAt")))
        case "MailOutbox":
            snapshot.outbox.append(OutboxMessage(
                id: try row.int("OutboxId"), to: try row.text("Recipient"), subject: try row.text("Subject"),
                body: try row.text("Body"), messageID: try row.text("MessageId"),
                status: OutboxMessage.Status(rawValue: try row.text("Status")),
                attempts: Int(try row.int("Attempts", in: 0...Int64(Int32.max))),
                nextAttemptAt: try row.int("NextAttemptAt"), lastError: try row.text("LastError"),
                createdAt: try row.int("CreatedAt")))
        case "VoteAudit":
            snapshot.voteAudits.append(VoteAuditRecord(
                id: try row.int("AuditId"), ticketHash: try row.text("TicketHash"), blockHeight: try row.int("BlockHeight"),
                blockHash: try row.text("BlockHash"), userId: try row.optionalInt("UserId").map(UserId.init(rawValue:)),
                voteBits: UInt16(try row.int("VoteBits", in: 0...Int64(UInt16.max))),
                policyName: try row.text("PolicyName"), reason: try row.text("Reason"),
                result: VoteAuditRecord.Result(rawValue: try row.text("Result")), detail: try row.text("Detail"),
                receivedAtMillis: try row.int("ReceivedAtMillis"), decisionMicros: try row.int("DecisionMicros"),
                totalMicros: try row.int("TotalMicros")))
        case "LowFeeTickets":
            snapshot.lowFeeTickets.append(try row.text("TicketHash"))
        case "RateCounters":
            snapshot.rateCounters.append(StorageSnapshot.RateCounter(
                key: try row.text("CounterKey"), windowStart: try row.int("WindowStart"),
                count: Int(try row.int("Count", in: 0...Int64(Int32.max)))))
        case "CaptchaChallenges":
            snapshot.captchas.append(CaptchaChallenge(id: try row.text("ChallengeId"), answer: try row.text("Answer"),
                                                      expiresAt: try row.int("ExpiresAt")))
        case "ClosedAccounts":
            snapshot.closedAccounts.append(ClosedAccount(
                userId: UserId(try row.int("UserId")), closedHeight: try row.int("ClosedHeight"),
                closedAt: try row.int("ClosedAt"), emailErased: try row.int("EmailErased", in: 0...1) == 1))
        case let table where vspTableNames.contains(table):
            try addVsp(row, to: &snapshot)
        case let table:
            throw Problem(text: "unknown table \(table)")
        }
    }

    /// Typed access to one row's columns, each failure naming the column.
    struct Row {
        let object: [String: Any]
        var table: String { object["table"] as? String ?? "?" }

        func text(_ column: String) throws -> String {
            guard let value = object[column] as? String else { throw Problem(text: "\(table).\(column) is missing or not text") }
            return value
        }

        func int(_ column: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> Int64 {
            guard let value = try optionalInt(column) else { throw Problem(text: "\(table).\(column) is missing") }
            guard range.contains(value) else { throw Problem(text: "\(table).\(column) is out of range") }
            return value
        }

        /// nil for JSON null; an integer (never a fraction or text) otherwise.
        func optionalInt(_ column: String) throws -> Int64? {
            if object[column] is NSNull { return nil }
            guard let number = object[column] as? NSNumber, number.stringValue.allSatisfy({ $0.isNumber || $0 == "-" }) else {
                throw Problem(text: "\(table).\(column) is missing or not an integer")
            }
            return number.int64Value
        }
    }

    // MARK: Dates

    static func isoDate(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func parseISODate(_ text: String) -> Int64? {
        ISO8601DateFormatter().date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}
