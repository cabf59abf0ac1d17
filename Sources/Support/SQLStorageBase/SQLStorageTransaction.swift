import Foundation
import PoolKernel

/// The storage contract over SQL, shared by the SQL plugins: every `StorageReader`/`StorageWriter` operation as
/// parameterised statements on the dcrstakepool tables plus ours. The plugin opens the transaction, hands this to
/// the body over its `SQLExecutor`, then commits or rolls back.
///
/// Column names are dcrstakepool's (`Users.UserId`, `Email`, …), so an existing dcrstakepool database is read as
/// is. NULLs in old rows read as `""`/0.
public final class SQLStorageTransaction: StorageWriter {
    let sql: any SQLExecutor
    let dialect: SQLDialect

    public init(executor: any SQLExecutor, dialect: SQLDialect) {
        self.sql = executor
        self.dialect = dialect
    }

    static let userColumns = """
        UserId, Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, \
        UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits, VoteBitsVersion
        """

    /// The user look-ups as whole statements, built once: they run on every signed-in request, and a statement
    /// text that is not rebuilt each call is also the statement-cache key.
    static let selectUserById = "SELECT \(userColumns) FROM Users WHERE UserId = ?"
    static let selectUserByEmailKey = "SELECT \(userColumns) FROM Users WHERE EmailKey = ?"
    static let selectUserByEmail = "SELECT \(userColumns) FROM Users WHERE Email = ?"
    static let selectUserByEmailToken = "SELECT \(userColumns) FROM Users WHERE EmailToken = ?"
    static let selectUserByAPIToken = "SELECT \(userColumns) FROM Users WHERE APIToken = ?"
    static let selectUsersPage = "SELECT \(userColumns) FROM Users WHERE UserId > ? ORDER BY UserId LIMIT ?"

    private func users(_ statement: String, _ arguments: [SQLValue]) throws -> [User] {
        try sql.query(statement, arguments, map: Self.user(from:))
    }

    static func user(from row: any SQLRow) throws -> User {
        guard row.columnCount == 15 else {
            throw StorageError(.corrupt, "Users row has \(row.columnCount) columns, expected 15")
        }
        return User(id: UserId(row.int64(0)), email: row.string(1), username: row.string(2),
                    passwordHash: row.string(3), multiSigAddress: row.string(4), multiSigScript: row.string(5),
                    poolPubKeyAddr: row.string(6), userPubKeyAddr: row.string(7), userFeeAddr: row.string(8),
                    heightRegistered: row.int64(9), emailVerified: EmailVerificationStatus(rawValue: row.int64(10)),
                    emailToken: row.string(11), apiToken: row.string(12),
                    voteBits: UInt16(truncatingIfNeeded: row.int64(13)),
                    voteBitsVersion: UInt32(truncatingIfNeeded: row.int64(14)))
    }

    func userValues(_ user: User) -> [SQLValue] {
        [.text(user.email), .text(user.username), .blob(Data(user.passwordHash.utf8)), .text(user.multiSigAddress),
         .text(user.multiSigScript), .text(user.poolPubKeyAddr), .text(user.userPubKeyAddr), .text(user.userFeeAddr),
         .integer(user.heightRegistered), .integer(user.emailVerified.rawValue), .text(user.emailToken),
         .text(user.apiToken), .integer(Int64(user.voteBits)), .integer(Int64(user.voteBitsVersion))]
    }

    private func scalar(_ statement: String, _ arguments: [SQLValue] = []) throws -> SQLValue {
        try sql.query(statement, arguments).first?.first ?? .null
    }

    // MARK: Users (reads)

    public func user(id: UserId) throws -> User? {
        try users(Self.selectUserById, [.integer(id.rawValue)]).first
    }

    /// SQLite: the write transaction (`BEGIN IMMEDIATE`) already excludes other writers. MySQL: a locking read, as
    /// InnoDB's plain reads see a snapshot that a concurrent commit does not change (a lost update otherwise).
    public func userForUpdate(id: UserId) throws -> User? {
        try users(Self.selectUserById + dialect.lockForUpdate, [.integer(id.rawValue)]).first
    }

    public func user(email: String) throws -> User? {
        let matches: [User]
        if dialect.usesEmailKeyColumn {
            matches = try users(Self.selectUserByEmailKey, [.text(EmailKey.fold(email))])
        } else {
            // The column collation compares; old databases without the unique index may hold several: lowest id.
            matches = try users(Self.selectUserByEmail, [.text(email)])
        }
        return matches.min { $0.id < $1.id }
    }

    public func user(emailToken: String) throws -> User? {
        guard !emailToken.isEmpty else { return nil }
        // The index finds candidates (case-insensitively on MySQL); tokens then compare exactly.
        return try users(Self.selectUserByEmailToken, [.text(emailToken)])
            .filter { $0.emailToken == emailToken }.min { $0.id < $1.id }
    }

    public func user(apiToken: String) throws -> User? {
        guard !apiToken.isEmpty else { return nil }
        return try users(Self.selectUserByAPIToken, [.text(apiToken)])
            .filter { $0.apiToken == apiToken }.min { $0.id < $1.id }
    }

    public func users(afterId: UserId, limit: Int) throws -> [User] {
        try users(Self.selectUsersPage, [.integer(afterId.rawValue), .integer(Int64(max(0, limit)))])
    }

    public func userCount() throws -> Int { Int(try scalar("SELECT COUNT(*) FROM Users").int64) }

    public func activeUserCount() throws -> Int {
        Int(try scalar("SELECT COUNT(*) FROM Users WHERE MultiSigAddress <> ''").int64)
    }

    public func maxUserId() throws -> UserId? {
        let value = try scalar("SELECT MAX(UserId) FROM Users")
        return value.isNull ? nil : UserId(value.int64)
    }

    public func votingUsers() throws -> [VotingUser] {
        try sql.query("""
            SELECT UserId, MultiSigAddress, VoteBits, VoteBitsVersion FROM Users
            WHERE MultiSigAddress <> '' ORDER BY UserId
            """, []).map {
            VotingUser(userId: UserId($0[0].int64), multiSigAddress: $0[1].string,
                       voteBits: UInt16(truncatingIfNeeded: $0[2].int64),
                       voteBitsVersion: UInt32(truncatingIfNeeded: $0[3].int64))
        }
    }

    public func registeredScripts() throws -> [RegisteredScript] {
        try sql.query("""
            SELECT MultiSigScript, HeightRegistered FROM Users WHERE MultiSigAddress <> '' ORDER BY UserId
            """, []).map { RegisteredScript(multiSigScript: $0[0].string, heightRegistered: $0[1].int64) }
    }

    // MARK: Users (writes)

    public func insertUser(_ user: User) throws -> UserId {
        try StorageLimits.check(user)
        if try self.user(email: user.email) != nil {
            throw StorageError(.duplicate, "a user with this email already exists")
        }
        var columns = "Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, "
            + "UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits, VoteBitsVersion"
        var values = userValues(user)
        if dialect.usesEmailKeyColumn {
            columns += ", EmailKey"
            values.append(.text(EmailKey.fold(user.email)))
        }
        let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
        do {
            let change = try sql.execute("INSERT INTO Users (\(columns)) VALUES (\(placeholders))", values)
            return UserId(change.lastInsertId)
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "a user with this email already exists")
        }
    }

    public func updateUser(_ user: User) throws {
        try StorageLimits.check(user)
        guard let old = try self.user(id: user.id) else { throw StorageError(.notFound, "no user with id \(user.id)") }
        // Folding is costly (Foundation): only when the email text changed (most updates keep it).
        let emailChanged = old.email != user.email
        let newKey = emailChanged ? EmailKey.fold(user.email) : ""
        if emailChanged, EmailKey.fold(old.email) != newKey,
           let other = try self.user(email: user.email), other.id != user.id {
            throw StorageError(.duplicate, "a user with this email already exists")
        }
        var assignments = "Email = ?, Username = ?, Password = ?, MultiSigAddress = ?, MultiSigScript = ?, "
            + "PoolPubKeyAddr = ?, UserPubKeyAddr = ?, UserFeeAddr = ?, HeightRegistered = ?, EmailVerified = ?, "
            + "EmailToken = ?, APIToken = ?, VoteBits = ?, VoteBitsVersion = ?"
        var values = userValues(user)
        if dialect.usesEmailKeyColumn && emailChanged {
            assignments += ", EmailKey = ?"
            values.append(.text(newKey))
        }
        values.append(.integer(user.id.rawValue))
        do {
            try sql.execute("UPDATE Users SET \(assignments) WHERE UserId = ?", values)
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "a user with this email already exists")
        }
    }

    /// Ids per `UPDATE … WHERE UserId IN (…)`: under SQLite's oldest bound-parameter limit (999) and MySQL's packet.
    static let voteBitsChunk = 500

    public func setVoteBits(_ voteBits: UInt16, version: UInt32, userIds: [UserId]) throws {
        let ids = Array(Set(userIds.map(\.rawValue))).sorted()
        for start in stride(from: 0, to: ids.count, by: Self.voteBitsChunk) {
            let chunk = ids[start..<min(ids.count, start + Self.voteBitsChunk)]
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            try sql.execute("UPDATE Users SET VoteBits = ?, VoteBitsVersion = ? WHERE UserId IN (\(placeholders))",
                            [.integer(Int64(voteBits)), .integer(Int64(version))] + chunk.map(SQLValue.integer))
        }
    }

    // MARK: EmailChange / PasswordReset

    public func emailChange(token: String) throws -> EmailChange? {
        guard !token.isEmpty else { return nil }
        return try sql.query("""
            SELECT EmailChangeID, UserId, NewEmail, Token, Created, Expires FROM EmailChange WHERE Token = ?
            ORDER BY EmailChangeID
            """, [.text(token)])
            .map { EmailChange(id: $0[0].int64, userId: UserId($0[1].int64), newEmail: $0[2].string,
                               token: $0[3].string, created: $0[4].int64, expires: $0[5].int64) }
            .first { $0.token == token }
    }

    public func insertEmailChange(_ change: EmailChange) throws -> Int64 {
        try StorageLimits.check(change)
        return try sql.execute("""
            INSERT INTO EmailChange (UserId, NewEmail, Token, Created, Expires) VALUES (?, ?, ?, ?, ?)
            """, [.integer(change.userId.rawValue), .text(change.newEmail), .text(change.token),
                  .integer(change.created), .integer(change.expires)]).lastInsertId
    }

    public func deleteEmailChanges(token: String) throws -> Int {
        guard let match = try emailChange(token: token) else { return 0 }
        return try sql.execute("DELETE FROM EmailChange WHERE Token = ?", [.text(match.token)]).affectedRows
    }

    public func passwordReset(token: String) throws -> PasswordReset? {
        guard !token.isEmpty else { return nil }
        return try sql.query("""
            SELECT PasswordResetID, UserId, Token, Created, Expires FROM PasswordReset WHERE Token = ?
            ORDER BY PasswordResetID
            """, [.text(token)])
            .map { PasswordReset(id: $0[0].int64, userId: UserId($0[1].int64), token: $0[2].string,
                                 created: $0[3].int64, expires: $0[4].int64) }
            .first { $0.token == token }
    }

    public func insertPasswordReset(_ reset: PasswordReset) throws -> Int64 {
        try StorageLimits.check(reset)
        return try sql.execute("""
            INSERT INTO PasswordReset (UserId, Token, Created, Expires) VALUES (?, ?, ?, ?)
            """, [.integer(reset.userId.rawValue), .text(reset.token), .integer(reset.created),
                  .integer(reset.expires)]).lastInsertId
    }

    public func deletePasswordResets(token: String) throws -> Int {
        guard let match = try passwordReset(token: token) else { return 0 }
        return try sql.execute("DELETE FROM PasswordReset WHERE Token = ?", [.text(match.token)]).affectedRows
    }

    public func deletePasswordResets(userId: UserId) throws -> Int {
        try sql.execute("DELETE FROM PasswordReset WHERE UserId = ?", [.integer(userId.rawValue)]).affectedRows
    }

    // MARK: Sessions

    public func session(id: String) throws -> SessionRecord? {
        try sql.query("""
            SELECT SessionId, UserId, Payload, CreatedAt, LastSeenAt, ExpiresAt FROM Sessions WHERE SessionId = ?
            """, [.text(id)]).first.map {
            SessionRecord(id: $0[0].string, userId: $0[1].isNull ? nil : UserId($0[1].int64), payload: $0[2].data,
                          createdAt: $0[3].int64, lastSeenAt: $0[4].int64, expiresAt: $0[5].int64)
        }
    }

    func userIdValue(_ id: UserId?) -> SQLValue { id.map { .integer($0.rawValue) } ?? .null }

    public func insertSession(_ session: SessionRecord) throws {
        try StorageLimits.check(session)
        do {
            try sql.execute("""
                INSERT INTO Sessions (SessionId, UserId, Payload, CreatedAt, LastSeenAt, ExpiresAt)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [.text(session.id), userIdValue(session.userId), .blob(session.payload),
                      .integer(session.createdAt), .integer(session.lastSeenAt), .integer(session.expiresAt)])
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "session id already exists")
        }
    }

    public func updateSession(_ session: SessionRecord) throws {
        try StorageLimits.check(session)
        guard try self.session(id: session.id) != nil else { throw StorageError(.notFound, "no such session") }
        try sql.execute("""
            UPDATE Sessions SET UserId = ?, Payload = ?, LastSeenAt = ?, ExpiresAt = ? WHERE SessionId = ?
            """, [userIdValue(session.userId), .blob(session.payload), .integer(session.lastSeenAt),
                  .integer(session.expiresAt), .text(session.id)])
    }

    public func touchSession(id: String, lastSeenAt: Int64, expiresAt: Int64) throws {
        guard try session(id: id) != nil else { throw StorageError(.notFound, "no such session") }
        try sql.execute("UPDATE Sessions SET LastSeenAt = ?, ExpiresAt = ? WHERE SessionId = ?",
                        [.integer(lastSeenAt), .integer(expiresAt), .text(id)])
    }

    public func deleteSession(id: String) throws -> Bool {
        try sql.execute("DELETE FROM Sessions WHERE SessionId = ?", [.text(id)]).affectedRows > 0
    }

    public func deleteSessions(userId: UserId) throws -> Int {
        try sql.execute("DELETE FROM Sessions WHERE UserId = ?", [.integer(userId.rawValue)]).affectedRows
    }

    public func purgeExpiredSessions(now: Int64) throws -> Int {
        try sql.execute("DELETE FROM Sessions WHERE ExpiresAt <= ?", [.integer(now)]).affectedRows
    }

    // MARK: Outbox

    static let outboxColumns =
        "OutboxId, Recipient, Subject, Body, MessageId, Status, Attempts, NextAttemptAt, LastError, CreatedAt"

    static func message(from row: [SQLValue]) -> OutboxMessage {
        OutboxMessage(id: row[0].int64, to: row[1].string, subject: row[2].string, body: row[3].string,
                      messageID: row[4].string, status: OutboxMessage.Status(rawValue: row[5].string),
                      attempts: Int(row[6].int64), nextAttemptAt: row[7].int64, lastError: row[8].string,
                      createdAt: row[9].int64)
    }

    public func outboxMessage(id: Int64) throws -> OutboxMessage? {
        try sql.query("SELECT \(Self.outboxColumns) FROM MailOutbox WHERE OutboxId = ?", [.integer(id)])
            .first.map(Self.message(from:))
    }

    public func outboxMessages(status: OutboxMessage.Status, limit: Int) throws -> [OutboxMessage] {
        try sql.query("SELECT \(Self.outboxColumns) FROM MailOutbox WHERE Status = ? ORDER BY OutboxId LIMIT ?",
                      [.text(status.rawValue), .integer(Int64(max(0, limit)))]).map(Self.message(from:))
    }

    public func outboxCount(status: OutboxMessage.Status, minAttempts: Int, limit: Int) throws -> Int {
        Int(try scalar("""
            SELECT COUNT(*) FROM (SELECT OutboxId FROM MailOutbox WHERE Status = ? AND Attempts >= ? LIMIT ?) AS Capped
            """, [.text(status.rawValue), .integer(Int64(minAttempts)), .integer(Int64(max(0, limit)))]).int64)
    }

    public func enqueueMail(_ message: OutboxMessage) throws -> Int64 {
        try StorageLimits.check(message)
        do {
            return try sql.execute("""
                INSERT INTO MailOutbox (Recipient, Subject, Body, MessageId, Status, Attempts, NextAttemptAt,
                  LastError, CreatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(message.to), .text(message.subject), .text(message.body), .text(message.messageID),
                      .text(message.status.rawValue), .integer(Int64(message.attempts)),
                      .integer(message.nextAttemptAt), .text(StorageLimits.clipError(message.lastError)),
                      .integer(message.createdAt)]).lastInsertId
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "outbox message id already exists")
        }
    }

    public func claimDueMail(now: Int64, leaseUntil: Int64, limit: Int) throws -> [OutboxMessage] {
        let ids = try sql.query("""
            SELECT OutboxId FROM MailOutbox WHERE Status IN ('queued', 'sending') AND NextAttemptAt <= ?
            ORDER BY NextAttemptAt, OutboxId LIMIT ?\(dialect.lockForUpdate)
            """, [.integer(now), .integer(Int64(max(0, limit)))]).map { $0[0].int64 }
        var claimed: [OutboxMessage] = []
        for id in ids {
            try sql.execute("""
                UPDATE MailOutbox SET Status = 'sending', Attempts = Attempts + 1, NextAttemptAt = ? WHERE OutboxId = ?
                """, [.integer(leaseUntil), .integer(id)])
            if let message = try outboxMessage(id: id) { claimed.append(message) }
        }
        return claimed
    }

    private func changeMail(_ id: Int64, _ assignments: String, _ arguments: [SQLValue]) throws {
        let found = try sql.query("SELECT OutboxId FROM MailOutbox WHERE OutboxId = ?\(dialect.lockForUpdate)",
                                  [.integer(id)])
        guard !found.isEmpty else { throw StorageError(.notFound, "no outbox message \(id)") }
        try sql.execute("UPDATE MailOutbox SET \(assignments) WHERE OutboxId = ?", arguments + [.integer(id)])
    }

    public func markMailDelivered(id: Int64) throws {
        try changeMail(id, "Status = 'delivered'", [])
    }

    public func markMailFailed(id: Int64, error: String) throws {
        try changeMail(id, "Status = 'failed', LastError = ?", [.text(StorageLimits.clipError(error))])
    }

    public func scheduleMailRetry(id: Int64, at: Int64, error: String) throws {
        try changeMail(id, "Status = 'queued', NextAttemptAt = ?, LastError = ?",
                       [.integer(at), .text(StorageLimits.clipError(error))])
    }

    public func purgeFinishedMail(createdBefore: Int64) throws -> Int {
        try sql.execute("DELETE FROM MailOutbox WHERE Status IN ('delivered', 'failed') AND CreatedAt < ?",
                        [.integer(createdBefore)]).affectedRows
    }

    // MARK: Vote audit

    static let auditColumns = """
        AuditId, TicketHash, BlockHeight, BlockHash, UserId, VoteBits, PolicyName, Reason, Result, Detail, \
        ReceivedAtMillis, DecisionMicros, TotalMicros
        """

    static func audit(from row: [SQLValue]) -> VoteAuditRecord {
        VoteAuditRecord(id: row[0].int64, ticketHash: row[1].string, blockHeight: row[2].int64,
                        blockHash: row[3].string, userId: row[4].isNull ? nil : UserId(row[4].int64),
                        voteBits: UInt16(truncatingIfNeeded: row[5].int64), policyName: row[6].string,
                        reason: row[7].string, result: VoteAuditRecord.Result(rawValue: row[8].string),
                        detail: row[9].string, receivedAtMillis: row[10].int64, decisionMicros: row[11].int64,
                        totalMicros: row[12].int64)
    }

    public func appendVoteAudit(_ record: VoteAuditRecord) throws -> Int64 {
        try StorageLimits.check(record)
        return try sql.execute("""
            INSERT INTO VoteAudit (TicketHash, BlockHeight, BlockHash, UserId, VoteBits, PolicyName, Reason, Result,
              Detail, ReceivedAtMillis, DecisionMicros, TotalMicros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(record.ticketHash), .integer(record.blockHeight), .text(record.blockHash),
                  userIdValue(record.userId), .integer(Int64(record.voteBits)), .text(record.policyName),
                  .text(record.reason), .text(record.result.rawValue), .text(record.detail),
                  .integer(record.receivedAtMillis), .integer(record.decisionMicros),
                  .integer(record.totalMicros)]).lastInsertId
    }

    public func purgeVoteAudits(receivedBeforeMillis: Int64) throws -> Int {
        try sql.execute("DELETE FROM VoteAudit WHERE ReceivedAtMillis < ?", [.integer(receivedBeforeMillis)])
            .affectedRows
    }

    public func recentVoteAudits(limit: Int) throws -> [VoteAuditRecord] {
        try sql.query("SELECT \(Self.auditColumns) FROM VoteAudit ORDER BY AuditId DESC LIMIT ?",
                      [.integer(Int64(max(0, limit)))]).map(Self.audit(from:))
    }

    public func voteAudits(ticketHash: String) throws -> [VoteAuditRecord] {
        try sql.query("SELECT \(Self.auditColumns) FROM VoteAudit WHERE TicketHash = ? ORDER BY AuditId",
                      [.text(ticketHash)]).map(Self.audit(from:)).filter { $0.ticketHash == ticketHash }
    }

    // MARK: Low-fee tickets and rate counters

    public func lowFeeTickets() throws -> [String] {
        try sql.query("SELECT TicketHash FROM LowFeeTickets", []).map { $0[0].string }.sorted()
    }

    // The pool's hourly history

    static let historyColumns = "HourStart, LiveTickets, VotedTotal, MissedTotal, Users, ActiveUsers, FeeRevenueAtoms"

    public func historySamples(since: Int64, limit: Int) throws -> [PoolHistorySample] {
        try sql.query("SELECT \(Self.historyColumns) FROM PoolHistory WHERE HourStart >= ? ORDER BY HourStart LIMIT ?",
                      [.integer(since), .integer(Int64(max(0, limit)))]).map {
            PoolHistorySample(hourStart: $0[0].int64, liveTickets: $0[1].int64, votedTotal: $0[2].int64,
                              missedTotal: $0[3].int64, users: $0[4].int64, activeUsers: $0[5].int64,
                              feeRevenueAtoms: $0[6].int64)
        }
    }

    /// Insert-if-absent, then set the figures: portable, and two hosts writing one hour both end in one row.
    public func upsertHistorySample(_ sample: PoolHistorySample) throws {
        try StorageLimits.check(sample)
        try sql.execute("\(dialect.insertIgnore) INTO PoolHistory (\(Self.historyColumns)) VALUES (?, 0, 0, 0, 0, 0, 0)",
                        [.integer(sample.hourStart)])
        try sql.execute("""
            UPDATE PoolHistory SET LiveTickets = ?, VotedTotal = ?, MissedTotal = ?, Users = ?, ActiveUsers = ?,
              FeeRevenueAtoms = ? WHERE HourStart = ?
            """, [.integer(sample.liveTickets), .integer(sample.votedTotal), .integer(sample.missedTotal),
                  .integer(sample.users), .integer(sample.activeUsers), .integer(sample.feeRevenueAtoms),
                  .integer(sample.hourStart)])
    }

    public func purgeHistorySamples(before: Int64) throws -> Int {
        try sql.execute("DELETE FROM PoolHistory WHERE HourStart < ?", [.integer(before)]).affectedRows
    }

    public func addLowFeeTicket(hash: String) throws -> Bool {
        try StorageLimits.checkTicketHash(hash)
        return try sql.execute("\(dialect.insertIgnore) INTO LowFeeTickets (TicketHash) VALUES (?)",
                               [.text(hash)]).affectedRows > 0
    }

    public func removeLowFeeTicket(hash: String) throws -> Bool {
        try sql.execute("DELETE FROM LowFeeTickets WHERE TicketHash = ?", [.text(hash)]).affectedRows > 0
    }

    public func rateCount(key: String, windowStart: Int64) throws -> Int {
        Int(try scalar("SELECT Count FROM RateCounters WHERE CounterKey = ? AND WindowStart = ?",
                       [.text(key), .integer(windowStart)]).int64)
    }

    public func incrementRateCount(key: String, windowStart: Int64) throws -> Int {
        try StorageLimits.checkRateKey(key)
        try sql.execute(dialect.rateCountUpsert, [.text(key), .integer(windowStart)])
        return try rateCount(key: key, windowStart: windowStart)
    }

    public func incrementRateCount(key: String, windowStart: Int64, limit: Int) throws -> Bool {
        try StorageLimits.checkRateKey(key)
        guard limit > 0 else { return false }
        return try sql.execute(dialect.rateCountTake, [.text(key), .integer(windowStart), .integer(Int64(limit))])
            .affectedRows > 0
    }

    public func releaseRateCount(key: String, windowStart: Int64) throws {
        try sql.execute("UPDATE RateCounters SET Count = Count - 1 WHERE CounterKey = ? AND WindowStart = ? AND Count > 0",
                        [.text(key), .integer(windowStart)])
    }

    public func purgeRateCounts(before windowStart: Int64) throws -> Int {
        try sql.execute("DELETE FROM RateCounters WHERE WindowStart < ?", [.integer(windowStart)]).affectedRows
    }

    // MARK: Captcha challenges

    public func captcha(id: String) throws -> CaptchaChallenge? {
        guard !id.isEmpty else { return nil }
        return try captchas("SELECT ChallengeId, Answer, ExpiresAt FROM CaptchaChallenges WHERE ChallengeId = ?", id)
    }

    private func captchas(_ statement: String, _ id: String) throws -> CaptchaChallenge? {
        try sql.query(statement, [.text(id)])
            .map { CaptchaChallenge(id: $0[0].string, answer: $0[1].string, expiresAt: $0[2].int64) }
            .first { $0.id == id }
    }

    public func insertCaptcha(_ challenge: CaptchaChallenge) throws {
        try StorageLimits.check(challenge)
        try sql.execute("INSERT INTO CaptchaChallenges (ChallengeId, Answer, ExpiresAt) VALUES (?, ?, ?)",
                        [.text(challenge.id), .text(challenge.answer), .integer(challenge.expiresAt)])
    }

    public func consumeCaptcha(id: String, now: Int64) throws -> CaptchaChallenge? {
        guard !id.isEmpty, let challenge = try captchas("""
            SELECT ChallengeId, Answer, ExpiresAt FROM CaptchaChallenges WHERE ChallengeId = ?\(dialect.lockForUpdate)
            """, id) else { return nil }
        // The delete's count decides: of parallel consumers only the one whose delete removed the row wins.
        let deleted = try sql.execute("DELETE FROM CaptchaChallenges WHERE ChallengeId = ?", [.text(id)]).affectedRows
        guard deleted > 0, !challenge.isExpired(now: now) else { return nil }
        return challenge
    }

    public func purgeExpiredCaptchas(now: Int64) throws -> Int {
        try sql.execute("DELETE FROM CaptchaChallenges WHERE ExpiresAt <= ?", [.integer(now)]).affectedRows
    }

    // MARK: Closed accounts

    static let closedAccountColumns = "UserId, ClosedHeight, ClosedAt, EmailErased"

    private func closedAccounts(_ statement: String, _ arguments: [SQLValue]) throws -> [ClosedAccount] {
        try sql.query(statement, arguments).map {
            ClosedAccount(userId: UserId($0[0].int64), closedHeight: $0[1].int64, closedAt: $0[2].int64,
                          emailErased: $0[3].int64 != 0)
        }
    }

    public func closedAccount(userId: UserId) throws -> ClosedAccount? {
        try closedAccounts("SELECT \(Self.closedAccountColumns) FROM ClosedAccounts WHERE UserId = ?",
                           [.integer(userId.rawValue)]).first
    }

    public func closedAccountsAwaitingErasure(maxClosedHeight: Int64) throws -> [ClosedAccount] {
        try closedAccounts("""
            SELECT \(Self.closedAccountColumns) FROM ClosedAccounts WHERE EmailErased = 0 AND ClosedHeight <= ? \
            ORDER BY UserId
            """, [.integer(maxClosedHeight)])
    }

    public func insertClosedAccount(_ account: ClosedAccount) throws {
        guard try user(id: account.userId) != nil else {
            throw StorageError(.notFound, "no user with id \(account.userId)")
        }
        do {
            try sql.execute("INSERT INTO ClosedAccounts (\(Self.closedAccountColumns)) VALUES (?, ?, ?, ?)",
                            [.integer(account.userId.rawValue), .integer(account.closedHeight),
                             .integer(account.closedAt), .integer(account.emailErased ? 1 : 0)])
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "the account of user \(account.userId) is already closed")
        }
    }

    public func markClosedAccountEmailErased(userId: UserId) throws {
        // Compared by row, not by affected count: MySQL counts an update to the same value as 0 rows.
        guard try closedAccount(userId: userId) != nil else {
            throw StorageError(.notFound, "user \(userId) has no closed account")
        }
        try sql.execute("UPDATE ClosedAccounts SET EmailErased = 1 WHERE UserId = ?", [.integer(userId.rawValue)])
    }
}
