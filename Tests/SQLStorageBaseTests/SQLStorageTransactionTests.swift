import Foundation
import PoolKernel
import SQLStorageBase
import XCTest

/// The shared SQL storage code over a scripted connection: which statement and arguments it sends for each
/// dialect, and how it maps rows (old dcrstakepool rows hold NULLs; the password is a blob). The engines
/// themselves run the storage conformance suite in StorageSQLiteTests and StorageMySQLTests.
final class SQLStorageTransactionTests: XCTestCase {
    /// Records every statement and answers queries with the rows queued for them, in order.
    final class ScriptedExecutor: SQLExecutor {
        var statements: [(sql: String, arguments: [SQLValue])] = []
        var answers: [[[SQLValue]]] = []
        func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
            statements.append((sql, arguments))
            return answers.isEmpty ? [] : answers.removeFirst()
        }
        func execute(_ sql: String, _ arguments: [SQLValue]) throws -> SQLChange {
            statements.append((sql, arguments))
            return SQLChange(affectedRows: 1, lastInsertId: 42)
        }
    }

    /// A Users row in column order: UserId, Email, Username, Password, MultiSigAddress, MultiSigScript,
    /// PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken,
    /// VoteBits, VoteBitsVersion.
    private func row(id: Int64, email: String) -> [SQLValue] {
        [.integer(id), .text(email), .text("name"), .blob(Data("$2a$10$hash".utf8)), .text("Tc1Addr"), .null,
         .null, .text(""), .null, .text("1234"), .integer(2), .null, .text("token"), .integer(5), .null]
    }

    func testRowMappingReadsNullsAsEmptyAndTheBlobAsText() throws {
        let executor = ScriptedExecutor()
        executor.answers = [[row(id: 7, email: "a@example.com")]]
        let user = try XCTUnwrap(SQLStorageTransaction(executor: executor, dialect: .mysql).user(id: 7))
        XCTAssertEqual(user, User(id: 7, email: "a@example.com", username: "name", passwordHash: "$2a$10$hash",
                                  multiSigAddress: "Tc1Addr", heightRegistered: 1234, emailVerified: .grandfathered,
                                  apiToken: "token", voteBits: 5, voteBitsVersion: 0))
        XCTAssertEqual(executor.statements.map(\.arguments), [[.integer(7)]])
    }

    func testARowWithTheWrongColumnCountIsCorruptNotMisread() {
        let executor = ScriptedExecutor()
        executor.answers = [[Array(row(id: 7, email: "a@example.com").dropLast())]]
        XCTAssertThrowsError(try SQLStorageTransaction(executor: executor, dialect: .sqlite).user(id: 7)) { error in
            XCTAssertEqual((error as? StorageError)?.code, .corrupt)
        }
    }

    func testEmailLookUpPerDialect() throws {
        // SQLite: the folded key column, so case and accents never make a second account.
        let sqlite = ScriptedExecutor()
        _ = try SQLStorageTransaction(executor: sqlite, dialect: .sqlite).user(email: "Ünïcode@Example.COM")
        XCTAssertTrue(sqlite.statements[0].sql.hasSuffix("FROM Users WHERE EmailKey = ?"), sqlite.statements[0].sql)
        XCTAssertEqual(sqlite.statements[0].arguments, [.text("unicode@example.com")])
        // MySQL: the column's collation compares; an old database may hold several matches: the lowest id wins.
        let mysql = ScriptedExecutor()
        mysql.answers = [[row(id: 9, email: "A@example.com"), row(id: 3, email: "a@example.com")]]
        let user = try SQLStorageTransaction(executor: mysql, dialect: .mysql).user(email: "a@EXAMPLE.com")
        XCTAssertEqual(user?.id, 3)
        XCTAssertTrue(mysql.statements[0].sql.hasSuffix("FROM Users WHERE Email = ?"), mysql.statements[0].sql)
        XCTAssertEqual(mysql.statements[0].arguments, [.text("a@EXAMPLE.com")])
    }

    func testValuesAreBoundNeverSpliced() throws {
        let executor = ScriptedExecutor()
        let hostile = "x'); DROP TABLE Users; --@example.com"
        let id = try SQLStorageTransaction(executor: executor, dialect: .sqlite)
            .insertUser(User(email: hostile, passwordHash: "hash"))
        XCTAssertEqual(id, 42)
        for statement in executor.statements { XCTAssertFalse(statement.sql.contains("DROP"), statement.sql) }
        XCTAssertEqual(executor.statements.last?.arguments.first, .text(hostile))
    }

    func testEmptyTokensFindNobodyWithoutAQuery() throws {
        let executor = ScriptedExecutor()
        let storage = SQLStorageTransaction(executor: executor, dialect: .mysql)
        XCTAssertNil(try storage.user(emailToken: ""))
        XCTAssertNil(try storage.user(apiToken: ""))
        XCTAssertTrue(executor.statements.isEmpty)
    }

    func testValueConversions() {
        XCTAssertEqual(SQLValue.null.int64, 0)
        XCTAssertEqual(SQLValue.null.string, "")
        XCTAssertEqual(SQLValue.text("-17").int64, -17)
        XCTAssertEqual(SQLValue.text("x").int64, 0)
        XCTAssertEqual(SQLValue.integer(12).string, "12")
        XCTAssertEqual(SQLValue.blob(Data("päss".utf8)).string, "päss")
        XCTAssertEqual(SQLValue.text("ab").data, Data([0x61, 0x62]))
        XCTAssertTrue(SQLValue.null.isNull)
    }
}
