import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The account operations without HTTP.
final class AccountsServiceTests: XCTestCase {
    private let logs = CapturingSink()
    private var storage: InMemoryStorage!
    private var now: Int64 = 1_000_000
    private let wakes = LockedValue(0)

    /// Pauses a slowed-down sign-in would have waited (recorded, not waited).
    private let pauses = LockedValue<[Duration]>([])

    private func service(closePool: Bool = false, throttle: SignInThrottle = SignInThrottle(),
                         hasher: PasswordHasher? = nil, storage store: InMemoryStorage = InMemoryStorage()) -> AccountService {
        storage = store
        let logger = LogBackend(level: .debug, sinks: [logs]).logger("ACCT")
        let clock = LockedValue(now)
        let wakes = self.wakes
        let pauses = self.pauses
        return AccountService(configuration: .init(closePool: closePool, voteVersion: 5, bcryptCost: 4, throttle: throttle),
                              storage: storage,
                              renderer: EmailRenderer(configuration: .init(baseURL: "http://pool", templateDirectory: nil), logger: logger),
                              tokens: APITokenSigner(secret: "k", issuer: "http://pool"),
                              wakeOutbox: { wakes.withLock { $0 += 1 } }, logger: logger, now: { clock.value },
                              hasher: hasher, pause: { duration in pauses.withLock { $0.append(duration) } })
    }

    private func verifiedUser(_ accounts: AccountService, _ email: String, _ password: String) async throws -> User {
        let made = await accounts.signUp(email: email, password: password, passwordRepeat: password, captchaPassed: true, ip: "1.2.3.4")
        XCTAssertEqual(made.errors, [])
        let token = try await storage.user(email: email)?.emailToken ?? ""
        expectEqual(await accounts.verifyEmail(token: token), .success("Email successfully verified"))
        let user = try await storage.user(email: email)
        return try XCTUnwrap(user)
    }

    func testAccounts_signUpQueuesMailInSameTransactionAndHidesExistingAccounts() async throws {
        let accounts = service()
        let first = await accounts.signUp(email: "a@b.c", password: "first-Pass-0001", passwordRepeat: "first-Pass-0001",
                                          captchaPassed: true, ip: "9.9.9.9")
        XCTAssertEqual(first, .success("A verification email has been sent to a@b.c"))
        let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(mails.count, 1)
        XCTAssertTrue(mails[0].body.contains("was made from 9.9.9.9 for this email address."))
        XCTAssertEqual(wakes.value, 1)
        let user = try await storage.user(email: "a@b.c")
        XCTAssertEqual(user?.voteBits, 1)
        XCTAssertEqual(user?.voteBitsVersion, 5)
        XCTAssertEqual(user?.emailToken.count, 32)
        XCTAssertTrue(BCrypt.verify(password: "first-Pass-0001", hash: user?.passwordHash ?? ""))
        let again = await accounts.signUp(email: "A@B.C", password: "second-Pass-002", passwordRepeat: "second-Pass-002",
                                          captchaPassed: true, ip: "9.9.9.9")
        XCTAssertEqual(again, .success("A verification email has been sent to A@B.C"))
        // No second account; the (unverified) owner gets the same verification link again.
        let queued = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(queued.count, 2)
        XCTAssertEqual(queued.last?.to, "a@b.c")
        XCTAssertTrue(queued.last?.body.contains("/emailverify?t=\(user?.emailToken ?? "-")") ?? false)
        // The password typed the second time is not taken (a stranger could otherwise set it), and the mail says so.
        XCTAssertTrue(queued.last?.body.contains("Its password is the one chosen at the first sign-up, not one typed since.") ?? false,
                      queued.last?.body ?? "")
        XCTAssertTrue(queued.last?.body.contains("http://pool/passwordreset") ?? false)
        let unchanged = try await storage.user(email: "a@b.c")
        XCTAssertEqual(unchanged?.passwordHash, user?.passwordHash)
        XCTAssertEqual(unchanged?.emailToken, user?.emailToken)
        let errors = await accounts.signUp(email: "x", password: "", passwordRepeat: "y", captchaPassed: false, ip: "")
        XCTAssertEqual(errors.errors, ["email address is invalid", "Password cannot be empty", "Passwords do not match",
                                       "Recaptcha error"])
    }

    func testAccounts_newPasswordsFollowThePolicyEverywhere() async throws {
        let accounts = service()
        // Sign-up: too short (one character, as v1.1.1 accepted), and one of the most common passwords.
        expectEqual(await accounts.signUp(email: "p@x.y", password: "a", passwordRepeat: "a", captchaPassed: true, ip: ""),
                    .error("Password must be at least 12 characters long"))
        expectEqual(await accounts.signUp(email: "p@x.y", password: "1qaz2wsx3edc", passwordRepeat: "1qaz2wsx3edc",
                                          captchaPassed: true, ip: ""),
                    .error("This password is one of the most common ones; please choose another"))
        expectEqual(await accounts.signUp(email: "p@x.y", password: "QWERTY123456", passwordRepeat: "QWERTY123456",
                                          captchaPassed: true, ip: ""),
                    .error("This password is one of the most common ones; please choose another"), "compared in lower case")
        let none = try await storage.user(email: "p@x.y")
        XCTAssertNil(none)
        let user = try await verifiedUser(accounts, "p@x.y", "policy-Pass-001")

        // Settings: only the current password typed (new fields empty) must not set an empty password.
        let blank = await accounts.updateSettings(userId: user.id, form: .init(password: "policy-Pass-001", updatePassword: true),
                                                  captchaPassed: true, ip: "")
        XCTAssertEqual(blank.messages, .error("Password cannot be empty"))
        XCTAssertFalse(blank.endedSessions)
        let short = await accounts.updateSettings(userId: user.id, form: .init(password: "policy-Pass-001", updatePassword: true,
                                                                               newPassword: "short", newPasswordRepeat: "short"),
                                                  captchaPassed: true, ip: "")
        XCTAssertEqual(short.messages, .error("Password must be at least 12 characters long"))
        let stored = try await storage.user(id: user.id)
        XCTAssertTrue(BCrypt.verify(password: "policy-Pass-001", hash: stored?.passwordHash ?? ""), "password unchanged")

        // Reset link: empty and too short refused, the token stays usable.
        expectEqual(await accounts.requestPasswordReset(email: "p@x.y", captchaPassed: true, ip: ""), .success("Password reset email sent"))
        let resetToken = try await resetTokenFromLastMail()
        expectEqual(await accounts.resetPassword(token: resetToken, password: "", passwordRepeat: ""), .error("Password cannot be empty"))
        expectEqual(await accounts.resetPassword(token: resetToken, password: "elevenchars", passwordRepeat: "elevenchars"),
                    .error("Password must be at least 12 characters long"))
        expectEqual(await accounts.checkPasswordResetToken(resetToken), AccountMessages())
    }

    func testAccounts_emptyPasswordNeverSignsInWhateverIsStored() async throws {
        let hasher = PasswordHasher(cost: 4, width: 1)
        let accounts = service(hasher: hasher)
        // Rows an old version stored: a bcrypt hash of "" and an empty column.
        let emptyHash = try BCrypt.hash(password: "", cost: 4)
        XCTAssertTrue(BCrypt.verify(password: "", hash: emptyHash), "the stored hash really is the empty password's")
        for (email, hash) in [("old@x.y", emptyHash), ("blank@x.y", "")] {
            _ = try await storage.insertUser(User(email: email, passwordHash: hash, emailVerified: .verified))
            expectEqual(await accounts.signIn(email: email, password: "", ip: "5.5.5.5"), .refused("Invalid Email or Password"))
        }
        let oldUser = try await storage.user(email: "old@x.y")
        let changed = await accounts.updateSettings(userId: try XCTUnwrap(oldUser).id,
                                                    form: .init(password: "", regenerateToken: true), captchaPassed: true, ip: "")
        XCTAssertEqual(changed.messages, .error("Password not valid"), "an empty current password proves nothing")
    }

    func testAccounts_signInRunsOneBcryptVerificationWhetherOrNotTheEmailExists() async throws {
        let hasher = PasswordHasher(cost: 4, width: 1)
        let accounts = service(hasher: hasher)
        _ = try await verifiedUser(accounts, "known@x.y", "known-Pass-001")
        var before = hasher.verifications
        for (email, password) in [("known@x.y", "wrong-Pass-001"), ("unknown@x.y", "wrong-Pass-001"),
                                  ("unknown@x.y", String(repeating: "x", count: 2000)), ("known@x.y", "known-Pass-001")] {
            _ = await accounts.signIn(email: email, password: password, ip: "6.6.6.6")
            XCTAssertEqual(hasher.verifications, before + 1, "one verification for \(email)")
            before = hasher.verifications
        }
    }

    func testAccounts_throttleLimitsPerAccountAndIPAndSuccessesDoNotCount() async throws {
        let accounts = service(throttle: SignInThrottle(perIP: 100, perAccountIP: 2))
        _ = await accounts.signUp(email: "u@x.y", password: "owner-Pass-001", passwordRepeat: "owner-Pass-001",
                                  captchaPassed: true, ip: "")
        expectEqual(await accounts.signIn(email: "u@x.y", password: "owner-Pass-001", ip: "1.1.1.1"),
                    .refused("You must validate your email address"))
        let token = try await storage.user(email: "u@x.y")?.emailToken ?? ""
        _ = await accounts.verifyEmail(token: token)
        // Successes give their unit back: five in a row from one IP are all fine.
        for _ in 0..<5 {
            guard case .signedIn = await accounts.signIn(email: "u@x.y", password: "owner-Pass-001", ip: "1.1.1.1") else {
                return XCTFail("expected sign-in")
            }
        }
        expectEqual(await accounts.signIn(email: "u@x.y", password: "no", ip: "1.1.1.1"), .refused("Invalid Email or Password"))
        expectEqual(await accounts.signIn(email: "U@X.Y", password: "no", ip: "1.1.1.1"), .refused("Invalid Email or Password"))
        expectEqual(await accounts.signIn(email: "u@x.y", password: "owner-Pass-001", ip: "1.1.1.1"),
                    .rateLimited(SignInThrottle.message))
        // The owner elsewhere is not locked out.
        guard case .signedIn = await accounts.signIn(email: "u@x.y", password: "owner-Pass-001", ip: "3.3.3.3") else {
            return XCTFail("the owner from another address must get in")
        }
    }

    func testAccounts_strangersCannotLockTheOwnerOut() async throws {
        let throttle = SignInThrottle(perIP: 5, perAccountIP: 3, accountSlowdownAfter: 10, slowdown: .seconds(7))
        let accounts = service(throttle: throttle)
        _ = try await verifiedUser(accounts, "owner@x.y", "owner-Pass-002")
        // Forty wrong passwords for the owner's email from twenty addresses: each address hits its own limit.
        for n in 0..<20 {
            for _ in 0..<2 {
                expectEqual(await accounts.signIn(email: "owner@x.y", password: "guess", ip: "10.0.0.\(n)"),
                            .refused("Invalid Email or Password"))
            }
        }
        for _ in 0..<3 { _ = await accounts.signIn(email: "owner@x.y", password: "guess", ip: "10.0.1.1") }
        expectEqual(await accounts.signIn(email: "owner@x.y", password: "owner-Pass-002", ip: "10.0.1.1"),
                    .rateLimited(SignInThrottle.message))
        XCTAssertEqual(pauses.value.count, 43 - 10, "every attempt past ten account-wide failures is slowed down")
        // The owner, from their own address, still signs in (slowed down, never refused).
        guard case .signedIn = await accounts.signIn(email: "owner@x.y", password: "owner-Pass-002", ip: "192.0.2.7") else {
            return XCTFail("the owner must not be locked out by strangers")
        }
        XCTAssertEqual(pauses.value.last, .seconds(7))
    }

    /// Issue 17 item 2: like every per-IP limit, the sign-in throttle counts an IPv6 client by its /64, so the
    /// 2^64 addresses one subscriber holds do not buy 2^64 times the guesses.
    func testAccounts_throttleCountsIPv6ClientsPerSlash64() async throws {
        let accounts = service(throttle: SignInThrottle(perIP: 3, perAccountIP: 2))
        _ = try await verifiedUser(accounts, "six@x.y", "six-Pass-00001")
        // Per (account, client): two guesses from two addresses of one /64, then the third address is refused.
        for host in ["1", "2"] {
            expectEqual(await accounts.signIn(email: "six@x.y", password: "guess", ip: "2001:db8:1:2::\(host)"),
                        .refused("Invalid Email or Password"))
        }
        expectEqual(await accounts.signIn(email: "six@x.y", password: "six-Pass-00001", ip: "2001:db8:1:2:ffff::3"),
                    .rateLimited(SignInThrottle.message))
        // Per client: a third failure from that /64 on another account fills it, then every account is refused.
        expectEqual(await accounts.signIn(email: "other@x.y", password: "guess", ip: "2001:db8:1:2::4"),
                    .refused("Invalid Email or Password"))
        expectEqual(await accounts.signIn(email: "third@x.y", password: "guess", ip: "2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
                    .rateLimited(SignInThrottle.message))
        // Another /64 is another client: the owner signs in.
        guard case .signedIn = await accounts.signIn(email: "six@x.y", password: "six-Pass-00001", ip: "2001:db8:1:3::1") else {
            return XCTFail("another /64 must not be throttled")
        }
    }

    func testAccounts_parallelSignInsNeverPassTheLimit() async throws {
        let hasher = PasswordHasher(cost: 4, width: 2)
        let accounts = service(throttle: SignInThrottle(perIP: 10, perAccountIP: 100), hasher: hasher)
        let results = await withTaskGroup(of: SignInResult.self) { group in
            for n in 0..<30 {
                group.addTask { await accounts.signIn(email: "victim\(n % 3)@x.y", password: "guess", ip: "7.7.7.7") }
            }
            return await group.reduce(into: [SignInResult]()) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0 == .refused("Invalid Email or Password") }.count, 10)
        XCTAssertEqual(results.filter { $0 == .rateLimited(SignInThrottle.message) }.count, 20)
        XCTAssertEqual(hasher.verifications, 10, "refused attempts never reach bcrypt")
    }

    func testAccounts_passwordResetEndsEveryCredential() async throws {
        let accounts = service()
        let user = try await verifiedUser(accounts, "r@x.y", "old-Pass-00001")
        let (fresh, _) = await accounts.userEnsuringAPIToken(user.id)
        let oldToken = try XCTUnwrap(fresh?.apiToken)
        try await storage.write { tx in
            try tx.insertSession(SessionRecord(id: "s1", userId: user.id, createdAt: 0, expiresAt: .max))
            try tx.insertSession(SessionRecord(id: "s2", userId: user.id, createdAt: 0, expiresAt: .max))
        }
        expectEqual(await accounts.requestPasswordReset(email: "r@x.y", captchaPassed: true, ip: "1.1.1.1"),
                    .success("Password reset email sent"))
        let first = try await resetTokenFromLastMail()
        _ = await accounts.requestPasswordReset(email: "r@x.y", captchaPassed: true, ip: "1.1.1.1")
        let second = try await resetTokenFromLastMail()
        XCTAssertNotEqual(first, second)
        expectEqual(await accounts.requestPasswordReset(email: "nobody@x.y", captchaPassed: true, ip: "1.1.1.1"),
                    .success("Password reset email sent"))
        expectEqual(await accounts.requestPasswordReset(email: "r@x.y", captchaPassed: false, ip: ""), .error("Recaptcha error"))
        expectEqual(await accounts.resetPassword(token: second, password: "new-Pass-00001", passwordRepeat: "other-Pass-001"),
                    .error("Passwords do not match"))
        let done = await accounts.resetPassword(token: second, password: "new-Pass-00001", passwordRepeat: "new-Pass-00001")
        XCTAssertEqual(done.successes.first, "Password successfully updated")
        let sessions = try await storage.read { [try $0.session(id: "s1"), try $0.session(id: "s2")] }
        XCTAssertEqual(sessions.compactMap { $0 }.count, 0, "every session ended")
        expectEqual(await accounts.checkPasswordResetToken(second), .error("Password update token not valid"))
        expectEqual(await accounts.checkPasswordResetToken(first), .error("Password update token not valid"),
                    "the other reset link ended too")
        let oldTokenUser = try await storage.user(apiToken: oldToken)
        XCTAssertNil(oldTokenUser, "the old API token no longer works")
        let after = try await storage.user(id: user.id)
        XCTAssertFalse(after?.apiToken.isEmpty ?? true, "a new API token was issued")
        XCTAssertNotEqual(after?.apiToken, oldToken)
    }

    func testAccounts_passwordChangeEndsOtherSessionsAndResetLinksAndOffersANewToken() async throws {
        let accounts = service()
        let user = try await verifiedUser(accounts, "c@x.y", "change-Pass-01")
        let (fresh, _) = await accounts.userEnsuringAPIToken(user.id)
        try await storage.write { try $0.insertSession(SessionRecord(id: "elsewhere", userId: user.id, createdAt: 0, expiresAt: .max)) }
        _ = await accounts.requestPasswordReset(email: "c@x.y", captchaPassed: true, ip: "")
        let pending = try await resetTokenFromLastMail()
        let result = await accounts.updateSettings(userId: user.id,
                                                   form: .init(password: "change-Pass-01", updatePassword: true,
                                                               newPassword: "change-Pass-02", newPasswordRepeat: "change-Pass-02"),
                                                   captchaPassed: true, ip: "")
        XCTAssertEqual(result.messages.successes, ["Password successfully updated", AccountService.regenerateTokenOffer])
        XCTAssertTrue(result.endedSessions)
        let session = try await storage.read { try $0.session(id: "elsewhere") }
        XCTAssertNil(session)
        expectEqual(await accounts.checkPasswordResetToken(pending), .error("Password update token not valid"))
        let after = try await storage.user(id: user.id)
        XCTAssertEqual(after?.apiToken, fresh?.apiToken, "the token changes only when the user asks")
    }

    private func resetTokenFromLastMail() async throws -> String {
        let mail = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }.last
        let body = try XCTUnwrap(mail?.body)
        let range = try XCTUnwrap(body.range(of: #"t=[0-9a-f]{32}"#, options: .regularExpression))
        return String(body[range].dropFirst(2))
    }

    func testAccounts_votingBitsValidated() async throws {
        let accounts = service()
        let user = try await verifiedUser(accounts, "v@x.y", "voting-Pass-01")
        let agenda = Agenda(id: "a", description: "A", mask: 0x6, choices: [
            AgendaChoice(id: "abstain", description: "", bits: 0), AgendaChoice(id: "no", description: "", bits: 2),
            AgendaChoice(id: "yes", description: "", bits: 4)])
        let saved = await accounts.updateVoting(userId: user.id, fields: ["agenda0": "2"], agendas: [agenda])
        XCTAssertEqual(saved.0, .success("successfully updated voting preferences"))
        XCTAssertTrue(saved.1)
        let bits = try await storage.user(id: user.id)?.voteBits
        XCTAssertEqual(bits, 3)
        expectFalse(await accounts.updateVoting(userId: user.id, fields: ["agenda0": "2"], agendas: [agenda]).1)
        expectEqual(await accounts.updateVoting(userId: user.id, fields: ["agenda0": "6"], agendas: [agenda]).0,
                       .error("generated votebits were invalid"))
        expectEqual(await accounts.updateVoting(userId: user.id, fields: [:], agendas: [agenda]).0, .error("invalid agenda choice"))
    }

    private func expectEqual<T: Equatable>(_ a: T, _ b: T, _ message: String = "", file: StaticString = #filePath,
                                           line: UInt = #line) {
        XCTAssertEqual(a, b, message, file: file, line: line)
    }

    private func expectFalse(_ value: Bool, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(value, file: file, line: line)
    }
}
