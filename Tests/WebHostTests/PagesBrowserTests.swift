import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest
@testable import WebHost

/// A real headless Chromium, driven over the DevTools protocol, walks a user through the pages served on
/// loopback: sign-up with the built-in captcha, email verification, sign-in, address, tickets, voting, sign-out.
/// Every step asserts on the rendered page and saves a screenshot under `test-artifacts/browser/`.
/// Skipped when Chromium is absent; fails instead under CI=true.
///
/// The test methods are synchronous on purpose: the DevTools calls block, and must not hold one of the
/// cooperative threads the page handlers run on.
final class PagesBrowserTests: PagesTestCase {
    private var chromium: HeadlessChromium?
    private let artifacts = PagesTestCase.repoRoot + "/test-artifacts/browser"

    override func tearDown() async throws {
        chromium?.stop()
        chromium = nil
        try await super.tearDown()
    }

    /// Starts the pages and the browser; returns the tab and the site's base URL.
    private func launch(statusPage: Bool = false) throws -> (BrowserPage, String) {
        let binary = try HeadlessChromium.requireBinary()
        try startPages(statusPage: statusPage)
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let browser = try HeadlessChromium(binary: binary, directory: tempDir)
        chromium = browser
        return (browser.page, "http://127.0.0.1:\(port)")
    }

    private func shot(_ page: BrowserPage, _ name: String) throws { try page.saveScreenshot(name, in: artifacts) }

    func testPagesBrowser_signUpVerifySignInAddressVotingSignOut() throws {
        let (page, site) = try launch()
        let email = "browser@example.com", password = "correct horse"
        defer { chromium?.stop() }

        // Home, signed out.
        try page.navigate(site + "/")
        var text = try page.text()
        XCTAssertTrue(text.contains("Decred Stake Pool Overview"), text)
        XCTAssertTrue(text.contains("Network: testnet2"), text)
        XCTAssertTrue(text.contains("Sign In"), text)
        try shot(page, "01-home")

        // Sign-up: the captcha image decodes in a real browser; the answer comes from the server-side test hook.
        try page.navigate(site + "/signup")
        XCTAssertTrue(try page.text().contains("Type the digits you see"))
        let image = try page.evaluate("""
            (async () => { const i = document.querySelector('.captcha img'); if (!i.complete) await i.decode();
                           return [i.naturalWidth, i.naturalHeight] })()
            """)
        XCTAssertEqual(image.arrayValue?.compactMap(\.intValue), [180, 64], "captcha PNG rendered")
        try shot(page, "02-signup")
        let answer = try page.evaluate("fetch('/captcha/answer?id=' + document.querySelector('input[name=captchaid]').value).then(r => r.text())").stringValue ?? ""
        XCTAssertEqual(answer.count, 5, "the test hook reveals the pending answer")
        try page.type("#email", email)
        try page.type("#password", password)
        try page.type("#passwordrepeat", password)
        try page.type("#captcha", answer)
        try shot(page, "03-signup-filled")
        try page.clickAndWait("form[action='/signup'] button[type=submit]")
        text = try page.text()
        XCTAssertTrue(text.contains("A verification email has been sent to \(email)"), text)
        try shot(page, "04-signup-done")

        // The verification mail is in the outbox the test controls; its link works once.
        let store: InMemoryStorage = storage
        let mail = try blocking {
            try await store.read { try $0.outboxMessages(status: .queued, limit: 1000) }.last { $0.to == email }
        }
        XCTAssertEqual(mail?.subject, "Stake pool email verification")
        let verify = try XCTUnwrap(link(in: mail, path: "/emailverify"))
        try page.navigate(site + verify)
        XCTAssertTrue(try page.text().contains("Email successfully verified"))
        try shot(page, "05-verified")

        // Sign in: lands on settings; the session cookie is HttpOnly, the XSRF cookie is readable.
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", email)
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/settings")
        text = try page.text()
        XCTAssertTrue(text.contains("Hello, \(email)"), text)
        let cookies = try page.evaluate("document.cookie").stringValue ?? ""
        XCTAssertFalse(cookies.contains("session="), "session cookie must be HttpOnly: \(cookies)")
        XCTAssertTrue(cookies.contains("XSRF-TOKEN="), cookies)
        try shot(page, "06-settings")

        // Address: submit a testnet pubkey address, land on the tickets page showing the ticket (P2SH) address.
        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [
            StakePoolUserTicket(status: "live", ticket: String(repeating: "a", count: 64), ticketHeight: 900),
        ]) }
        try page.navigate(site + "/address")
        XCTAssertTrue(try page.text().contains("Submit Address"))
        try page.type("#UserPubKeyAddr", "TkQ4jEVTpGn1LZAmCZRZ3n8hNWe9Hh8vbvfrTQuQaTCRJpsbKDCaf")
        try shot(page, "07-address")
        try page.clickAndWait("form[action='/address'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/tickets")
        // With live tickets the instructions start folded: open them as a user would.
        try page.evaluate("document.querySelector('details summary').click()")
        text = try page.text()
        XCTAssertTrue(text.contains("P2SH Address:") && text.contains("Tcbvn2hiEAXBDwUPDLDG2SxF9iANMKhdVev"), "ticket address shown: \(text.prefix(600))")
        XCTAssertTrue(text.contains("Live Tickets (1)"), text)
        try shot(page, "08-tickets")
        try page.navigate(site + "/address")
        XCTAssertTrue(try page.text().contains("Address Submitted"))

        // Voting: choose "yes", save, see it kept and stored.
        try page.navigate(site + "/voting")
        XCTAssertTrue(try page.text().contains("Voting Preferences (v6)"))
        XCTAssertEqual(try page.evaluate("document.querySelector('#agenda0').value").stringValue, "0")
        try page.select("#agenda0", value: "4")
        try page.clickAndWait("form[action='/voting'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/voting")
        text = try page.text()
        XCTAssertTrue(text.lowercased().contains("successfully updated voting preferences"), text)
        XCTAssertEqual(try page.evaluate("document.querySelector('#agenda0').value").stringValue, "4", "choice kept")
        let stored = try blocking { try await store.user(email: email) }
        XCTAssertEqual(stored?.voteBits, 5)
        try shot(page, "09-voting")
        try page.navigate(site + "/voting")
        XCTAssertEqual(try page.evaluate("document.querySelector('#agenda0').value").stringValue, "4", "choice saved")

        // Phone-sized layout of the same page.
        try page.setViewport(width: 390, height: 844, mobile: true)
        try page.navigate(site + "/voting")
        try shot(page, "10-voting-mobile")
        try page.setViewport(width: 1100, height: 900, mobile: false)

        // Sign out through the navbar's button (a POST with the CSRF token): signed-out navigation, and the
        // account pages are closed.
        try page.clickAndWait("form[action='/logout'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/")
        text = try page.text()
        XCTAssertFalse(text.contains("Hello, \(email)"), text)
        XCTAssertTrue(text.contains("Sign In"), text)
        try page.navigate(site + "/settings")
        XCTAssertEqual(try page.location(), "/signin?next=/settings", "settings asks to sign in after sign-out")
        try shot(page, "11-signed-out")
    }

    func testPagesBrowser_wrongCaptchaShowsErrorAndNewChallenge() throws {
        let (page, site) = try launch()
        defer { chromium?.stop() }
        try page.navigate(site + "/signup")
        let first = try page.evaluate("document.querySelector('.captcha img').getAttribute('src')").stringValue
        try page.type("#email", "x@example.com")
        try page.type("#password", "pw-long-enough-1")
        try page.type("#passwordrepeat", "pw-long-enough-1")
        try page.type("#captcha", "00000x")
        try page.clickAndWait("form[action='/signup'] button[type=submit]")
        XCTAssertEqual(try page.status(), 200)
        XCTAssertTrue(try page.text().contains("The characters you typed did not match the image."))
        let second = try page.evaluate("document.querySelector('.captcha img').getAttribute('src')").stringValue
        XCTAssertNotNil(second)
        XCTAssertNotEqual(first, second, "a fresh challenge is shown")
        try shot(page, "12-signup-captcha-error")
    }

    /// Issue 21: "New image" swaps the captcha in place, so nothing typed is lost, and the new answer passes.
    func testPagesBrowser_newCaptchaImageKeepsWhatWasTyped() throws {
        let (page, site) = try launch()
        defer { chromium?.stop() }
        try page.navigate(site + "/signup")
        try page.type("#email", "typed@example.com")
        try page.type("#password", "typed-Pass-00001")
        try page.type("#passwordrepeat", "typed-Pass-00001")
        let before = try page.evaluate("document.querySelector('input[name=captchaid]').value").stringValue
        let renewed = try page.evaluate("""
            (async () => { const b = document.querySelector('[data-captcha-renew]'); if (!b || b.hidden) return 'no button';
                           const img = document.querySelector('.captcha img'); const old = img.src; b.click();
                           for (let i = 0; i < 100 && img.src === old; i++) await new Promise(r => setTimeout(r, 50));
                           if (!img.complete) await img.decode(); return [img.naturalWidth, img.src === old ? 'same' : 'new'] })()
            """)
        XCTAssertEqual(renewed.arrayValue?.last?.stringValue, "new", "\(renewed)")
        XCTAssertEqual(renewed.arrayValue?.first?.intValue, 180)
        let after = try page.evaluate("document.querySelector('input[name=captchaid]').value").stringValue
        XCTAssertNotEqual(before, after)
        let kept = try page.evaluate("['#email', '#password', '#passwordrepeat'].map(s => document.querySelector(s).value)")
        XCTAssertEqual(kept.arrayValue?.compactMap(\.stringValue), ["typed@example.com", "typed-Pass-00001", "typed-Pass-00001"])
        let answer = try page.evaluate("fetch('/captcha/answer?id=' + document.querySelector('input[name=captchaid]').value).then(r => r.text())").stringValue ?? ""
        try page.type("#captcha", answer)
        try page.clickAndWait("form[action='/signup'] button[type=submit]")
        XCTAssertTrue(try page.text().contains("A verification email has been sent to typed@example.com"))
        try shot(page, "13-signup-new-captcha")
    }

    /// Issue 21: a signed-out visit asks to sign in and returns to the page afterwards.
    func testPagesBrowser_signedOutVisitReturnsAfterSignIn() throws {
        let (page, site) = try launch()
        defer { chromium?.stop() }
        let store: InMemoryStorage = storage
        let hash = try BCrypt.hash(password: "return-Pass-001", cost: 4)
        _ = try blocking {
            try await store.write { try $0.insertUser(User(email: "back@example.com", passwordHash: hash, emailVerified: .verified)) }
        }
        try page.navigate(site + "/settings")
        XCTAssertEqual(try page.location(), "/signin?next=/settings")
        XCTAssertTrue(try page.text().contains("Please sign in to see that page."))
        try page.type("#inputEmail3", "back@example.com")
        try page.type("#inputPassword3", "return-Pass-001")
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/settings")
        try shot(page, "14-returned-after-sign-in")
    }

    // MARK: - Phone layout, accessibility audit, closing an account

    /// The pages a signed-out visitor reaches, and those of a signed-in user with a registered address.
    private static let signedOutPages = ["/", "/signin", "/signup", "/passwordreset", "/stats", "/error", "/accountclosed"]
    /// `/logout` (an old bookmark) only offers the sign-out button: the pages after it are still signed in.
    private static let signedInPages = ["/", "/logout", "/stats", "/settings", "/address", "/tickets", "/voting"]

    /// A verified user with a registered ticket address and tickets of every kind, stored directly.
    private func seedUser(email: String, password: String) throws {
        let store: InMemoryStorage = storage
        let hash = try BCrypt.hash(password: password, cost: 4)
        _ = try blocking {
            try await store.insertUser(User(email: email, passwordHash: hash,
                                            multiSigAddress: "TcbvN2hiEAXBDwUPDLDG2SxF9iANMKhdVev",
                                            multiSigScript: String(repeating: "51", count: 36),
                                            userFeeAddr: "TsfDLrRkk9ciUuwfp2b8PawwnukYD7yAjGd",
                                            heightRegistered: 900, emailVerified: .verified, voteBits: 1, voteBitsVersion: 6))
        }
        let hash64 = { (c: Character) in String(repeating: c, count: 64) }
        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [
            StakePoolUserTicket(status: "live", ticket: hash64("a"), ticketHeight: 950),
            StakePoolUserTicket(status: "voted", ticket: hash64("b"), ticketHeight: 800, spentBy: hash64("c"), spentByHeight: 990),
            StakePoolUserTicket(status: "missed", ticket: hash64("d"), ticketHeight: 700, spentByHeight: 980),
            StakePoolUserTicket(status: "expired", ticket: hash64("e"), ticketHeight: 100, spentByHeight: 960),
        ], invalidHex: [hash64("f")]) }
    }

    /// A verified user with no address yet.
    private func seedNewUser(email: String, password: String) throws {
        let store: InMemoryStorage = storage
        let hash = try BCrypt.hash(password: password, cost: 4)
        _ = try blocking { try await store.insertUser(User(email: email, passwordHash: hash, emailVerified: .verified)) }
    }

    /// Checks one page as it is shown now: no horizontal scrolling, no serious or critical axe violation.
    private func checkPage(_ page: BrowserPage, _ path: String, audit: AxeAudit, shotName: String?) throws {
        if path == "/tickets" { try page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)") }
        let widths = try page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]").arrayValue?.compactMap(\.intValue) ?? []
        XCTAssertEqual(widths.count, 2)
        if widths.count == 2 {
            XCTAssertLessThanOrEqual(widths[0], widths[1], "\(path) scrolls sideways at \(widths[1]) px")
        }
        XCTAssertEqual(try audit.seriousViolations(on: page), [], "axe on \(path) at \(widths.last ?? 0) px")
        if let shotName { try shot(page, shotName) }
    }

    private func name(_ path: String) -> String {
        path == "/" ? "home" : String(path.dropFirst().prefix { $0 != "?" })
    }

    /// Fresh one-time tokens for the pages reached from a mail: email verification, password update, email change.
    /// Returns the paths to audit, valid tokens first (each may be consumed by its visit), then invalid ones.
    private func seedTokenPages(round: Int) throws -> [(path: String, shot: String)] {
        let store: InMemoryStorage = storage
        let now = Int64(Date().timeIntervalSince1970)
        let verify = "ab\(round)1" + String(repeating: "0", count: 28)
        let reset = "cd\(round)2" + String(repeating: "0", count: 28)
        let change = "ef\(round)3" + String(repeating: "0", count: 28)
        let hash = try BCrypt.hash(password: "token-Pass-001", cost: 4)
        _ = try blocking {
            let id = try await store.insertUser(User(email: "tokens\(round)@example.com", passwordHash: hash,
                                                     emailVerified: .unverified, emailToken: verify)).id
            return try await store.write { writer in
                _ = try writer.insertPasswordReset(PasswordReset(userId: id, token: reset, created: now, expires: now + 3600))
                return try writer.insertEmailChange(EmailChange(userId: id, newEmail: "moved\(round)@example.com",
                                                                token: change, created: now, expires: now + 3600))
            }
        }
        let bad = String(repeating: "0", count: 32)
        return [("/passwordupdate?t=" + reset, "passwordupdate"),
                ("/emailverify?t=" + verify, "emailverify-valid"), ("/emailverify?t=" + bad, "emailverify-invalid"),
                ("/emailupdate?t=" + change, "emailupdate-valid"), ("/emailupdate?t=" + bad, "emailupdate-invalid")]
    }

    func testPagesBrowser_everyPageFitsAPhoneAndPassesTheAccessibilityAudit() throws {
        let audit = try AxeAudit.load()
        let (page, site) = try launch(statusPage: true)
        defer { chromium?.stop() }
        try page.navigate(site + "/")
        let version = try audit.inject(into: page)
        XCTAssertTrue(version.hasPrefix("4."), "axe-core 4.x, not \(version)")
        // The audit bites: an unlabelled field is a critical violation.
        try page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\"unlabelled\">')")
        XCTAssertTrue(try audit.seriousViolations(on: page).contains { $0.hasPrefix("label (critical)") })
        let email = "phone@example.com", password = "correct horse battery"
        try seedUser(email: email, password: password)

        for (width, mobile) in [(390, true), (1100, false)] {
            try page.setViewport(width: width, height: mobile ? 844 : 900, mobile: mobile)
            for path in Self.signedOutPages {
                try page.navigate(site + path)
                try checkPage(page, path, audit: audit, shotName: mobile ? "phone-out-\(name(path))" : nil)
            }
            // The pages a mail's link opens, with a valid and an invalid token.
            for (path, shotName) in try seedTokenPages(round: width) {
                try page.navigate(site + path)
                XCTAssertEqual(try page.status(), 200, path)
                if shotName == "passwordupdate" {
                    XCTAssertEqual(try page.evaluate("!!document.querySelector('form[action^=\"/passwordupdate\"] #password')").boolValue, true,
                                   "a valid reset token shows the form")
                }
                try checkPage(page, path, audit: audit, shotName: mobile ? "phone-out-\(shotName)" : nil)
            }
        }

        // Phone navbar: brand and a menu button on one row; the menu opens and closes from the keyboard.
        try page.setViewport(width: 390, height: 844, mobile: true)
        try page.navigate(site + "/")
        let closedHeight = try page.evaluate("document.querySelector('header.navbar').getBoundingClientRect().height").doubleValue ?? 999
        XCTAssertLessThanOrEqual(closedHeight, 72, "the folded navbar is one row")
        XCTAssertEqual(try page.evaluate("getComputedStyle(document.querySelector('.navbar-menu')).display").stringValue, "none")
        try page.evaluate("document.querySelector('.nav-toggle').focus()")
        try page.press("Enter", code: "Enter", keyCode: 13, text: "\r")
        XCTAssertEqual(try page.evaluate("document.querySelector('.nav-toggle').getAttribute('aria-expanded')").stringValue, "true")
        XCTAssertTrue(try page.evaluate("document.querySelector('.navbar-menu a[href=\"/stats\"]').getClientRects().length > 0").boolValue == true,
                      "the links show once the menu is open")
        try checkPage(page, "/ (menu open)", audit: audit, shotName: "phone-menu-open")
        try page.press("Escape", code: "Escape", keyCode: 27)
        XCTAssertEqual(try page.evaluate("document.querySelector('.nav-toggle').getAttribute('aria-expanded')").stringValue, "false")
        XCTAssertEqual(try page.evaluate("document.activeElement.className").stringValue, "nav-toggle", "focus returns to the button")

        // Sign in through the form (the menu is folded: the form is in the page itself).
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", email)
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/tickets", "a user with an address lands on the tickets")

        for (width, mobile) in [(390, true), (1100, false)] {
            try page.setViewport(width: width, height: mobile ? 844 : 900, mobile: mobile)
            for path in Self.signedInPages {
                try page.navigate(site + path)
                XCTAssertEqual(try page.location(), path, "\(path) is shown to a signed-in user")
                try checkPage(page, path, audit: audit, shotName: mobile ? "phone-in-\(name(path))" : nil)
            }
        }

        // Words, not field names; one header per ticket table; links to the testnet explorer by default.
        try page.navigate(site + "/tickets")
        var text = try page.text()
        for raw in ["TicketHeight", "SpentByHeight"] { XCTAssertFalse(text.contains(raw), raw) }
        XCTAssertTrue(text.contains("Bought at block") && text.contains("Voted at block"), text)
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('tfoot').length").intValue, 0, "no footer repeats the header")
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('table thead').length").intValue, 5)
        XCTAssertEqual(try page.evaluate("document.querySelector('#ticketslive a').getAttribute('href')").stringValue,
                       "https://testnet.decred.org/tx/" + String(repeating: "a", count: 64))
        try page.navigate(site + "/stats")
        text = try page.text()
        for raw in ["ProportionMissed", "ProportionLive", "AllMempoolTix", "TotalSubsidy", "PoolSize", "UserCountActive"] {
            XCTAssertFalse(text.contains(raw), "\(raw) on the stats page: \(text)")
        }
        XCTAssertTrue(text.contains("Share missed"), text)

        // A user who has not submitted an address yet sees the address form; /status is shown to an admin.
        try page.clickAndWait("form[action='/logout'] button[type=submit]")
        try seedNewUser(email: "fresh@example.com", password: password)
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", "fresh@example.com")
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        for (width, mobile) in [(390, true), (1100, false)] {
            try page.setViewport(width: width, height: mobile ? 844 : 900, mobile: mobile)
            for path in ["/address", "/status"] {
                try page.navigate(site + path)
                XCTAssertEqual(try page.location(), path)
                XCTAssertEqual(try page.status(), 200, path)
                try checkPage(page, path, audit: audit, shotName: mobile ? "phone-in-\(name(path))-new-user" : nil)
            }
            try page.navigate(site + "/address")
            XCTAssertEqual(try page.evaluate("!!document.querySelector('#UserPubKeyAddr')").boolValue, true, "the address form")
        }
    }

    func testPagesBrowser_closeAccountFromSettings() throws {
        let audit = try AxeAudit.load()
        let (page, site) = try launch()
        defer { chromium?.stop() }
        let email = "closing@example.com", password = "correct horse battery"
        try seedUser(email: email, password: password)
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", email)
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/tickets")
        try page.navigate(site + "/settings")
        XCTAssertTrue(try page.text().contains("Close Account"))

        // A wrong password closes nothing.
        try page.type("#closepassword", "not my password")
        try page.clickAndWait("button[name=closeAccount]")
        XCTAssertEqual(try page.location(), "/settings")
        XCTAssertTrue(try page.text().contains("Password not valid"))

        try page.type("#closepassword", password)
        try shot(page, "13-close-account")
        try page.clickAndWait("button[name=closeAccount]")
        XCTAssertEqual(try page.location(), "/accountclosed")
        let text = try page.text()
        XCTAssertTrue(text.contains("Your account is closed") && text.contains("keeps voting your live tickets"), text)
        XCTAssertFalse(text.contains("Hello, \(email)"), "signed out")
        XCTAssertEqual(try audit.seriousViolations(on: page), [])
        try shot(page, "14-account-closed")

        // Signed out for good: the account pages send the browser away, and the password no longer signs in.
        try page.navigate(site + "/settings")
        XCTAssertNotEqual(try page.location(), "/settings")
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", email)
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        XCTAssertFalse(["/settings", "/tickets"].contains(try page.location()), "not signed in")
        XCTAssertTrue(try page.text().contains("Invalid Email or Password"))
    }
}

