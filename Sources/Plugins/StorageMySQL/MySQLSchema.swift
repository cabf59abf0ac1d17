import PoolKernel
import SQLStorageBase

/// The MySQL schema as numbered migrations. Version 1 is dcrstakepool v1.1.1's own DDL (`CREATE TABLE IF NOT
/// EXISTS`, so an existing dcrstakepool database is adopted untouched) plus its column-adding migrations for
/// older databases; later versions only add indexes and new tables. MySQL DDL commits implicitly, so every
/// step is idempotent (re-running a half-applied migration finishes it).
enum MySQLSchema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let apply: @Sendable (MySQLConnection) throws -> Void
    }

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS SchemaVersion (
          Version INT NOT NULL PRIMARY KEY, Name VARCHAR(255) NOT NULL, AppliedAt BIGINT NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """

    /// dcrstakepool v1.1.1's DDL (gorp: int64 → bigint, string → varchar(255), []byte → mediumblob, nullable).
    static let dcrstakepoolTables = [
        """
        CREATE TABLE IF NOT EXISTS `EmailChange` (`EmailChangeID` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT,
          `UserId` bigint, `NewEmail` varchar(255), `Token` varchar(255), `Created` bigint, `Expires` bigint
        ) ENGINE=InnoDB CHARSET=UTF8MB4
        """,
        """
        CREATE TABLE IF NOT EXISTS `PasswordReset` (`PasswordResetID` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT,
          `UserId` bigint, `Token` varchar(255), `Created` bigint, `Expires` bigint
        ) ENGINE=InnoDB CHARSET=UTF8MB4
        """,
        """
        CREATE TABLE IF NOT EXISTS `Users` (`UserId` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT,
          `Email` varchar(255), `Username` varchar(255), `Password` mediumblob, `MultiSigAddress` varchar(255),
          `MultiSigScript` varchar(255), `PoolPubKeyAddr` varchar(255), `UserPubKeyAddr` varchar(255),
          `UserFeeAddr` varchar(255), `HeightRegistered` bigint, `EmailVerified` bigint, `EmailToken` varchar(255),
          `APIToken` varchar(255), `VoteBits` bigint, `VoteBitsVersion` bigint
        ) ENGINE=InnoDB CHARSET=UTF8MB4
        """,
    ]

    /// dcrstakepool's own column migrations (§2.3), for databases older than v1.1.1: (column, spec, after, fill).
    static let legacyColumns: [(String, String, String, String)] = [
        ("HeightRegistered", "bigint(20) NULL", "UserFeeAddr",
         "UPDATE Users SET HeightRegistered = 15346 WHERE MultiSigAddress <> ''"),
        ("EmailVerified", "bigint(20) NULL", "HeightRegistered", "UPDATE Users SET EmailVerified = 2"),
        ("EmailToken", "varchar(255) NULL", "EmailVerified", "UPDATE Users SET EmailToken = ''"),
        ("APIToken", "varchar(255) NULL", "EmailToken", "UPDATE Users SET APIToken = ''"),
        ("VoteBits", "bigint(20) NULL", "APIToken", "UPDATE Users SET VoteBits = 1"),
        ("VoteBitsVersion", "bigint(20) NULL", "VoteBits", "UPDATE Users SET VoteBitsVersion = 3"),
    ]

    static func columnExists(_ connection: MySQLConnection, table: String, column: String) throws -> Bool {
        !(try connection.query("""
            SELECT 1 FROM information_schema.columns
            WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?
            """, [.text(table), .text(column)])).isEmpty
    }

    static func indexExists(_ connection: MySQLConnection, table: String, index: String) throws -> Bool {
        !(try connection.query("""
            SELECT 1 FROM information_schema.statistics
            WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?
            """, [.text(table), .text(index)])).isEmpty
    }

    static func addIndex(_ connection: MySQLConnection, table: String, index: String, definition: String) throws {
        if try !indexExists(connection, table: table, index: index) {
            try connection.simple("ALTER TABLE `\(table)` ADD \(definition)")
        }
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "dcrstakepool v1.1.1 tables") { connection in
            for statement in dcrstakepoolTables { try connection.simple(statement) }
            for (column, spec, after, fill) in legacyColumns
            where try !columnExists(connection, table: "Users", column: column) {
                try connection.simple("ALTER TABLE `Users` ADD COLUMN `\(column)` \(spec) AFTER `\(after)`")
                try connection.simple(fill)
            }
        },
        Migration(version: 2, name: "unique email and lookup indexes") { connection in
            if try !indexExists(connection, table: "Users", index: "UsersEmail") {
                let duplicates = try connection.query("""
                    SELECT COUNT(*) FROM (SELECT Email FROM Users WHERE Email IS NOT NULL
                      GROUP BY Email HAVING COUNT(*) > 1) AS d
                    """, []).first?.first?.int64 ?? 0
                if duplicates > 0 {
                    throw StorageError(.conflict, "Users has \(duplicates) email address(es) used by more than one "
                        + "account (compared case-insensitively); merge or rename them, then run the migration again")
                }
                try connection.simple("ALTER TABLE `Users` ADD UNIQUE INDEX `UsersEmail` (`Email`)")
            }
            try addIndex(connection, table: "Users", index: "UsersEmailToken", definition: "INDEX `UsersEmailToken` (`EmailToken`)")
            try addIndex(connection, table: "Users", index: "UsersAPIToken", definition: "INDEX `UsersAPIToken` (`APIToken`)")
            try addIndex(connection, table: "EmailChange", index: "EmailChangeToken",
                         definition: "INDEX `EmailChangeToken` (`Token`)")
            try addIndex(connection, table: "PasswordReset", index: "PasswordResetToken",
                         definition: "INDEX `PasswordResetToken` (`Token`)")
        },
        Migration(version: 3, name: "sessions, mail outbox, vote audit, low-fee tickets, rate counters") { connection in
            for statement in engineTables { try connection.simple(statement) }
        },
        Migration(version: 4, name: "captcha challenges") { connection in
            try connection.simple(captchaTable)
            try addIndex(connection, table: "PasswordReset", index: "PasswordResetUserId",
                         definition: "INDEX `PasswordResetUserId` (`UserId`)")
        },
        // Accounts closed by their owners (issue 21 item 6).
        Migration(version: 5, name: "closed accounts") { connection in
            try connection.simple(closedAccountsTable)
        },
        // The vspd per-ticket model (issue 24 item 2).
        Migration(version: 6, name: "vspd tickets, vote changes, alternate signing addresses, fee xpubs") { connection in
            for statement in vspTables { try connection.simple(statement) }
        },
        // The pool's hourly history (charts, revenue windows), one row per hour.
        Migration(version: 7, name: "pool history") { connection in
            try connection.simple(historyTable)
        },
        // vspblocks: the vspd block handler (issue 24 item 2): its ticket lists and the outcome scan's height.
        Migration(version: 8, name: "vspd block handler: ticket indexes, outcome scan state") { connection in
            try addIndex(connection, table: "VspTickets", index: "VspTicketsConfirmed",
                         definition: "INDEX `VspTicketsConfirmed` (`Confirmed`)")
            try addIndex(connection, table: "VspTickets", index: "VspTicketsAwaitingOutcome",
                         definition: "INDEX `VspTicketsAwaitingOutcome` (`FeeTxStatus`, `Outcome`)")
            try connection.simple("""
                CREATE TABLE IF NOT EXISTS VspScanState (
                  Name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, Height BIGINT NOT NULL
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """)
            try connection.simple("INSERT IGNORE INTO VspScanState (Name, Height) VALUES ('outcomes', 0)")
        },
    ]

    /// The vspd per-ticket tables. Hashes, addresses and keys compare exactly (binary
    /// collation); bodies and fee transactions up to 1 MiB.
    static let vspTables = [
        """
        CREATE TABLE IF NOT EXISTS VspTickets (
          TicketHash VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
          PurchaseHeight BIGINT NOT NULL, CommitmentAddress VARCHAR(255) NOT NULL, FeeAddressXPubId BIGINT NOT NULL,
          FeeAddressIndex BIGINT NOT NULL, FeeAddress VARCHAR(255) NOT NULL, FeeAmount BIGINT NOT NULL,
          FeeExpiration BIGINT NOT NULL, Confirmed TINYINT NOT NULL, VotingWIF VARCHAR(255) NOT NULL,
          VoteChoices MEDIUMTEXT NOT NULL, TSpendPolicy MEDIUMTEXT NOT NULL, TreasuryPolicy MEDIUMTEXT NOT NULL,
          FeeTxHex MEDIUMTEXT NOT NULL, FeeTxHash VARCHAR(255) NOT NULL, FeeTxStatus VARCHAR(16) NOT NULL,
          Outcome VARCHAR(16) NOT NULL, KEY VspTicketsFeeTxStatus (FeeTxStatus)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS VspVoteChanges (
          TicketHash VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, Seq BIGINT NOT NULL,
          Timestamp BIGINT NOT NULL, Request MEDIUMBLOB NOT NULL, RequestSignature VARCHAR(255) NOT NULL,
          Response MEDIUMBLOB NOT NULL, ResponseSignature VARCHAR(255) NOT NULL, PRIMARY KEY (TicketHash, Seq)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS VspAltSignAddresses (
          TicketHash VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
          Address VARCHAR(255) NOT NULL, Request MEDIUMBLOB NOT NULL, RequestSignature VARCHAR(255) NOT NULL,
          Response MEDIUMBLOB NOT NULL, ResponseSignature VARCHAR(255) NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS VspFeeXPubs (
          XPubId BIGINT NOT NULL PRIMARY KEY,
          XPubKey VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, LastUsedIndex BIGINT NOT NULL,
          Retired BIGINT NOT NULL, UNIQUE KEY VspFeeXPubsKey (XPubKey)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
    ]

    static let historyTable = """
        CREATE TABLE IF NOT EXISTS PoolHistory (
          HourStart BIGINT NOT NULL PRIMARY KEY, LiveTickets BIGINT NOT NULL, VotedTotal BIGINT NOT NULL,
          MissedTotal BIGINT NOT NULL, Users BIGINT NOT NULL, ActiveUsers BIGINT NOT NULL, FeeRevenueAtoms BIGINT NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """

    static let closedAccountsTable = """
        CREATE TABLE IF NOT EXISTS ClosedAccounts (
          UserId BIGINT NOT NULL PRIMARY KEY, ClosedHeight BIGINT NOT NULL, ClosedAt BIGINT NOT NULL,
          EmailErased TINYINT NOT NULL, KEY ClosedAccountsErasure (EmailErased, ClosedHeight)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """

    /// One row per open captcha form; the id is compared exactly (binary collation).
    static let captchaTable = """
        CREATE TABLE IF NOT EXISTS CaptchaChallenges (
          ChallengeId VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
          Answer VARCHAR(64) NOT NULL, ExpiresAt BIGINT NOT NULL, KEY CaptchaChallengesExpiresAt (ExpiresAt)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """

    static let engineTables = [
        """
        CREATE TABLE IF NOT EXISTS Sessions (
          SessionId VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, UserId BIGINT NULL,
          Payload MEDIUMBLOB NOT NULL, CreatedAt BIGINT NOT NULL, LastSeenAt BIGINT NOT NULL, ExpiresAt BIGINT NOT NULL,
          KEY SessionsUserId (UserId), KEY SessionsExpiresAt (ExpiresAt)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS MailOutbox (
          OutboxId BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, Recipient VARCHAR(255) NOT NULL,
          Subject VARCHAR(255) NOT NULL, Body MEDIUMTEXT NOT NULL,
          MessageId VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, Status VARCHAR(16) NOT NULL,
          Attempts INT NOT NULL, NextAttemptAt BIGINT NOT NULL, LastError TEXT NOT NULL, CreatedAt BIGINT NOT NULL,
          UNIQUE KEY MailOutboxMessageId (MessageId), KEY MailOutboxDue (Status, NextAttemptAt)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS VoteAudit (
          AuditId BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
          TicketHash VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, BlockHeight BIGINT NOT NULL,
          BlockHash VARCHAR(255) NOT NULL, UserId BIGINT NULL, VoteBits INT NOT NULL, PolicyName VARCHAR(255) NOT NULL,
          Reason TEXT NOT NULL, Result VARCHAR(255) NOT NULL, Detail TEXT NOT NULL, ReceivedAtMillis BIGINT NOT NULL,
          DecisionMicros BIGINT NOT NULL, TotalMicros BIGINT NOT NULL, KEY VoteAuditTicket (TicketHash)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS LowFeeTickets (
          TicketHash VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
        """
        CREATE TABLE IF NOT EXISTS RateCounters (
          CounterKey VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
          WindowStart BIGINT NOT NULL, Count BIGINT NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """,
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
