import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Issue 17 through the real pages: one captcha answer buys one submission, several forms each have their own
/// challenge, a blank new password is refused, and a reset ends every credential.
final class PagesAccountsHardeningTests: PagesTestCase {
    /// A browser sharing `browser`'s cookies and last page (the same session and form), for parallel posts.
    private func twin(of browser: TestBrowser) -> TestBrowser {
        let copy = self.browser()
        copy.cookies = browser.cookies
        copy.lastPage = browser.lastPage
        return copy
    }

    func testPagesCaptcha_oneSolvedAnswerPostedTwentyTimesInParallelMakesOneAccount() async throws {
        try startPages()
        let browser = browser()
        try browser.get("/signup")
        let answer = try browser.captchaAnswer()
        XCTAssertEqual(answer.count, 5)
        // Each twin is used by exactly one iteration.
        nonisolated(unsafe) let twins = (0..<20).map { _ in twin(of: browser) }
        let made = LockedValue(0)
        // One thread per request (they block on their sockets), released together.
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for n in twins.indices {
            group.enter()
            Thread.detachNewThread {
                start.wait()
                let email = "racer\(n)@example.com"
                let page = try? twins[n].post("/signup", ["email": email, "password": "racer-Pass-001",
                                                          "passwordrepeat": "racer-Pass-001", "captcha": answer])
                if page?.text.contains("A verification email has been sent to \(email)") == true { made.withLock { $0 += 1 } }
                group.leave()
            }
        }
        for _ in twins { start.signal() }
        group.wait()
        XCTAssertEqual(made.value, 1, "exactly one submission passed the captcha")
        let users = try await storage.read { try $0.userCount() }
        XCTAssertEqual(users, 1)
        let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
        XCTAssertEqual(mails.count, 1)
    }

    func testPagesCaptcha_twoOpenFormsEachKeepTheirOwnChallenge() async throws {
        try startPages()
        let browser = browser()
        // Two tabs of one session: sign-up, then password reset.
        try browser.get("/signup")
        let signUpForm = browser.lastPage
        let signUpId = try XCTUnwrap(browser.captchaId)
        let signUpAnswer = try browser.captchaAnswer()
        try browser.get("/passwordreset")
        let resetForm = browser.lastPage
        let resetId = try XCTUnwrap(browser.captchaId)
        let resetAnswer = try browser.captchaAnswer()
        XCTAssertNotEqual(signUpId, resetId)
        XCTAssertEqual(try browser.get("/captcha.png?id=\(signUpId)").status, 200, "the first form's image still shows")

        // Submit the first tab's form (its own id), then the second's.
        browser.lastPage = signUpForm
        let signedUp = try browser.post("/signup", ["email": "tabs@example.com", "password": "tabs-Pass-0001",
                                                    "passwordrepeat": "tabs-Pass-0001", "captcha": signUpAnswer,
                                                    "captchaid": signUpId])
        XCTAssertTrue(signedUp.text.contains("A verification email has been sent to tabs@example.com"), signedUp.text)
        browser.lastPage = resetForm
        let reset = try browser.post("/passwordreset", ["email": "tabs@example.com", "captcha": resetAnswer,
                                                        "captchaid": resetId])
        XCTAssertTrue(reset.text.contains("Password reset email sent"), reset.text)
        XCTAssertFalse(reset.text.contains("did not match the image"))
        // Each was used once.
        XCTAssertEqual(try browser.get("/captcha.png?id=\(signUpId)").status, 404)
        XCTAssertEqual(try browser.get("/captcha/answer?id=\(resetId)").text, "")
    }

    func testPagesSettings_updatePasswordWithOnlyTheCurrentPasswordIsRefused() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "blank@example.com", password: "blank-Pass-001")
        XCTAssertEqual(try signIn(browser, email: "blank@example.com", password: "blank-Pass-001").status, 303)
        try browser.get("/settings")
        // What the form sends when only "Current password" was typed.
        let page = try browser.post("/settings", ["password": "blank-Pass-001", "newpassword": "", "newpasswordrepeat": "",
                                                  "updatePassword": "true"])
        XCTAssertTrue(page.text.contains("Password cannot be empty"), page.text)
        XCTAssertFalse(page.text.contains("Password successfully updated"))
        let user = try await storage.user(email: "blank@example.com")
        XCTAssertTrue(BCrypt.verify(password: "blank-Pass-001", hash: user?.passwordHash ?? ""))
        // An empty password never signs in by a plain POST.
        let other = self.browser()
        XCTAssertTrue(try signIn(other, email: "blank@example.com", password: "").text.contains("Invalid Email or Password"))
        // A short new password is refused too; sign-up refuses a one-character password.
        try browser.get("/settings")
        let short = try browser.post("/settings", ["password": "blank-Pass-001", "newpassword": "abc", "newpasswordrepeat": "abc",
                                                   "updatePassword": "true"])
        XCTAssertTrue(short.text.contains("Password must be at least 12 characters long"))
        try other.get("/signup")
        let answer = try other.captchaAnswer()
        let signUp = try other.post("/signup", ["email": "one@example.com", "password": "a", "passwordrepeat": "a",
                                                "captcha": answer])
        XCTAssertTrue(signUp.text.contains("Password must be at least 12 characters long"))
    }

    func testPagesReset_endsSessionsAndShowsANewAPIToken() async throws {
        try startPages()
        let owner = browser()
        try await signUpAndVerify(owner, email: "tok@example.com", password: "tok-Pass-00001")
        XCTAssertEqual(try signIn(owner, email: "tok@example.com", password: "tok-Pass-00001").status, 303)
        let before = try owner.get("/settings")
        let oldToken = try XCTUnwrap(TestBrowser.capture(#"<pre class="token" id="apitoken">([^<]+)</pre>"#, in: before.text))

        let other = browser()
        try other.get("/passwordreset")
        let answer = try other.captchaAnswer()
        XCTAssertTrue(try other.post("/passwordreset", ["email": "tok@example.com", "captcha": answer]).text
            .contains("Password reset email sent"))
        let mail = try await lastMail(to: "tok@example.com")
        let link = try XCTUnwrap(self.link(in: mail, path: "/passwordupdate"))
        try other.get(link)
        let done = try other.post(link, ["password": "tok-Pass-00002", "passwordrepeat": "tok-Pass-00002"])
        XCTAssertTrue(done.text.contains("Password successfully updated"))

        XCTAssertEqual(try owner.get("/settings").header("Location"), "/signin?next=/settings", "the old session ended")
        let stale = try await storage.user(apiToken: oldToken)
        XCTAssertNil(stale, "the old API token no longer works")
        XCTAssertEqual(try signIn(owner, email: "tok@example.com", password: "tok-Pass-00002").status, 303)
        let after = try owner.get("/settings")
        let newToken = try XCTUnwrap(TestBrowser.capture(#"<pre class="token" id="apitoken">([^<]+)</pre>"#, in: after.text))
        XCTAssertNotEqual(newToken, oldToken)
        let user = try await storage.user(email: "tok@example.com")
        XCTAssertEqual(user?.apiToken, newToken)
    }
}
