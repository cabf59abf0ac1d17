import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import PoolctlHost
import XCTest

/// `poolctl user …` / `poolctl db …` as library functions, against the in-memory store.
final class StorageCommandsTests: XCTestCase {
    private var directory: URL?

    override func setUp() async throws {
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "storage-cli")
    }

    override func tearDown() async throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private final class Captured: Sendable {
        let out = LockedValue<[String]>([])
        let err = LockedValue<[String]>([])
        var output: HostOutput {
            HostOutput(out: { [out] line in out.withLock { $0.append(line) } },
                       err: { [err] line in err.withLock { $0.append(line) } })
        }
        var text: String { out.value.joined(separator: "\n") }
        var errors: String { err.value.joined(separator: "\n") }
    }

    private func passwordFile(_ contents: String) throws -> String {
        let path = try XCTUnwrap(directory).appendingPathComponent(UUID().uuidString).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `poolctl db migrate|status` need only the database options: no apisecret, wallets or stakepoold
    /// certificates (before, they refused until the certificates existed, printing `/root/.dcrstakepool//tmp/…`).
    func testPoolctlDB_needsOnlyTheDatabaseOptions() async throws {
        let dir = try XCTUnwrap(directory).path
        let configPath = dir + "/dcrstakepool.conf"
        try """
        storage=sqlite
        sqlitepath=\(dir)/pool.sqlite
        enablestakepoold=1
        stakepooldhosts=127.0.0.1,127.0.0.2
        stakepooldcerts=/tmp/absent-\(UUID().uuidString).cert,/tmp/absent-b.cert
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let io = Captured()
        let migrate = await PoolctlMain.run(arguments: ["-C", configPath, "db", "migrate"], output: io.output, home: dir)
        XCTAssertEqual(migrate, ExitCode.ok, io.errors)
        XCTAssertTrue(io.text.contains("up to date"), io.text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/pool.sqlite"))
        let status = await PoolctlMain.run(arguments: ["-C", configPath, "db", "status"], output: io.output, home: dir)
        XCTAssertEqual(status, ExitCode.ok, io.errors)

        // A database option that is wrong is still a configuration error (exit 2) naming it.
        try "storage=mysql\ndbpassword=x\ndbhost=/run/mysqld/mysqld.sock\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        let bad = Captured()
        let code = await PoolctlMain.run(arguments: ["-C", configPath, "db", "status"], output: bad.output, home: dir)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(bad.errors.contains("dcrstakepool.conf:3: dbhost is a TCP host name or address"), bad.errors)
    }

    func testUserCommand_addShowListWithoutSecrets() async throws {
        let storage = InMemoryStorage()
        let io = Captured()
        let file = try passwordFile("s3cret passphrase\n")
        let added = await UserCommand.run(["add", "--email", "Op@Example.com", "--password-file", file, "--verified"],
                                          storage: storage, output: io.output, bcryptCost: 4, voteVersion: { 7 })
        XCTAssertEqual(added, ExitCode.ok, io.errors)
        let user = try await XCTUnwrapAsync(try await storage.user(email: "op@example.com"))
        XCTAssertTrue(BCrypt.verify(password: "s3cret passphrase", hash: user.passwordHash), "the trailing newline is not part of the password")
        XCTAssertEqual(user.emailVerified, .verified)
        XCTAssertEqual(user.voteBitsVersion, 7, "the vote version the wallets gave")
        XCTAssertEqual(user.emailToken, "")

        let shown = Captured()
        let value49 = await UserCommand.run(["show", "op@EXAMPLE.com"], storage: storage, output: shown.output)
        XCTAssertEqual(value49, ExitCode.ok)
        XCTAssertTrue(shown.text.contains("Op@Example.com"))
        XCTAssertFalse(shown.text.contains(user.passwordHash), "no password hash printed")
        XCTAssertFalse(shown.text.contains("$2a$"))
        let byId = Captured()
        let value54 = await UserCommand.run(["show", "\(user.id)"], storage: storage, output: byId.output)
        XCTAssertEqual(value54, ExitCode.ok)
        XCTAssertEqual(byId.text, shown.text)

        let listed = Captured()
        let value58 = await UserCommand.run(["list"], storage: storage, output: listed.output)
        XCTAssertEqual(value58, ExitCode.ok)
        XCTAssertTrue(listed.text.contains("1\tOp@Example.com\tyes\tno\t1"))
        XCTAssertTrue(listed.text.contains("1 of 1 users"))
    }

    /// Without wallets that answer (and no `--vote-version`), `user add` stores nothing and says what to do.
    func testUserCommand_addWithoutTheWalletsVoteVersionStoresNothing() async throws {
        let storage = InMemoryStorage()
        let file = try passwordFile("a long enough pass")
        let io = Captured()
        let code = await UserCommand.run(["add", "--email", "a@b.c", "--password-file", file], storage: storage, output: io.output,
                                         bcryptCost: 4, voteVersion: { throw WalletPoolError(.walletUnavailable, "wallet 0 is unavailable") })
        XCTAssertEqual(code, ExitCode.failure)
        XCTAssertTrue(io.errors.contains("cannot learn the voting wallets' vote version (wallet 0 is unavailable)"), io.errors)
        XCTAssertTrue(io.errors.contains("--vote-version N"), io.errors)
        let count = try await storage.read { try $0.userCount() }
        XCTAssertEqual(count, 0)
        await storage.shutdown()
    }

    func testUserCommand_duplicateAndBadInputAreClearErrors() async throws {
        let storage = InMemoryStorage()
        let file = try passwordFile("a long enough pass")
        let awaited0 = await UserCommand.run(["add", "--email", "a@b.c", "--password-file", file], storage: storage,
                                             output: Captured().output, bcryptCost: 4, voteVersion: { 6 })
        XCTAssertEqual(awaited0, ExitCode.ok)
        let unverified = try await storage.user(email: "a@b.c")
        XCTAssertEqual(unverified?.emailVerified, .unverified)
        XCTAssertEqual(unverified?.emailToken.count, 32, "unverified users get a verification token")

        let duplicate = Captured()
        let awaited1 = await UserCommand.run(["add", "--email", "A@B.C", "--password-file", file], storage: storage,
                                             output: duplicate.output, bcryptCost: 4, voteVersion: { 6 })
        XCTAssertEqual(awaited1, ExitCode.failure)
        XCTAssertTrue(duplicate.errors.contains("already exists"), duplicate.errors)

        let noAt = Captured()
        let awaited2 = await UserCommand.run(["add", "--email", "nobody", "--password-file", file], storage: storage,
                                             output: noAt.output, bcryptCost: 4)
        XCTAssertEqual(awaited2, ExitCode.failure)
        // The sign-up form's refusal, rendered from the one constant (and the wording written out).
        XCTAssertEqual(noAt.errors, "poolctl: \(AccountService.invalidEmail)")
        XCTAssertEqual(noAt.errors, "poolctl: email address is invalid")

        let empty = try passwordFile("\n")
        let emptyPassword = Captured()
        let awaited3 = await UserCommand.run(["add", "--email", "x@y.z", "--password-file", empty], storage: storage,
                                             output: emptyPassword.output, bcryptCost: 4)
        XCTAssertEqual(awaited3, ExitCode.failure)
        XCTAssertTrue(emptyPassword.errors.contains("Password cannot be empty"), emptyPassword.errors)

        let argv = Captured()
        let awaited4 = await UserCommand.run(["add", "--email", "x@y.z", "--password", "pw"], storage: storage,
                                             output: argv.output)
        XCTAssertEqual(awaited4, ExitCode.usage)
        XCTAssertTrue(argv.errors.contains("never taken from the command line"))

        let stdin = Captured()
        let awaited5 = await UserCommand.run(["add", "--email", "in@y.z", "--password-file", "-"], storage: storage,
                                             output: stdin.output, bcryptCost: 4, voteVersion: { 6 }, standardInput: { Data("from stdin, long enough\r\n".utf8) })
        XCTAssertEqual(awaited5,
                       ExitCode.ok, stdin.errors)
        let fromStdin = try await storage.user(email: "in@y.z")
        XCTAssertTrue(BCrypt.verify(password: "from stdin, long enough", hash: fromStdin?.passwordHash ?? ""))

        let value100 = await UserCommand.run(["show", "ghost@nowhere"], storage: storage, output: Captured().output)
        XCTAssertEqual(value100,
                       ExitCode.failure)
        let value102 = await UserCommand.run(["frobnicate"], storage: storage, output: Captured().output)
        XCTAssertEqual(value102, ExitCode.usage)
        let value103 = try await storage.read { try $0.userCount() }
        XCTAssertEqual(value103, 2)
    }

    /// `poolctl user add` through poolctl's own wiring applies the sign-up password policy with the configured
    /// `minpasswordlength`, and the common-password list: nothing is stored for a refused password.
    func testPoolctlUserAdd_appliesTheConfiguredPasswordPolicy() async throws {
        let dir = try XCTUnwrap(directory).path
        let configPath = try WebAppTestConfig.write(into: dir, serving: false, extra: """
        storage=sqlite
        sqlitepath=\(dir)/pool.sqlite
        bcryptcost=4
        minpasswordlength=20
        """)
        func add(_ email: String, _ password: String) async throws -> (Int32, Captured) {
            let io = Captured()
            let file = try passwordFile(password + "\n")
            let code = await PoolctlMain.run(arguments: ["-C", configPath, "user", "add", "--email", email, "--password-file", file],
                                             output: io.output, home: dir)
            return (code, io)
        }
        let (short, shortIO) = try await add("short@example.com", "fifteen chars!!")
        XCTAssertEqual(short, ExitCode.failure)
        XCTAssertTrue(shortIO.errors.contains("Password must be at least 20 characters long"), shortIO.errors)
        let (common, commonIO) = try await add("common@example.com", "password")
        XCTAssertEqual(common, ExitCode.failure, commonIO.errors)
        let (good, goodIO) = try await add("good@example.com", "twenty-one characters")
        XCTAssertEqual(good, ExitCode.ok, goodIO.errors)
        let listed = Captured()
        _ = await PoolctlMain.run(arguments: ["-C", configPath, "user", "list"], output: listed.output, home: dir)
        XCTAssertTrue(listed.text.contains("1 of 1 users"), "only the accepted user is stored: \(listed.text)")
    }

    func testUserCommand_unavailableStorageIsDatabaseExit() async throws {
        let storage = InMemoryStorage()
        storage.failNext(1, with: StorageError(.unavailable, "down"))
        let io = Captured()
        let value110 = await UserCommand.run(["list"], storage: storage, output: io.output)
        XCTAssertEqual(value110, ExitCode.database)
        XCTAssertTrue(io.errors.contains("down"))
    }

    func testDBCommand_migrateAndStatus() async throws {
        let storage = InMemoryStorage(migrated: false)
        let before = Captured()
        let value117 = await DBCommand.run(["status"], storage: storage, output: before.output)
        XCTAssertEqual(value117, ExitCode.ok)
        XCTAssertTrue(before.text.contains("pending"), before.text)
        let migrate = Captured()
        let value120 = await DBCommand.run(["migrate"], storage: storage, output: migrate.output)
        XCTAssertEqual(value120, ExitCode.ok)
        XCTAssertTrue(migrate.text.contains("applied migration 1"), migrate.text)
        XCTAssertTrue(migrate.text.contains("up to date"), migrate.text)
        let value123 = await DBCommand.run(["drop"], storage: storage, output: Captured().output)
        XCTAssertEqual(value123, ExitCode.usage)
        storage.setSchemaVersionForTesting(99)
        let tooNew = Captured()
        let value126 = await DBCommand.run(["status"], storage: storage, output: tooNew.output)
        XCTAssertEqual(value126, ExitCode.database)
        let value127 = await DBCommand.run(["migrate"], storage: storage, output: Captured().output)
        XCTAssertEqual(value127, ExitCode.database)
    }

    func testDBCommand_purgeDeletesOnlyOldFinishedRows() async throws {
        let storage = InMemoryStorage()
        let now = Int64(Date().timeIntervalSince1970)
        let day: Int64 = 86_400
        @Sendable func mail(_ n: Int, age: Int64) -> OutboxMessage {
            OutboxMessage(to: "u\(n)@example.com", subject: "s", body: "b", messageID: "<\(n)@pool.test>",
                          nextAttemptAt: 0, createdAt: now - age)
        }
        @Sendable func audit(_ n: Int, age: Int64) -> VoteAuditRecord {
            VoteAuditRecord(ticketHash: "t\(n)", blockHeight: 1, blockHash: "b", voteBits: 1, policyName: "userprefs",
                            reason: "r", result: .voted, receivedAtMillis: (now - age) * 1_000, decisionMicros: 1,
                            totalMicros: 1)
        }
        let (oldSent, recentSent, oldQueued) = try await storage.write { tx in
            let ids = (try tx.enqueueMail(mail(1, age: 40 * day)), try tx.enqueueMail(mail(2, age: day)),
                       try tx.enqueueMail(mail(3, age: 40 * day)))
            try tx.markMailDelivered(id: ids.0)
            try tx.markMailDelivered(id: ids.1)
            _ = try tx.appendVoteAudit(audit(1, age: 400 * day))
            _ = try tx.appendVoteAudit(audit(2, age: 300 * day))
            return ids
        }
        let io = Captured()
        let code = await DBCommand.run(["purge"], storage: storage, output: io.output,
                                       retention: RetentionPurge.Policy(mailDays: 30, voteAuditDays: 365))
        XCTAssertEqual(code, ExitCode.ok, io.errors)
        XCTAssertEqual(io.text, "purged 1 finished mail(s) (older than 30 days) and 1 vote audit record(s) (older than 365 days)")
        let (gone, kept, queued, audits) = try await storage.read { tx in
            (try tx.outboxMessage(id: oldSent), try tx.outboxMessage(id: recentSent), try tx.outboxMessage(id: oldQueued),
             try tx.recentVoteAudits(limit: 10))
        }
        XCTAssertNil(gone)
        XCTAssertNotNil(kept)
        XCTAssertEqual(queued?.status, .queued, "pending mail is never purged")
        XCTAssertEqual(audits.map(\.ticketHash), ["t2"])

        let keepAll = Captured()
        let kept0 = await DBCommand.run(["purge"], storage: storage, output: keepAll.output,
                                        retention: RetentionPurge.Policy(mailDays: 0, voteAuditDays: 0))
        XCTAssertEqual(kept0, ExitCode.ok)
        XCTAssertEqual(keepAll.text, "purged 0 finished mail(s) (kept for ever) and 0 vote audit record(s) (kept for ever)")
    }
}

private func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
