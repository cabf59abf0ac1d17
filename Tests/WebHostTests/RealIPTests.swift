import Foundation
import PoolKernel
import XCTest
@testable import WebHost

/// Issue 17 item 2: the client is the rightmost address of `realipheader` (every line of it) that is not
/// a trusted proxy; IPv6 clients are rate-limited per /64. Issue 18 item 5: a forwarding header from a
/// trusted proxy while `realipheader` is unset is reported once.
final class RealIPTests: WebHostTestCase {
    private let echo = Router(routes: [.get("/ip") { .text($0.clientIP) }])

    /// Sends raw header lines (repeated names allowed) and returns the client IP the server saw.
    private func clientIP(_ port: Int, _ lines: [String], source: String? = nil) throws -> String {
        let client = try RawHTTPClient(port: port, source: source)
        try client.send("GET /ip HTTP/1.1\r\nHost: x\r\n" + lines.map { $0 + "\r\n" }.joined() + "\r\n")
        return try client.readResponse().text
    }

    func testRealIP_everyHeaderLineCountsAndTheRightmostUntrustedWins() throws {
        let (_, port) = try startServer(echo) {
            $0.realIPHeader = "X-Forwarded-For"
            $0.trustedProxies = ["127.0.0.1", "10.0.0.0/8"]
        }
        // HAProxy's `option forwardfor` appends its own line after the client's forged one.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 127.0.0.1", "X-Forwarded-For: 203.0.113.7"]), "203.0.113.7")
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 6.6.6.6, 203.0.113.7"]), "203.0.113.7")
        // Trusted hops (CIDR too) on the right are skipped.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 1.1.1.1, 203.0.113.7, 10.1.2.3"]), "203.0.113.7")
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 1.1.1.1", "x-forwarded-for: 203.0.113.7,10.0.0.5"]), "203.0.113.7")
        // All trusted: the leftmost.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 10.0.0.1, 10.0.0.2"]), "10.0.0.1")
        // IPv6 with a port, canonical form.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: [2001:DB8::0:1]:443"]), "2001:db8::1")
        // A hop that is not an address where the client should be: unknown, never the proxy.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 203.0.113.7, junk"]), "")
        XCTAssertEqual(try clientIP(port, []), "")
        // An untrusted peer's header is ignored.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 203.0.113.7"], source: "127.0.0.2"), "127.0.0.2")
    }

    /// The access log names the client the header resolved, never the proxy, and keeps the path on one line.
    func testRealIP_accessLogNamesTheResolvedClient() throws {
        let (_, port) = try startServer(echo) { $0.realIPHeader = "X-Forwarded-For" }
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 6.6.6.6", "X-Forwarded-For: 203.0.113.7"]), "203.0.113.7")
        let deadline = Date().addingTimeInterval(5)
        while !logs.text.contains("\"GET /ip\" 200") && Date() < deadline { usleep(10_000) }
        let lines = logs.captured.filter { $0.contains("\"GET /ip\" 200") }
        XCTAssertEqual(lines.count, 1, logs.text)
        XCTAssertTrue(lines.first?.contains(" 203.0.113.7 \"GET /ip\" 200 ") ?? false, logs.text)
        XCTAssertFalse(lines.first?.contains("6.6.6.6") ?? true, "the forged hop is not the client")
    }

    func testRealIP_forwardedHeaderSyntax() throws {
        let (_, port) = try startServer(echo) { $0.realIPHeader = "Forwarded" }
        XCTAssertEqual(try clientIP(port, [#"Forwarded: for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711""#]),
                       "2001:db8:cafe::17")
        XCTAssertEqual(try clientIP(port, ["Forwarded: for=192.0.2.60;proto=https", "Forwarded: proto=http;for=127.0.0.1"]),
                       "192.0.2.60")
        XCTAssertEqual(try clientIP(port, ["Forwarded: for=unknown"]), "")
    }

    func testRealIP_rateLimitCountsIPv6PerSlash64() {
        let middleware = RateLimitMiddleware(limiter: RateLimiter(rate: 0.001, burst: 1))
        func allowed(_ ip: String) -> Bool {
            var request = HTTPRequest(method: .get, target: "/api/v1/stats")
            request.clientIP = ip
            return middleware.incoming(&request) == nil
        }
        XCTAssertTrue(allowed("2001:db8:1:2::1"))
        XCTAssertFalse(allowed("2001:db8:1:2:ffff::9"), "another address of the same /64 shares the bucket")
        XCTAssertTrue(allowed("2001:db8:1:3::1"))
        XCTAssertTrue(allowed("192.0.2.1"))
        XCTAssertFalse(allowed("192.0.2.1"))
        XCTAssertTrue(allowed("192.0.2.2"))
    }

    func testRealIP_forwardingHeaderWithoutRealIPHeaderIsReportedOnce() throws {
        let registry = MetricsRegistry()
        let (server, port) = try startServer(echo, metrics: HTTPServerMetrics(registry: registry))
        XCTAssertEqual(try clientIP(port, []), "127.0.0.1")
        XCTAssertFalse(server.forwardedHeaderIgnored)
        XCTAssertTrue(registry.render().contains("\npool_http_forwarded_header_ignored 0\n"), registry.render())
        // An untrusted peer's header says nothing about the operator's proxy.
        XCTAssertEqual(try clientIP(port, ["X-Forwarded-For: 203.0.113.7"], source: "127.0.0.2"), "127.0.0.2")
        XCTAssertFalse(server.forwardedHeaderIgnored)
        for header in ["X-Real-IP: 203.0.113.7", "X-Forwarded-For: 203.0.113.8"] {
            XCTAssertEqual(try clientIP(port, [header]), "127.0.0.1")
        }
        XCTAssertTrue(server.forwardedHeaderIgnored)
        XCTAssertTrue(registry.render().contains("\npool_http_forwarded_header_ignored 1\n"), registry.render())
        let warnings = logs.captured.filter { $0.contains("realipheader is not set") }
        XCTAssertEqual(warnings.count, 1, logs.text)
    }

    func testRealIP_configuredHeaderIsNotReported() throws {
        let (server, port) = try startServer(echo) { $0.realIPHeader = "X-Real-IP" }
        XCTAssertEqual(try clientIP(port, ["X-Real-IP: 203.0.113.7"]), "203.0.113.7")
        XCTAssertFalse(server.forwardedHeaderIgnored)
    }
}
