import Foundation
import PoolKernel
import PoolTestKit
import SQLStorageBase
@testable import StorageMySQL
import XCTest

/// An existing dcrstakepool v1.1.1 database (its own DDL, rows as it writes them, Go bcrypt hashes) opened with
/// this plugin: migrated without touching rows, users sign in with their old passwords and keep everything.
final class DcrstakepoolCompatibilityTests: XCTestCase {
    private var base: MySQLStoragePlugin.Configuration!
    private var databases: [String] = []

    override func setUp() async throws {
        base = try MySQLTestSupport.configuration()
    }

    override func tearDown() async throws {
        for name in databases { await MySQLTestSupport.dropDatabase(base, name) }
    }

    /// dcrstakepool v1.1.1's tables, as the spec (§2.2) gives them.
    static let originalDDL = [
        "create table if not exists `EmailChange` (`EmailChangeID` bigint not null primary key auto_increment, `UserId` bigint, `NewEmail` varchar(255), `Token` varchar(255), `Created` bigint, `Expires` bigint) engine=InnoDB charset=UTF8MB4",
        "create table if not exists `PasswordReset` (`PasswordResetID` bigint not null primary key auto_increment, `UserId` bigint, `Token` varchar(255), `Created` bigint, `Expires` bigint) engine=InnoDB charset=UTF8MB4",
        "create table if not exists `Users` (`UserId` bigint not null primary key auto_increment, `Email` varchar(255), `Username` varchar(255), `Password` mediumblob, `MultiSigAddress` varchar(255), `MultiSigScript` varchar(255), `PoolPubKeyAddr` varchar(255), `UserPubKeyAddr` varchar(255), `UserFeeAddr` varchar(255), `HeightRegistered` bigint, `EmailVerified` bigint, `EmailToken` varchar(255), `APIToken` varchar(255), `VoteBits` bigint, `VoteBitsVersion` bigint) engine=InnoDB charset=UTF8MB4",
    ]

    static let goHash = "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"  // password "abc"
    static let script = "512103" + String(repeating: "ab", count: 32) + "2103" + String(repeating: "cd", count: 32) + "52ae"
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE0ODE3MzAzNjYsImlzcyI6Imh0dHA6Ly8xMjcuMC4wLjE6ODAwMCIsImxvZ2dlZEluQXMiOjF9.c2ln"

    /// Rows as dcrstakepool writes them: every column on insert, '' for unset strings.
    static let rows = [
        "INSERT INTO Users (Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits, VoteBitsVersion) VALUES ('Alice@Example.com', 'Alice@Example.com', '\(goHash)', 'DcUserTicketAddress1', '\(script)', 'DkPoolPub1', 'DkUserPub1', 'DsFeeAddress1', 211000, 1, '', '\(jwt)', 5, 5)",
        "INSERT INTO Users (Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits, VoteBitsVersion) VALUES ('bob@example.com', 'bob@example.com', '\(goHash)', '', '', '', '', '', 0, 0, '0123456789abcdef0123456789abcdef', '', 1, 5)",
        "INSERT INTO Users (Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits, VoteBitsVersion) VALUES ('old@example.com', 'old@example.com', '\(goHash)', 'DcOld', '\(script)', 'DkPoolOld', 'DkUserOld', 'DsFeeOld', 15346, 2, '', '', 1, 3)",
        "INSERT INTO EmailChange (UserId, NewEmail, Token, Created, Expires) VALUES (1, 'alice.new@example.com', 'aaaabbbbccccddddeeeeffff00001111', 1700000000, 1700003600)",
        "INSERT INTO PasswordReset (UserId, Token, Created, Expires) VALUES (2, '0000111122223333444455556666777f', 1700000000, 1700003600)",
    ]

    private func dcrstakepoolDatabase(extra: [String] = []) async throws -> MySQLStoragePlugin.Configuration {
        let configuration = try await MySQLTestSupport.makeDatabase(base)
        databases.append(configuration.database)
        var statements = ["USE `\(configuration.database)`"] + Self.originalDDL + Self.rows
        statements += extra
        try await MySQLTestSupport.admin(base, statements)
        return configuration
    }

    func testDcrstakepoolCompatibility_existingDatabaseIsAdoptedAndUsersSignIn() async throws {
        let configuration = try await dcrstakepoolDatabase()
        let before = try await MySQLTestSupport.adminQuery(configuration, "CHECKSUM TABLE Users, EmailChange, PasswordReset")
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        let status = try await storage.schemaStatus()
        XCTAssertEqual(status.currentVersion, 0)
        try await storage.migrate()
        let migrated = try await storage.schemaStatus()
        XCTAssertTrue(migrated.isUpToDate)
        let after = try await MySQLTestSupport.adminQuery(configuration, "CHECKSUM TABLE Users, EmailChange, PasswordReset")
        XCTAssertEqual(before, after, "migrations never change existing rows")

        // Sign in with the old password (Go bcrypt hash), email matched case-insensitively like the original.
        let alice = try await storage.user(email: "alice@example.com")
        XCTAssertEqual(alice?.id, 1)
        XCTAssertTrue(BCrypt.verify(password: "abc", hash: alice?.passwordHash ?? ""))
        XCTAssertFalse(BCrypt.verify(password: "abd", hash: alice?.passwordHash ?? ""))
        XCTAssertEqual(alice?.multiSigScript, Self.script)
        XCTAssertEqual(alice?.userFeeAddr, "DsFeeAddress1")
        XCTAssertEqual(alice?.apiToken, Self.jwt)
        XCTAssertEqual(alice?.voteBits, 5)
        XCTAssertEqual(alice?.voteBitsVersion, 5)
        XCTAssertEqual(alice?.heightRegistered, 211000)
        let awaited0 = try await storage.user(apiToken: Self.jwt)?.id
        XCTAssertEqual(awaited0, 1)
        let bob = try await storage.read { try $0.user(emailToken: "0123456789abcdef0123456789abcdef") }
        XCTAssertEqual(bob?.email, "bob@example.com")
        XCTAssertEqual(bob?.emailVerified, .unverified)
        let awaited1 = try await storage.user(email: "old@example.com")?.emailVerified
        XCTAssertEqual(awaited1, .grandfathered)
        let (voting, scripts, change, reset) = try await storage.read { tx in
            (try tx.votingUsers(), try tx.registeredScripts(),
             try tx.emailChange(token: "aaaabbbbccccddddeeeeffff00001111"),
             try tx.passwordReset(token: "0000111122223333444455556666777f"))
        }
        XCTAssertEqual(voting.map(\.userId), [1, 3])
        XCTAssertEqual(scripts, [RegisteredScript(multiSigScript: Self.script, heightRegistered: 211000),
                                 RegisteredScript(multiSigScript: Self.script, heightRegistered: 15346)])
        XCTAssertEqual(change?.newEmail, "alice.new@example.com")
        XCTAssertEqual(reset?.userId, 2)

        // New users continue the id sequence; the duplicate rule now holds at the database level too.
        let carol = try await storage.insertUser(StorageConformanceTests.sampleUser(4, email: "carol@example.com"))
        XCTAssertEqual(carol.id, 4)
        await assertDuplicate { try await storage.insertUser(StorageConformanceTests.sampleUser(5, email: "BOB@example.com")) }

        // stakepoold's own query keeps working on the migrated table.
        let stakepoold = try await MySQLTestSupport.adminQuery(configuration,
            "SELECT UserId, MultiSigAddress, VoteBits, VoteBitsVersion FROM Users WHERE MultiSigAddress <> ''")
        XCTAssertEqual(stakepoold.count, 2)
        XCTAssertEqual(stakepoold.first?.map(\.string), ["1", "DcUserTicketAddress1", "5", "5"])
        await storage.shutdown()
    }

    /// Migration step 6 as the web app runs it after `migrate()`: the grandfathered user without a token gets one,
    /// Alice keeps hers, unverified Bob gets none; a second start changes nothing.
    func testDcrstakepoolCompatibility_apiTokenBackfillGivesVerifiedUsersWithoutTokenOne() async throws {
        let configuration = try await dcrstakepoolDatabase()
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        try await storage.migrate()
        let signer = APITokenSigner(secret: "pool-api-secret", issuer: "http://127.0.0.1:8000")
        let first = try await APITokenBackfill.run(storage: storage, signer: signer, logger: .disabled)
        XCTAssertEqual(first, APITokenBackfill.Result(issued: 1))
        let old = try await storage.user(email: "old@example.com")
        let token = try XCTUnwrap(old?.apiToken)
        XCTAssertEqual(try signer.verify(token).userID, 3)
        let alice = try await storage.user(id: 1)
        XCTAssertEqual(alice?.apiToken, Self.jwt, "an existing token is never replaced")
        let bob = try await storage.user(id: 2)
        XCTAssertEqual(bob?.apiToken, "", "unverified users get no token")
        let byToken = try await storage.user(apiToken: token)
        XCTAssertEqual(byToken?.id, 3)

        let before = try await MySQLTestSupport.adminQuery(configuration, "CHECKSUM TABLE Users")
        let second = try await APITokenBackfill.run(storage: storage, signer: signer, logger: .disabled)
        XCTAssertEqual(second, APITokenBackfill.Result(issued: 0))
        let after = try await MySQLTestSupport.adminQuery(configuration, "CHECKSUM TABLE Users")
        XCTAssertEqual(before, after, "a second run writes nothing")
        await storage.shutdown()
    }

    func testDcrstakepoolCompatibility_duplicateEmailsStopTheMigrationClearly() async throws {
        let configuration = try await dcrstakepoolDatabase(extra: [
            "INSERT INTO Users (Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits, VoteBitsVersion) VALUES ('ALICE@example.com', 'x', '', '', '', '', '', '', 0, 1, '', '', 1, 5)",
        ])
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        do {
            try await storage.migrate()
            XCTFail("the unique email index cannot be added over duplicates")
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .conflict)
            XCTAssertTrue(error.message.contains("more than one account"), error.message)
            XCTAssertFalse(error.message.contains("ALICE"), "no data in the message")
        }
        let count = try await MySQLTestSupport.adminQuery(configuration, "SELECT COUNT(*) FROM Users")
        XCTAssertEqual(count.first?.first?.int64, 4, "nothing was deleted")
        await storage.shutdown()
    }

    func testDcrstakepoolCompatibility_olderDatabaseGetsTheOriginalColumnMigrations() async throws {
        let configuration = try await MySQLTestSupport.makeDatabase(base)
        databases.append(configuration.database)
        // A pre-0.0.3 Users table: no HeightRegistered … VoteBitsVersion columns.
        try await MySQLTestSupport.admin(base, [
            "USE `\(configuration.database)`",
            "create table `Users` (`UserId` bigint not null primary key auto_increment, `Email` varchar(255), `Username` varchar(255), `Password` mediumblob, `MultiSigAddress` varchar(255), `MultiSigScript` varchar(255), `PoolPubKeyAddr` varchar(255), `UserPubKeyAddr` varchar(255), `UserFeeAddr` varchar(255)) engine=InnoDB charset=UTF8MB4",
            "INSERT INTO Users (Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr) VALUES ('early@example.com', 'early@example.com', '\(Self.goHash)', 'DcEarly', '\(Self.script)', 'DkP', 'DkU', 'DsF')",
        ])
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        try await storage.migrate()
        let early = try await storage.user(email: "early@example.com")
        XCTAssertEqual(early?.heightRegistered, 15346, "dcrstakepool's fill for active users")
        XCTAssertEqual(early?.emailVerified, .grandfathered)
        XCTAssertEqual(early?.voteBits, 1)
        XCTAssertEqual(early?.voteBitsVersion, 3)
        XCTAssertTrue(BCrypt.verify(password: "abc", hash: early?.passwordHash ?? ""))
        await storage.shutdown()
    }

    private func assertDuplicate<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected duplicate", file: file, line: line)
        } catch {
            XCTAssertEqual((error as? StorageError)?.code, .duplicate, "\(error)", file: file, line: line)
        }
    }
}
