import Foundation
import HostKit
import HostTestSupport
import PoolKernel
@testable import WebAppHost
import WebHost
import XCTest

/// Issue 17's ASVS level 2 remainder, through the real web app assembled from a config file: signing out is a
/// POST with the session's CSRF token (a GET from any site signs nobody out), and the session cookie is `Secure`
/// whenever `baseurl` is https:// unless `cookiesecure` says otherwise — which the start-up log then warns about.
final class WebAppSignOutWiringTests: WebAppConfigTestCase {
    override class var homePrefix: String { "webapp-signout" }
    private var running: [(WebApp, Task<Void, any Error>)] = []
    private let password = "a long enough pass phrase 42"

    override func tearDown() async throws {
        for (app, runner) in running { await stop(app, runner) }
        running = []
    }

    private func stop(_ app: WebApp, _ runner: Task<Void, any Error>) async {
        app.shutdown()
        _ = try? await runner.value
    }

    /// Assembles and runs the web app from the test config plus `extra`, logging warnings into `sink`.
    private func start(_ extra: String, sink: CapturingSink = CapturingSink()) async throws -> (WebApp, Task<Void, any Error>, Int) {
        let app = try await WebApp.assemble(config: try config("bcryptcost=4\n" + extra), plugins: .builtIn(),
                                            logs: LogBackend(level: .warn, sinks: [sink]))
        guard case let .tcp(_, port) = try app.bind() else { throw PageClient.ClientError("the web app did not bind TCP") }
        let runner = Task { try await app.run() }
        running.append((app, runner))
        return (app, runner, Int(port))
    }

    func testSignOut_crossSiteGETLeavesTheSessionValid_POSTNeedsTheSessionsCSRFToken() async throws {
        let (app, _, port) = try await start("")
        let hash = try BCrypt.hash(password: password, cost: 4)
        _ = try await app.storage.insertUser(User(email: "owner@example.com", passwordHash: hash, emailVerified: .verified))
        let owner = PageClient(port: port)
        try owner.signIn("owner@example.com", password)
        let signedIn = try XCTUnwrap(owner.cookies["session"])

        // The navbar signs out with a form carrying the token, not with a link.
        let settings = try owner.get("/settings")
        XCTAssertEqual(settings.status, 200)
        XCTAssertTrue(settings.text.contains(#"<form method="post" action="/logout" class="nav-form">"#), settings.text)
        XCTAssertFalse(settings.text.contains(#"href="/logout""#))

        // What an <img src="https://pool/logout"> on another site sends: the cookie, a foreign Referer, no token.
        let crossSite = try owner.get("/logout", headers: ["Referer": "https://evil.example/", "Sec-Fetch-Site": "cross-site",
                                                           "Sec-Fetch-Dest": "image"])
        XCTAssertEqual(crossSite.status, 200, "the page that offers the button: \(crossSite.text.prefix(300))")
        XCTAssertTrue(crossSite.text.contains(#"<form method="post" action="/logout" class="form">"#), crossSite.text)
        XCTAssertFalse(crossSite.headers.contains { $0.0.lowercased() == "set-cookie" && $0.1.contains("Max-Age=0") })
        XCTAssertEqual(owner.cookies["session"], signedIn)
        XCTAssertTrue(try owner.get("/settings").text.contains("Hello, owner@example.com"), "still signed in after the GET")

        // POSTs without the token, with a made-up one and with another visitor's valid one are refused.
        let stranger = PageClient(port: port)
        _ = try stranger.get("/signin")
        let strangersToken = try XCTUnwrap(stranger.csrfToken)
        let forged: [(String, [(String, String)])] = [
            ("no token", []), ("a made-up token", [("csrf_token", String(repeating: "0", count: 64))]),
            ("another session's token", [("csrf_token", strangersToken)]),
        ]
        for (label, fields) in forged {
            let refused = try owner.post("/logout", fields, headers: ["Origin": "https://evil.example"])
            XCTAssertEqual(refused.status, 400, label)
            XCTAssertTrue(refused.text.contains("This form has expired"), "\(label): \(refused.text.prefix(300))")
            XCTAssertEqual(owner.cookies["session"], signedIn, label)
            XCTAssertTrue(try owner.get("/settings").text.contains("Hello, owner@example.com"), "still signed in after \(label)")
        }

        // The navbar's button (the token of the page it is on) ends the session; the old cookie is worth nothing.
        _ = try owner.get("/settings")
        let token = try XCTUnwrap(owner.csrfToken)
        let out = try owner.post("/logout", [("csrf_token", token)])
        XCTAssertEqual(out.status, 303)
        XCTAssertEqual(out.header("Location"), "/")
        XCTAssertTrue(out.headers.contains { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("session=;") && $0.1.contains("Max-Age=0") },
                      "the cookie is dropped: \(out.headers)")
        let replay = PageClient(port: port)
        replay.cookies = ["session": signedIn]
        XCTAssertEqual(try replay.get("/settings").header("Location"), "/signin?next=/settings", "the session ended server-side")
        // A bookmark of /logout while signed out just goes home.
        XCTAssertEqual(try replay.get("/logout").header("Location"), "/")
    }

    func testCookieSecure_followsAnHTTPSBaseURLUnlessSetAndWarnsWhenSetOffForHTTPS() async throws {
        // (config lines, Secure expected on the session and XSRF-TOKEN cookies, start-up warning expected)
        let cases: [(String, Bool, Bool)] = [
            ("", false, false),  // dcrstakepool's default on a plain-HTTP dev setup (baseurl http://127.0.0.1:8000)
            ("baseurl=https://pool.example.com", true, false),
            ("baseurl=HTTPS://pool.example.com/stakepool", true, false),
            ("baseurl=https://pool.example.com\ncookiesecure=false", false, true),
            ("baseurl=https://pool.example.com\ncookiesecure=true", true, false),
            ("baseurl=http://pool.example.com\ncookiesecure=true", true, false),
            ("baseurl=http://pool.example.com\ncookiesecure=false", false, false),
        ]
        for (lines, secure, warned) in cases {
            let sink = CapturingSink()
            let (app, runner, port) = try await start(lines, sink: sink)
            // The sign-in form stores a session (it carries a CSRF token), so both cookies are set.
            let form = try PageClient(port: port).get("/signin")
            await stop(app, runner)
            running.removeAll { $0.0 === app }
            let cookies = form.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
            XCTAssertEqual(Set(cookies.compactMap { $0.split(separator: "=").first.map(String.init) }), ["session", "XSRF-TOKEN"],
                           "\(lines): \(cookies)")
            for cookie in cookies {
                let attributes = cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
                XCTAssertEqual(attributes.contains("Secure"), secure, "\(lines): \(cookie)")
            }
            let warnings = sink.captured.filter { $0.contains("cookiesecure=false") && $0.contains("baseurl") }
            XCTAssertEqual(warnings.count, warned ? 1 : 0, "\(lines): \(sink.text)")
        }
    }
}
