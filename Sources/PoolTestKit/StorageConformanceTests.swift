import Foundation
import PoolKernel
import XCTest

/// The `StorageBackend` contract as tests: the in-memory store, SQLite and MySQL run the same assertions.
///
/// Subclass it in a backend's test target, override `makeBackend()` (a fresh, empty, migrated store each call)
/// and declare one test that runs the suite (Linux XCTest discovery does not see test methods inherited from
/// another module, so the checks run by name from the subclass):
///
/// ```swift
/// final class SQLiteStorageConformanceTests: StorageConformanceTests {
///     override func makeBackend() async throws -> (any StorageBackend)? { … }
///     func testSQLiteStorage_conformance() async throws { try await runStorageConformance() }
/// }
/// ```
/// Backends made by `makeBackend()` are shut down in `tearDown`.
open class StorageConformanceTests: XCTestCase {
    /// A fresh, empty, migrated backend, or nil in the base class (skips).
    open func makeBackend() async throws -> (any StorageBackend)? { nil }

    private let madeBackends = LockedValue<[any StorageBackend]>([])

    open override func tearDown() async throws {
        for backend in madeBackends.withLock({ made in defer { made = [] }; return made }) {
            await backend.shutdown()
        }
        try await super.tearDown()
    }

    /// A fresh backend from `makeBackend()`, shut down in `tearDown`.
    public func backend() async throws -> any StorageBackend {
        guard let backend = try await makeBackend() else { throw XCTSkip("base conformance class: no backend") }
        madeBackends.withLock { $0.append(backend) }
        return backend
    }

    /// Every check of the contract, by name. Each gets a fresh backend.
    public var storageChecks: [ConformanceCheck] {
        [
            ("userRoundTripsEveryField", checkStorage_userRoundTripsEveryField),
            ("idsStartAtOneAndIncrease", checkStorage_idsStartAtOneAndIncrease),
            ("emailLookupIgnoresCaseAndAccents", checkStorage_emailLookupIgnoresCaseAndAccents),
            ("duplicateEmailIsRejected", checkStorage_duplicateEmailIsRejected),
            ("updateRewritesWholeRow", checkStorage_updateRewritesWholeRow),
            ("updateMissingUserIsNotFound", checkStorage_updateMissingUserIsNotFound),
            ("updateToTakenEmailIsDuplicate", checkStorage_updateToTakenEmailIsDuplicate),
            ("tokenLookupsAreExactAndIgnoreEmpty", checkStorage_tokenLookupsAreExactAndIgnoreEmpty),
            ("countsAndActiveUsers", checkStorage_countsAndActiveUsers),
            ("usersPageInIdOrder", checkStorage_usersPageInIdOrder),
            ("writeRollsBackWhenBodyThrows", checkStorage_writeRollsBackWhenBodyThrows),
            ("bodyErrorIsRethrownUnchanged", checkStorage_bodyErrorIsRethrownUnchanged),
            ("emailChangeRows", checkStorage_emailChangeRows),
            ("passwordResetRows", checkStorage_passwordResetRows),
            ("sessionLifecycle", checkStorage_sessionLifecycle),
            ("sessionsPerUserAndPurge", checkStorage_sessionsPerUserAndPurge),
            ("outboxEnqueueAndClaim", checkStorage_outboxEnqueueAndClaim),
            ("outboxLeaseExpiryAndRetry", checkStorage_outboxLeaseExpiryAndRetry),
            ("outboxFinalStates", checkStorage_outboxFinalStates),
            ("outboxCountFiltersAndCaps", checkStorage_outboxCountFiltersAndCaps),
            ("outboxPurgeKeepsPendingAndRecent", checkStorage_outboxPurgeKeepsPendingAndRecent),
            ("voteAuditAppendAndList", checkStorage_voteAuditAppendAndList),
            ("voteAuditPurgeByAge", checkStorage_voteAuditPurgeByAge),
            ("lowFeeTickets", checkStorage_lowFeeTickets),
            ("historyUpsertKeyedByHour", checkStorage_historyUpsertKeyedByHour),
            ("rateCounters", checkStorage_rateCounters),
            ("rateCountIncrementBelowLimit", checkStorage_rateCountIncrementBelowLimit),
            ("parallelRateCountsNeverPassTheLimit", checkStorage_parallelRateCountsNeverPassTheLimit),
            ("parallelSignInsThroughTheServiceNeverPassTheLimit", checkStorage_parallelSignInsThroughTheServiceNeverPassTheLimit),
            ("passwordResetsOfOneUser", checkStorage_passwordResetsOfOneUser),
            ("parallelPasswordResetsWithOneLinkOneWins", checkStorage_parallelPasswordResetsWithOneLinkOneWins),
            ("captchaChallenges", checkStorage_captchaChallenges),
            ("parallelCaptchaConsumersOneWins", checkStorage_parallelCaptchaConsumersOneWins),
            ("closedAccounts", checkStorage_closedAccounts),
            ("overlongValuesAreRejected", checkStorage_overlongValuesAreRejected),
            ("nulBytesAreRejected", checkStorage_nulBytesAreRejected),
            ("hostileTextIsStoredExactly", checkStorage_hostileTextIsStoredExactly),
            ("numericExtremesRoundTrip", checkStorage_numericExtremesRoundTrip),
            ("migrateIsIdempotent", checkStorage_migrateIsIdempotent),
            ("apiTokenBackfillIsIdempotent", checkStorage_apiTokenBackfillIsIdempotent),
            ("concurrentRegistrationsGetUniqueIds", checkStorage_concurrentRegistrationsGetUniqueIds),
            ("parallelUserUpdatesLoseNoChange", checkStorage_parallelUserUpdatesLoseNoChange),
            ("setVoteBitsSetsEveryListedUserAndNothingElse", checkStorage_setVoteBitsSetsEveryListedUserAndNothingElse),
            ("callsAfterShutdownAreClosed", checkStorage_callsAfterShutdownAreClosed),
            // Backups
            ("snapshotRestoresIntoAnEmptyDatabase", checkStorage_snapshotRestoresIntoAnEmptyDatabase),
            ("restoreRefusesANonEmptyDatabaseAndBadRows", checkStorage_restoreRefusesANonEmptyDatabaseAndBadRows),
        ] + vspStorageChecks + vspBlockHandlerStorageChecks
    }

    /// Runs every check; a failing check is reported with its name and the others still run; a skipped check
    /// fails with `CI=true` (`failSkips`) and otherwise turns the run into a skip (`ConformanceRunner`).
    public func runStorageConformance(failSkips: Bool = TestEnvironment.isCI, file: StaticString = #filePath,
                                     line: UInt = #line) async throws {
        guard let probe = try await makeBackend() else { throw XCTSkip("base conformance class: no backend") }
        await probe.shutdown()
        try await ConformanceRunner.run("storage", storageChecks, failSkips: failSkips, file: file, line: line)
    }

    // MARK: Fixtures

    /// A complete user row with every field set to something distinctive.
    public static func sampleUser(_ n: Int, email: String? = nil) -> User {
        User(email: email ?? "user\(n)@example.com", username: "user\(n)@example.com",
             passwordHash: "$2a$10$" + String(repeating: "x", count: 53),
             multiSigAddress: "", multiSigScript: "", poolPubKeyAddr: "", userPubKeyAddr: "", userFeeAddr: "",
             heightRegistered: 0, emailVerified: .unverified, emailToken: "ab" + String(format: "%030x", n),
             apiToken: "", voteBits: 1, voteBitsVersion: 5)
    }

    /// A user that submitted an address.
    public static func activeUser(_ n: Int) -> User {
        var user = sampleUser(n)
        user.multiSigAddress = "Dcmultisig\(n)"
        user.multiSigScript = "5121" + String(format: "%04x", n)
        user.poolPubKeyAddr = "Dkpool\(n)"
        user.userPubKeyAddr = "Dkuser\(n)"
        user.userFeeAddr = "Dsfee\(n)"
        user.heightRegistered = Int64(1000 + n)
        user.emailVerified = .verified
        user.emailToken = ""
        user.apiToken = "api.token.\(n)"
        return user
    }

    public static func sampleMail(_ n: Int, due: Int64 = 100) -> OutboxMessage {
        OutboxMessage(to: "to\(n)@example.com", subject: "Subject \(n)", body: "Body \(n)\r\nline 2",
                      messageID: "<msg\(n)@pool.test>", nextAttemptAt: due, createdAt: 50)
    }

    /// Asserts that `body` throws a `StorageError` with `code`.
    public func assertStorageError<T>(_ code: StorageError.Code, _ body: () async throws -> T,
                                      file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected storage error \(code)", file: file, line: line)
        } catch let error as StorageError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        } catch {
            XCTFail("expected StorageError \(code), got \(error)", file: file, line: line)
        }
    }

    private struct Abort: Error, Equatable { let tag: Int }

    // MARK: Users

    public func checkStorage_userRoundTripsEveryField() async throws {
        let store = try await backend()
        var user = Self.activeUser(7)
        user.email = "Mixed.Case@Example.com"
        user.username = "someone else"
        user.emailVerified = .grandfathered
        user.emailToken = "0123456789abcdef0123456789abcdef"
        user.voteBits = 0x0015
        user.voteBitsVersion = 6
        let stored = try await store.insertUser(user)
        let read = try await store.user(id: stored.id)
        XCTAssertEqual(read, stored)
        XCTAssertEqual(read?.email, "Mixed.Case@Example.com", "email is stored as given, not folded")
        XCTAssertEqual(read?.username, "someone else")
        XCTAssertEqual(read?.passwordHash, user.passwordHash)
        XCTAssertEqual(read?.emailVerified, .grandfathered)
        let value151 = try await store.user(id: UserId(stored.id.rawValue + 1))
        XCTAssertNil(value151)
    }

    public func checkStorage_idsStartAtOneAndIncrease() async throws {
        let store = try await backend()
        var ids: [UserId] = []
        for n in 1...5 { ids.append(try await store.insertUser(Self.sampleUser(n)).id) }
        XCTAssertEqual(ids.first, 1, "the first user id is 1 (it is an HD child index)")
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, 5)
        let max = try await store.read { try $0.maxUserId() }
        XCTAssertEqual(max, ids.last)
    }

    public func checkStorage_emailLookupIgnoresCaseAndAccents() async throws {
        let store = try await backend()
        let alice = try await store.insertUser(Self.sampleUser(1, email: "Alice@Example.com"))
        let jose = try await store.insertUser(Self.sampleUser(2, email: "josé@exemple.fr"))
        let found = try await store.user(email: "aLiCe@EXAMPLE.COM")
        XCTAssertEqual(found?.id, alice.id)
        let value171 = try await store.user(email: "JOSÉ@exemple.fr")?.id
        XCTAssertEqual(value171, jose.id)
        let value172 = try await store.user(email: "jose@exemple.fr")?.id
        XCTAssertEqual(value172, jose.id, "accents are ignored like utf8mb4_general_ci")
        let value173 = try await store.user(email: "alice@example.co")
        XCTAssertNil(value173)
        let value174 = try await store.user(email: "alice@example.com.evil")
        XCTAssertNil(value174)
        let value175 = try await store.user(email: "")
        XCTAssertNil(value175)
        let value176 = try await store.user(email: "%")
        XCTAssertNil(value176, "no LIKE wildcards")
    }

    public func checkStorage_duplicateEmailIsRejected() async throws {
        let store = try await backend()
        _ = try await store.insertUser(Self.sampleUser(1, email: "dup@example.com"))
        await assertStorageError(.duplicate) { try await store.insertUser(Self.sampleUser(2, email: "DUP@example.com")) }
        await assertStorageError(.duplicate) { try await store.insertUser(Self.sampleUser(3, email: "dup@example.com")) }
        let count = try await store.read { try $0.userCount() }
        XCTAssertEqual(count, 1, "a double submit leaves exactly one user")
    }

    public func checkStorage_updateRewritesWholeRow() async throws {
        let store = try await backend()
        let stored = try await store.insertUser(Self.sampleUser(1))
        var changed = Self.activeUser(9)
        changed.id = stored.id
        changed.email = "new@example.com"
        changed.passwordHash = "$2a$10$" + String(repeating: "y", count: 53)
        let changedRow = changed
        try await store.write { try $0.updateUser(changedRow) }
        let value196 = try await store.user(id: stored.id)
        XCTAssertEqual(value196, changed)
        let value197 = try await store.user(email: "user1@example.com")
        XCTAssertNil(value197, "the old email no longer finds the user")
        let value198 = try await store.user(email: "NEW@example.com")?.id
        XCTAssertEqual(value198, stored.id)
        let viaClosure = try await store.updateUser(id: stored.id) { $0.voteBits = 5 }
        XCTAssertEqual(viaClosure.voteBits, 5)
        let value201 = try await store.user(id: stored.id)?.voteBits
        XCTAssertEqual(value201, 5)
        let value202 = try await store.user(id: stored.id)?.multiSigAddress
        XCTAssertEqual(value202, changed.multiSigAddress)
    }

    public func checkStorage_updateMissingUserIsNotFound() async throws {
        let store = try await backend()
        var ghost = Self.sampleUser(1)
        ghost.id = 42
        let ghostRow = ghost
        await assertStorageError(.notFound) { try await store.write { try $0.updateUser(ghostRow) } }
        await assertStorageError(.notFound) { try await store.updateUser(id: 42) { $0.voteBits = 3 } }
        let value211 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value211, 0)
    }

    public func checkStorage_updateToTakenEmailIsDuplicate() async throws {
        let store = try await backend()
        let first = try await store.insertUser(Self.sampleUser(1))
        let second = try await store.insertUser(Self.sampleUser(2))
        await assertStorageError(.duplicate) {
            try await store.updateUser(id: second.id) { $0.email = "USER1@example.com" }
        }
        let value221 = try await store.user(id: second.id)?.email
        XCTAssertEqual(value221, "user2@example.com")
        // Changing only the case of one's own email is allowed.
        try await store.updateUser(id: first.id) { $0.email = "User1@Example.com" }
        let value224 = try await store.user(email: "user1@example.com")?.email
        XCTAssertEqual(value224, "User1@Example.com")
    }

    public func checkStorage_tokenLookupsAreExactAndIgnoreEmpty() async throws {
        let store = try await backend()
        let plain = try await store.insertUser(Self.sampleUser(1))           // emailToken set, apiToken ""
        let active = try await store.insertUser(Self.activeUser(2))          // emailToken "", apiToken set
        try await store.read { tx in
            XCTAssertEqual(try tx.user(emailToken: plain.emailToken)?.id, plain.id)
            XCTAssertNil(try tx.user(emailToken: plain.emailToken.uppercased()), "tokens compare exactly")
            XCTAssertNil(try tx.user(emailToken: ""), "an empty token never matches the many unset ones")
            XCTAssertEqual(try tx.user(apiToken: "api.token.2")?.id, active.id)
            XCTAssertNil(try tx.user(apiToken: "API.TOKEN.2"))
            XCTAssertNil(try tx.user(apiToken: ""))
        }
    }

    public func checkStorage_countsAndActiveUsers() async throws {
        let store = try await backend()
        let empty = try await store.read { tx in (try tx.userCount(), try tx.activeUserCount(), try tx.maxUserId()) }
        XCTAssertEqual(empty.0, 0)
        XCTAssertEqual(empty.1, 0)
        XCTAssertNil(empty.2)
        _ = try await store.insertUser(Self.sampleUser(1))
        let two = try await store.insertUser(Self.activeUser(2))
        _ = try await store.insertUser(Self.sampleUser(3))
        let four = try await store.insertUser(Self.activeUser(4))
        try await store.read { tx in
            XCTAssertEqual(try tx.userCount(), 4)
            XCTAssertEqual(try tx.activeUserCount(), 2)
            XCTAssertEqual(try tx.maxUserId(), four.id)
            XCTAssertEqual(try tx.votingUsers(), [
                VotingUser(userId: two.id, multiSigAddress: "Dcmultisig2", voteBits: 1, voteBitsVersion: 5),
                VotingUser(userId: four.id, multiSigAddress: "Dcmultisig4", voteBits: 1, voteBitsVersion: 5),
            ])
            XCTAssertEqual(try tx.registeredScripts(), [
                RegisteredScript(multiSigScript: two.multiSigScript, heightRegistered: 1002),
                RegisteredScript(multiSigScript: four.multiSigScript, heightRegistered: 1004),
            ])
        }
    }

    public func checkStorage_usersPageInIdOrder() async throws {
        let store = try await backend()
        var ids: [UserId] = []
        for n in 1...7 { ids.append(try await store.insertUser(Self.sampleUser(n)).id) }
        let pageIds = ids
        let first = try await store.read { try $0.users(afterId: 0, limit: 3) }
        XCTAssertEqual(first.map(\.id), Array(ids[0..<3]))
        let next = try await store.read { try $0.users(afterId: pageIds[2], limit: 3) }
        XCTAssertEqual(next.map(\.id), Array(ids[3..<6]))
        let last = try await store.read { try $0.users(afterId: pageIds[5], limit: 3) }
        XCTAssertEqual(last.map(\.id), [ids[6]])
        let value276 = try await store.read { try $0.users(afterId: pageIds[6], limit: 3) }
        XCTAssertEqual(value276, [])
    }

    public func checkStorage_writeRollsBackWhenBodyThrows() async throws {
        let store = try await backend()
        let kept = try await store.insertUser(Self.sampleUser(1))
        do {
            _ = try await store.write { tx -> Int in
                _ = try tx.insertUser(Self.sampleUser(2))
                _ = try tx.enqueueMail(Self.sampleMail(1))
                try tx.insertSession(SessionRecord(id: "s1", userId: kept.id, createdAt: 1, expiresAt: 99))
                _ = try tx.updateUser(id: kept.id) { $0.voteBits = 77 }
                _ = try tx.appendVoteAudit(VoteAuditRecord(ticketHash: "aa", blockHeight: 1, blockHash: "bb",
                    voteBits: 1, policyName: "p", reason: "r", result: .voted, receivedAtMillis: 1,
                    decisionMicros: 1, totalMicros: 1))
                _ = try tx.addLowFeeTicket(hash: "cc")
                _ = try tx.incrementRateCount(key: "k", windowStart: 0)
                throw Abort(tag: 1)
            }
            XCTFail("the body threw")
        } catch let abort as Abort {
            XCTAssertEqual(abort.tag, 1)
        }
        try await store.read { tx in
            XCTAssertEqual(try tx.userCount(), 1)
            XCTAssertNil(try tx.user(email: "user2@example.com"))
            XCTAssertEqual(try tx.user(id: kept.id)?.voteBits, 1)
            XCTAssertEqual(try tx.outboxMessages(status: .queued, limit: 10), [])
            XCTAssertNil(try tx.session(id: "s1"))
            XCTAssertEqual(try tx.recentVoteAudits(limit: 10), [])
            XCTAssertEqual(try tx.lowFeeTickets(), [])
            XCTAssertEqual(try tx.rateCount(key: "k", windowStart: 0), 0)
        }
        // The email is free again: the rolled-back insert left no trace in the unique index.
        _ = try await store.insertUser(Self.sampleUser(2))
        let value311 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value311, 2)
    }

    public func checkStorage_bodyErrorIsRethrownUnchanged() async throws {
        let store = try await backend()
        do {
            _ = try await store.read { _ -> Int in throw Abort(tag: 2) }
            XCTFail("the body threw")
        } catch let abort as Abort {
            XCTAssertEqual(abort.tag, 2)
        }
        // A storage error inside a write (duplicate) rolls back the earlier insert of the same transaction.
        _ = try await store.insertUser(Self.sampleUser(1))
        await assertStorageError(.duplicate) {
            try await store.write { tx in
                _ = try tx.insertUser(Self.sampleUser(2))
                return try tx.insertUser(Self.sampleUser(3, email: "user1@example.com"))
            }
        }
        let value330 = try await store.user(email: "user2@example.com")
        XCTAssertNil(value330)
    }

    // MARK: Email change and password reset

    public func checkStorage_emailChangeRows() async throws {
        let store = try await backend()
        let user = try await store.insertUser(Self.sampleUser(1))
        let token = "aaaabbbbccccddddeeeeffff00001111"
        let change = EmailChange(userId: user.id, newEmail: "next@example.com", token: token, created: 1000,
                                 expires: 4600)
        let id = try await store.write { try $0.insertEmailChange(change) }
        XCTAssertGreaterThan(id, 0)
        let read = try await store.read { try $0.emailChange(token: token) }
        var expected = change
        expected.id = id
        XCTAssertEqual(read, expected)
        XCTAssertTrue(read?.isExpired(now: 4600) ?? false)
        XCTAssertFalse(read?.isExpired(now: 4599) ?? true)
        let value349 = try await store.read { try $0.emailChange(token: "") }
        XCTAssertNil(value349)
        let value350 = try await store.read { try $0.emailChange(token: token.uppercased()) }
        XCTAssertNil(value350)
        let value351 = try await store.write { try $0.deleteEmailChanges(token: token) }
        XCTAssertEqual(value351, 1)
        let value352 = try await store.write { try $0.deleteEmailChanges(token: token) }
        XCTAssertEqual(value352, 0)
        let value353 = try await store.read { try $0.emailChange(token: token) }
        XCTAssertNil(value353)
    }

    public func checkStorage_passwordResetRows() async throws {
        let store = try await backend()
        let user = try await store.insertUser(Self.sampleUser(1))
        let token = "0000111122223333444455556666777f"
        let first = try await store.write {
            try $0.insertPasswordReset(PasswordReset(userId: user.id, token: token, created: 10, expires: 3610))
        }
        let second = try await store.write {
            try $0.insertPasswordReset(PasswordReset(userId: user.id, token: "other", created: 11, expires: 3611))
        }
        XCTAssertGreaterThan(second, first)
        let read = try await store.read { try $0.passwordReset(token: token) }
        XCTAssertEqual(read, PasswordReset(id: first, userId: user.id, token: token, created: 10, expires: 3610))
        let value369 = try await store.write { try $0.deletePasswordResets(token: token) }
        XCTAssertEqual(value369, 1)
        let value370 = try await store.read { try $0.passwordReset(token: token) }
        XCTAssertNil(value370)
        let value371 = try await store.read { try $0.passwordReset(token: "other") }
        XCTAssertNotNil(value371)
    }

    // MARK: Sessions

    public func checkStorage_sessionLifecycle() async throws {
        let store = try await backend()
        let user = try await store.insertUser(Self.sampleUser(1))
        let payload = Data([0, 1, 2, 0xff, 0, 0x27, 0x5c])
        let session = SessionRecord(id: "hash-1", userId: nil, payload: payload, createdAt: 100, expiresAt: 200)
        try await store.write { try $0.insertSession(session) }
        let value382 = try await store.read { try $0.session(id: "hash-1") }
        XCTAssertEqual(value382, session)
        await assertStorageError(.duplicate) { try await store.write { try $0.insertSession(session) } }

        var signedIn = session
        signedIn.userId = user.id
        signedIn.payload = Data("csrf=abc".utf8)
        signedIn.createdAt = 999  // ignored: createdAt is kept
        signedIn.lastSeenAt = 150
        signedIn.expiresAt = 300
        let signedInRow = signedIn
        try await store.write { try $0.updateSession(signedInRow) }
        var expected = signedIn
        expected.createdAt = 100
        let value394 = try await store.read { try $0.session(id: "hash-1") }
        XCTAssertEqual(value394, expected)

        try await store.write { try $0.touchSession(id: "hash-1", lastSeenAt: 160, expiresAt: 400) }
        let touched = try await store.read { try $0.session(id: "hash-1") }
        XCTAssertEqual(touched?.lastSeenAt, 160)
        XCTAssertEqual(touched?.expiresAt, 400)
        XCTAssertEqual(touched?.payload, Data("csrf=abc".utf8))

        await assertStorageError(.notFound) {
            try await store.write { try $0.touchSession(id: "nope", lastSeenAt: 1, expiresAt: 2) }
        }
        var ghost = session
        ghost.id = "nope"
        let ghostSession = ghost
        await assertStorageError(.notFound) { try await store.write { try $0.updateSession(ghostSession) } }
        await assertStorageError(.invalidInput) {
            try await store.write { try $0.insertSession(SessionRecord(id: "", userId: nil, createdAt: 1, expiresAt: 2)) }
        }
        await assertStorageError(.invalidInput) {
            try await store.write {
                try $0.insertSession(SessionRecord(id: "big", userId: nil,
                    payload: Data(count: StorageLimits.sessionPayloadBytes + 1), createdAt: 1, expiresAt: 2))
            }
        }
        let value417 = try await store.write { try $0.deleteSession(id: "hash-1") }
        XCTAssertTrue(value417)
        let value418 = try await store.write { try $0.deleteSession(id: "hash-1") }
        XCTAssertFalse(value418)
        let value419 = try await store.read { try $0.session(id: "hash-1") }
        XCTAssertNil(value419)
    }

    public func checkStorage_sessionsPerUserAndPurge() async throws {
        let store = try await backend()
        let a = try await store.insertUser(Self.sampleUser(1))
        let b = try await store.insertUser(Self.sampleUser(2))
        try await store.write { tx in
            try tx.insertSession(SessionRecord(id: "a1", userId: a.id, createdAt: 0, expiresAt: 100))
            try tx.insertSession(SessionRecord(id: "a2", userId: a.id, createdAt: 0, expiresAt: 500))
            try tx.insertSession(SessionRecord(id: "b1", userId: b.id, createdAt: 0, expiresAt: 100))
            try tx.insertSession(SessionRecord(id: "anon", userId: nil, createdAt: 0, expiresAt: 50))
        }
        let value432 = try await store.write { try $0.deleteSessions(userId: a.id) }
        XCTAssertEqual(value432, 2)
        let value433 = try await store.read { try $0.session(id: "a2") }
        XCTAssertNil(value433)
        let value434 = try await store.read { try $0.session(id: "b1") }
        XCTAssertNotNil(value434)
        let value435 = try await store.write { try $0.purgeExpiredSessions(now: 100) }
        XCTAssertEqual(value435, 2, "expiresAt <= now is expired")
        let value436 = try await store.read { try $0.session(id: "b1") }
        XCTAssertNil(value436)
        let value437 = try await store.read { try $0.session(id: "anon") }
        XCTAssertNil(value437)
    }

    // MARK: Outbox

    public func checkStorage_outboxEnqueueAndClaim() async throws {
        let store = try await backend()
        let late = try await store.write { try $0.enqueueMail(Self.sampleMail(1, due: 300)) }
        let early = try await store.write { try $0.enqueueMail(Self.sampleMail(2, due: 100)) }
        let alsoEarly = try await store.write { try $0.enqueueMail(Self.sampleMail(3, due: 100)) }
        await assertStorageError(.duplicate) {
            var again = Self.sampleMail(9)
            again.messageID = Self.sampleMail(1).messageID
            let duplicate = again
            return try await store.write { try $0.enqueueMail(duplicate) }
        }
        let queued = try await store.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(queued.map(\.id), [late, early, alsoEarly])
        XCTAssertEqual(queued.first?.body, "Body 1\r\nline 2")
        XCTAssertEqual(queued.first?.to, "to1@example.com")

        let claimed = try await store.write { try $0.claimDueMail(now: 200, leaseUntil: 260, limit: 10) }
        XCTAssertEqual(claimed.map(\.id), [early, alsoEarly], "due messages in (nextAttemptAt, id) order")
        XCTAssertEqual(claimed.map(\.status), [.sending, .sending])
        XCTAssertEqual(claimed.map(\.attempts), [1, 1])
        XCTAssertEqual(claimed.map(\.nextAttemptAt), [260, 260])
        let value462 = try await store.read { try $0.outboxMessage(id: early) }
        XCTAssertEqual(value462, claimed.first)
        let none = try await store.write { try $0.claimDueMail(now: 200, leaseUntil: 260, limit: 10) }
        XCTAssertEqual(none, [], "claimed messages are leased")
        let limited = try await store.write { try $0.claimDueMail(now: 1000, leaseUntil: 1060, limit: 1) }
        XCTAssertEqual(limited.count, 1)
    }

    public func checkStorage_outboxLeaseExpiryAndRetry() async throws {
        let store = try await backend()
        let id = try await store.write { try $0.enqueueMail(Self.sampleMail(1, due: 10)) }
        _ = try await store.write { try $0.claimDueMail(now: 10, leaseUntil: 70, limit: 5) }
        // The sender died: once the lease ends the message is due again.
        let reclaimed = try await store.write { try $0.claimDueMail(now: 70, leaseUntil: 130, limit: 5) }
        XCTAssertEqual(reclaimed.map(\.id), [id])
        XCTAssertEqual(reclaimed.first?.attempts, 2)
        try await store.write { try $0.scheduleMailRetry(id: id, at: 500, error: "421 try later") }
        let retry = try await store.read { try $0.outboxMessage(id: id) }
        XCTAssertEqual(retry?.status, .queued)
        XCTAssertEqual(retry?.nextAttemptAt, 500)
        XCTAssertEqual(retry?.lastError, "421 try later")
        let value482 = try await store.write { try $0.claimDueMail(now: 499, leaseUntil: 600, limit: 5) }
        XCTAssertEqual(value482, [])
        let value483 = try await store.write { try $0.claimDueMail(now: 500, leaseUntil: 600, limit: 5) }.first?.attempts
        XCTAssertEqual(value483, 3)
        await assertStorageError(.notFound) { try await store.write { try $0.scheduleMailRetry(id: 999, at: 1, error: "") } }
        await assertStorageError(.notFound) { try await store.write { try $0.markMailDelivered(id: 999) } }
        await assertStorageError(.notFound) { try await store.write { try $0.markMailFailed(id: 999, error: "") } }
    }

    public func checkStorage_outboxFinalStates() async throws {
        let store = try await backend()
        let sent = try await store.write { try $0.enqueueMail(Self.sampleMail(1, due: 0)) }
        let bad = try await store.write { try $0.enqueueMail(Self.sampleMail(2, due: 0)) }
        _ = try await store.write { try $0.claimDueMail(now: 0, leaseUntil: 60, limit: 5) }
        try await store.write { tx in
            try tx.markMailDelivered(id: sent)
            try tx.markMailFailed(id: bad, error: String(repeating: "e", count: 5000) + "\u{0}")
        }
        let value498 = try await store.read { try $0.outboxMessages(status: .delivered, limit: 5) }.map(\.id)
        XCTAssertEqual(value498, [sent])
        let failed = try await store.read { try $0.outboxMessages(status: .failed, limit: 5) }
        XCTAssertEqual(failed.map(\.id), [bad])
        XCTAssertEqual(failed.first?.lastError.unicodeScalars.count, StorageLimits.errorText, "long errors are clipped")
        let value502 = try await store.write { try $0.claimDueMail(now: 10_000, leaseUntil: 10_060, limit: 5) }
        XCTAssertEqual(value502, [],
                       "delivered and failed messages are never claimed again")
    }

    /// `outboxCount`: by status and attempts, capped at the limit, equal to counting `outboxMessages`.
    public func checkStorage_outboxCountFiltersAndCaps() async throws {
        let store = try await backend()
        for n in 1...5 { _ = try await store.write { try $0.enqueueMail(Self.sampleMail(n, due: 0)) } }
        // Two claimed once (one attempt each), one of them then failed for good.
        let claimed = try await store.write { try $0.claimDueMail(now: 0, leaseUntil: 60, limit: 2) }.map(\.id)
        try await store.write { tx in
            try tx.scheduleMailRetry(id: claimed[0], at: 500, error: "refused")
            try tx.markMailFailed(id: claimed[1], error: "gave up")
        }
        let counts = try await store.read { tx in
            [try tx.outboxCount(status: .queued, minAttempts: 0, limit: 100), try tx.outboxCount(status: .queued, minAttempts: 1, limit: 100),
             try tx.outboxCount(status: .failed, minAttempts: 0, limit: 100), try tx.outboxCount(status: .queued, minAttempts: 0, limit: 2),
             try tx.outboxCount(status: .delivered, minAttempts: 0, limit: 100), try tx.outboxMessages(status: .queued, limit: 100).count]
        }
        XCTAssertEqual(counts, [4, 1, 1, 2, 0, 4], "queued, retrying, failed, queued capped at 2, delivered, listed queued")
    }

    public func checkStorage_outboxPurgeKeepsPendingAndRecent() async throws {
        let store = try await backend()
        @Sendable func mail(_ n: Int, createdAt: Int64) -> OutboxMessage {
            var message = Self.sampleMail(n, due: 0)
            message.createdAt = createdAt
            return message
        }
        // Old: delivered, failed, queued, sending. Recent: delivered.
        let (oldSent, oldFailed, oldQueued, oldSending, newSent) = try await store.write { tx in
            (try tx.enqueueMail(mail(1, createdAt: 100)), try tx.enqueueMail(mail(2, createdAt: 100)),
             try tx.enqueueMail(mail(3, createdAt: 100)), try tx.enqueueMail(mail(4, createdAt: 100)),
             try tx.enqueueMail(mail(5, createdAt: 1_000)))
        }
        try await store.write { tx in
            try tx.markMailDelivered(id: oldSent)
            try tx.markMailFailed(id: oldFailed, error: "550 no such user")
            try tx.markMailDelivered(id: newSent)
            try tx.scheduleMailRetry(id: oldQueued, at: 5_000, error: "421 later")
        }
        _ = try await store.write { try $0.claimDueMail(now: 0, leaseUntil: 60, limit: 1) }  // claims oldSending
        let purged = try await store.write { try $0.purgeFinishedMail(createdBefore: 1_000) }
        XCTAssertEqual(purged, 2, "only delivered and failed messages older than the cut-off")
        let (gone1, gone2, queued, sending, recent) = try await store.read { tx in
            (try tx.outboxMessage(id: oldSent), try tx.outboxMessage(id: oldFailed), try tx.outboxMessage(id: oldQueued),
             try tx.outboxMessage(id: oldSending), try tx.outboxMessage(id: newSent))
        }
        XCTAssertNil(gone1)
        XCTAssertNil(gone2)
        XCTAssertEqual(queued?.status, .queued, "pending mail is never purged")
        XCTAssertEqual(sending?.status, .sending, "mail being sent is never purged")
        XCTAssertEqual(recent?.status, .delivered, "createdAt == cut-off is kept")
        let again = try await store.write { try $0.purgeFinishedMail(createdBefore: 1_000) }
        XCTAssertEqual(again, 0)
        // A purged message id may be used again.
        let reused = try await store.write { try $0.enqueueMail(mail(1, createdAt: 2_000)) }
        XCTAssertGreaterThan(reused, newSent)
    }

    // MARK: Vote audit, low-fee tickets, rate counters

    public func checkStorage_voteAuditPurgeByAge() async throws {
        let store = try await backend()
        @Sendable func record(_ n: Int, at millis: Int64) -> VoteAuditRecord {
            VoteAuditRecord(ticketHash: "ticket\(n)", blockHeight: Int64(n), blockHash: "block\(n)", voteBits: 1,
                            policyName: "userprefs", reason: "r", result: .voted, receivedAtMillis: millis,
                            decisionMicros: 1, totalMicros: 2)
        }
        let ids = try await store.write { tx in
            [try tx.appendVoteAudit(record(1, at: 1_000)), try tx.appendVoteAudit(record(2, at: 1_999)),
             try tx.appendVoteAudit(record(3, at: 2_000)), try tx.appendVoteAudit(record(4, at: 3_000))]
        }
        let purged = try await store.write { try $0.purgeVoteAudits(receivedBeforeMillis: 2_000) }
        XCTAssertEqual(purged, 2)
        let left = try await store.read { try $0.recentVoteAudits(limit: 10) }
        XCTAssertEqual(left.map(\.id), [ids[3], ids[2]], "records at or after the cut-off stay")
        let none = try await store.write { try $0.purgeVoteAudits(receivedBeforeMillis: 2_000) }
        XCTAssertEqual(none, 0)
        let next = try await store.write { try $0.appendVoteAudit(record(5, at: 4_000)) }
        XCTAssertGreaterThan(next, ids[3], "ids keep increasing after a purge")
    }


    public func checkStorage_voteAuditAppendAndList() async throws {
        let store = try await backend()
        let user = try await store.insertUser(Self.activeUser(1))
        @Sendable func record(_ n: Int, ticket: String, result: VoteAuditRecord.Result) -> VoteAuditRecord {
            VoteAuditRecord(ticketHash: ticket, blockHeight: Int64(100 + n), blockHash: "block\(n)",
                            userId: n == 1 ? nil : user.id, voteBits: n == 3 ? 0xffff : 5, policyName: "userprefs",
                            reason: "user's preference \(n)", result: result, detail: n == 2 ? "wallet 1: -4" : "",
                            receivedAtMillis: 1_700_000_000_000 + Int64(n), decisionMicros: 12, totalMicros: 3456)
        }
        let first = try await store.write { try $0.appendVoteAudit(record(1, ticket: "t1", result: .voted)) }
        let second = try await store.write { try $0.appendVoteAudit(record(2, ticket: "t2", result: .failed)) }
        let third = try await store.write { try $0.appendVoteAudit(record(3, ticket: "t1", result: .skipped)) }
        let recent = try await store.read { try $0.recentVoteAudits(limit: 2) }
        XCTAssertEqual(recent.map(\.id), [third, second], "newest first")
        var expected = record(2, ticket: "t2", result: .failed)
        expected.id = second
        XCTAssertEqual(recent.last, expected)
        let forTicket = try await store.read { try $0.voteAudits(ticketHash: "t1") }
        XCTAssertEqual(forTicket.map(\.id), [first, third])
        XCTAssertNil(forTicket.first?.userId)
        XCTAssertEqual(forTicket.last?.voteBits, 0xffff)
        XCTAssertEqual(forTicket.last?.result, .skipped)
    }

    public func checkStorage_lowFeeTickets() async throws {
        let store = try await backend()
        let hashB = String(repeating: "b", count: 64)
        let hashA = String(repeating: "a", count: 64)
        let value536 = try await store.write { try $0.addLowFeeTicket(hash: hashB) }
        XCTAssertTrue(value536)
        let value537 = try await store.write { try $0.addLowFeeTicket(hash: hashA) }
        XCTAssertTrue(value537)
        let value538 = try await store.write { try $0.addLowFeeTicket(hash: hashA) }
        XCTAssertFalse(value538)
        let value539 = try await store.read { try $0.lowFeeTickets() }
        XCTAssertEqual(value539, [hashA, hashB])
        let value540 = try await store.write { try $0.removeLowFeeTicket(hash: hashA) }
        XCTAssertTrue(value540)
        let value541 = try await store.write { try $0.removeLowFeeTicket(hash: hashA) }
        XCTAssertFalse(value541)
        let value542 = try await store.read { try $0.lowFeeTickets() }
        XCTAssertEqual(value542, [hashB])
        await assertStorageError(.invalidInput) { try await store.write { try $0.addLowFeeTicket(hash: "") } }
    }

    /// One row per hour however often (and by however many hosts) it is written; ascending reads from
    /// an hour, bounded by `limit`; purge by age; bad rows refused and nothing written.
    public func checkStorage_historyUpsertKeyedByHour() async throws {
        let store = try await backend()
        let hour: Int64 = 1_764_000_000 - 1_764_000_000 % 3_600
        let first = PoolHistorySample(hourStart: hour, liveTickets: 5, votedTotal: 7, missedTotal: 1, users: 9,
                                      activeUsers: 4, feeRevenueAtoms: 12_345_678_901)
        let replaced = PoolHistorySample(hourStart: hour, liveTickets: 6, votedTotal: 8, missedTotal: 2, users: 10,
                                         activeUsers: 5, feeRevenueAtoms: Int64.max)
        let earlier = PoolHistorySample(hourStart: hour - 7_200, liveTickets: 1)
        let later = PoolHistorySample(hourStart: hour + 3_600, users: 11)
        try await store.write { tx in
            try tx.upsertHistorySample(later)
            try tx.upsertHistorySample(first)
            try tx.upsertHistorySample(earlier)
        }
        // Two writers of the same hour in parallel (two web hosts): still one row, holding one writer's figures.
        async let one: Void = store.write { try $0.upsertHistorySample(first) }
        async let two: Void = store.write { try $0.upsertHistorySample(replaced) }
        _ = try await (one, two)
        let parallel = try await store.read { try $0.historySamples(since: hour, limit: 10) }
        XCTAssertEqual(parallel.map(\.hourStart), [hour, hour + 3_600])
        XCTAssertTrue(parallel.first == first || parallel.first == replaced, "\(parallel)")
        try await store.write { try $0.upsertHistorySample(replaced) }
        let all = try await store.read { try $0.historySamples(since: 0, limit: 10) }
        XCTAssertEqual(all, [earlier, replaced, later], "ascending by hour, the last write of an hour wins")
        let limited = try await store.read { try $0.historySamples(since: hour - 3_600, limit: 1) }
        XCTAssertEqual(limited, [replaced], "from the hour asked, oldest first, at most the limit")
        let purged = try await store.write { try $0.purgeHistorySamples(before: hour) }
        XCTAssertEqual(purged, 1)
        let kept = try await store.read { try $0.historySamples(since: 0, limit: 10) }
        XCTAssertEqual(kept, [replaced, later])
        await assertStorageError(.invalidInput) {
            try await store.write { try $0.upsertHistorySample(PoolHistorySample(hourStart: hour + 60)) }
        }
        await assertStorageError(.invalidInput) {
            try await store.write { try $0.upsertHistorySample(PoolHistorySample(hourStart: hour + 7_200, liveTickets: -1)) }
        }
        let after = try await store.read { try $0.historySamples(since: 0, limit: 10) }
        XCTAssertEqual(after, kept, "refused rows write nothing")
    }

    public func checkStorage_rateCounters() async throws {
        let store = try await backend()
        let value548 = try await store.write { try $0.incrementRateCount(key: "signin:1.2.3.4", windowStart: 60) }
        XCTAssertEqual(value548, 1)
        let value549 = try await store.write { try $0.incrementRateCount(key: "signin:1.2.3.4", windowStart: 60) }
        XCTAssertEqual(value549, 2)
        let value550 = try await store.write { try $0.incrementRateCount(key: "signin:5.6.7.8", windowStart: 60) }
        XCTAssertEqual(value550, 1)
        let value551 = try await store.read { try $0.rateCount(key: "signin:1.2.3.4", windowStart: 60) }
        XCTAssertEqual(value551, 2)
        let value552 = try await store.read { try $0.rateCount(key: "signin:1.2.3.4", windowStart: 120) }
        XCTAssertEqual(value552, 0)
        let value553 = try await store.write { try $0.incrementRateCount(key: "signin:1.2.3.4", windowStart: 120) }
        XCTAssertEqual(value553, 1,
                       "a new window starts again at 1")
        let value555 = try await store.write { try $0.purgeRateCounts(before: 120) }
        XCTAssertEqual(value555, 1)
        let value556 = try await store.read { try $0.rateCount(key: "signin:5.6.7.8", windowStart: 60) }
        XCTAssertEqual(value556, 0)
        let value557 = try await store.read { try $0.rateCount(key: "signin:1.2.3.4", windowStart: 120) }
        XCTAssertEqual(value557, 1)
    }

    public func checkStorage_rateCountIncrementBelowLimit() async throws {
        let store = try await backend()
        var taken: [Bool] = []
        for _ in 0..<4 {
            taken.append(try await store.write { try $0.incrementRateCount(key: "k", windowStart: 60, limit: 3) })
        }
        XCTAssertEqual(taken, [true, true, true, false], "three units, then refused")
        let atLimit = try await store.read { try $0.rateCount(key: "k", windowStart: 60) }
        XCTAssertEqual(atLimit, 3, "a refused take counts nothing")
        try await store.write { try $0.releaseRateCount(key: "k", windowStart: 60) }
        let released = try await store.read { try $0.rateCount(key: "k", windowStart: 60) }
        XCTAssertEqual(released, 2)
        let again = try await store.write { try $0.incrementRateCount(key: "k", windowStart: 60, limit: 3) }
        XCTAssertTrue(again, "a released unit can be taken again")
        try await store.write { try $0.releaseRateCount(key: "k", windowStart: 120) }
        let otherWindow = try await store.read { try $0.rateCount(key: "k", windowStart: 60) }
        XCTAssertEqual(otherWindow, 3, "a release for another window changes nothing")
        let newWindow = try await store.write { try $0.incrementRateCount(key: "k", windowStart: 120, limit: 3) }
        XCTAssertTrue(newWindow)
        let restarted = try await store.read { try $0.rateCount(key: "k", windowStart: 120) }
        XCTAssertEqual(restarted, 1, "a new window starts again")
        let never = try await store.write { try $0.incrementRateCount(key: "z", windowStart: 120, limit: 0) }
        XCTAssertFalse(never)
        for _ in 0..<3 { try await store.write { try $0.releaseRateCount(key: "z", windowStart: 120) } }
        let floor = try await store.read { try $0.rateCount(key: "z", windowStart: 120) }
        XCTAssertEqual(floor, 0, "never below zero")
        try await assertStorageError(.invalidInput) {
            try await store.write { try $0.incrementRateCount(key: "", windowStart: 1, limit: 1) }
        }
    }

    /// 30 transactions take from one key in parallel: exactly the limit succeed, and the stored count agrees.
    public func checkStorage_parallelRateCountsNeverPassTheLimit() async throws {
        let store = try await backend()
        let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 {
                group.addTask { try await store.write { try $0.incrementRateCount(key: "burst", windowStart: 900, limit: 10) } }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(granted, 10)
        let count = try await store.read { try $0.rateCount(key: "burst", windowStart: 900) }
        XCTAssertEqual(count, 10)
    }

    /// The real `AccountService` over this engine: 30 parallel wrong sign-ins from one address, limit 10. Exactly
    /// ten are checked (and refused as wrong), twenty are throttled, and bcrypt ran ten times.
    public func checkStorage_parallelSignInsThroughTheServiceNeverPassTheLimit() async throws {
        let store = try await backend()
        let logger = LogBackend(level: .error, sinks: []).logger("TEST")
        let hasher = PasswordHasher(cost: 4, width: 2)
        let accounts = AccountService(
            configuration: .init(bcryptCost: 4, throttle: SignInThrottle(perIP: 10, perAccountIP: 100)), storage: store,
            renderer: EmailRenderer(configuration: .init(baseURL: "http://pool", templateDirectory: nil), logger: logger),
            tokens: APITokenSigner(secret: "k", issuer: "http://pool"), wakeOutbox: {}, logger: logger,
            now: { 1_000_000 }, hasher: hasher, pause: { _ in })
        _ = try await store.insertUser(User(email: "victim@example.com", passwordHash: try BCrypt.hash(password: "victim-Pass-01", cost: 4),
                                            emailVerified: .verified))
        let results = await withTaskGroup(of: SignInResult.self) { group in
            for _ in 0..<30 {
                group.addTask { await accounts.signIn(email: "victim@example.com", password: "guess", ip: "198.51.100.9") }
            }
            return await group.reduce(into: [SignInResult]()) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0 == .refused("Invalid Email or Password") }.count, 10)
        XCTAssertEqual(results.filter { $0 == .rateLimited(SignInThrottle.message) }.count, 20)
        XCTAssertEqual(hasher.verifications, 10)
        // The owner from another address is not locked out.
        let owner = await accounts.signIn(email: "victim@example.com", password: "victim-Pass-01", ip: "203.0.113.5")
        guard case .signedIn = owner else { return XCTFail("owner refused: \(owner)") }
    }

    /// The real `AccountService` over this engine: one password-reset link posted eight times at once, each with
    /// another new password. The link is consumed atomically (a one-time token, like a captcha answer): exactly
    /// one post sets its password, the others are told the link is no longer valid. (Eight hashes at once, so the
    /// eight transactions overlap: on MySQL a read-then-update let two to four posts each set their password.)
    public func checkStorage_parallelPasswordResetsWithOneLinkOneWins() async throws {
        let store = try await backend()
        let logger = LogBackend(level: .error, sinks: []).logger("TEST")
        let accounts = AccountService(
            configuration: .init(bcryptCost: 4), storage: store,
            renderer: EmailRenderer(configuration: .init(baseURL: "http://pool", templateDirectory: nil), logger: logger),
            tokens: APITokenSigner(secret: "k", issuer: "http://pool"), wakeOutbox: {}, logger: logger,
            now: { 1_000_000 }, hasher: PasswordHasher(cost: 4, width: 8), pause: { _ in })
        let user = try await store.insertUser(User(email: "reset@example.com", passwordHash: try BCrypt.hash(password: "old-Pass-00001", cost: 4),
                                                   emailVerified: .verified))
        let token = String(repeating: "5e", count: 16)
        _ = try await store.write {
            try $0.insertPasswordReset(PasswordReset(userId: user.id, token: token, created: 999_000, expires: 1_003_600))
        }
        let results = await withTaskGroup(of: (String, AccountMessages).self) { group in
            for n in 0..<8 {
                let password = "parallel-Pass-\(n)\(n)"
                group.addTask { (password, await accounts.resetPassword(token: token, password: password, passwordRepeat: password)) }
            }
            return await group.reduce(into: [(String, AccountMessages)]()) { $0.append($1) }
        }
        let winners = results.filter { $0.1.errors.isEmpty }
        XCTAssertEqual(winners.count, 1, "\(results.map { $0.1 })")
        let stored = try await store.user(id: user.id)
        XCTAssertTrue(BCrypt.verify(password: winners.first?.0 ?? "-", hash: stored?.passwordHash ?? ""),
                      "the stored password is the one post that was told it succeeded")
        let link = try await store.read { try $0.passwordReset(token: token) }
        XCTAssertNil(link, "the link is used up")
    }

    public func checkStorage_passwordResetsOfOneUser() async throws {
        let store = try await backend()
        let first = try await store.insertUser(Self.sampleUser(1))
        let second = try await store.insertUser(Self.sampleUser(2))
        try await store.write { tx in
            _ = try tx.insertPasswordReset(PasswordReset(userId: first.id, token: "a1", created: 1, expires: 2))
            _ = try tx.insertPasswordReset(PasswordReset(userId: first.id, token: "a2", created: 1, expires: 2))
            _ = try tx.insertPasswordReset(PasswordReset(userId: second.id, token: "b1", created: 1, expires: 2))
        }
        let deleted = try await store.write { try $0.deletePasswordResets(userId: first.id) }
        XCTAssertEqual(deleted, 2)
        let left = try await store.read { [try $0.passwordReset(token: "a1"), try $0.passwordReset(token: "a2"),
                                           try $0.passwordReset(token: "b1")] }
        XCTAssertEqual(left.map { $0?.token }, [nil, nil, "b1"])
    }

    public func checkStorage_captchaChallenges() async throws {
        let store = try await backend()
        let live = CaptchaChallenge(id: "0123456789abcdef0123456789abcdef", answer: "04217", expiresAt: 700)
        let old = CaptchaChallenge(id: "ffffffffffffffffffffffffffffffff", answer: "99999", expiresAt: 100)
        try await store.write { tx in
            try tx.insertCaptcha(live)
            try tx.insertCaptcha(old)
        }
        let read = try await store.read { try $0.captcha(id: live.id) }
        XCTAssertEqual(read, live)
        let upper = try await store.read { try $0.captcha(id: live.id.uppercased()) }
        XCTAssertNil(upper, "ids compare exactly")
        let none = try await store.read { try $0.captcha(id: "") }
        XCTAssertNil(none)
        try await assertStorageError(.duplicate) { try await store.write { try $0.insertCaptcha(live) } }
        try await assertStorageError(.invalidInput) {
            try await store.write { try $0.insertCaptcha(CaptchaChallenge(id: "", answer: "1", expiresAt: 1)) }
        }
        let expired = try await store.write { try $0.consumeCaptcha(id: old.id, now: 200) }
        XCTAssertNil(expired, "an expired challenge is not handed out")
        let gone = try await store.read { try $0.captcha(id: old.id) }
        XCTAssertNil(gone, "but it is deleted")
        let consumed = try await store.write { try $0.consumeCaptcha(id: live.id, now: 200) }
        XCTAssertEqual(consumed, live)
        let twice = try await store.write { try $0.consumeCaptcha(id: live.id, now: 200) }
        XCTAssertNil(twice, "one use")
        try await store.write { tx in
            try tx.insertCaptcha(CaptchaChallenge(id: "a", answer: "1", expiresAt: 300))
            try tx.insertCaptcha(CaptchaChallenge(id: "b", answer: "2", expiresAt: 301))
        }
        let purged = try await store.write { try $0.purgeExpiredCaptchas(now: 300) }
        XCTAssertEqual(purged, 1)
        let kept = try await store.read { try $0.captcha(id: "b") }
        XCTAssertNotNil(kept)
    }

    /// Closing records: one per user, listed for erasure by height until marked erased; the user row
    /// and its voting columns are untouched by closing.
    public func checkStorage_closedAccounts() async throws {
        let store = try await backend()
        let first = try await store.insertUser(Self.sampleUser(1)).id
        let second = try await store.insertUser(Self.sampleUser(2)).id
        let third = try await store.insertUser(Self.sampleUser(3)).id
        let open = try await store.read { try $0.closedAccount(userId: first) }
        XCTAssertNil(open, "an open account has no closing record")
        try await store.write { tx in
            try tx.insertClosedAccount(ClosedAccount(userId: third, closedHeight: 500, closedAt: 1_700_000_300))
            try tx.insertClosedAccount(ClosedAccount(userId: first, closedHeight: 100, closedAt: 1_700_000_000))
            try tx.insertClosedAccount(ClosedAccount(userId: second, closedHeight: 200, closedAt: 1_700_000_100,
                                                     emailErased: true))
        }
        let read = try await store.read { try $0.closedAccount(userId: first) }
        XCTAssertEqual(read, ClosedAccount(userId: first, closedHeight: 100, closedAt: 1_700_000_000))
        try await assertStorageError(.duplicate) {
            try await store.write { try $0.insertClosedAccount(ClosedAccount(userId: first, closedHeight: 9, closedAt: 9)) }
        }
        try await assertStorageError(.notFound) {
            try await store.write { try $0.insertClosedAccount(ClosedAccount(userId: UserId(9_999), closedHeight: 1, closedAt: 1)) }
        }
        let due = try await store.read { try $0.closedAccountsAwaitingErasure(maxClosedHeight: 500) }
        XCTAssertEqual(due.map(\.userId), [first, third], "not yet erased, closed at or below the height, by id")
        let early = try await store.read { try $0.closedAccountsAwaitingErasure(maxClosedHeight: 499) }
        XCTAssertEqual(early.map(\.userId), [first])
        try await store.write { try $0.markClosedAccountEmailErased(userId: first) }
        let after = try await store.read { try $0.closedAccountsAwaitingErasure(maxClosedHeight: 1_000) }
        XCTAssertEqual(after.map(\.userId), [third])
        let erased = try await store.read { try $0.closedAccount(userId: first)?.emailErased }
        XCTAssertEqual(erased, true)
        try await assertStorageError(.notFound) {
            try await store.write { try $0.markClosedAccountEmailErased(userId: UserId(9_999)) }
        }
        let row = try await store.user(id: first)
        XCTAssertEqual(row?.email, Self.sampleUser(1).email, "closing records leave the user row alone")
    }

    /// 30 transactions change one user in parallel, each reading the row (`userForUpdate`) and adding one: every
    /// change is kept (two web hosts on one database, or one host's pooled connections, lose no update).
    public func checkStorage_parallelUserUpdatesLoseNoChange() async throws {
        let store = try await backend()
        let id = try await store.insertUser(Self.sampleUser(1)).id
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 {
                group.addTask { try await store.updateUser(id: id) { $0.heightRegistered += 1 } }
            }
            try await group.waitForAll()
        }
        let row = try await store.user(id: id)
        XCTAssertEqual(row?.heightRegistered, Self.sampleUser(1).heightRegistered + 30)
    }

    /// 20 transactions consume one challenge in parallel: exactly one gets it.
    public func checkStorage_parallelCaptchaConsumersOneWins() async throws {
        let store = try await backend()
        let id = "00112233445566778899aabbccddeeff"
        try await store.write { try $0.insertCaptcha(CaptchaChallenge(id: id, answer: "12345", expiresAt: 1_000)) }
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { try await store.write { try $0.consumeCaptcha(id: id, now: 10) } != nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(winners, 1)
    }

    // MARK: Bad input

    public func checkStorage_overlongValuesAreRejected() async throws {
        let store = try await backend()
        let local = String(repeating: "a", count: 255 - "@example.com".count)
        let longest = local + "@example.com"
        XCTAssertEqual(longest.count, 255)
        let stored = try await store.insertUser(Self.sampleUser(1, email: longest))
        let value568 = try await store.user(id: stored.id)?.email
        XCTAssertEqual(value568, longest)
        await assertStorageError(.invalidInput) { try await store.insertUser(Self.sampleUser(2, email: "a" + longest)) }
        // 255 four-byte characters fit (limits count characters, like MySQL varchar).
        let emoji = String(repeating: "😀", count: 255)
        let emojiUser = try await store.insertUser(Self.sampleUser(3, email: emoji))
        let value573 = try await store.user(id: emojiUser.id)?.email
        XCTAssertEqual(value573, emoji)
        await assertStorageError(.invalidInput) { try await store.insertUser(Self.sampleUser(4, email: emoji + "😀")) }
        await assertStorageError(.invalidInput) {
            try await store.updateUser(id: stored.id) { $0.apiToken = String(repeating: "t", count: 256) }
        }
        await assertStorageError(.invalidInput) {
            var mail = Self.sampleMail(1)
            mail.body = String(repeating: "b", count: StorageLimits.mailBodyBytes + 1)
            let oversized = mail
            return try await store.write { try $0.enqueueMail(oversized) }
        }
        let value583 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value583, 2)
    }

    public func checkStorage_nulBytesAreRejected() async throws {
        let store = try await backend()
        await assertStorageError(.invalidInput) { try await store.insertUser(Self.sampleUser(1, email: "a\u{0}@example.com")) }
        let user = try await store.insertUser(Self.sampleUser(2))
        await assertStorageError(.invalidInput) { try await store.updateUser(id: user.id) { $0.multiSigScript = "51\u{0}" } }
        await assertStorageError(.invalidInput) {
            try await store.write {
                try $0.insertEmailChange(EmailChange(userId: user.id, newEmail: "x\u{0}y", token: "t", created: 0, expires: 1))
            }
        }
        let value596 = try await store.user(id: user.id)
        XCTAssertEqual(value596, user)
        let value597 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value597, 1)
    }

    public func checkStorage_hostileTextIsStoredExactly() async throws {
        let store = try await backend()
        let hostile = [
            "x'); DROP TABLE Users; --@example.com",
            "\"quoted\"\\back\\slash@example.com",
            "percent%_under@example.com",
            String(decoding: [0x61, 0xff, 0xfe, 0x40, 0x62], as: UTF8.self),  // invalid UTF-8, repaired to U+FFFD
            "tab\tnewline\n@example.com",
            "漢字@例え.jp",
            "😀@emoji.example",
        ]
        var ids: [UserId] = []
        for (n, email) in hostile.enumerated() {
            ids.append(try await store.insertUser(Self.sampleUser(n, email: email)).id)
        }
        for (n, email) in hostile.enumerated() {
            let value616 = try await store.user(id: ids[n])?.email
            XCTAssertEqual(value616, email)
            let value617 = try await store.user(email: email)?.id
            XCTAssertEqual(value617, ids[n], "look-up of \(email.debugDescription)")
        }
        let value619 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value619, hostile.count, "the Users table survived")
        let value620 = try await store.user(email: "percentX_under@example.com")
        XCTAssertNil(value620, "no LIKE semantics")
        let token = "' OR '1'='1"
        let value622 = try await store.read { try $0.user(apiToken: token) }
        XCTAssertNil(value622)
        let value623 = try await store.read { try $0.user(emailToken: token) }
        XCTAssertNil(value623)
    }

    public func checkStorage_numericExtremesRoundTrip() async throws {
        let store = try await backend()
        var user = Self.activeUser(1)
        user.voteBits = .max
        user.voteBitsVersion = .max
        user.heightRegistered = Int64(Int32.max) * 4
        user.emailVerified = EmailVerificationStatus(rawValue: 2)
        let stored = try await store.insertUser(user)
        let read = try await store.user(id: stored.id)
        XCTAssertEqual(read?.voteBits, .max)
        XCTAssertEqual(read?.voteBitsVersion, .max)
        XCTAssertEqual(read?.heightRegistered, Int64(Int32.max) * 4)
        var mail = Self.sampleMail(1, due: Int64.max / 2)
        mail.attempts = 7
        let retried = mail
        let id = try await store.write { try $0.enqueueMail(retried) }
        let value641 = try await store.read { try $0.outboxMessage(id: id) }?.nextAttemptAt
        XCTAssertEqual(value641, Int64.max / 2)
        let value642 = try await store.read { try $0.outboxMessage(id: id) }?.attempts
        XCTAssertEqual(value642, 7)
    }

    // MARK: Schema, concurrency, shutdown

    /// dcrstakepool's migration step 6 (`APITokenBackfill`) over this engine: verified and grandfathered users
    /// without a token get a valid one, nobody else is touched, and a second run changes nothing.
    public func checkStorage_apiTokenBackfillIsIdempotent() async throws {
        let store = try await backend()
        var users: [User] = []
        for n in 1...7 {
            var user = Self.sampleUser(n)
            switch n % 4 {
            case 1: user.emailVerified = .verified
            case 2: user.emailVerified = .grandfathered
            case 3: user.emailVerified = .unverified
            default:
                user.emailVerified = .verified
                user.apiToken = "existing.token.\(n)"
            }
            if user.emailVerified.isVerified { user.emailToken = "" }
            users.append(try await store.insertUser(user))
        }
        let signer = APITokenSigner(secret: "backfill-secret", issuer: "https://pool.example")
        let first = try await APITokenBackfill.run(storage: store, signer: signer, logger: .disabled, pageSize: 3)
        XCTAssertEqual(first, APITokenBackfill.Result(issued: 4), "users 1, 2, 5, 6 over three pages")
        let afterFirst = try await store.read { try $0.users(afterId: 0, limit: 10) }
        XCTAssertEqual(afterFirst.count, 7)
        for (before, after) in zip(users, afterFirst) {
            switch before.id.rawValue % 4 {
            case 1, 2:
                let claims = try signer.verify(after.apiToken)
                XCTAssertEqual(claims.userID, before.id, "the token names its user")
            case 3:
                XCTAssertEqual(after.apiToken, "", "unverified users get no token")
            default:
                XCTAssertEqual(after.apiToken, before.apiToken, "existing tokens are never replaced")
            }
            var unchanged = after
            unchanged.apiToken = before.apiToken
            XCTAssertEqual(unchanged, before, "only the API token changes")
        }
        let second = try await APITokenBackfill.run(storage: store, signer: signer, logger: .disabled)
        XCTAssertEqual(second, APITokenBackfill.Result(issued: 0))
        let afterSecond = try await store.read { try $0.users(afterId: 0, limit: 10) }
        XCTAssertEqual(afterSecond, afterFirst, "a second run changes nothing")
    }

    public func checkStorage_migrateIsIdempotent() async throws {
        let store = try await backend()
        let user = try await store.insertUser(Self.activeUser(1))
        try await store.migrate()
        try await store.migrate()
        let status = try await store.schemaStatus()
        XCTAssertTrue(status.isUpToDate, "\(status)")
        XCTAssertEqual(status.pending, [])
        XCTAssertGreaterThan(status.latestVersion, 0)
        let value656 = try await store.user(id: user.id)
        XCTAssertEqual(value656, user, "migrations never touch existing rows")
    }

    public func checkStorage_concurrentRegistrationsGetUniqueIds() async throws {
        let store = try await backend()
        let workers = 4
        let perWorker = 25
        // Every worker also tries one shared email: exactly one of them wins it.
        let outcomes = try await withThrowingTaskGroup(of: (ids: [UserId], sharedWins: Int).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var ids: [UserId] = []
                    var wins = 0
                    for n in 0..<perWorker {
                        let id = try await store.write { tx in
                            try tx.insertUser(Self.sampleUser(worker * 1000 + n))
                        }
                        ids.append(id)
                    }
                    do {
                        _ = try await store.insertUser(Self.sampleUser(9999, email: "shared@example.com"))
                        wins += 1
                    } catch let error as StorageError where error.code == .duplicate {}
                    return (ids, wins)
                }
            }
            var all: [(ids: [UserId], sharedWins: Int)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let ids = outcomes.flatMap(\.ids)
        XCTAssertEqual(ids.count, workers * perWorker)
        XCTAssertEqual(Set(ids).count, ids.count, "ids are unique")
        XCTAssertEqual(outcomes.map(\.sharedWins).reduce(0, +), 1, "one user per email, whatever the race")
        let value690 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value690, workers * perWorker + 1)
    }

    public func checkStorage_callsAfterShutdownAreClosed() async throws {
        let store = try await backend()
        _ = try await store.insertUser(Self.sampleUser(1))
        await store.shutdown()
        await store.shutdown()
        await assertStorageError(.closed) { try await store.read { try $0.userCount() } }
        await assertStorageError(.closed) { try await store.insertUser(Self.sampleUser(2)) }
    }
}

extension StorageConformanceTests {
    /// The registration load test (issue 5): `workers` concurrent tasks × `perWorker` registrations, each one
    /// transaction that inserts the user, derives "addresses" from the assigned id, writes them back and queues
    /// the verification mail. Afterwards: exactly workers × perWorker users with unique ids, every row consistent
    /// with its own id, one mail each.
    public func runRegistrationLoad(_ store: any StorageBackend, workers: Int = 8, perWorker: Int = 1000,
                                    file: StaticString = #filePath, line: UInt = #line) async throws {
        let ids = try await withThrowingTaskGroup(of: [UserId].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var ids: [UserId] = []
                    ids.reserveCapacity(perWorker)
                    for n in 0..<perWorker {
                        let email = "load-\(worker)-\(n)@example.com"
                        let id = try await store.write { tx -> UserId in
                            let id = try tx.insertUser(Self.sampleUser(n, email: email))
                            try tx.updateUser(id: id) { user in
                                user.multiSigAddress = "Dc-derived-\(id)"
                                user.userFeeAddr = "Ds-fee-\(id)"
                                user.heightRegistered = id.rawValue
                            }
                            _ = try tx.enqueueMail(OutboxMessage(to: email, subject: "verify", body: "token for \(id)",
                                                                 messageID: "<load-\(worker)-\(n)@pool>",
                                                                 nextAttemptAt: 0, createdAt: 0))
                            return id
                        }
                        ids.append(id)
                    }
                    return ids
                }
            }
            var all: [UserId] = []
            for try await part in group { all += part }
            return all
        }
        let expected = workers * perWorker
        XCTAssertEqual(ids.count, expected, file: file, line: line)
        XCTAssertEqual(Set(ids).count, expected, "ids are unique", file: file, line: line)
        let (count, active, mails, inconsistent) = try await store.read { tx in
            var inconsistent = 0
            var after: UserId = 0
            while true {
                let page = try tx.users(afterId: after, limit: 1000)
                guard let last = page.last else { break }
                inconsistent += page.count { $0.multiSigAddress != "Dc-derived-\($0.id)" || $0.heightRegistered != $0.id.rawValue }
                after = last.id
            }
            return (try tx.userCount(), try tx.activeUserCount(),
                    try tx.outboxMessages(status: .queued, limit: expected + 10).count, inconsistent)
        }
        XCTAssertEqual(count, expected, "exactly \(expected) users", file: file, line: line)
        XCTAssertEqual(active, expected, file: file, line: line)
        XCTAssertEqual(mails, expected, "one verification mail per user", file: file, line: line)
        XCTAssertEqual(inconsistent, 0, "every row carries data derived from its own id", file: file, line: line)
    }
}
