import Foundation

/// The limits every storage engine enforces before writing, so all engines accept and reject the same values.
///
/// Strings are measured in Unicode scalars (MySQL counts characters in `varchar(255)`). NUL characters are rejected
/// everywhere: C APIs and old readers of the database truncate at them.
public enum StorageLimits {
    /// `varchar(255)` columns (emails, addresses, tokens, hashes, names).
    public static let shortText = 255
    /// Vote audit reason/detail.
    public static let longText = 4_000
    /// Outbox mail bodies, in UTF-8 bytes.
    public static let mailBodyBytes = 1 << 20
    /// Session payloads, in bytes.
    public static let sessionPayloadBytes = 64 << 10
    /// Session ids.
    public static let sessionIdLength = 128
    /// Captcha challenge ids and answers.
    public static let captchaText = 64
    /// Outbox `lastError`: longer errors are cut to this many scalars (never rejected).
    public static let errorText = 1_000

    /// Throws `invalid-input` naming `field` unless `value` has at most `maxScalars` scalars and no NUL.
    public static func checkText(_ value: String, field: String, maxScalars: Int = shortText) throws {
        var count = 0
        for scalar in value.unicodeScalars {
            if scalar.value == 0 { throw StorageError(.invalidInput, "\(field) contains a NUL character") }
            count += 1
            if count > maxScalars {
                throw StorageError(.invalidInput, "\(field) is longer than \(maxScalars) characters")
            }
        }
    }

    /// `value` without NULs, cut to `errorText` scalars: for error texts, which are stored, never rejected.
    public static func clipError(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where scalar.value != 0 {
            if scalars.count >= errorText { break }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// Checks every text column of a user row.
    public static func check(_ user: User) throws {
        try checkText(user.email, field: "Users.Email")
        try checkText(user.username, field: "Users.Username")
        try checkText(user.passwordHash, field: "Users.Password")
        try checkText(user.multiSigAddress, field: "Users.MultiSigAddress")
        try checkText(user.multiSigScript, field: "Users.MultiSigScript")
        try checkText(user.poolPubKeyAddr, field: "Users.PoolPubKeyAddr")
        try checkText(user.userPubKeyAddr, field: "Users.UserPubKeyAddr")
        try checkText(user.userFeeAddr, field: "Users.UserFeeAddr")
        try checkText(user.emailToken, field: "Users.EmailToken")
        try checkText(user.apiToken, field: "Users.APIToken")
    }

    public static func check(_ change: EmailChange) throws {
        try checkText(change.newEmail, field: "EmailChange.NewEmail")
        try checkText(change.token, field: "EmailChange.Token")
    }

    public static func check(_ reset: PasswordReset) throws {
        try checkText(reset.token, field: "PasswordReset.Token")
    }

    public static func check(_ session: SessionRecord) throws {
        try checkSessionId(session.id)
        if session.payload.count > sessionPayloadBytes {
            throw StorageError(.invalidInput, "session payload is larger than \(sessionPayloadBytes) bytes")
        }
    }

    public static func checkSessionId(_ id: String) throws {
        if id.isEmpty { throw StorageError(.invalidInput, "session id is empty") }
        try checkText(id, field: "session id", maxScalars: sessionIdLength)
    }

    public static func check(_ message: OutboxMessage) throws {
        try checkText(message.to, field: "outbox recipient")
        try checkText(message.subject, field: "outbox subject")
        try checkText(message.messageID, field: "outbox message id")
        if message.messageID.isEmpty { throw StorageError(.invalidInput, "outbox message id is empty") }
        if message.body.utf8.count > mailBodyBytes {
            throw StorageError(.invalidInput, "outbox body is larger than \(mailBodyBytes) bytes")
        }
        try checkText(message.body, field: "outbox body", maxScalars: mailBodyBytes)
        if message.attempts < 0 { throw StorageError(.invalidInput, "outbox attempts is negative") }
    }

    public static func check(_ record: VoteAuditRecord) throws {
        try checkText(record.ticketHash, field: "vote audit ticket hash")
        try checkText(record.blockHash, field: "vote audit block hash")
        try checkText(record.policyName, field: "vote audit policy name")
        try checkText(record.result.rawValue, field: "vote audit result")
        try checkText(record.reason, field: "vote audit reason", maxScalars: longText)
        try checkText(record.detail, field: "vote audit detail", maxScalars: longText)
    }

    public static func checkTicketHash(_ hash: String) throws {
        if hash.isEmpty { throw StorageError(.invalidInput, "ticket hash is empty") }
        try checkText(hash, field: "ticket hash")
    }

    public static func checkRateKey(_ key: String) throws {
        if key.isEmpty { throw StorageError(.invalidInput, "rate counter key is empty") }
        try checkText(key, field: "rate counter key")
    }

    public static func check(_ challenge: CaptchaChallenge) throws {
        if challenge.id.isEmpty { throw StorageError(.invalidInput, "captcha id is empty") }
        try checkText(challenge.id, field: "captcha id", maxScalars: captchaText)
        try checkText(challenge.answer, field: "captcha answer", maxScalars: captchaText)
    }

    public static func check(_ sample: PoolHistorySample) throws {
        if sample.hourStart % PoolHistorySample.secondsPerHour != 0 {
            throw StorageError(.invalidInput, "history hour \(sample.hourStart) is not the start of an hour")
        }
        let figures = [sample.liveTickets, sample.votedTotal, sample.missedTotal, sample.users, sample.activeUsers,
                       sample.feeRevenueAtoms]
        if figures.contains(where: { $0 < 0 }) { throw StorageError(.invalidInput, "history figures must not be negative") }
    }
}
