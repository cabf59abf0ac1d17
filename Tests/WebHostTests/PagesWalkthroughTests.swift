import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Issue 21: a new user's walk-through without a trap — captcha, dead ends, enumeration-safe mails, the address
/// and settings pages, consistent messages, a stats page that follows the chain. Everything through the real pages.
final class PagesWalkthroughTests: PagesTestCase {
    static let builtInCaptchaMiss = "The characters you typed did not match the image. Please try again."

    // MARK: - Captcha

    func testWalkthroughCaptcha_wrongAnswerSaysSoAndKeepsTheEmailButNotThePasswords() throws {
        try startPages()
        let browser = browser()
        try browser.get("/signup")
        let page = try browser.post("/signup", ["email": "kept@example.com", "password": "secret-Pass-0001",
                                                "passwordrepeat": "secret-Pass-0001", "captcha": "99999x"]).text
        XCTAssertTrue(page.contains(Self.builtInCaptchaMiss), page)
        XCTAssertFalse(page.contains("Recaptcha error"))
        XCTAssertTrue(page.contains(#"value="kept@example.com""#), "the email stays in its box")
        XCTAssertFalse(page.contains("secret-Pass-0001"), "passwords are never sent back")
        XCTAssertNotNil(browser.captchaId, "a new challenge for the next try")

        try browser.get("/passwordreset")
        let reset = try browser.post("/passwordreset", ["email": "who@example.com", "captcha": "1"]).text
        XCTAssertTrue(reset.contains(Self.builtInCaptchaMiss), reset)
        XCTAssertTrue(reset.contains(#"value="who@example.com""#))

        // Other refusals keep the email too.
        try browser.get("/signup")
        let mismatch = try browser.post("/signup", ["email": "kept@example.com", "password": "secret-Pass-0001",
                                                    "passwordrepeat": "secret-Pass-0002", "captcha": try browser.captchaAnswer()]).text
        XCTAssertTrue(mismatch.contains("Passwords do not match"), "one capitalisation for every form")
        XCTAssertTrue(mismatch.contains(#"value="kept@example.com""#))
    }

    func testWalkthroughCaptcha_newImageDrawsAFreshChallengeForThatFormOnly() throws {
        try startPages()
        let browser = browser()
        let page = try browser.get("/signup").text
        XCTAssertTrue(page.contains("data-captcha-renew"), "the New image button")
        XCTAssertTrue(page.contains(#"<script src="/assets/js/captcha.js""#))
        let script = try browser.get("/assets/js/captcha.js")
        XCTAssertEqual(script.status, 200)
        XCTAssertTrue(script.text.contains("/captcha/new?id="))
        let first = try XCTUnwrap(browser.captchaId)
        let other = try XCTUnwrap(TestBrowser.capture(#"name="captchaid" value="([0-9a-f]*)""#,
                                                      in: try self.browser().get("/passwordreset").text))

        let renewed = try browser.get("/captcha/new?id=\(first)")
        XCTAssertEqual(renewed.status, 200)
        XCTAssertEqual(renewed.header("Content-Type"), "application/json")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(renewed.text.utf8)) as? [String: String])
        let second = try XCTUnwrap(json["id"])
        XCTAssertNotEqual(second, first)
        XCTAssertEqual(json["image"], "/captcha.png?id=\(second)")
        XCTAssertEqual(try browser.get("/captcha.png?id=\(first)").status, 404, "the old image is retired")
        XCTAssertEqual(try browser.get("/captcha.png?id=\(second)").header("Content-Type"), "image/png")
        XCTAssertEqual(try browser.get("/captcha.png?id=\(other)").status, 200, "another form's challenge is untouched")

        // The form, still holding everything typed, passes with the new challenge.
        let answer = try browser.get("/captcha/answer?id=\(second)").text
        let done = try browser.post("/signup", ["email": "new@example.com", "password": "fresh-Pass-0001",
                                                "passwordrepeat": "fresh-Pass-0001", "captcha": answer, "captchaid": second])
        XCTAssertTrue(done.text.contains("A verification email has been sent to new@example.com"), done.text)
    }

    func testWalkthroughCaptcha_answersNeverUseDigitsThatLookAlike() {
        let answers = (0..<400).map { _ in BuiltInCaptcha.newChallenge(now: 0).answer }
        let used = Set(answers.joined())
        for confusable in "016" { XCTAssertFalse(used.contains(confusable), "\(confusable) can pass for 8, 7 or 5") }
        XCTAssertTrue(answers.allSatisfy { $0.count == 5 })
        XCTAssertGreaterThanOrEqual(used.count, 7, "the rest of the digits are all used")
    }

    // MARK: - Dead ends

    func testWalkthroughPasswordUpdate_refusedPasswordKeepsTheFormAndBadTokensOfferANewLink() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "pat@example.com", password: "pat-old-Pass-01")
        try browser.get("/passwordreset")
        _ = try browser.post("/passwordreset", ["email": "pat@example.com", "captcha": try browser.captchaAnswer()])
        let resetMail = try await lastMail(to: "pat@example.com")
        let link = try XCTUnwrap(self.link(in: resetMail, path: "/passwordupdate"))
        let action = #"action="\#(link)""#
        try browser.get(link)
        for (fields, message) in [(["password": "", "passwordrepeat": ""], "Password cannot be empty"),
                                  (["password": "pat-new-Pass-02", "passwordrepeat": "other-Pass-003"], "Passwords do not match"),
                                  (["password": "short", "passwordrepeat": "short"], "at least 12")] {
            let page = try browser.post(link, fields).text
            XCTAssertTrue(page.contains(message), page)
            XCTAssertTrue(page.contains(action), "the form stays, with its token, after \(message)")
            XCTAssertTrue(page.contains(#"minlength="12""#))
        }
        for bad in ["/passwordupdate?t=ffff", "/passwordupdate"] {
            let page = try browser.get(bad).text
            XCTAssertTrue(page.contains(#"<a href="/passwordreset">Ask for a new password reset link</a>"#), bad)
            XCTAssertFalse(page.contains(#"action="/passwordupdate"#))
        }
        XCTAssertTrue(try browser.get("/emailupdate?t=abc").text.contains(#"<a href="/settings">Settings</a>"#))
    }

    func testWalkthroughVerify_secondClickSaysVerifiedAndBadLinksSayWhatToDo() async throws {
        try startPages()
        let browser = browser()
        try browser.get("/signup")
        _ = try browser.post("/signup", ["email": "vic@example.com", "password": "vic-Pass-000001",
                                         "passwordrepeat": "vic-Pass-000001", "captcha": try browser.captchaAnswer()])
        let verifyMail = try await lastMail(to: "vic@example.com")
        let link = try XCTUnwrap(self.link(in: verifyMail, path: "/emailverify"))
        let first = try browser.get(link).text
        XCTAssertTrue(first.contains("Email successfully verified"))
        XCTAssertFalse(first.contains("new email address"), "a first verification is not an email change")
        let second = try browser.get(link).text
        XCTAssertTrue(second.contains("Your email address is already verified. You can sign in."), second)
        XCTAssertFalse(second.contains("token not valid"))
        let unknown = try browser.get("/emailverify?t=0123456789abcdef0123456789abcdef").text
        XCTAssertTrue(unknown.contains("Email verification token not valid"))
        XCTAssertTrue(unknown.contains(#"<a href="/signup">sign up again with the same email address</a>"#))
        XCTAssertEqual(try signIn(browser, email: "vic@example.com", password: "vic-Pass-000001").status, 303)
    }

    func testWalkthroughSignIn_signedOutVisitorsSignInAndReturnToThePageTheyWanted() async throws {
        try startPages()
        let setup = browser()
        try await signUpAndVerify(setup, email: "ret@example.com", password: "ret-Pass-000001")
        for path in ["/tickets", "/settings", "/address", "/voting"] {
            let browser = browser()
            let visit = try browser.get(path)
            XCTAssertEqual(visit.status, 303, path)
            XCTAssertEqual(visit.header("Location"), "/signin?next=\(path)")
            let form = try browser.get("/signin?next=\(path)").text
            XCTAssertTrue(form.contains("Please sign in to see that page."), path)
            XCTAssertTrue(form.contains(#"<input type="hidden" name="next" value="\#(path)">"#))
            let signedIn = try browser.post("/signin", ["email": "ret@example.com", "password": "ret-Pass-000001", "next": path])
            XCTAssertEqual(signedIn.header("Location"), path)
        }
        // Never an open redirect: anything but a signed-in page's own path is dropped.
        for hostile in ["//evil.example", "https://evil", "/\\evil", "/%2F%2Fevil.example", "%2F%2Fevil.example",
                        "/\\/evil.example", "https:%2F%2Fevil", "/settings/../..//evil", "/settings?x=//evil", "javascript:alert(1)"] {
            let browser = browser()
            let encoded = TestBrowser.encode(["next": hostile])
            let form = try browser.get("/signin?\(encoded)").text
            XCTAssertFalse(form.contains(#"name="next""#), hostile)
            XCTAssertFalse(form.contains("evil"), hostile)
            let signedIn = try browser.post("/signin", ["email": "ret@example.com", "password": "ret-Pass-000001", "next": hostile])
            XCTAssertEqual(signedIn.header("Location"), "/settings", hostile)
        }
    }

    func testWalkthroughCSRF_staleFormGetsAnExplanationInTheLayoutAndALinkBack() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "tab@example.com", password: "tab-Pass-000001")
        _ = try signIn(browser, email: "tab@example.com", password: "tab-Pass-000001")
        try browser.get("/settings")
        let staleToken = try XCTUnwrap(browser.csrfToken)
        // Signed out in another tab: a new session, so the open form's token is stale.
        XCTAssertEqual(try browser.post("/logout", [:]).status, 303)
        let stale = try browser.post("/settings", ["password": "x", "regenerateToken": "true"], csrf: staleToken)
        XCTAssertEqual(stale.status, 400)
        XCTAssertEqual(stale.header("Content-Type"), "text/html")
        XCTAssertTrue(stale.text.contains("This form has expired"), stale.text)
        XCTAssertTrue(stale.text.contains(#"<a href="/settings">Open the page again</a>"#))
        XCTAssertTrue(stale.text.contains(#"<nav class="nav-left""#), "inside the site's layout")
        XCTAssertFalse(stale.text.contains("Invalid Csrf Token"))
    }

    func testWalkthroughNotFound_pagesGetAnHTMLPageTheAPIKeepsItsAnswer() throws {
        try startPages()
        let missing = try browser().get("/no-such-page")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("Content-Type"), "text/html")
        XCTAssertTrue(missing.text.contains("Page not found"))
        XCTAssertTrue(missing.text.contains(#"<nav class="nav-left""#))
        let api = try browser().get("/api/v9/nothing")
        XCTAssertEqual(api.status, 404)
        XCTAssertEqual(api.text, "404 page not found\n", "the API's unknown-path answer is unchanged")
        XCTAssertEqual(try browser().get("/assets/none.css").text, "404 page not found\n")
    }

    func testWalkthroughNotFound_signedInVisitorKeepsTheirMenu() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "lost@example.com", password: "lost-Pass-000001")
        let signedOut = try self.browser().get("/no-such-page")
        XCTAssertTrue(signedOut.text.contains(#"href="/signin""#), "a stranger's 404 offers sign-in")
        XCTAssertEqual(try signIn(browser, email: "lost@example.com", password: "lost-Pass-000001").status, 303)
        let missing = try browser.get("/no-such-page")
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.text.contains(#"href="/logout""#), "the signed-in menu: \(missing.text)")
        XCTAssertFalse(missing.text.contains(#"href="/signin""#))
        XCTAssertNil(missing.header("Set-Cookie"), "a 404 neither creates nor touches a session")
    }

    // MARK: - Enumeration-safe mails

    func testWalkthroughSignUp_takenAddressGetsTheSameAnswerAndAMailToItsOwner() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "own@example.com", password: "own-Pass-000001")
        func signUp(_ email: String) throws -> String {
            try browser.get("/signup")
            return try browser.post("/signup", ["email": email, "password": "any-Pass-0000001", "passwordrepeat": "any-Pass-0000001",
                                                "captcha": try browser.captchaAnswer()]).text
        }
        XCTAssertTrue(try signUp("OWN@example.com").contains("A verification email has been sent to OWN@example.com"))
        let notice = try await lastMail(to: "own@example.com")
        XCTAssertEqual(notice?.subject, "Stake pool sign-up: you already have an account")
        XCTAssertTrue(notice?.body.contains("http://pool.test/signin") ?? false)
        XCTAssertTrue(notice?.body.contains("http://pool.test/passwordreset") ?? false)
        XCTAssertNil(self.link(in: notice, path: "/emailverify"))
        let users = try await storage.read { try $0.userCount() }
        XCTAssertEqual(users, 1)

        // Not verified yet: the verification link again (the same one), no second account.
        XCTAssertTrue(try signUp("late@example.com").contains("A verification email has been sent"))
        let firstMail = try await lastMail(to: "late@example.com")
        let firstLink = self.link(in: firstMail, path: "/emailverify")
        XCTAssertTrue(try signUp("late@example.com").contains("A verification email has been sent"))
        let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }.filter { $0.to == "late@example.com" }
        XCTAssertEqual(mails.count, 2)
        XCTAssertEqual(self.link(in: mails.last, path: "/emailverify"), firstLink)

        // Reset: a known address gets its link, an unknown one nothing, with the same answer.
        for email in ["own@example.com", "ghost@example.com"] {
            try browser.get("/passwordreset")
            let page = try browser.post("/passwordreset", ["email": email, "captcha": try browser.captchaAnswer()]).text
            XCTAssertTrue(page.contains("Password reset email sent"), email)
        }
        let resetMail = try await lastMail(to: "own@example.com")
        XCTAssertNotNil(self.link(in: resetMail, path: "/passwordupdate"))
        let ghost = try await lastMail(to: "ghost@example.com")
        XCTAssertNil(ghost)
    }

    // MARK: - Address, settings, wording

    func testWalkthroughAddress_trimsPastedSpacesAndNamesTheNetworksPrefixes() async throws {
        try startPages { $0.shortNetwork = "simnet"; $0.network = "simnet"; $0.addressIDs = NetParams.simnet.addressIDs }
        let browser = browser()
        try await signUpAndVerify(browser, email: "adr@example.com", password: "adr-Pass-000001")
        _ = try signIn(browser, email: "adr@example.com", password: "adr-Pass-000001")
        let page = try browser.get("/address").text
        XCTAssertTrue(page.contains("dcrctl --simnet --wallet getnewaddress"), page)
        XCTAssertTrue(page.contains("starts with <code>Sk</code>"))
        XCTAssertTrue(page.contains("<code>Ss</code>"))
        XCTAssertTrue(page.contains("<code>Sc</code>"))
        XCTAssertFalse(page.contains("<code>Dk</code>"))
        XCTAssertFalse(page.contains(#"minlength="40""#), "no browser-only length trap")
        let address = "SkQn8ervNvAUEX5Ua3Lwjc6BAuTXRznDoDzsyxgjYqX58znY7w9e4"
        let posted = try browser.post("/address", ["UserPubKeyAddr": "  \(address) \r\n"])
        XCTAssertEqual(posted.header("Location"), "/tickets")
        XCTAssertEqual(registrar.calls.value.last?.1, address, "surrounding spaces are dropped")
    }

    func testWalkthroughAddress_mainnetAndTestnetPrefixesComeFromTheNetwork() throws {
        XCTAssertEqual(Pages.addressPrefix(version: NetParams.mainnet.addressIDs.pubKey, payloadBytes: 33), "Dk")
        XCTAssertEqual(Pages.addressPrefix(version: NetParams.mainnet.addressIDs.pubKeyHash, payloadBytes: 20), "Ds")
        XCTAssertEqual(Pages.addressPrefix(version: NetParams.testnet3.addressIDs.pubKey, payloadBytes: 33), "Tk")
        XCTAssertEqual(Pages.addressPrefix(version: NetParams.testnet3.addressIDs.pubKeyHash, payloadBytes: 20), "Ts")
    }

    func testWalkthroughSettings_eachPasswordBoxSaysWhatItIsForAndNewOnesAreRequired() async throws {
        try startPages { $0.minPasswordLength = 14 }
        let browser = browser()
        try await signUpAndVerify(browser, email: "set@example.com", password: "set-Pass-0000001")
        _ = try signIn(browser, email: "set@example.com", password: "set-Pass-0000001")
        let page = try browser.get("/settings").text
        let labels = Set(page.components(separatedBy: "<label for=\"").dropFirst().compactMap { $0.split(separator: "<").first }
            .map { String($0.split(separator: ">", maxSplits: 1).last ?? "") })
        let current = labels.filter { $0.hasPrefix("Current password") }
        XCTAssertEqual(current.count, 3, "three different labels: \(labels)")
        for name in ["newpassword", "newpasswordrepeat"] {
            XCTAssertNotNil(page.range(of: #"name="\#(name)" autocomplete="new-password" required\s+minlength="14""#,
                                       options: .regularExpression), name)
        }
    }

    func testWalkthroughWording_noMailServerSaysWhereMailsGo() throws {
        try startPages { $0.smtpDisabled = true }
        for path in ["/signup", "/passwordreset"] {
            let page = try browser().get(path).text
            XCTAssertTrue(page.contains("written\n    to the pool's server log"), path)
            XCTAssertFalse(page.contains("You will not receive"), path)
            XCTAssertFalse(page.contains("an password"), path)
        }
    }

    // MARK: - Stats

    func testWalkthroughStats_aNewBlockRefreshesTheCounts() throws {
        try startPages()
        wallets.state.withLock { $0.stakeInfo = StakeInfo(blockHeight: 1000) }
        ticketSource.height.withLock { $0 = 1000 }
        XCTAssertTrue(try browser().get("/stats").text.contains(#"<span id="Voted">0</span>"#))
        // A vote in block 1001.
        wallets.state.withLock { $0.stakeInfo = StakeInfo(blockHeight: 1001, voted: 1) }
        ticketSource.height.withLock { $0 = 1001 }
        let page = try browser().get("/stats").text
        XCTAssertTrue(page.contains(#"<span id="Voted">1</span>"#), page)
    }
}
