import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

final class HTTPServerTests: WebHostTestCase {
    private func healthRouter() -> Router {
        Router(routes: [
            .get("/health") { _ in .text("ok") },
            .post("/echo") { request in HTTPResponse(body: request.body) },
        ])
    }

    func testHTTPServer_answersHealthAndKeepsAlive() throws {
        let (_, port) = try startServer(healthRouter())
        let client = try RawHTTPClient(port: port)
        for _ in 0..<3 {
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.text, "ok")
            XCTAssertNil(response.header("Connection"))
            XCTAssertNotNil(response.header("Date"))
        }
    }

    func testHTTPServer_pipelinedRequestsAnsweredInOrder() throws {
        let router = Router(routes: [
            .async([.get], "/slow/:n") { request in
                try? await Task.sleep(for: .milliseconds(30))
                return .text("slow-\(request.parameters["n"] ?? "")")
            },
            .get("/fast/:n") { request in .text("fast-\(request.parameters["n"] ?? "")") },
        ])
        let (_, port) = try startServer(router)
        let client = try RawHTTPClient(port: port)
        var batch = ""
        for index in 0..<6 { batch += "GET /\(index % 2 == 0 ? "slow" : "fast")/\(index) HTTP/1.1\r\nHost: x\r\n\r\n" }
        try client.send(batch)
        for index in 0..<6 {
            XCTAssertEqual(try client.readResponse().text, "\(index % 2 == 0 ? "slow" : "fast")-\(index)")
        }
    }

    func testHTTPServer_headGetsHeadersOnly() throws {
        let (_, port) = try startServer(healthRouter())
        let client = try RawHTTPClient(port: port)
        try client.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(head: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "2")
        XCTAssertEqual(head.body, [])
        XCTAssertEqual(try client.readResponse().text, "ok")  // the next response starts right after the head
    }

    func testHTTPServer_methodNotAllowedListsAllow() throws {
        let (_, port) = try startServer(healthRouter())
        let client = try RawHTTPClient(port: port)
        try client.send("DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/nope").text, "404 page not found\n")
    }

    func testHTTPServer_chunkedBodyAndExpectContinue() throws {
        let (_, port) = try startServer(healthRouter())
        let client = try RawHTTPClient(port: port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "hello world")
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 100)
        try client.send("abc")
        XCTAssertEqual(try client.readResponse().text, "abc")
    }

    func testHTTPServer_http10ClosesUnlessKeepAlive() throws {
        let (_, port) = try startServer(healthRouter())
        let client = try RawHTTPClient(port: port)
        try client.send("GET /health HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testHTTPServer_unixSocketListen() throws {
        let path = tempDir.appendingPathComponent("web.sock").path
        _ = try startServer(healthRouter()) { $0.listen = .unix(path: path) }
        let client = try RawHTTPClient(unixPath: path)
        try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "ok")
    }

    func testHTTPServer_maxConnectionsGetsClear503() throws {
        let (_, port) = try startServer(healthRouter()) { $0.maxConnections = 2 }
        let first = try RawHTTPClient(port: port)
        let second = try RawHTTPClient(port: port)
        try first.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        try second.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try first.readResponse().status, 200)
        XCTAssertEqual(try second.readResponse().status, 200)
        let third = try RawHTTPClient(port: port)
        let refused = try third.readResponse()
        XCTAssertEqual(refused.status, 503)
        XCTAssertTrue(refused.text.contains("too many connections"))
    }

    func testHTTPServer_gracefulShutdownFinishesInFlight() async throws {
        let router = Router(routes: [
            .async([.get], "/slow") { _ in
                try? await Task.sleep(for: .milliseconds(300))
                return .text("done")
            },
        ])
        let (server, port) = try startServer(router)
        let client = try RawHTTPClient(port: port)
        try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        server.shutdown()
        let response = try client.readResponse()
        XCTAssertEqual(response.text, "done")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertThrowsError(try RawHTTPClient(port: port))  // no longer listening
    }

    func testHTTPServer_accessLogLine() throws {
        let (_, port) = try startServer(healthRouter())
        _ = try RawHTTPClient.get(port: port, "/health")
        let deadline = Date().addingTimeInterval(2)
        while !logs.text.contains("\"GET /health\" 200 2") && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(logs.text.contains("127.0.0.1 \"GET /health\" 200 2 "), logs.text)
    }
}

/// An idle server costs nothing: with no connection open its I/O threads sleep in `epoll_wait` until a connection
/// or a message arrives (they used to wake every 250 ms to sweep timeouts).
final class HTTPServerIdleTests: WebHostTestCase {
    func testHTTPServer_idleEventLoopsSleepWithoutWakeUps() async throws {
        let name = "idle\(UInt16.random(in: 1000...9999))"
        let router = Router(routes: [.get("/health") { _ in .text("ok") }])
        let (_, port) = try startServer(router) { $0.name = name }
        do {  // one request on a connection that is then closed: the loops have had work and are idle again
            let client = try RawHTTPClient(port: port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        // Each I/O thread names itself once it first runs: on a loaded machine that can take a while.
        var threads: [Int32] = []
        let deadline = Date().addingTimeInterval(60)
        while threads.count < 2 && Date() < deadline {
            threads = ThreadActivity.threads(named: "\(name)-io-0") + ThreadActivity.threads(named: "\(name)-io-1")
            if threads.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        }
        XCTAssertEqual(threads.count, 2, "both I/O threads run")
        for thread in threads {
            let blocked = await ThreadActivity.waitUntilBlocked(thread)
            XCTAssertTrue(blocked, "I/O thread \(thread) should sleep in epoll_wait")
        }
        // The loop that served the request closes the connection when it reads the client's close: settle first.
        try await Task.sleep(for: .milliseconds(300))
        for thread in threads { _ = await ThreadActivity.waitUntilBlocked(thread) }
        let before = threads.map(ThreadActivity.contextSwitches)
        try await Task.sleep(for: .milliseconds(1_500))
        XCTAssertEqual(threads.map(ThreadActivity.contextSwitches), before, "an idle I/O thread woke up")
        // After the long sleep the first answer carries the current date, not the one of the last sweep.
        let client = try RawHTTPClient(port: port)
        try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = try XCTUnwrap(response.header("Date").flatMap(formatter.date(from:)))
        XCTAssertLessThanOrEqual(abs(date.timeIntervalSinceNow), 1.5, "Date header is stale")
    }
}
