import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Whole user journeys over real HTTP on loopback.
final class PagesFlowTests: PagesTestCase {
    func testPagesFlow_signUpVerifySignInAddressVotingSignOut() async throws {
        try startPages()
        let browser = browser()
        let home = try browser.get("/")
        XCTAssertEqual(home.status, 200)
        XCTAssertTrue(home.text.contains("Network: <strong>testnet2</strong>"))
        XCTAssertNil(browser.sessionCookie, "reading a page without a form creates no session")

        // Can't sign in before verifying.
        try browser.get("/signup")
        let answer = try browser.captchaAnswer()
        XCTAssertEqual(answer.count, 5)
        let signUp = try browser.post("/signup", ["email": "alice@example.com", "password": "alice-Pass-0001", "passwordrepeat": "alice-Pass-0001",
                                                  "captcha": answer])
        XCTAssertTrue(signUp.text.contains("A verification email has been sent to alice@example.com"))
        XCTAssertFalse(signUp.text.contains("<form method=\"post\" action=\"/signup\""), "form hidden after success")
        let unverified = try signIn(browser, email: "alice@example.com", password: "alice-Pass-0001")
        XCTAssertTrue(unverified.text.contains("You must validate your email address"))

        let mail = try await lastMail(to: "alice@example.com")
        XCTAssertEqual(mail?.subject, "Stake pool email verification")
        let verify = try XCTUnwrap(link(in: mail, path: "/emailverify"))
        XCTAssertTrue(try browser.get(verify).text.contains("Email successfully verified"))
        XCTAssertTrue(try browser.get(verify).text.contains("already verified"), "a second click")

        let before = browser.sessionCookie
        let signedIn = try signIn(browser, email: "alice@example.com", password: "alice-Pass-0001")
        XCTAssertEqual(signedIn.status, 303)
        XCTAssertEqual(signedIn.header("Location"), "/settings")
        XCTAssertNotEqual(browser.sessionCookie, before, "session id changes at sign-in")

        let settings = try browser.get("/settings")
        XCTAssertTrue(settings.text.contains("Hello, alice@example.com"))
        let token = try XCTUnwrap(TestBrowser.capture(#"<pre class="token" id="apitoken">([^<]+)</pre>"#, in: settings.text))
        let user = try await storage.user(email: "alice@example.com")
        XCTAssertEqual(user?.apiToken, token)
        XCTAssertEqual(user?.voteBitsVersion, 6)

        // Address with the fake registrar → tickets.
        try browser.get("/address")
        let submitted = try browser.post("/address", ["UserPubKeyAddr": "TkQ4jEVTpGn1LZAmCZRZ3n8hNWe9Hh8vbvfrTQuQaTCRJpsbKDCaf"])
        XCTAssertEqual(submitted.status, 303)
        XCTAssertEqual(submitted.header("Location"), "/tickets")
        XCTAssertEqual(changedUsers.value, [user!.id])
        let again = try browser.get("/address")
        XCTAssertTrue(again.text.contains("Address Submitted"))
        // The confirmation page has no form; a replayed POST uses the XSRF-TOKEN cookie's value.
        let second = try browser.post("/address", ["UserPubKeyAddr": "TkQ4jEVTpGn1LZAmCZRZ3n8hNWe9Hh8vbvfrTQuQaTCRJpsbKDCaf"],
                                      csrf: browser.cookies["XSRF-TOKEN"])
        XCTAssertTrue(second.text.contains("Stake pool is currently limited to one address per account"), "\(second.status) \(second.text)")

        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [
            StakePoolUserTicket(status: "live", ticket: String(repeating: "a", count: 64), ticketHeight: 900),
            StakePoolUserTicket(status: "voted", ticket: String(repeating: "b", count: 64), ticketHeight: 10,
                                spentBy: String(repeating: "c", count: 64), spentByHeight: 20),
        ], invalidHex: [String(repeating: "d", count: 64)]) }
        let tickets = try browser.get("/tickets")
        XCTAssertEqual(tickets.status, 200)
        XCTAssertTrue(tickets.text.contains("https://testnet.decred.org/tx/" + String(repeating: "a", count: 64)))
        XCTAssertTrue(tickets.text.contains("1 total tickets voted (0 archived and not shown)."))
        XCTAssertTrue(tickets.text.contains("id=\"ticketsinvalid\""))

        // Voting.
        let voting = try browser.get("/voting")
        XCTAssertTrue(voting.text.contains("Voting Preferences (v6)"))
        XCTAssertTrue(voting.text.contains("<option value=\"0\" selected>abstain voting for change</option>"))
        let saved = try browser.post("/voting", ["agenda0": "4"])
        XCTAssertEqual(saved.header("Location"), "/voting")
        XCTAssertTrue(try browser.get("/voting").text.contains("successfully updated voting preferences"))
        XCTAssertTrue(browser.lastPage.contains("<option value=\"4\" selected>"))
        let stored = try await storage.user(email: "alice@example.com")
        XCTAssertEqual(stored?.voteBits, 5)
        try browser.post("/voting", ["agenda0": "6"])
        XCTAssertTrue(try browser.get("/voting").text.contains("generated votebits were invalid"))
        try browser.post("/voting", ["agenda0": "x"])
        XCTAssertTrue(try browser.get("/voting").text.contains("invalid agenda choice"))

        // GET /logout (an old bookmark) only offers the button; signing out is a POST with the CSRF token, and it
        // ends the session server-side: the old cookie no longer works.
        let oldCookie = try XCTUnwrap(browser.sessionCookie)
        let offer = try browser.get("/logout")
        XCTAssertEqual(offer.status, 200)
        XCTAssertTrue(offer.text.contains(#"<form method="post" action="/logout" class="form">"#), offer.text)
        XCTAssertEqual(browser.sessionCookie, oldCookie, "a GET signs nobody out")
        let out = try browser.post("/logout", [:])
        XCTAssertEqual(out.status, 303)
        XCTAssertNil(browser.sessionCookie)
        browser.cookies["session"] = oldCookie
        XCTAssertEqual(try browser.get("/settings").header("Location"), "/signin?next=/settings")
    }

    func testPagesFlow_passwordResetEndsSessionsAndIsOneUse() async throws {
        try startPages()
        let alice = browser()
        try await signUpAndVerify(alice, email: "bob@example.com", password: "bob-old-Pass-01")
        XCTAssertEqual(try signIn(alice, email: "bob@example.com", password: "bob-old-Pass-01").status, 303)

        let other = browser()
        try other.get("/passwordreset")
        let answer = try other.captchaAnswer()
        let reset = try other.post("/passwordreset", ["email": "bob@example.com", "captcha": answer])
        XCTAssertTrue(reset.text.contains("Password reset email sent"))
        let mail = try await lastMail(to: "bob@example.com")
        XCTAssertEqual(mail?.subject, "Stake pool password reset")
        let link = try XCTUnwrap(self.link(in: mail, path: "/passwordupdate"))

        let form = try other.get(link)
        XCTAssertTrue(form.text.contains("Repeat new password"))
        let mismatch = try other.post(link, ["password": "bob-new-Pass-02", "passwordrepeat": "other"])
        XCTAssertTrue(mismatch.text.contains("Passwords do not match"))
        try other.get(link)
        let empty = try other.post(link, ["password": "", "passwordrepeat": ""])
        XCTAssertTrue(empty.text.contains("Password cannot be empty"))
        try other.get(link)
        let done = try other.post(link, ["password": "bob-new-Pass-02", "passwordrepeat": "bob-new-Pass-02"])
        XCTAssertTrue(done.text.contains("Password successfully updated"))
        XCTAssertTrue(done.text.contains("You may now sign in with your new password."))
        let reused = try other.get(link)
        XCTAssertEqual(reused.text.components(separatedBy: "Password update token not valid").count - 1, 1)

        // Alice's session ended with the password change.
        XCTAssertEqual(try alice.get("/settings").header("Location"), "/signin?next=/settings")
        XCTAssertTrue(try signIn(alice, email: "bob@example.com", password: "bob-old-Pass-01").text.contains("Invalid Email or Password"))
        XCTAssertEqual(try signIn(alice, email: "bob@example.com", password: "bob-new-Pass-02").status, 303)

        // Unknown email: same answer, no mail.
        try other.get("/passwordreset")
        let answer2 = try other.captchaAnswer()
        let unknown = try other.post("/passwordreset", ["email": "nobody@example.com", "captcha": answer2])
        XCTAssertTrue(unknown.text.contains("Password reset email sent"))
        let none = try await lastMail(to: "nobody@example.com")
        XCTAssertNil(none)

        // Expired and missing tokens.
        XCTAssertTrue(try other.get("/passwordupdate").text.contains("No password update token present"))
        XCTAssertTrue(try other.get("/passwordupdate?t=ffff").text.contains("Password update token not valid"))
        let user = try await storage.user(email: "bob@example.com")
        _ = try await storage.write { try $0.insertPasswordReset(PasswordReset(userId: user!.id, token: "ab12", created: 0, expires: 1)) }
        XCTAssertTrue(try other.get("/passwordupdate?t=ab12").text.contains("Password update token has expired"))
    }

    func testPagesFlow_emailChangeAndPasswordChangeFromSettings() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "carol@example.com", password: "carol-Pass-001")
        XCTAssertEqual(try signIn(browser, email: "carol@example.com", password: "carol-Pass-001").status, 303)

        let page = try browser.get("/settings")
        let answer = try browser.captchaAnswer()
        _ = page
        let bad = try browser.post("/settings", ["password": "wrong", "updateEmail": "true", "email": "new@example.com"])
        XCTAssertTrue(bad.text.contains("Password not valid"))
        let noCaptcha = try browser.post("/settings", ["password": "carol-Pass-001", "updateEmail": "true", "email": "new@example.com",
                                                       "captcha": answer])
        XCTAssertTrue(noCaptcha.text.contains("did not match the image"), "the challenge was consumed by the failed attempt")
        let answer2 = try browser.captchaAnswer()
        let change = try browser.post("/settings", ["password": "carol-Pass-001", "updateEmail": "true", "email": "new@example.com",
                                                    "captcha": answer2])
        XCTAssertTrue(change.text.contains("Verification token sent to new email address"), change.text)
        let notice = try await lastMail(to: "carol@example.com")
        XCTAssertEqual(notice?.subject, "Stake pool email change")
        let newMail = try await lastMail(to: "new@example.com")
        let link = try XCTUnwrap(self.link(in: newMail, path: "/emailupdate"))

        // Password change keeps this browser signed in but ends the other sessions.
        let second = self.browser()
        XCTAssertEqual(try signIn(second, email: "carol@example.com", password: "carol-Pass-001").status, 303)
        try browser.get("/settings")
        let mismatch = try browser.post("/settings", ["password": "carol-Pass-001", "updatePassword": "true", "newpassword": "carol-Pass-00a",
                                                      "newpasswordrepeat": "carol-Pass-00b"])
        XCTAssertTrue(mismatch.text.contains("Passwords do not match"))
        let changed = try browser.post("/settings", ["password": "carol-Pass-001", "updatePassword": "true", "newpassword": "carol-Pass-002",
                                                     "newpasswordrepeat": "carol-Pass-002"])
        XCTAssertTrue(changed.text.contains("Password successfully updated"))
        XCTAssertEqual(try browser.get("/settings").status, 200)
        XCTAssertEqual(try second.get("/settings").header("Location"), "/signin?next=/settings", "other sessions ended")
        let changedMail = try await lastMail(to: "carol@example.com")
        XCTAssertEqual(changedMail?.subject, "Stake pool password change")

        // Confirming the email change signs everyone out.
        let confirmed = try browser.get(link)
        XCTAssertTrue(confirmed.text.contains("Email successfully updated"))
        XCTAssertEqual(try browser.get("/settings").header("Location"), "/signin?next=/settings")
        XCTAssertTrue(try browser.get(link).text.contains("Email verification token not valid"))
        XCTAssertEqual(try signIn(browser, email: "new@example.com", password: "carol-Pass-002").status, 303)
    }

    func testPagesFlow_signUpValidationMessages() async throws {
        try startPages()
        let browser = browser()
        func attempt(_ fields: [String: String], captcha: Bool = true) throws -> String {
            try browser.get("/signup")
            var all = fields
            if captcha { all["captcha"] = try browser.captchaAnswer() }
            return try browser.post("/signup", all).text
        }
        XCTAssertTrue(try attempt(["email": "nope", "password": "a", "passwordrepeat": "a"]).contains("email address is invalid"))
        XCTAssertTrue(try attempt(["email": "a@b.c", "password": "", "passwordrepeat": ""]).contains("Password cannot be empty"))
        XCTAssertTrue(try attempt(["email": "a@b.c", "password": "a", "passwordrepeat": "b"]).contains("Passwords do not match"))
        XCTAssertTrue(try attempt(["email": "a@b.c", "password": "a", "passwordrepeat": "a"], captcha: false).contains("did not match the image"))
        XCTAssertTrue(try attempt(["email": "a@b.c", "password": "a", "passwordrepeat": "a", "captcha": "00000x"],
                                  captcha: false).contains("did not match the image"))
        XCTAssertTrue(try attempt(["email": "dup@b.c", "password": "dup-Pass-000001", "passwordrepeat": "dup-Pass-000001"]).contains("A verification email has been sent"))
        // The same answer for an address that is taken, no second account, one mail to the owner.
        let count = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100).count }
        XCTAssertTrue(try attempt(["email": "DUP@b.c", "password": "dup-Pass-000002", "passwordrepeat": "dup-Pass-000002"]).contains("A verification email has been sent"))
        let after = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100).count }
        XCTAssertEqual(count + 1, after)
        let users = try await storage.read { try $0.userCount() }
        XCTAssertEqual(users, 1)
        XCTAssertTrue(try browser.get("/signin").text.contains("Sign in"))
        XCTAssertTrue(try browser.post("/signin", ["email": "x@y.z", "password": "p"]).text.contains("Invalid Email or Password"))
        XCTAssertTrue(try browser.get("/emailverify").text.contains("No email verification token present"))
        XCTAssertTrue(try browser.get("/emailupdate").text.contains("No email verification token present"))
        XCTAssertTrue(try browser.get("/emailupdate?t=abc").text.contains("Email verification token not valid"))
    }

    func testPagesFlow_closedPoolRefusesSignUp() throws {
        try startPages { $0.closePool = true; $0.closePoolMessage = "Closed for <now>" }
        let browser = browser()
        let page = try browser.get("/signup")
        XCTAssertTrue(page.text.contains("Closed for &lt;now&gt;"))
        XCTAssertTrue(page.text.contains(" disabled>Sign Up</button>"))
        let post = try browser.post("/signup", ["email": "a@b.c", "password": "a", "passwordrepeat": "a"])
        XCTAssertEqual(post.status, 303)
        XCTAssertEqual(post.header("Location"), "/error?r=/signup")
    }
}
