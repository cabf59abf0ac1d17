import Foundation
import PoolKernel
import Synchronization

/// A `StorageBackend` in memory, for tests of everything above storage. It follows the whole storage contract
/// (`StorageConformanceTests` runs against it): transactions roll back on throw, unique emails under `EmailKey`,
/// the same validation as the real engines.
///
/// Writes are serialized by one lock; reads work on a copy-on-write snapshot. `failNext(_:with:)` makes the next
/// calls fail, to test how callers handle a broken database.
public final class InMemoryStorage: StorageBackend {
    public let engineName = "memory"
    /// The schema version the in-memory store reports after `migrate()`.
    public static let schemaVersion = 1

    private let tables: Mutex<MemoryTables>
    private let faults = Mutex<(remaining: Int, error: StorageError?)>((0, nil))
    private let writes = Atomic<Int>(0)

    /// How many `write` transactions ran their body so far (committed or rolled back), for tests that check how
    /// many storage round trips a step takes.
    public var writeTransactions: Int { writes.load(ordering: .relaxed) }

    /// A store; already migrated unless `migrated` is false (then calls before `migrate()` throw
    /// `schema-missing`, like the real engines on an empty database).
    public init(migrated: Bool = true) {
        var initial = MemoryTables()
        initial.schemaVersion = migrated ? Self.schemaVersion : 0
        tables = Mutex(initial)
    }

    /// Makes the next `count` calls to `read`/`write`/`migrate` throw `error` (without running their body).
    public func failNext(_ count: Int = 1, with error: StorageError = StorageError(.unavailable, "injected failure")) {
        faults.withLock { $0 = (count, error) }
    }

    private func injectedFault() -> StorageError? {
        faults.withLock { fault in
            guard fault.remaining > 0, let error = fault.error else { return nil }
            fault.remaining -= 1
            return error
        }
    }

    public func migrate() async throws {
        if let fault = injectedFault() { throw fault }
        try tables.withLock { tables in
            if tables.closed { throw StorageError(.closed, "storage was shut down") }
            if tables.schemaVersion > Self.schemaVersion {
                throw StorageError(.schemaTooNew, "schema version \(tables.schemaVersion) is newer than this binary knows (\(Self.schemaVersion))")
            }
            tables.schemaVersion = Self.schemaVersion
        }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        let current = tables.withLock { $0.schemaVersion }
        let pending = current < Self.schemaVersion ? [SchemaStatus.Migration(version: 1, name: "in-memory tables")] : []
        return SchemaStatus(currentVersion: current, latestVersion: Self.schemaVersion, pending: pending,
                            engine: "memory")
    }

    /// Test hook: pretends a newer binary migrated this store.
    public func setSchemaVersionForTesting(_ version: Int) {
        tables.withLock { $0.schemaVersion = version }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageReader) throws -> T) async throws -> T {
        if let fault = injectedFault() { throw fault }
        let snapshot = try tables.withLock { tables in
            try tables.checkUsable()
            return tables
        }
        return try body(MemoryTransaction(snapshot))
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> T) async throws -> T {
        if let fault = injectedFault() { throw fault }
        return try tables.withLock { tables in
            try tables.checkUsable()
            writes.add(1, ordering: .relaxed)
            // Move the tables into the transaction so that its mutations do not copy them (unique reference).
            var taken = MemoryTables()
            swap(&taken, &tables)
            let transaction = MemoryTransaction(consume taken)
            defer { swap(&tables, &transaction.tables) }
            do {
                return try body(transaction)
            } catch {
                transaction.rollback()
                throw error
            }
        }
    }

    public func shutdown() async {
        tables.withLock { $0.closed = true }
    }
}

/// The whole in-memory database.
struct MemoryTables: Sendable {
    var schemaVersion = 0
    var closed = false
    var users: [Int64: User] = [:]
    var emailIndex: [String: Int64] = [:]
    var nextUserId: Int64 = 1
    var emailChanges: [Int64: EmailChange] = [:]
    var nextEmailChangeId: Int64 = 1
    var passwordResets: [Int64: PasswordReset] = [:]
    var nextPasswordResetId: Int64 = 1
    var sessions: [String: SessionRecord] = [:]
    var outbox: [Int64: OutboxMessage] = [:]
    var outboxMessageIDs: [String: Int64] = [:]
    var nextOutboxId: Int64 = 1
    var voteAudits: [Int64: VoteAuditRecord] = [:]
    var nextVoteAuditId: Int64 = 1
    var lowFeeTickets: [String: Bool] = [:]
    var rateCounts: [String: RateCount] = [:]
    var captchas: [String: CaptchaChallenge] = [:]
    var closedAccounts: [Int64: ClosedAccount] = [:]
    // The vspd per-ticket model
    var vspTickets: [String: VspTicket] = [:]
    /// Per ticket, ascending by sequence.
    var vspVoteChanges: [String: [VspVoteChange]] = [:]
    var vspAltSignAddresses: [String: VspAltSignAddress] = [:]
    var vspFeeXPubs: [Int64: VspFeeXPub] = [:]
    /// vspblocks: the outcome scan's last height (not part of a snapshot: a restore starts the scan again).
    var vspOutcomeScanHeight: Int64 = 0
    var history: [Int64: PoolHistorySample] = [:]

    struct RateCount: Sendable {
        var windowStart: Int64
        var count: Int
    }

    func checkUsable() throws {
        if closed { throw StorageError(.closed, "storage was shut down") }
        if schemaVersion == 0 { throw StorageError(.schemaMissing, "storage is not migrated") }
        if schemaVersion > InMemoryStorage.schemaVersion {
            throw StorageError(.schemaTooNew, "schema version \(schemaVersion) is newer than this binary knows")
        }
    }
}

/// One transaction: reads and writes `tables` directly and records how to undo each change.
final class MemoryTransaction: StorageWriter {
    var tables: MemoryTables
    private var undoLog: [(inout MemoryTables) -> Void] = []

    init(_ tables: consuming MemoryTables) { self.tables = tables }

    func rollback() {
        for undo in undoLog.reversed() { undo(&tables) }
        undoLog.removeAll()
    }

    /// Changes one entry and records how to restore it. Explicit accessors (not key paths) keep the mutation
    /// in place, so a write never copies a table.
    func change<Value>(_ get: (MemoryTables) -> Value?, _ put: @escaping (inout MemoryTables, Value?) -> Void,
                               _ value: Value?) {
        let old = get(tables)
        undoLog.append { put(&$0, old) }
        put(&tables, value)
    }

    private func nextId(_ counter: WritableKeyPath<MemoryTables, Int64>) -> Int64 {
        let id = tables[keyPath: counter]
        undoLog.append { $0[keyPath: counter] = id }
        tables[keyPath: counter] = id + 1
        return id
    }

    // MARK: Reads

    func user(id: UserId) throws -> User? { tables.users[id.rawValue] }
    /// Write transactions run one at a time here: the plain read is already safe to change.
    func userForUpdate(id: UserId) throws -> User? { try user(id: id) }

    func user(email: String) throws -> User? {
        tables.emailIndex[EmailKey.fold(email)].flatMap { tables.users[$0] }
    }

    func user(emailToken: String) throws -> User? {
        guard !emailToken.isEmpty else { return nil }
        return tables.users.values.filter { $0.emailToken == emailToken }.min { $0.id < $1.id }
    }

    func user(apiToken: String) throws -> User? {
        guard !apiToken.isEmpty else { return nil }
        return tables.users.values.filter { $0.apiToken == apiToken }.min { $0.id < $1.id }
    }

    func users(afterId: UserId, limit: Int) throws -> [User] {
        Array(tables.users.values.filter { $0.id > afterId }.sorted { $0.id < $1.id }.prefix(max(0, limit)))
    }

    func userCount() throws -> Int { tables.users.count }
    func activeUserCount() throws -> Int { tables.users.values.count { $0.isActive } }
    func maxUserId() throws -> UserId? { tables.users.keys.max().map(UserId.init(rawValue:)) }

    private var activeUsers: [User] { tables.users.values.filter(\.isActive).sorted { $0.id < $1.id } }

    func votingUsers() throws -> [VotingUser] {
        activeUsers.map {
            VotingUser(userId: $0.id, multiSigAddress: $0.multiSigAddress, voteBits: $0.voteBits,
                       voteBitsVersion: $0.voteBitsVersion)
        }
    }

    func registeredScripts() throws -> [RegisteredScript] {
        activeUsers.map { RegisteredScript(multiSigScript: $0.multiSigScript, heightRegistered: $0.heightRegistered) }
    }

    func emailChange(token: String) throws -> EmailChange? {
        guard !token.isEmpty else { return nil }
        return tables.emailChanges.values.filter { $0.token == token }.min { $0.id < $1.id }
    }

    func passwordReset(token: String) throws -> PasswordReset? {
        guard !token.isEmpty else { return nil }
        return tables.passwordResets.values.filter { $0.token == token }.min { $0.id < $1.id }
    }

    func session(id: String) throws -> SessionRecord? { tables.sessions[id] }

    func outboxMessage(id: Int64) throws -> OutboxMessage? { tables.outbox[id] }

    func outboxMessages(status: OutboxMessage.Status, limit: Int) throws -> [OutboxMessage] {
        Array(tables.outbox.values.filter { $0.status == status }.sorted { $0.id < $1.id }.prefix(max(0, limit)))
    }

    func outboxCount(status: OutboxMessage.Status, minAttempts: Int, limit: Int) throws -> Int {
        min(max(0, limit), tables.outbox.values.count { $0.status == status && $0.attempts >= minAttempts })
    }

    func recentVoteAudits(limit: Int) throws -> [VoteAuditRecord] {
        Array(tables.voteAudits.values.sorted { $0.id > $1.id }.prefix(max(0, limit)))
    }

    func voteAudits(ticketHash: String) throws -> [VoteAuditRecord] {
        tables.voteAudits.values.filter { $0.ticketHash == ticketHash }.sorted { $0.id < $1.id }
    }

    func lowFeeTickets() throws -> [String] { tables.lowFeeTickets.keys.sorted() }

    func historySamples(since: Int64, limit: Int) throws -> [PoolHistorySample] {
        Array(tables.history.values.filter { $0.hourStart >= since }.sorted { $0.hourStart < $1.hourStart }.prefix(max(0, limit)))
    }

    func rateCount(key: String, windowStart: Int64) throws -> Int {
        guard let entry = tables.rateCounts[key], entry.windowStart == windowStart else { return 0 }
        return entry.count
    }

    func captcha(id: String) throws -> CaptchaChallenge? { id.isEmpty ? nil : tables.captchas[id] }

    // MARK: Writes

    func insertUser(_ user: User) throws -> UserId {
        try StorageLimits.check(user)
        let key = EmailKey.fold(user.email)
        if tables.emailIndex[key] != nil { throw StorageError(.duplicate, "a user with this email already exists") }
        let id = nextId(\.nextUserId)
        var stored = user
        stored.id = UserId(id)
        change({ $0.users[id] }, { $0.users[id] = $1 }, stored)
        change({ $0.emailIndex[key] }, { $0.emailIndex[key] = $1 }, id)
        return stored.id
    }

    func setVoteBits(_ voteBits: UInt16, version: UInt32, userIds: [UserId]) throws {
        for id in Set(userIds) {
            guard var user = tables.users[id.rawValue] else { continue }
            user.voteBits = voteBits
            user.voteBitsVersion = version
            change({ $0.users[id.rawValue] }, { $0.users[id.rawValue] = $1 }, user)
        }
    }

    func updateUser(_ user: User) throws {
        try StorageLimits.check(user)
        guard let old = tables.users[user.id.rawValue] else {
            throw StorageError(.notFound, "no user with id \(user.id)")
        }
        let oldKey = EmailKey.fold(old.email)
        let newKey = EmailKey.fold(user.email)
        if oldKey != newKey {
            if tables.emailIndex[newKey] != nil {
                throw StorageError(.duplicate, "a user with this email already exists")
            }
            change({ $0.emailIndex[oldKey] }, { $0.emailIndex[oldKey] = $1 }, nil)
            change({ $0.emailIndex[newKey] }, { $0.emailIndex[newKey] = $1 }, user.id.rawValue)
        }
        change({ $0.users[user.id.rawValue] }, { $0.users[user.id.rawValue] = $1 }, user)
    }

    func insertEmailChange(_ change: EmailChange) throws -> Int64 {
        try StorageLimits.check(change)
        let id = nextId(\.nextEmailChangeId)
        var stored = change
        stored.id = id
        self.change({ $0.emailChanges[id] }, { $0.emailChanges[id] = $1 }, stored)
        return id
    }

    func deleteEmailChanges(token: String) throws -> Int {
        let ids = tables.emailChanges.values.filter { $0.token == token }.map(\.id)
        for id in ids { change({ $0.emailChanges[id] }, { $0.emailChanges[id] = $1 }, nil) }
        return ids.count
    }

    func insertPasswordReset(_ reset: PasswordReset) throws -> Int64 {
        try StorageLimits.check(reset)
        let id = nextId(\.nextPasswordResetId)
        var stored = reset
        stored.id = id
        change({ $0.passwordResets[id] }, { $0.passwordResets[id] = $1 }, stored)
        return id
    }

    func deletePasswordResets(token: String) throws -> Int {
        let ids = tables.passwordResets.values.filter { $0.token == token }.map(\.id)
        for id in ids { change({ $0.passwordResets[id] }, { $0.passwordResets[id] = $1 }, nil) }
        return ids.count
    }

    func insertSession(_ session: SessionRecord) throws {
        try StorageLimits.check(session)
        if tables.sessions[session.id] != nil { throw StorageError(.duplicate, "session id already exists") }
        change({ $0.sessions[session.id] }, { $0.sessions[session.id] = $1 }, session)
    }

    func updateSession(_ session: SessionRecord) throws {
        try StorageLimits.check(session)
        guard let old = tables.sessions[session.id] else { throw StorageError(.notFound, "no such session") }
        var stored = session
        stored.createdAt = old.createdAt
        change({ $0.sessions[session.id] }, { $0.sessions[session.id] = $1 }, stored)
    }

    func touchSession(id: String, lastSeenAt: Int64, expiresAt: Int64) throws {
        guard var session = tables.sessions[id] else { throw StorageError(.notFound, "no such session") }
        session.lastSeenAt = lastSeenAt
        session.expiresAt = expiresAt
        change({ $0.sessions[id] }, { $0.sessions[id] = $1 }, session)
    }

    func deleteSession(id: String) throws -> Bool {
        guard tables.sessions[id] != nil else { return false }
        change({ $0.sessions[id] }, { $0.sessions[id] = $1 }, nil)
        return true
    }

    func deleteSessions(userId: UserId) throws -> Int {
        let ids = tables.sessions.values.filter { $0.userId == userId }.map(\.id)
        for id in ids { change({ $0.sessions[id] }, { $0.sessions[id] = $1 }, nil) }
        return ids.count
    }

    func purgeExpiredSessions(now: Int64) throws -> Int {
        let ids = tables.sessions.values.filter { $0.isExpired(now: now) }.map(\.id)
        for id in ids { change({ $0.sessions[id] }, { $0.sessions[id] = $1 }, nil) }
        return ids.count
    }

    func enqueueMail(_ message: OutboxMessage) throws -> Int64 {
        try StorageLimits.check(message)
        if tables.outboxMessageIDs[message.messageID] != nil {
            throw StorageError(.duplicate, "outbox message id already exists")
        }
        let id = nextId(\.nextOutboxId)
        var stored = message
        stored.id = id
        stored.lastError = StorageLimits.clipError(message.lastError)
        change({ $0.outbox[id] }, { $0.outbox[id] = $1 }, stored)
        change({ $0.outboxMessageIDs[message.messageID] }, { $0.outboxMessageIDs[message.messageID] = $1 }, id)
        return id
    }

    func claimDueMail(now: Int64, leaseUntil: Int64, limit: Int) throws -> [OutboxMessage] {
        let due = tables.outbox.values
            .filter { ($0.status == .queued || $0.status == .sending) && $0.nextAttemptAt <= now }
            .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
            .prefix(max(0, limit))
        return due.map { message in
            var claimed = message
            claimed.status = .sending
            claimed.attempts += 1
            claimed.nextAttemptAt = leaseUntil
            change({ $0.outbox[claimed.id] }, { $0.outbox[claimed.id] = $1 }, claimed)
            return claimed
        }
    }

    private func changeMail(_ id: Int64, _ update: (inout OutboxMessage) -> Void) throws {
        guard var message = tables.outbox[id] else { throw StorageError(.notFound, "no outbox message \(id)") }
        update(&message)
        change({ $0.outbox[id] }, { $0.outbox[id] = $1 }, message)
    }

    func markMailDelivered(id: Int64) throws {
        try changeMail(id) { $0.status = .delivered }
    }

    func markMailFailed(id: Int64, error: String) throws {
        try changeMail(id) {
            $0.status = .failed
            $0.lastError = StorageLimits.clipError(error)
        }
    }

    func scheduleMailRetry(id: Int64, at: Int64, error: String) throws {
        try changeMail(id) {
            $0.status = .queued
            $0.nextAttemptAt = at
            $0.lastError = StorageLimits.clipError(error)
        }
    }

    func purgeFinishedMail(createdBefore: Int64) throws -> Int {
        let purged = tables.outbox.values.filter {
            ($0.status == .delivered || $0.status == .failed) && $0.createdAt < createdBefore
        }
        for message in purged {
            change({ $0.outbox[message.id] }, { $0.outbox[message.id] = $1 }, nil)
            change({ $0.outboxMessageIDs[message.messageID] }, { $0.outboxMessageIDs[message.messageID] = $1 }, nil)
        }
        return purged.count
    }

    func purgeVoteAudits(receivedBeforeMillis: Int64) throws -> Int {
        let ids = tables.voteAudits.values.filter { $0.receivedAtMillis < receivedBeforeMillis }.map(\.id)
        for id in ids { change({ $0.voteAudits[id] }, { $0.voteAudits[id] = $1 }, nil) }
        return ids.count
    }

    func appendVoteAudit(_ record: VoteAuditRecord) throws -> Int64 {
        try StorageLimits.check(record)
        let id = nextId(\.nextVoteAuditId)
        var stored = record
        stored.id = id
        change({ $0.voteAudits[id] }, { $0.voteAudits[id] = $1 }, stored)
        return id
    }

    func upsertHistorySample(_ sample: PoolHistorySample) throws {
        try StorageLimits.check(sample)
        change({ $0.history[sample.hourStart] }, { $0.history[sample.hourStart] = $1 }, sample)
    }

    func purgeHistorySamples(before: Int64) throws -> Int {
        let hours = tables.history.keys.filter { $0 < before }
        for hour in hours { change({ $0.history[hour] }, { $0.history[hour] = $1 }, nil) }
        return hours.count
    }

    func addLowFeeTicket(hash: String) throws -> Bool {
        try StorageLimits.checkTicketHash(hash)
        guard tables.lowFeeTickets[hash] == nil else { return false }
        change({ $0.lowFeeTickets[hash] }, { $0.lowFeeTickets[hash] = $1 }, true)
        return true
    }

    func removeLowFeeTicket(hash: String) throws -> Bool {
        guard tables.lowFeeTickets[hash] != nil else { return false }
        change({ $0.lowFeeTickets[hash] }, { $0.lowFeeTickets[hash] = $1 }, nil)
        return true
    }

    func incrementRateCount(key: String, windowStart: Int64) throws -> Int {
        try StorageLimits.checkRateKey(key)
        var entry = tables.rateCounts[key] ?? MemoryTables.RateCount(windowStart: windowStart, count: 0)
        if entry.windowStart != windowStart { entry = MemoryTables.RateCount(windowStart: windowStart, count: 0) }
        entry.count += 1
        change({ $0.rateCounts[key] }, { $0.rateCounts[key] = $1 }, entry)
        return entry.count
    }

    func incrementRateCount(key: String, windowStart: Int64, limit: Int) throws -> Bool {
        try StorageLimits.checkRateKey(key)
        guard limit > 0 else { return false }
        var entry = tables.rateCounts[key] ?? MemoryTables.RateCount(windowStart: windowStart, count: 0)
        if entry.windowStart != windowStart { entry = MemoryTables.RateCount(windowStart: windowStart, count: 0) }
        guard entry.count < limit else { return false }
        entry.count += 1
        change({ $0.rateCounts[key] }, { $0.rateCounts[key] = $1 }, entry)
        return true
    }

    func releaseRateCount(key: String, windowStart: Int64) throws {
        guard var entry = tables.rateCounts[key], entry.windowStart == windowStart, entry.count > 0 else { return }
        entry.count -= 1
        change({ $0.rateCounts[key] }, { $0.rateCounts[key] = $1 }, entry)
    }

    func deletePasswordResets(userId: UserId) throws -> Int {
        let ids = tables.passwordResets.values.filter { $0.userId == userId }.map(\.id)
        for id in ids { change({ $0.passwordResets[id] }, { $0.passwordResets[id] = $1 }, nil) }
        return ids.count
    }

    func insertCaptcha(_ challenge: CaptchaChallenge) throws {
        try StorageLimits.check(challenge)
        if tables.captchas[challenge.id] != nil { throw StorageError(.duplicate, "a captcha with this id exists") }
        change({ $0.captchas[challenge.id] }, { $0.captchas[challenge.id] = $1 }, challenge)
    }

    func consumeCaptcha(id: String, now: Int64) throws -> CaptchaChallenge? {
        guard !id.isEmpty, let challenge = tables.captchas[id] else { return nil }
        change({ $0.captchas[id] }, { $0.captchas[id] = $1 }, nil)
        return challenge.isExpired(now: now) ? nil : challenge
    }

    func purgeExpiredCaptchas(now: Int64) throws -> Int {
        let ids = tables.captchas.values.filter { $0.isExpired(now: now) }.map(\.id)
        for id in ids { change({ $0.captchas[id] }, { $0.captchas[id] = $1 }, nil) }
        return ids.count
    }

    func purgeRateCounts(before windowStart: Int64) throws -> Int {
        let keys = tables.rateCounts.filter { $0.value.windowStart < windowStart }.map(\.key)
        for key in keys { change({ $0.rateCounts[key] }, { $0.rateCounts[key] = $1 }, nil) }
        return keys.count
    }

    // Closed accounts

    func closedAccount(userId: UserId) throws -> ClosedAccount? { tables.closedAccounts[userId.rawValue] }

    func closedAccountsAwaitingErasure(maxClosedHeight: Int64) throws -> [ClosedAccount] {
        tables.closedAccounts.values.filter { !$0.emailErased && $0.closedHeight <= maxClosedHeight }
            .sorted { $0.userId < $1.userId }
    }

    func insertClosedAccount(_ account: ClosedAccount) throws {
        let id = account.userId.rawValue
        guard tables.users[id] != nil else { throw StorageError(.notFound, "no user with id \(account.userId)") }
        if tables.closedAccounts[id] != nil { throw StorageError(.duplicate, "the account is already closed") }
        change({ $0.closedAccounts[id] }, { $0.closedAccounts[id] = $1 }, account)
    }

    func markClosedAccountEmailErased(userId: UserId) throws {
        let id = userId.rawValue
        guard var account = tables.closedAccounts[id] else { throw StorageError(.notFound, "no closed account") }
        account.emailErased = true
        change({ $0.closedAccounts[id] }, { $0.closedAccounts[id] = $1 }, account)
    }

    // MARK: Backups

    func snapshot() throws -> StorageSnapshot {
        var snapshot = StorageSnapshot()
        snapshot.users = Array(tables.users.values)
        snapshot.emailChanges = Array(tables.emailChanges.values)
        snapshot.passwordResets = Array(tables.passwordResets.values)
        snapshot.sessions = Array(tables.sessions.values)
        snapshot.outbox = Array(tables.outbox.values)
        snapshot.voteAudits = Array(tables.voteAudits.values)
        snapshot.lowFeeTickets = Array(tables.lowFeeTickets.keys)
        snapshot.rateCounters = tables.rateCounts.map { .init(key: $0.key, windowStart: $0.value.windowStart, count: $0.value.count) }
        snapshot.captchas = Array(tables.captchas.values)
        snapshot.closedAccounts = Array(tables.closedAccounts.values)
        snapshotVspTables(into: &snapshot)
        snapshot.sort()
        return snapshot
    }

    func restore(_ snapshot: StorageSnapshot) throws {
        guard try self.snapshot().isEmpty else { throw StorageError(.notEmpty, "the database already holds rows") }
        try snapshot.validate()
        let before = tables
        undoLog.append { $0 = before }
        func next(_ ids: [Int64]) -> Int64 { (ids.max() ?? 0) + 1 }
        for user in snapshot.users {
            tables.users[user.id.rawValue] = user
            tables.emailIndex[EmailKey.fold(user.email)] = user.id.rawValue
        }
        tables.nextUserId = max(tables.nextUserId, next(snapshot.users.map(\.id.rawValue)))
        for change in snapshot.emailChanges { tables.emailChanges[change.id] = change }
        tables.nextEmailChangeId = max(tables.nextEmailChangeId, next(snapshot.emailChanges.map(\.id)))
        for reset in snapshot.passwordResets { tables.passwordResets[reset.id] = reset }
        tables.nextPasswordResetId = max(tables.nextPasswordResetId, next(snapshot.passwordResets.map(\.id)))
        for session in snapshot.sessions { tables.sessions[session.id] = session }
        for message in snapshot.outbox {
            tables.outbox[message.id] = message
            tables.outboxMessageIDs[message.messageID] = message.id
        }
        tables.nextOutboxId = max(tables.nextOutboxId, next(snapshot.outbox.map(\.id)))
        for record in snapshot.voteAudits { tables.voteAudits[record.id] = record }
        tables.nextVoteAuditId = max(tables.nextVoteAuditId, next(snapshot.voteAudits.map(\.id)))
        for hash in snapshot.lowFeeTickets { tables.lowFeeTickets[hash] = true }
        for counter in snapshot.rateCounters {
            tables.rateCounts[counter.key] = MemoryTables.RateCount(windowStart: counter.windowStart, count: counter.count)
        }
        for challenge in snapshot.captchas { tables.captchas[challenge.id] = challenge }
        for account in snapshot.closedAccounts { tables.closedAccounts[account.userId.rawValue] = account }
        restoreVspTables(snapshot)
    }
}
