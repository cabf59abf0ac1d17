import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
@testable import WebAppHost
import WebHost
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17 item 3 and issue 18 item 5, through the real web app assembled from a config file: the admin
/// gate (`adminips`, CIDR ranges, `adminuserids` with the user signed in on the session cookie), the
/// `ratelimit`/`ratelimitburst` options, and the report of a forwarding header ignored.
final class WebAppAdminGateTests: XCTestCase {
    private let running = RunningWebApps()
    private let password = "a long enough pass phrase 42"

    override func tearDown() async throws { await running.stopAll() }

    /// Assembles and runs the web app from a config file with `extra` lines; returns it and its port.
    private func startApp(_ extra: String) async throws -> (WebApp, Int) { try await running.start(prefix: "webapp-admin", extra) }

    /// A verified account stored with a real bcrypt hash (signing in is what is under test, not signing up).
    private func addUser(_ app: WebApp, _ email: String) async throws -> UserId {
        let hash = try BCrypt.hash(password: password, cost: 4)
        return try await app.storage.insertUser(User(email: email, passwordHash: hash, emailVerified: .verified)).id
    }

    func testAdminGate_adminUserIDsNeedTheListedUserSignedInFromAnAdminIP() async throws {
        let (app, port) = try await startApp("adminips=127.0.0.1\nadminuserids=1")
        let adminID = try await addUser(app, "admin@example.com")
        XCTAssertEqual(adminID.rawValue, 1, "the config lists user id 1 as admin")
        _ = try await addUser(app, "user@example.com")

        let signedOut = PageClient(port: port)
        XCTAssertEqual(try signedOut.get("/status").status, 403, "signed out")
        XCTAssertEqual(try signedOut.get("/metrics").status, 403, "signed out")

        let admin = PageClient(port: port)
        try admin.signIn("admin@example.com", password)
        let adminStatus = try admin.get("/status")
        XCTAssertEqual(adminStatus.status, 200, "listed admin on an admin IP")
        XCTAssertTrue(adminStatus.text.contains("Hello, admin@example.com"), "/status shows the admin's signed-in navbar")
        XCTAssertFalse(adminStatus.text.contains("href=\"/signin\""), "no sign-in link for a signed-in admin")
        XCTAssertEqual(try admin.get("/metrics").status, 200, "listed admin on an admin IP")
        let elsewhere = PageClient(port: port, source: "127.0.0.2")
        elsewhere.cookies = admin.cookies
        XCTAssertEqual(try elsewhere.get("/status").status, 403, "listed admin, but not from an admin IP")

        let user = PageClient(port: port)
        try user.signIn("user@example.com", password)
        XCTAssertEqual(try user.get("/status").status, 403, "signed in, but not a listed admin")

        // A forged session cookie is nobody.
        let forger = PageClient(port: port)
        forger.cookies = ["session": "AAAA.BBBB"]
        XCTAssertEqual(try forger.get("/status").status, 403)
    }

    func testAdminGate_adminIPsAloneAndCIDRRangesWithoutRateLimit() async throws {
        let (_, port) = try await startApp("adminips=127.0.0.0/30\nratelimit=0")
        XCTAssertEqual(try PageClient(port: port, source: "127.0.0.2").get("/status").status, 200, "IP in the range, no sign-in needed")
        XCTAssertEqual(try PageClient(port: port, source: "127.0.0.9").get("/status").status, 403, "IP outside the range")
        // ratelimit=0 turns the limit off: more than the old hard-coded burst of 60 in a row.
        let client = PageClient(port: port, source: "127.0.0.3")
        for index in 0..<90 {
            let status = try client.get("/api/v2/stats").status
            XCTAssertNotEqual(status, 429, "request \(index) was rate limited with ratelimit=0")
            if status == 429 { break }
        }
    }

    /// Issue 17 items 2–4 through the real web app behind a proxy (`realipheader`, the peer 127.0.0.1 a trusted
    /// proxy): the admin gate and the sign-in throttle use the rightmost untrusted address of every header line,
    /// so a forged first line does not pass the gate, and a stranger who exhausts the throttle for the owner's
    /// email locks out only their own address, not the owner behind the same proxy.
    func testAdminGateAndSignInThrottle_useTheClientAddressBehindTheProxy() async throws {
        let (app, port) = try await startApp("adminips=203.0.113.10\nrealipheader=X-Forwarded-For\nratelimit=0")
        _ = try await addUser(app, "owner@example.com")
        let proxy = PageClient(port: port)
        XCTAssertEqual(try proxy.get("/status", headers: ["X-Forwarded-For": "203.0.113.10"]).status, 200, "an admin IP behind the proxy")
        // HAProxy's `option forwardfor` appends its own line after the client's forged one.
        XCTAssertEqual(try proxy.get("/status", headers: ["X-Forwarded-For": "203.0.113.10\r\nX-Forwarded-For: 198.51.100.4"]).status,
                       403, "a forged first line is not the client")
        XCTAssertEqual(try proxy.get("/status", headers: ["X-Forwarded-For": "203.0.113.10, 198.51.100.4"]).status, 403)
        XCTAssertEqual(try PageClient(port: port, source: "127.0.0.5").get("/status", headers: ["X-Forwarded-For": "203.0.113.10"]).status,
                       403, "an untrusted peer's header is ignored")

        // The stranger, through the proxy, guesses the owner's password until the throttle refuses them.
        let stranger = PageClient(port: port, forwardedFor: "198.51.100.66")
        var refusedAt: Int?
        for attempt in 1...12 {
            let page = try stranger.postSignIn("owner@example.com", "wrong password \(attempt)")
            if page.text.contains(SignInThrottle.message) { refusedAt = attempt; break }
            XCTAssertTrue(page.text.contains("Invalid Email or Password"), "attempt \(attempt): \(page.text.prefix(200))")
        }
        XCTAssertEqual(refusedAt, 11, "ten failures per (account, client address), then refused")
        // The owner, through the same proxy from their own address, still signs in.
        try PageClient(port: port, forwardedFor: "192.0.2.7").signIn("owner@example.com", password)
    }

    /// Issue 17 item 1 through the web app's config: `maxconnectionsperip` caps one client address with 503 while
    /// another address is served.
    func testMaxConnectionsPerIP_fromTheConfigFile() async throws {
        let (_, port) = try await startApp("adminips=127.0.0.1\nmaxconnectionsperip=2")
        // Two keep-alive connections from 127.0.0.5, each answered once (so the server has counted both).
        let held = try (0..<2).map { _ in try PageClient.openKeptAlive(port: port, source: "127.0.0.5") }
        defer { for fd in held { close(fd) } }
        let excess = try PageClient(port: port, source: "127.0.0.5").get("/health")
        XCTAssertEqual(excess.status, 503)
        XCTAssertEqual(excess.text, "Too many connections from your address.\n")
        XCTAssertEqual(try PageClient(port: port, source: "127.0.0.6").get("/health").status, 200, "another address is served")
    }

    func testRateLimitOptionsAndForwardedHeaderWarning() async throws {
        let (app, port) = try await startApp("adminips=127.0.0.1\nratelimit=0.01\nratelimitburst=3")
        let client = PageClient(port: port, source: "127.0.0.7")
        let statuses = try (0..<5).map { _ in try client.get("/api/v2/stats").status }
        XCTAssertFalse(statuses.prefix(3).contains(429), "\(statuses)")
        XCTAssertEqual(Array(statuses.suffix(2)), [429, 429], "\(statuses)")
        XCTAssertEqual(try PageClient(port: port, source: "127.0.0.8").get("/api/v2/stats").status == 429, false,
                       "another client has its own bucket")

        // nginx (a trusted proxy, 127.0.0.1 by default) forwards the client address, but realipheader is unset.
        XCTAssertFalse(app.server.forwardedHeaderIgnored)
        XCTAssertEqual(try PageClient(port: port).get("/health", headers: ["X-Forwarded-For": "203.0.113.5"]).status, 200)
        XCTAssertTrue(app.server.forwardedHeaderIgnored)
        let metrics = try PageClient(port: port).get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("\npool_http_forwarded_header_ignored 1\n"), metrics.text)
    }
}

/// A cookie-keeping client over a raw socket, one connection per request, optionally from another
/// loopback address (the server then sees a different client IP). Shared with `AdminDashboardWiringTests`.
final class PageClient {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var text: String
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    let port: Int
    let source: String?
    /// Sent as `X-Forwarded-For` with every request (a client behind the proxy the peer stands for).
    let forwardedFor: String?
    var cookies: [String: String] = [:]
    private var lastPage = ""

    init(port: Int, source: String? = nil, forwardedFor: String? = nil) {
        self.port = port
        self.source = source
        self.forwardedFor = forwardedFor
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> Response {
        try request("GET", path, body: nil, headers: headers)
    }

    /// POSTs a urlencoded form (the dashboard's low-fee form).
    func post(_ path: String, _ fields: [(String, String)]) throws -> Response {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
            .joined(separator: "&")
        return try request("POST", path, body: body, headers: [:])
    }

    /// The sign-in form as a browser fills it: GET for the CSRF token, then POST; success redirects.
    func signIn(_ email: String, _ password: String) throws {
        let response = try postSignIn(email, password)
        XCTAssertTrue((300..<400).contains(response.status), "sign-in of \(email): \(response.status) \(response.text.prefix(300))")
        XCTAssertEqual(response.header("Location"), "/settings", "sign-in of \(email) redirects to the signed-in page")
    }

    /// GET /signin for the CSRF token, then POST the form; returns the POST's answer.
    func postSignIn(_ email: String, _ password: String) throws -> Response {
        _ = try get("/signin")
        let token = try XCTUnwrap(csrfToken, "no csrf token")
        return try post("/signin", [("csrf_token", token), ("email", email), ("password", password)])
    }

    /// The first hidden CSRF field of the last page answered 200.
    var csrfToken: String? { Self.capture(#"name="csrf_token" value="([0-9a-f]*)""#, in: lastPage) }

    /// POSTs a form of `fields` (percent-encoded, in order); returns the answer.
    func post(_ path: String, _ fields: [(String, String)], headers: [String: String] = [:]) throws -> Response {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
            .joined(separator: "&")
        return try request("POST", path, body: body, headers: headers)
    }

    private func request(_ method: String, _ path: String, body: String?, headers: [String: String]) throws -> Response {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        if let forwardedFor { text += "X-Forwarded-For: \(forwardedFor)\r\n" }
        if !cookies.isEmpty { text += "Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") + "\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n" }
        let raw = try exchange(text + "\r\n" + (body ?? ""))
        guard let split = raw.range(of: "\r\n\r\n") else { throw ClientError("no response head in \(raw.prefix(200))") }
        let lines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError("bad status line \(lines[0])") }
        var fields: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let response = Response(status: status, headers: fields, text: String(raw[split.upperBound...]))
        for (name, value) in fields where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let key = String(pair[0]), content = pair.count > 1 ? String(pair[1]) : ""
            if value.contains("Max-Age=0") || content.isEmpty { cookies[key] = nil } else { cookies[key] = content }
        }
        if status == 200 { lastPage = response.text }
        return response
    }

    /// Sends `text` and reads until the server closes (`Connection: close`).
    private func exchange(_ text: String) throws -> String {
        let fd = try Self.openSocket(port: port, source: source)
        defer { close(fd) }
        try Self.send(text, on: fd)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
            if count > 0 { received += chunk[0..<count] } else if count == 0 { break } else { throw ClientError("recv failed or timed out") }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// A connection that got one keep-alive answer to `GET /health` and stays open (the caller closes it).
    static func openKeptAlive(port: Int, source: String?) throws -> Int32 {
        let fd = try openSocket(port: port, source: source)
        do {
            try send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n", on: fd)
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
            guard count > 0, String(decoding: chunk[0..<count], as: UTF8.self).hasPrefix("HTTP/1.1 200") else {
                throw ClientError("the kept-alive connection got no 200")
            }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    private static func openSocket(port: Int, source: String?) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket failed") }
        do {
            try connectSocket(fd, port: port, source: source)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    private static func connectSocket(_ fd: Int32, port: Int, source: String?) throws {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw ClientError("bind to \(source) failed") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClientError("connect failed") }
    }

    private static func send(_ text: String, on fd: Int32) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError("send failed") }
            offset += sent
        }
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    struct ClientError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
