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

    func testHTTPServerRobustness_slowlorisDoesNotBlockNormalClients() throws {
        let (_, port) = try startServer(router()) { $0.headerTimeout = .seconds(2) }
        // 200 connections that dribble a header byte at a time.
        var slow: [RawHTTPClient] = []
        for _ in 0..<200 {
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(client)
        }
        let start = Date()
        var worst: TimeInterval = 0
        for round in 0..<30 {
            if round % 5 == 0 { for client in slow { try? client.send("a") } }
            let began = Date()
            XCTAssertEqual(try RawHTTPClient.get(port: port, "/health").text, "ok")
            worst = max(worst, Date().timeIntervalSince(began))
            usleep(100_000)
        }
        XCTAssertLessThan(worst, 0.5, "a normal request waited \(worst)s behind slow clients")
        // The header deadline ends the slow connections (408, then close), although they keep sending.
        let deadline = Date().addingTimeInterval(5)
        var closed = 0
        for client in slow {
            client.setTimeout(max(0.1, deadline.timeIntervalSinceNow))
            try? client.send("a")
            if let response = try? client.readResponse(), response.status == 408 { closed += 1 }
        }
        XCTAssertEqual(closed, slow.count)
        XCTAssertLessThan(Date().timeIntervalSince(start), 12)
    }

    func testHTTPServerRobustness_holds2000IdleKeepAliveConnections() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
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
