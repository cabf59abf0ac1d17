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

    private func service(closePool: Bool = false, throttle: SignInThrottle = SignInThrottle()) -> AccountService {
        storage = InMemoryStorage()
        let logger = LogBackend(level: .debug, sinks: [logs]).logger("ACCT")
        let clock = LockedValue(now)
        let wakes = self.wakes
        return AccountService(configuration: .init(closePool: closePool, voteVersion: 5, bcryptCost: 4, throttle: throttle),
                              storage: storage,
                              renderer: EmailRenderer(configuration: .init(baseURL: "http://pool", templateDirectory: nil), logger: logger),
                              tokens: APITokenSigner(secret: "k", issuer: "http://pool"),
                              wakeOutbox: { wakes.withLock { $0 += 1 } }, logger: logger, now: { clock.value })
    }

    private func verifiedUser(_ accounts: AccountService, _ email: String, _ password: String) async throws -> User {
        _ = await accounts.signUp(email: email, password: password, passwordRepeat: password, captchaPassed: true, ip: "1.2.3.4")
        let token = try await storage.user(email: email)?.emailToken ?? ""
        expectEqual(await accounts.verifyEmail(token: token), .success("Email successfully verified"))
        let user = try await storage.user(email: email)
        return try XCTUnwrap(user)
    }

    func testAccounts_signUpQueuesMailInSameTransactionAndHidesExistingAccounts() async throws {
        let accounts = service()
        let first = await accounts.signUp(email: "a@b.c", password: "p", passwordRepeat: "p", captchaPassed: true, ip: "9.9.9.9")
        XCTAssertEqual(first, .success("A verification email has been sent to a@b.c"))
        let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(mails.count, 1)
        XCTAssertTrue(mails[0].body.contains("was made from 9.9.9.9 for this email address."))
        XCTAssertEqual(wakes.value, 1)
        let user = try await storage.user(email: "a@b.c")
        XCTAssertEqual(user?.voteBits, 1)
        XCTAssertEqual(user?.voteBitsVersion, 5)
        XCTAssertEqual(user?.emailToken.count, 32)
        XCTAssertTrue(BCrypt.verify(password: "p", hash: user?.passwordHash ?? ""))
        let again = await accounts.signUp(email: "A@B.C", password: "q", passwordRepeat: "q", captchaPassed: true, ip: "9.9.9.9")
        XCTAssertEqual(again, first.successes == [] ? first : .success("A verification email has been sent to A@B.C"))
        let count = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10).count }
        XCTAssertEqual(count, 1)
        let errors = await accounts.signUp(email: "x", password: "", passwordRepeat: "y", captchaPassed: false, ip: "")
        XCTAssertEqual(errors.errors, ["email address is invalid", "password cannot be empty", "passwords do not match",
                                       "Recaptcha error"])
    }

    func testAccounts_signInRulesAndThrottle() async throws {
        let accounts = service(throttle: SignInThrottle(perIP: 100, perAccount: 2))
        _ = await accounts.signUp(email: "u@x.y", password: "pw", passwordRepeat: "pw", captchaPassed: true, ip: "")
        expectEqual(await accounts.signIn(email: "u@x.y", password: "pw", ip: "1.1.1.1"),
                       .refused("You must validate your email address"))
        let token = try await storage.user(email: "u@x.y")?.emailToken ?? ""
        _ = await accounts.verifyEmail(token: token)
        guard case .signedIn = await accounts.signIn(email: "u@x.y", password: "pw", ip: "1.1.1.1") else {
            return XCTFail("expected sign-in")
        }
        expectEqual(await accounts.signIn(email: "u@x.y", password: "no", ip: "1.1.1.1"), .refused("Invalid Email or Password"))
        expectEqual(await accounts.signIn(email: "U@X.Y", password: "no", ip: "2.2.2.2"), .refused("Invalid Email or Password"))
        expectEqual(await accounts.signIn(email: "u@x.y", password: "pw", ip: "3.3.3.3"), .rateLimited(SignInThrottle.message))
    }

    func testAccounts_resetPasswordEndsSessionsAndExpires() async throws {
        let accounts = service()
        let user = try await verifiedUser(accounts, "r@x.y", "old")
        try await storage.write { tx in
            try tx.insertSession(SessionRecord(id: "s1", userId: user.id, createdAt: 0, expiresAt: .max))
        }
        expectEqual(await accounts.requestPasswordReset(email: "r@x.y", captchaPassed: true, ip: "1.1.1.1"),
                       .success("Password reset email sent"))
        expectEqual(await accounts.requestPasswordReset(email: "nobody@x.y", captchaPassed: true, ip: "1.1.1.1"),
                       .success("Password reset email sent"))
        expectEqual(await accounts.requestPasswordReset(email: "r@x.y", captchaPassed: false, ip: ""), .error("Recaptcha error"))
        let mail = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }.last
        let token = try XCTUnwrap(mail?.body.range(of: #"t=[0-9a-f]{32}"#, options: .regularExpression).map { String(mail!.body[$0].dropFirst(2)) })
        expectEqual(await accounts.resetPassword(token: token, password: "n", passwordRepeat: "m"), .error("Passwords do not match"))
        expectEqual(await accounts.resetPassword(token: token, password: "new", passwordRepeat: "new"),
                       .success("Password successfully updated"))
        let session = try await storage.read { try $0.session(id: "s1") }
        XCTAssertNil(session)
        expectEqual(await accounts.checkPasswordResetToken(token), .error("Password update token not valid"))
    }

    func testAccounts_votingBitsValidated() async throws {
        let accounts = service()
        let user = try await verifiedUser(accounts, "v@x.y", "pw")
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

    private func expectEqual<T: Equatable>(_ a: T, _ b: T, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a, b, file: file, line: line)
    }

    private func expectFalse(_ value: Bool, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(value, file: file, line: line)
    }
}
