import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// CSRF, session fixation and forgery, open redirects, escaping, throttling, cookie flags, assets.
final class PagesSecurityTests: PagesTestCase {
    func testPagesSecurity_csrfMissingOrWrongIsRejected() throws {
        try startPages()
        let browser = browser()
        try browser.get("/signin")
        XCTAssertNotNil(browser.csrfToken)
        let missing = try browser.post("/signin", ["email": "a@b.c", "password": "x"], csrf: "")
        XCTAssertEqual(missing.status, 400)
        XCTAssertTrue(missing.text.contains("This form has expired"))
        let wrong = try browser.post("/signin", ["email": "a@b.c", "password": "x"], csrf: String(repeating: "0", count: 64))
        XCTAssertEqual(wrong.status, 400)
        // A fresh browser without any session cannot post either (checked before routing too).
        XCTAssertEqual(try self.browser().post("/voting", [:], csrf: "abc").status, 400)
        // XHR: header variant.
        let token = try XCTUnwrap(browser.cookies["XSRF-TOKEN"])
        let xhr = try browser.get("/signin", headers: ["X-Requested-With": "XMLHttpRequest"])
        XCTAssertEqual(xhr.status, 400)
        XCTAssertTrue(xhr.text.contains("This form has expired"))
        XCTAssertTrue(xhr.text.contains(#"<a href="/signin">Open the page again</a>"#))
        XCTAssertEqual(try browser.get("/signin", headers: ["X-Requested-With": "XMLHttpRequest", "X-XSRF-TOKEN": token]).status, 200)
        XCTAssertEqual(try browser.post("/signin", ["email": "a@b.c", "password": "x"]).status, 200)
    }

    func testPagesSecurity_sessionFixationAndForgery() async throws {
        try startPages()
        let victim = browser()
        try await signUpAndVerify(victim, email: "v@example.com", password: "victim-Pass-001")
        try victim.get("/signin")
        let planted = try XCTUnwrap(victim.sessionCookie)
        XCTAssertEqual(try victim.post("/signin", ["email": "v@example.com", "password": "victim-Pass-001"]).status, 303)
        XCTAssertNotEqual(victim.sessionCookie, planted)
        let attacker = browser()
        attacker.cookies["session"] = planted
        XCTAssertEqual(try attacker.get("/settings").header("Location"), "/signin?next=/settings", "the pre-sign-in id is worthless")
        XCTAssertEqual(try victim.get("/settings").status, 200)

        // A cookie with a forged signature is ignored.
        let id = try XCTUnwrap(victim.sessionCookie?.split(separator: ".").first)
        attacker.cookies["session"] = "\(id).AAAA"
        XCTAssertEqual(try attacker.get("/settings").header("Location"), "/signin?next=/settings")
        // Stored under a hash: the cookie id itself is not a key in the store.
        let raw = try await storage.read { try $0.session(id: String(id)) }
        XCTAssertNil(raw)
    }

    func testPagesSecurity_cookieFlags() throws {
        try startPages { $0.cookieSecure = true }
        let response = try browser().get("/signin")
        let cookies = response.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
        let session = try XCTUnwrap(cookies.first { $0.hasPrefix("session=") })
        XCTAssertTrue(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure")
                      && session.contains("Path=/"), session)
        let xsrf = try XCTUnwrap(cookies.first { $0.hasPrefix("XSRF-TOKEN=") })
        XCTAssertFalse(xsrf.contains("HttpOnly"))
    }

    func testPagesSecurity_openRedirectsAndXSSAreNeutralised() async throws {
        try startPages()
        let browser = browser()
        for evil in ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)"] {
            let page = try browser.get("/error?r=" + (evil.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            XCTAssertFalse(page.text.contains("evil.example\""), evil)
            XCTAssertFalse(page.text.contains("href=\"javascript"), evil)
        }
        XCTAssertTrue(try browser.get("/error?r=/stats").text.contains("<a href=\"/stats\">re-try your request</a>"))
        XCTAssertTrue(try browser.get("/error?rl=1").text.contains("Rate Limited"))

        // XSS payloads in form fields come back escaped.
        let payload = "<script>alert('x')</script>@example.com"
        try browser.get("/signup")
        let answer = try browser.captchaAnswer()
        let page = try browser.post("/signup", ["email": payload, "password": "xss-Pass-00001", "passwordrepeat": "xss-Pass-00001", "captcha": answer])
        XCTAssertFalse(page.text.contains("<script>alert"))
        XCTAssertTrue(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;@example.com"))
        let mail = try await lastMail(to: payload)
        let verify = try XCTUnwrap(link(in: mail, path: "/emailverify"))
        try browser.get(verify)
        XCTAssertEqual(try signIn(browser, email: payload, password: "xss-Pass-00001").status, 303)
        let settings = try browser.get("/settings")
        XCTAssertTrue(settings.text.contains("Hello, &lt;script&gt;"))
        XCTAssertFalse(settings.text.contains("<script>alert"))
    }

    func testPagesSecurity_signInThrottledPerAccountAndIP() async throws {
        try startPages(throttle: SignInThrottle(perIP: 100, perAccountIP: 3))
        let browser = browser()
        try await signUpAndVerify(browser, email: "t@example.com", password: "right-Pass-001")
        for _ in 0..<3 {
            XCTAssertTrue(try signIn(browser, email: "t@example.com", password: "wrong").text.contains("Invalid Email or Password"))
        }
        let limited = try signIn(browser, email: "t@example.com", password: "right-Pass-001")
        XCTAssertEqual(limited.status, 200)
        XCTAssertTrue(limited.text.contains(SignInThrottle.message))
        // Other accounts are unaffected.
        XCTAssertTrue(try signIn(browser, email: "other@example.com", password: "x").text.contains("Invalid Email or Password"))
    }

    func testPagesSecurity_signInThrottledPerIP() throws {
        try startPages(throttle: SignInThrottle(perIP: 2, perAccountIP: 100))
        let browser = browser()
        _ = try signIn(browser, email: "a@example.com", password: "x")
        _ = try signIn(browser, email: "b@example.com", password: "x")
        XCTAssertTrue(try signIn(browser, email: "c@example.com", password: "x").text.contains(SignInThrottle.message))
    }

    func testPagesSecurity_staticAssetsAndMaintenance() throws {
        try startPages()
        let css = try browser().get("/assets/css/styles.css")
        XCTAssertEqual(css.status, 200)
        XCTAssertEqual(css.header("Cache-Control"), "public, max-age=86400")
        XCTAssertEqual(css.header("Content-Type"), "text/css; charset=utf-8")
        XCTAssertEqual(try browser().get("/assets/../Package.swift").status, 404)
        XCTAssertEqual(try browser().get("/assets/css/../../Package.swift").status, 404)
        XCTAssertEqual(try browser().get("/assets/css").status, 404)
        XCTAssertEqual(try browser().get("/robots.txt").status, 404)
        try startPages { $0.maintenance = true }
        let down = try browser().get("/signin")
        XCTAssertEqual(down.status, 503)
        XCTAssertTrue(down.text.contains("Down For Maintenance"))
    }

    func testPagesSecurity_signedInPagesRedirectAnonymous() throws {
        try startPages()
        for path in ["/settings", "/address", "/tickets", "/voting"] {
            let response = try browser().get(path)
            XCTAssertEqual(response.status, 303, path)
            XCTAssertEqual(response.header("Location"), "/signin?next=\(path)", path)
        }
    }
}
