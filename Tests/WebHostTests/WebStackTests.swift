import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

final class WebStackTests: WebHostTestCase {
    func testWebStack_statusMetricsHealthAndHeaders() throws {
        let wallets = FakeWalletPool()
        wallets.state.withLock { $0.slots = [WalletSlotStatus(connected: true, daemonConnected: true, enableVoting: true, unlocked: true),
                                             WalletSlotStatus(connected: false)] }
        let registry = MetricsRegistry()
        let adminGuard = AdminGuard(adminIPs: ["127.0.0.1"], logger: logger)
        let router = WebStack.router(api: nil, status: StatusPage(wallets: wallets), adminGuard: adminGuard, metrics: registry,
                                     rateLimiter: RateLimiter(rate: 1, burst: 3))
        let (_, port) = try startServer(router)
        let health = try RawHTTPClient.get(port: port, "/health")
        XCTAssertEqual(health.text, "ok")
        XCTAssertEqual(health.header("X-Frame-Options"), "DENY")
        XCTAssertEqual(health.header("X-Content-Type-Options"), "nosniff")
        XCTAssertEqual(health.header("Referrer-Policy"), "same-origin")
        XCTAssertNotNil(health.header("Content-Security-Policy"))
        XCTAssertNotNil(health.header("X-Request-Id"))
        let status = try RawHTTPClient.get(port: port, "/status")
        XCTAssertEqual(status.status, 200)
        XCTAssertTrue(status.text.contains("RPC Status: Degraded") || status.text.contains("RPC Status: Critical"))
        let metrics = try RawHTTPClient.get(port: port, "/metrics")
        XCTAssertTrue(metrics.text.contains("http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1"), metrics.text)
        XCTAssertTrue(metrics.text.contains("http_request_duration_seconds_bucket{route=\"/status\""), metrics.text)
        // Rate limit: burst 3 used up (status, metrics, and the next one), then 429.
        let limited = try RawHTTPClient.get(port: port, "/nope")
        let again = try RawHTTPClient.get(port: port, "/nope")
        XCTAssertTrue([limited.status, again.status].contains(429))
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/health").status, 200)  // health is exempt
        wallets.state.withLock { $0.stopped = true }
        XCTAssertTrue([500, 429].contains(try RawHTTPClient.get(port: port, "/status").status))
    }

    func testWebStack_adminGuardByIPAndUserID() throws {
        let wallets = FakeWalletPool()
        let outsider = AdminGuard(adminIPs: ["10.1.1.1"], logger: logger)
        let (_, port) = try startServer(WebStack.router(api: nil, status: StatusPage(wallets: wallets), adminGuard: outsider,
                                                        metrics: MetricsRegistry(), rateLimiter: nil))
        let refused = try RawHTTPClient.get(port: port, "/status")
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.text, "Forbidden\n")
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/metrics").status, 403)

        let byUser = AdminGuard(adminIPs: ["127.0.0.1"], adminUserIDs: [7], logger: logger) { request in
            request.headers["X-Test-User"].flatMap { Int64($0) }.map(UserId.init(rawValue:))
        }
        let (_, userPort) = try startServer(WebStack.router(api: nil, status: StatusPage(wallets: wallets), adminGuard: byUser,
                                                            metrics: nil, rateLimiter: nil))
        XCTAssertEqual(try RawHTTPClient.get(port: userPort, "/status").status, 403)
        XCTAssertEqual(try RawHTTPClient.get(port: userPort, "/status", headers: ["X-Test-User": "8"]).status, 403)
        XCTAssertEqual(try RawHTTPClient.get(port: userPort, "/status", headers: ["X-Test-User": "7"]).status, 200)
        wallets.state.withLock { $0.stopped = true }
        let stopped = try RawHTTPClient.get(port: userPort, "/status", headers: ["X-Test-User": "7"])
        XCTAssertEqual(stopped.status, 500)
        XCTAssertTrue(stopped.text.contains("Wallet pool stopped (fail closed)"), "the page says why: \(stopped.text)")
    }

    /// A refused request names its client, also when no address is known (a Unix-socket listener), and never
    /// lets a forged path end the log line (issues 18.6, 17.9).
    func testAdminGuard_refusalLogNamesTheClientAlways() throws {
        let guardian = AdminGuard(adminIPs: ["10.1.1.1"], logger: logger)
        let handler = guardian.protect { _ in .immediate(.text("secret\n")) }
        var request = HTTPRequest(method: HTTPMethod("GET"), target: "/status")
        request.clientIP = ""
        guard case .immediate(let response) = handler(request) else { return XCTFail("refusal is immediate") }
        XCTAssertEqual(response.status.code, 403)
        XCTAssertTrue(logs.text.contains("unauthorized /status request from unknown"), logs.text)
        request.clientIP = "192.0.2.7"
        request.path = "/status\n2026-01-01 00:00:00.000 [INF] SYTM: forged"
        _ = handler(request)
        XCTAssertEqual(logs.captured.count, 2, logs.text)
        XCTAssertFalse(logs.captured[1].contains("\n"), logs.captured[1])
        XCTAssertTrue(logs.captured[1].contains("request from 192.0.2.7"), logs.captured[1])
    }
}
