/// The read operations of a storage transaction (see `StorageBackend.read`). All calls are synchronous and run
/// inside the transaction the backend opened; they see one consistent snapshot (or, inside `write`, the
/// transaction's own changes).
///
/// Contract shared by every engine (checked by PoolTestKit's `StorageConformanceTests`):
/// - Emails compare like MySQL's `utf8mb4_general_ci` (see `EmailKey`): case, accents and trailing spaces ignored.
/// - Token look-ups with an empty token return nil (unset tokens are stored as `""`).
/// - Lists are ordered as documented, never in engine order.
/// - Engine failures throw `StorageError` (`unavailable`, `corrupt`, …); "no such row" is nil, not an error.
public protocol StorageReader {
    /// The user with this id, or nil.
    func user(id: UserId) throws -> User?
    /// The user whose email equals `email` under `EmailKey` comparison, or nil.
    func user(email: String) throws -> User?
    /// The user whose `emailToken` equals `emailToken` exactly; nil for `""`.
    func user(emailToken: String) throws -> User?
    /// The user whose `apiToken` equals `apiToken` exactly (lowest id if several); nil for `""`.
    func user(apiToken: String) throws -> User?
    /// Up to `limit` users with id > `afterId`, ascending by id (paging for `poolctl user list`).
    func users(afterId: UserId, limit: Int) throws -> [User]
    /// `SELECT COUNT(*) FROM Users`.
    func userCount() throws -> Int
    /// Users with a non-empty `multiSigAddress`.
    func activeUserCount() throws -> Int
    /// `MAX(UserId)`, nil when there are no users.
    func maxUserId() throws -> UserId?
    /// Active users (non-empty `multiSigAddress`) as stakepoold reads them, ascending by id.
    func votingUsers() throws -> [VotingUser]
    /// Active users' scripts and registration heights for the wallet sync, ascending by user id.
    func registeredScripts() throws -> [RegisteredScript]

    /// The `EmailChange` row with this exact token (lowest id if several), or nil; nil for `""`.
    func emailChange(token: String) throws -> EmailChange?
    /// The `PasswordReset` row with this exact token (lowest id if several), or nil; nil for `""`.
    func passwordReset(token: String) throws -> PasswordReset?

    /// The session with this id, expired or not (callers check `isExpired(now:)`), or nil.
    func session(id: String) throws -> SessionRecord?

    /// The outbox message with this id, or nil.
    func outboxMessage(id: Int64) throws -> OutboxMessage?
    /// Up to `limit` messages in `status`, ascending by id.
    func outboxMessages(status: OutboxMessage.Status, limit: Int) throws -> [OutboxMessage]
    /// How many messages are in `status` with at least `minAttempts` delivery attempts, counting no further than
    /// `limit` (the answer is `min(count, limit)`): the dashboard's figures without reading the messages.
    func outboxCount(status: OutboxMessage.Status, minAttempts: Int, limit: Int) throws -> Int

    /// Up to `limit` most recent vote audit records, newest (highest id) first.
    func recentVoteAudits(limit: Int) throws -> [VoteAuditRecord]
    /// Every vote audit record for this ticket hash, ascending by id.
    func voteAudits(ticketHash: String) throws -> [VoteAuditRecord]

    /// Ticket hashes the operator added as low-fee tickets to vote anyway, sorted ascending.
    func lowFeeTickets() throws -> [String]

    /// The count of `key` in the fixed window starting at `windowStart` (0 if none).
    func rateCount(key: String, windowStart: Int64) throws -> Int

    /// The captcha challenge with this id, expired or not, or nil (nil for `""`).
    func captcha(id: String) throws -> CaptchaChallenge?

    /// The closing record of the user, or nil when the account is open.
    func closedAccount(userId: UserId) throws -> ClosedAccount?
    /// Closed accounts whose email is not yet erased and whose `closedHeight <= maxClosedHeight`, ascending by
    /// user id (the erasure purge's candidates).
    func closedAccountsAwaitingErasure(maxClosedHeight: Int64) throws -> [ClosedAccount]

    // The pool's hourly history
    /// The history rows with `hourStart >= since`, ascending by hour (at most `limit`, the oldest first).
    func historySamples(since: Int64, limit: Int) throws -> [PoolHistorySample]

    // Backups
    /// Every row of every table (`StorageSnapshot`, each table in its documented order), read inside this one
    /// transaction, so a backup taken while the pool runs is consistent.
    func snapshot() throws -> StorageSnapshot

    // The vspd per-ticket model (issue 24 item 2; docs/vspd.md, "Per-ticket model")
    /// The vspd ticket with this hash (exact, case-sensitive comparison), or nil. Its three preference maps are
    /// never nil (`[:]` when empty).
    func vspTicket(hash: String) throws -> VspTicket?
    /// Every vspd ticket whose fee status is `status`, ascending by hash (byte order).
    func vspTickets(feeTxStatus status: VspFeeTxStatus) throws -> [VspTicket]
    /// How many vspd tickets are in each (fee status, outcome); states without tickets are absent. One aggregate
    /// query: vspinfo and `/metrics` read it without loading the tickets.
    func vspTicketCounts() throws -> [VspTicketState: Int]
    /// The ticket's retained vote-change records, ascending by sequence (at most `VspVoteChange.retained`).
    func vspVoteChanges(ticketHash: String) throws -> [VspVoteChange]
    /// The ticket's alternate signing address record, or nil.
    func vspAltSignAddress(ticketHash: String) throws -> VspAltSignAddress?
    /// Every fee xpub ever stored, ascending by id; the last one is the active one.
    func vspFeeXPubs() throws -> [VspFeeXPub]

    // vspblocks: the block handler's reads (docs/vspd.md, "Block handler")
    /// Every vspd ticket whose `confirmed` flag equals `confirmed`, ascending by hash (byte order): with false, the
    /// tickets the block handler asks the node about (§8.2 step 1).
    func vspTickets(confirmed: Bool) throws -> [VspTicket]
    /// The tickets whose end the block handler watches (§8.2 step 4): fee status `confirmed` and no outcome yet
    /// (`VspTicketOutcome.none`), ascending by hash. They are also the tickets every voting wallet must hold.
    func vspTicketsAwaitingOutcome() throws -> [VspTicket]
    /// The last main-chain height the outcome scan covered; 0 before the first scan (and after a restore).
    func vspOutcomeScanHeight() throws -> Int64
    // vspviews
    /// At most `limit` vspd tickets whose outcome is `outcome`, the highest purchase height first, then ascending by
    /// hash: the operator dashboard's missed vspd tickets without loading every ticket.
    func vspTickets(outcome: VspTicketOutcome, limit: Int) throws -> [VspTicket]
}
