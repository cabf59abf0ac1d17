import PoolKernel

/// The SQLite schema: the dcrstakepool tables (same names and columns; `Users.EmailKey` added for the
/// case-insensitive unique email) and the engine's own tables, as numbered migrations.
enum SQLiteSchema {
    struct Migration {
        let version: Int
        let name: String
        let sql: String
    }

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS SchemaVersion (
          Version INTEGER PRIMARY KEY, Name TEXT NOT NULL, AppliedAt INTEGER NOT NULL)
        """

    static let migrations: [Migration] = [
        Migration(version: 1, name: "dcrstakepool v1.1.1 tables", sql: """
            CREATE TABLE IF NOT EXISTS EmailChange (
              EmailChangeID INTEGER PRIMARY KEY AUTOINCREMENT, UserId INTEGER, NewEmail TEXT, Token TEXT,
              Created INTEGER, Expires INTEGER);
            CREATE TABLE IF NOT EXISTS PasswordReset (
              PasswordResetID INTEGER PRIMARY KEY AUTOINCREMENT, UserId INTEGER, Token TEXT, Created INTEGER,
              Expires INTEGER);
            CREATE TABLE IF NOT EXISTS Users (
              UserId INTEGER PRIMARY KEY AUTOINCREMENT, Email TEXT, Username TEXT, Password BLOB,
              MultiSigAddress TEXT, MultiSigScript TEXT, PoolPubKeyAddr TEXT, UserPubKeyAddr TEXT, UserFeeAddr TEXT,
              HeightRegistered INTEGER, EmailVerified INTEGER, EmailToken TEXT, APIToken TEXT, VoteBits INTEGER,
              VoteBitsVersion INTEGER, EmailKey TEXT NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS UsersEmailKey ON Users (EmailKey);
            CREATE INDEX IF NOT EXISTS UsersEmailToken ON Users (EmailToken);
            CREATE INDEX IF NOT EXISTS UsersAPIToken ON Users (APIToken);
            CREATE INDEX IF NOT EXISTS UsersActive ON Users (MultiSigAddress);
            CREATE INDEX IF NOT EXISTS EmailChangeToken ON EmailChange (Token);
            CREATE INDEX IF NOT EXISTS PasswordResetToken ON PasswordReset (Token);
            """),
        Migration(version: 2, name: "sessions, mail outbox, vote audit, low-fee tickets, rate counters", sql: """
            CREATE TABLE IF NOT EXISTS Sessions (
              SessionId TEXT PRIMARY KEY, UserId INTEGER, Payload BLOB NOT NULL, CreatedAt INTEGER NOT NULL,
              LastSeenAt INTEGER NOT NULL, ExpiresAt INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS SessionsUserId ON Sessions (UserId);
            CREATE INDEX IF NOT EXISTS SessionsExpiresAt ON Sessions (ExpiresAt);
            CREATE TABLE IF NOT EXISTS MailOutbox (
              OutboxId INTEGER PRIMARY KEY AUTOINCREMENT, Recipient TEXT NOT NULL, Subject TEXT NOT NULL,
              Body TEXT NOT NULL, MessageId TEXT NOT NULL UNIQUE, Status TEXT NOT NULL, Attempts INTEGER NOT NULL,
              NextAttemptAt INTEGER NOT NULL, LastError TEXT NOT NULL, CreatedAt INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS MailOutboxDue ON MailOutbox (Status, NextAttemptAt);
            CREATE TABLE IF NOT EXISTS VoteAudit (
              AuditId INTEGER PRIMARY KEY AUTOINCREMENT, TicketHash TEXT NOT NULL, BlockHeight INTEGER NOT NULL,
              BlockHash TEXT NOT NULL, UserId INTEGER, VoteBits INTEGER NOT NULL, PolicyName TEXT NOT NULL,
              Reason TEXT NOT NULL, Result TEXT NOT NULL, Detail TEXT NOT NULL, ReceivedAtMillis INTEGER NOT NULL,
              DecisionMicros INTEGER NOT NULL, TotalMicros INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS VoteAuditTicket ON VoteAudit (TicketHash);
            CREATE TABLE IF NOT EXISTS LowFeeTickets (TicketHash TEXT PRIMARY KEY);
            CREATE TABLE IF NOT EXISTS RateCounters (
              CounterKey TEXT PRIMARY KEY, WindowStart INTEGER NOT NULL, Count INTEGER NOT NULL);
            """),
        Migration(version: 3, name: "captcha challenges", sql: """
            CREATE TABLE IF NOT EXISTS CaptchaChallenges (
              ChallengeId TEXT PRIMARY KEY, Answer TEXT NOT NULL, ExpiresAt INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS CaptchaChallengesExpiresAt ON CaptchaChallenges (ExpiresAt);
            CREATE INDEX IF NOT EXISTS PasswordResetUserId ON PasswordReset (UserId);
            """),
        // Accounts closed by their owners (issue 21 item 6).
        Migration(version: 4, name: "closed accounts", sql: """
            CREATE TABLE IF NOT EXISTS ClosedAccounts (
              UserId INTEGER PRIMARY KEY, ClosedHeight INTEGER NOT NULL, ClosedAt INTEGER NOT NULL,
              EmailErased INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS ClosedAccountsErasure ON ClosedAccounts (EmailErased, ClosedHeight);
            """),
        // The vspd per-ticket model (issue 24 item 2).
        Migration(version: 5, name: "vspd tickets, vote changes, alternate signing addresses, fee xpubs", sql: """
            CREATE TABLE IF NOT EXISTS VspTickets (
              TicketHash TEXT PRIMARY KEY, PurchaseHeight INTEGER NOT NULL, CommitmentAddress TEXT NOT NULL,
              FeeAddressXPubId INTEGER NOT NULL, FeeAddressIndex INTEGER NOT NULL, FeeAddress TEXT NOT NULL,
              FeeAmount INTEGER NOT NULL, FeeExpiration INTEGER NOT NULL, Confirmed INTEGER NOT NULL,
              VotingWIF TEXT NOT NULL, VoteChoices TEXT NOT NULL, TSpendPolicy TEXT NOT NULL,
              TreasuryPolicy TEXT NOT NULL, FeeTxHex TEXT NOT NULL, FeeTxHash TEXT NOT NULL, FeeTxStatus TEXT NOT NULL,
              Outcome TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS VspTicketsFeeTxStatus ON VspTickets (FeeTxStatus);
            CREATE TABLE IF NOT EXISTS VspVoteChanges (
              TicketHash TEXT NOT NULL, Seq INTEGER NOT NULL, Timestamp INTEGER NOT NULL, Request BLOB NOT NULL,
              RequestSignature TEXT NOT NULL, Response BLOB NOT NULL, ResponseSignature TEXT NOT NULL,
              PRIMARY KEY (TicketHash, Seq));
            CREATE TABLE IF NOT EXISTS VspAltSignAddresses (
              TicketHash TEXT PRIMARY KEY, Address TEXT NOT NULL, Request BLOB NOT NULL, RequestSignature TEXT NOT NULL,
              Response BLOB NOT NULL, ResponseSignature TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS VspFeeXPubs (
              XPubId INTEGER PRIMARY KEY, XPubKey TEXT NOT NULL UNIQUE, LastUsedIndex INTEGER NOT NULL,
              Retired INTEGER NOT NULL);
            """),
        // The pool's hourly history (charts, revenue windows), one row per hour.
        Migration(version: 6, name: "pool history", sql: """
            CREATE TABLE IF NOT EXISTS PoolHistory (
              HourStart INTEGER PRIMARY KEY, LiveTickets INTEGER NOT NULL, VotedTotal INTEGER NOT NULL,
              MissedTotal INTEGER NOT NULL, Users INTEGER NOT NULL, ActiveUsers INTEGER NOT NULL,
              FeeRevenueAtoms INTEGER NOT NULL);
            """),
        // vspblocks: the vspd block handler (issue 24 item 2): its ticket lists and the outcome scan's height.
        Migration(version: 7, name: "vspd block handler: ticket indexes, outcome scan state", sql: """
            CREATE INDEX IF NOT EXISTS VspTicketsConfirmed ON VspTickets (Confirmed);
            CREATE INDEX IF NOT EXISTS VspTicketsAwaitingOutcome ON VspTickets (FeeTxStatus, Outcome);
            CREATE TABLE IF NOT EXISTS VspScanState (Name TEXT PRIMARY KEY, Height INTEGER NOT NULL);
            INSERT OR IGNORE INTO VspScanState (Name, Height) VALUES ('outcomes', 0);
            """),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
