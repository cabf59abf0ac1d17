/// Every row of every table of a pool database, as one consistent snapshot (`StorageReader.snapshot()`), and what
/// `StorageWriter.restore(_:)` loads into an empty database. Engine-neutral: the portable backup file
/// (`PortableBackup`) is this, written out. The hourly `PoolHistory` is not part of it: it is
/// derived from the wallets and users and sampled again after a restore.
public struct StorageSnapshot: Hashable, Sendable {
    /// One row of `RateCounters` (the sign-in throttle and other fixed-window counters).
    public struct RateCounter: Hashable, Sendable {
        public var key: String
        public var windowStart: Int64
        public var count: Int
        public init(key: String, windowStart: Int64, count: Int) {
            self.key = key
            self.windowStart = windowStart
            self.count = count
        }
    }

    /// Ascending by id.
    public var users: [User] = []
    /// Ascending by id.
    public var emailChanges: [EmailChange] = []
    /// Ascending by id.
    public var passwordResets: [PasswordReset] = []
    /// Ascending by session id (byte order).
    public var sessions: [SessionRecord] = []
    /// Ascending by id.
    public var outbox: [OutboxMessage] = []
    /// Ascending by id.
    public var voteAudits: [VoteAuditRecord] = []
    /// Sorted ascending.
    public var lowFeeTickets: [String] = []
    /// Ascending by key (byte order).
    public var rateCounters: [RateCounter] = []
    /// Ascending by id (byte order).
    public var captchas: [CaptchaChallenge] = []
    /// Ascending by user id.
    public var closedAccounts: [ClosedAccount] = []
    // The vspd per-ticket model
    /// Ascending by hash (byte order).
    public var vspTickets: [VspTicket] = []
    /// Ascending by (ticket hash, sequence).
    public var vspVoteChanges: [VspVoteChange] = []
    /// Ascending by ticket hash (byte order).
    public var vspAltSignAddresses: [VspAltSignAddress] = []
    /// Ascending by id.
    public var vspFeeXPubs: [VspFeeXPub] = []

    public init() {}

    /// Rows per table, by the table names of the SQL schema (`Users`, `EmailChange`, …), in a fixed order.
    public var rowCounts: [(table: String, rows: Int)] {
        [("Users", users.count), ("EmailChange", emailChanges.count), ("PasswordReset", passwordResets.count),
         ("Sessions", sessions.count), ("MailOutbox", outbox.count), ("VoteAudit", voteAudits.count),
         ("LowFeeTickets", lowFeeTickets.count), ("RateCounters", rateCounters.count),
         ("CaptchaChallenges", captchas.count), ("ClosedAccounts", closedAccounts.count),
         ("VspTickets", vspTickets.count), ("VspVoteChanges", vspVoteChanges.count),
         ("VspAltSignAddresses", vspAltSignAddresses.count), ("VspFeeXPubs", vspFeeXPubs.count)]
    }

    /// No row in any table.
    public var isEmpty: Bool { rowCounts.allSatisfy { $0.rows == 0 } }

    /// Puts every table in its documented order (engines may return rows in any order).
    public mutating func sort() {
        users.sort { $0.id < $1.id }
        emailChanges.sort { $0.id < $1.id }
        passwordResets.sort { $0.id < $1.id }
        sessions.sort { Array($0.id.utf8).lexicographicallyPrecedes($1.id.utf8) }
        outbox.sort { $0.id < $1.id }
        voteAudits.sort { $0.id < $1.id }
        lowFeeTickets.sort { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
        rateCounters.sort { Array($0.key.utf8).lexicographicallyPrecedes($1.key.utf8) }
        captchas.sort { Array($0.id.utf8).lexicographicallyPrecedes($1.id.utf8) }
        closedAccounts.sort { $0.userId < $1.userId }
        sortVspTables()
    }
}

extension StorageSnapshot {
    /// What every engine checks before `restore` writes anything: each value within `StorageLimits`, unique keys
    /// unique (ids per table, emails under `EmailKey`, session/message/captcha ids, counter keys, ticket hashes),
    /// and closed accounts of existing users. Throws `invalid-input` (or `duplicate`) naming the table.
    public func validate() throws {
        func unique<Key: Hashable>(_ keys: [Key], _ table: String) throws {
            if Set(keys).count != keys.count { throw StorageError(.duplicate, "\(table) has the same key twice") }
        }
        for user in users { try StorageLimits.check(user) }
        try unique(users.map(\.id), "Users")
        try unique(users.map { EmailKey.fold($0.email) }, "Users (email)")
        for change in emailChanges { try StorageLimits.check(change) }
        try unique(emailChanges.map(\.id), "EmailChange")
        for reset in passwordResets { try StorageLimits.check(reset) }
        try unique(passwordResets.map(\.id), "PasswordReset")
        for session in sessions { try StorageLimits.check(session) }
        try unique(sessions.map(\.id), "Sessions")
        for message in outbox { try StorageLimits.check(message) }
        try unique(outbox.map(\.id), "MailOutbox")
        try unique(outbox.map(\.messageID), "MailOutbox (message id)")
        for record in voteAudits { try StorageLimits.check(record) }
        try unique(voteAudits.map(\.id), "VoteAudit")
        for hash in lowFeeTickets { try StorageLimits.checkTicketHash(hash) }
        try unique(lowFeeTickets, "LowFeeTickets")
        for counter in rateCounters { try StorageLimits.checkRateKey(counter.key) }
        try unique(rateCounters.map(\.key), "RateCounters")
        for challenge in captchas { try StorageLimits.check(challenge) }
        try unique(captchas.map(\.id), "CaptchaChallenges")
        try unique(closedAccounts.map(\.userId), "ClosedAccounts")
        try validateVspTables()
        let userIds = Set(users.map(\.id))
        if let orphan = closedAccounts.first(where: { !userIds.contains($0.userId) }) {
            throw StorageError(.invalidInput, "ClosedAccounts names user \(orphan.userId), who is not in Users")
        }
        for id in users.map(\.id.rawValue) + emailChanges.map(\.id) + passwordResets.map(\.id) + outbox.map(\.id)
            + voteAudits.map(\.id) where id <= 0 {
            throw StorageError(.invalidInput, "ids must be positive, not \(id)")
        }
    }
}
