import Foundation
import PoolKernel
import XCTest
@testable import WebHost
#if canImport(Glibc)
import Glibc
#endif

final class HTTPServerRobustnessTests: WebHostTestCase {
    private func router() -> Router {
        Router(routes: [.health(), .post("/echo") { HTTPResponse(body: $0.body) }])
    }

    func testHTTPServerRobustness_malformedRequestsGetStatusAndClose() throws {
        let (_, port) = try startServer(router())
        let cases: [(String, Int)] = [
            ("BROKEN\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
            ("GET /\(String(repeating: "a", count: 20_000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 100_000))\r\n\r\n", 431),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ]
        for (request, expected) in cases {
            let client = try RawHTTPClient(port: port)
            try? client.send(request)
            let response = try client.readResponse()
            XCTAssertEqual(response.status, expected, String(request.prefix(40)))
            XCTAssertEqual(response.header("Connection"), "close")
            XCTAssertTrue(client.isClosedByPeer())
        }
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/health").status, 200)  // still serving
    }

    /// Normal requests are answered while 200 slow clients still hold their connections (their header deadline
    /// is far away), so nobody waited behind them; and a header deadline ends slow clients although they keep
    /// sending. Outcomes and ordering only, no elapsed-time threshold.
    func testHTTPServerRobustness_slowlorisDoesNotBlockNormalClients() throws {
        let (server, port) = try startServer(router()) { $0.headerTimeout = .seconds(600) }
        // 200 connections that dribble a header byte at a time.
        var slow: [RawHTTPClient] = []
        for _ in 0..<200 {
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(client)
        }
        for round in 0..<30 {
            if round % 5 == 0 { for client in slow { try? client.send("a") } }
            XCTAssertEqual(try RawHTTPClient.get(port: port, "/health").text, "ok")
        }
        XCTAssertGreaterThanOrEqual(server.openConnectionCount, 200, "the slow clients were still connected meanwhile")

        // The header deadline ends the slow connections (408, then close), although they keep sending.
        let (_, strictPort) = try startServer(router()) { $0.headerTimeout = .milliseconds(500) }
        var dribbling: [RawHTTPClient] = []
        for _ in 0..<50 {
            let client = try RawHTTPClient(port: strictPort)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            client.setTimeout(30)  // a bound on waiting for the 408, never an assertion on time
            dribbling.append(client)
        }
        var closed = 0
        for client in dribbling {
            try? client.send("a")
            if let response = try? client.readResponse(), response.status == 408 { closed += 1 }
        }
        XCTAssertEqual(closed, dribbling.count)
        XCTAssertEqual(try RawHTTPClient.get(port: strictPort, "/health").status, 200)  // still serving
    }

    func testHTTPServerRobustness_holds2000IdleKeepAliveConnections() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let original = limit
        // The open-file limit belongs to the whole test process: restore it when this test ends (lowering the
        // soft limit while the server's descriptors are still open is allowed; only new ones would be refused).
        addTeardownBlock {
            var restore = original
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &restore)
            var now = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &now)
            XCTAssertEqual(now.rlim_cur, original.rlim_cur, "the open-file limit is restored")
        }
        if limit.rlim_cur < 4500 {
            limit.rlim_cur = min(limit.rlim_max, 8192)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let (server, port) = try startServer(router())
        var clients: [RawHTTPClient] = []
        for _ in 0..<2000 {
            let client = try RawHTTPClient(port: port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            clients.append(client)
        }
        for client in clients { XCTAssertEqual(try client.readResponse().status, 200) }
        XCTAssertEqual(server.openConnectionCount, 2000)
        usleep(300_000)
        // All still open and usable after being idle.
        for client in clients.prefix(50) {
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try client.readResponse().text, "ok")
        }
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/health").status, 200)
    }

    func testHTTPServerRobustness_idleTimeoutClosesQuietly() throws {
        let (_, port) = try startServer(router()) { $0.idleTimeout = .milliseconds(300) }
        let client = try RawHTTPClient(port: port)
        try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        client.setTimeout(3)
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testHTTPServerRobustness_realIPOnlyFromTrustedProxy() throws {
        let echo = Router(routes: [.get("/ip") { .text($0.clientIP) }])
        let (_, trustedPort) = try startServer(echo) { $0.realIPHeader = "X-Real-IP" }
        XCTAssertEqual(try RawHTTPClient.get(port: trustedPort, "/ip", headers: ["X-Real-IP": "203.0.113.9"]).text, "203.0.113.9")
        XCTAssertEqual(try RawHTTPClient.get(port: trustedPort, "/ip", headers: ["X-Real-IP": "203.0.113.9:4433"]).text, "203.0.113.9")
        XCTAssertEqual(try RawHTTPClient.get(port: trustedPort, "/ip", headers: ["X-Real-IP": "not-an-ip"]).text, "")
        XCTAssertEqual(try RawHTTPClient.get(port: trustedPort, "/ip").text, "")
        let (_, untrustedPort) = try startServer(echo) { $0.realIPHeader = "X-Real-IP"; $0.trustedProxies = ["10.9.9.9"] }
        XCTAssertEqual(try RawHTTPClient.get(port: untrustedPort, "/ip", headers: ["X-Real-IP": "203.0.113.9"]).text, "127.0.0.1")
    }
}
