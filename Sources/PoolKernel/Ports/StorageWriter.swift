/// The write operations of a storage transaction (see `StorageBackend.write`). Every change is part of the one
/// transaction the backend opened: all of it is committed when the body returns, none of it when the body throws.
///
/// Contract shared by every engine (checked by PoolTestKit's `StorageConformanceTests`):
/// - Values are validated with `StorageLimits` first: a value breaking a limit throws `invalid-input` and writes
///   nothing; values that pass are stored and read back exactly (including quotes, backslashes, emoji).
/// - A unique key that already exists throws `duplicate` and writes nothing: user email (under `EmailKey`),
///   session id, outbox message id.
/// - Updating or deleting by id a row that does not exist throws `not-found` (deletes by token return counts).
/// - Ids assigned on insert are unique and increasing (gaps are allowed).
public protocol StorageWriter: StorageReader {
    /// Inserts `user` (its `id` is ignored) and returns the assigned id. `duplicate` if the email is taken.
    func insertUser(_ user: User) throws -> UserId
    /// Rewrites every column of the user `user.id` (whole-row update like the original). `not-found` if absent,
    /// `duplicate` if the new email belongs to another user.
    func updateUser(_ user: User) throws
    /// The user with this id, read to be changed: no other transaction — of this process or of another host on the
    /// same database — can change the row until this one ends (an engine whose readers do not block writers locks
    /// it, MySQL `SELECT … FOR UPDATE`), so a read-modify-write never loses a concurrent change. nil if absent.
    func userForUpdate(id: UserId) throws -> User?
    /// Sets `VoteBits` and `VoteBitsVersion` of every user in `userIds`, leaving every other column as it is (the
    /// start-up vote-bits reset, a page of users at a time: set-based statements, not one whole-row update per
    /// user). Ids with no user are ignored. Part of the transaction: all of the users or none.
    func setVoteBits(_ voteBits: UInt16, version: UInt32, userIds: [UserId]) throws

    /// Inserts an `EmailChange` row (its `id` is ignored) and returns the assigned id.
    func insertEmailChange(_ change: EmailChange) throws -> Int64
    /// Deletes the `EmailChange` rows with this token; returns how many.
    @discardableResult func deleteEmailChanges(token: String) throws -> Int
    /// Inserts a `PasswordReset` row (its `id` is ignored) and returns the assigned id.
    func insertPasswordReset(_ reset: PasswordReset) throws -> Int64
    /// Deletes the `PasswordReset` rows with this token; returns how many.
    @discardableResult func deletePasswordResets(token: String) throws -> Int
    /// Deletes every `PasswordReset` row of the user (credentials end together); returns how many.
    @discardableResult func deletePasswordResets(userId: UserId) throws -> Int

    /// Stores a new session. `duplicate` if the id exists.
    func insertSession(_ session: SessionRecord) throws
    /// Replaces user, payload, last-seen and expiry of the session `session.id` (`createdAt` is kept).
    /// `not-found` if absent.
    func updateSession(_ session: SessionRecord) throws
    /// Sets last-seen and expiry of a session. `not-found` if absent.
    func touchSession(id: String, lastSeenAt: Int64, expiresAt: Int64) throws
    /// Deletes one session; returns whether it existed.
    @discardableResult func deleteSession(id: String) throws -> Bool
    /// Deletes every session of a user (sign-out everywhere, password change); returns how many.
    @discardableResult func deleteSessions(userId: UserId) throws -> Int
    /// Deletes sessions with `expiresAt <= now`; returns how many.
    @discardableResult func purgeExpiredSessions(now: Int64) throws -> Int

    /// Adds a message to the outbox (its `id` is ignored; status, attempts and error are stored as given, normally
    /// `queued`, 0, `""`). Returns the id. `duplicate` if `messageID` exists.
    func enqueueMail(_ message: OutboxMessage) throws -> Int64
    /// Claims up to `limit` due messages — `queued` or `sending` (expired lease) with `nextAttemptAt <= now` —
    /// in order of (`nextAttemptAt`, id): each becomes `sending`, `attempts + 1`, `nextAttemptAt = leaseUntil`.
    /// Returns them as updated.
    func claimDueMail(now: Int64, leaseUntil: Int64, limit: Int) throws -> [OutboxMessage]
    /// Marks a message `delivered` (final). `not-found` if absent.
    func markMailDelivered(id: Int64) throws
    /// Marks a message `failed` (final) with the reason. `not-found` if absent.
    func markMailFailed(id: Int64, error: String) throws
    /// Puts a message back to `queued`, due at `at`, remembering the error. `not-found` if absent.
    func scheduleMailRetry(id: Int64, at: Int64, error: String) throws

    /// Deletes outbox messages in a final state (`delivered`, `failed`) with `createdAt < createdBefore`; queued and
    /// sending messages are never deleted. Returns how many (retention purge).
    @discardableResult func purgeFinishedMail(createdBefore: Int64) throws -> Int

    /// Appends a vote audit record (its `id` is ignored) and returns the id.
    func appendVoteAudit(_ record: VoteAuditRecord) throws -> Int64
    /// Deletes vote audit records with `receivedAtMillis < receivedBeforeMillis`; returns how many (retention purge).
    @discardableResult func purgeVoteAudits(receivedBeforeMillis: Int64) throws -> Int

    /// Adds a low-fee ticket hash; returns false if it was already there.
    @discardableResult func addLowFeeTicket(hash: String) throws -> Bool
    /// Removes a low-fee ticket hash; returns whether it was there.
    @discardableResult func removeLowFeeTicket(hash: String) throws -> Bool

    /// Adds one to `key`'s count in the fixed window starting at `windowStart` and returns the new count. A key's
    /// count from an older window is discarded (counting starts again at 1).
    func incrementRateCount(key: String, windowStart: Int64) throws -> Int
    /// Check-and-count as one atomic step: adds one to `key`'s count in the window starting at `windowStart` if
    /// that count is below `limit`, and returns whether it did. A count from another window is discarded first
    /// (the key starts again at 0). However many transactions call this in parallel for one key and window, at
    /// most `limit` of them get true. `limit <= 0` never counts.
    func incrementRateCount(key: String, windowStart: Int64, limit: Int) throws -> Bool
    /// Takes one back from `key`'s count in the window `windowStart` (nothing when it is 0 or from another window).
    func releaseRateCount(key: String, windowStart: Int64) throws
    /// Deletes counters whose window started before `windowStart`; returns how many.
    @discardableResult func purgeRateCounts(before windowStart: Int64) throws -> Int

    /// Stores a captcha challenge. `duplicate` if its id exists; `invalid-input` beyond `StorageLimits.captchaText`.
    func insertCaptcha(_ challenge: CaptchaChallenge) throws
    /// Deletes the challenge `id` and returns it when it existed and had not expired at `now` (an expired one is
    /// deleted too, and nil returned). One-time: of any number of parallel consumers of one id, exactly one gets
    /// the challenge. nil for `""` or an unknown id.
    func consumeCaptcha(id: String, now: Int64) throws -> CaptchaChallenge?
    /// Deletes challenges with `expiresAt <= now`; returns how many.
    @discardableResult func purgeExpiredCaptchas(now: Int64) throws -> Int

    /// Records that `account.userId` closed its account (`emailErased` stored as given). `duplicate` if the user
    /// already has a closing record; `not-found` if there is no such user.
    func insertClosedAccount(_ account: ClosedAccount) throws
    /// Marks the closed account's email as erased. `not-found` if the user has no closing record.
    func markClosedAccountEmailErased(userId: UserId) throws

    // The pool's hourly history
    /// Writes the row of `sample.hourStart`: inserted when the hour has none, every figure replaced when it has one
    /// (however many web hosts write the same hour, it stays one row; the last write wins). `invalid-input` when
    /// `hourStart` is not a multiple of 3600 or a figure is negative.
    func upsertHistorySample(_ sample: PoolHistorySample) throws
    /// Deletes history rows with `hourStart < before`; returns how many (retention purge).
    @discardableResult func purgeHistorySamples(before: Int64) throws -> Int

    // Backups
    /// Loads `snapshot` into an empty database: every row with its own ids, tokens and timestamps, exactly as
    /// `snapshot()` reads it back; ids assigned by later inserts are above the restored ones. Throws `not-empty`
    /// (and writes nothing) when any table already has a row; values breaking a `StorageLimits` limit throw
    /// `invalid-input`.
    func restore(_ snapshot: StorageSnapshot) throws

    // The vspd per-ticket model (issue 24 item 2; docs/vspd.md, "Per-ticket model")
    /// Registers a vspd ticket (feeaddress for a new ticket). `duplicate` if the hash exists, and nothing is
    /// written: of any number of parallel first requests for one ticket exactly one inserts. `invalid-input`
    /// beyond `StorageLimits` (empty hash, negative amounts, oversized fee tx or maps).
    func insertVspTicket(_ ticket: VspTicket) throws
    /// Writes the fee fields of the ticket (a refreshed quote, a payment, a status change) only while its fee status
    /// is in `allowed`, as one step: returns false and writes nothing otherwise, so of two parallel payments from
    /// `none` one wins. `not-found` if the ticket is absent.
    func updateVspFee(ticketHash: String, _ fee: VspFeeState, ifStatusIn allowed: Set<VspFeeTxStatus>) throws -> Bool
    /// Replaces the ticket's three preference maps with `preferences` (callers merge first where vspd merges).
    /// `not-found` if the ticket is absent.
    func setVspVotePreferences(ticketHash: String, _ preferences: VspVotePreferences) throws
    /// Appends a vote-change record to the ticket's history and returns it with its assigned sequence (0 first,
    /// then the highest + 1); when `VspVoteChange.retained` records exist the lowest goes. With
    /// `requireNewerTimestamp` (setvotechoices' replay rule, spec §9) it returns nil and writes nothing unless
    /// `change.timestamp` is larger than every retained record's: of parallel appends with one timestamp at most one
    /// is kept. Holds the ticket's row lock, so calling it first serializes a ticket's preference changes.
    /// `not-found` if the ticket is absent.
    func appendVspVoteChange(_ change: VspVoteChange, requireNewerTimestamp: Bool) throws -> VspVoteChange?
    /// Stores the ticket's alternate signing address record (the ticket need not be registered). One per ticket,
    /// ever: `duplicate` if it has one.
    func insertVspAltSignAddress(_ record: VspAltSignAddress) throws
    /// Makes `key` the active fee xpub: the current one (if any) is stamped `retired = now` and the new one gets
    /// the next id with `lastUsedIndex` 0. `duplicate` if `key` was ever stored (indexes are never reused).
    func addVspFeeXPub(key: String, now: Int64) throws -> VspFeeXPub
    /// Takes the next fee address index of the active xpub as one atomic step and returns the xpub with
    /// `lastUsedIndex` set to the index taken (1 first). Parallel callers always get different indexes, and an index
    /// taken by a committed transaction is never handed out again (callers take it in a transaction of its own, as
    /// vspd stores it at once). `not-found` without a fee xpub; `invalid-input` when every non-hardened index is
    /// used.
    func takeNextVspFeeAddressIndex() throws -> VspFeeXPub

    // vspblocks: the block handler's writes (docs/vspd.md, "Block handler"). Each is guarded by the state it
    // expects, so two hosts running the handler on one database never apply a step twice.
    /// Marks the ticket confirmed (≥ 6 confirmations) with the height of its block. Returns false and writes
    /// nothing if it is confirmed already. `not-found` if absent; `invalid-input` for a height below 1.
    func confirmVspTicket(hash: String, purchaseHeight: Int64) throws -> Bool
    /// Moves the fee status from `expected` to `status` as one step, leaving every other field alone, except that
    /// moving to `confirmed` clears `feeTxHex` (§8.2 step 3; the voting key stays). Returns false and writes
    /// nothing unless the status is `expected`: of two hosts making the same move, one wins. `not-found` if absent.
    func moveVspFeeTxStatus(ticketHash: String, from expected: VspFeeTxStatus, to status: VspFeeTxStatus) throws -> Bool
    /// Records how the ticket ended (§8.2 step 4). `not-found` if absent.
    func setVspTicketOutcome(hash: String, _ outcome: VspTicketOutcome) throws
    /// Deletes a ticket that was never mined together with its vote-change records and its alternate signing
    /// address record, in this transaction (§8.2 step 1, §9). Returns false and deletes nothing if the ticket is
    /// absent or confirmed (another host confirmed it meanwhile).
    func deleteUnconfirmedVspTicket(hash: String) throws -> Bool
    /// Sets the outcome scan's last height to `height` only while it is `expected` (compare and set): a host that
    /// scanned never overwrites another host's lowering of it for a newly watched ticket. Returns whether it was
    /// set. `invalid-input` for a negative height.
    func setVspOutcomeScanHeight(_ height: Int64, ifCurrentIs expected: Int64) throws -> Bool
}
