import Foundation
import PoolKernel
import XCTest
@testable import WebHost
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17 item 1: every connection is bounded in time whatever bytes arrive and however they are
/// split, and one address cannot hold every slot. Against the real server over raw sockets; the
/// timeouts are set small so "closed" is observed well inside the clients' receive timeout, while
/// the idle timeout (what today's code falls back to) stays far beyond it.
final class HTTPConnectionBoundsTests: WebHostTestCase {
    private func router() -> Router {
        Router(routes: [.health(), .post("/echo") { HTTPResponse(body: $0.body) },
                        .get("/big") { _ in HTTPResponse(body: Self.bigBody) }])
    }

    /// More than loopback's socket buffers on both sides can hold, so a client that stops reading leaves the
    /// server with unwritten output.
    private static let bigBody = [UInt8](repeating: 0x61, count: 48 << 20)

    /// Short header/read clocks, an idle clock far longer than any client here waits.
    private func startShortClocks(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> Int {
        try startServer(router()) {
            $0.headerTimeout = .milliseconds(300)
            $0.readTimeout = .milliseconds(600)
            $0.idleTimeout = .seconds(120)
            configure(&$0)
        }.1
    }

    func testConnectionBounds_pipelinedFirstByteAfterARequestStillTimesOut() throws {
        let port = try startShortClocks()
        let client = try RawHTTPClient(port: port, timeout: 10)
        // One write: a whole request and the first byte of the next one.
        try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nG")
        XCTAssertEqual(try client.readResponse().status, 200)
        // The unfinished second request is on the header clock: 408, then the server closes.
        XCTAssertEqual(try client.readResponse().status, 408)
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testConnectionBounds_pipelinedPartialBodyIsOnTheReadClock() throws {
        let port = try startShortClocks()
        let client = try RawHTTPClient(port: port, timeout: 10)
        try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(try client.readResponse().status, 408)
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testConnectionBounds_silentNewConnectionClosedAtHeaderTimeoutKeepAliveAtIdle() throws {
        let port = try startShortClocks()
        let silent = try RawHTTPClient(port: port, timeout: 10)
        let kept = try RawHTTPClient(port: port, timeout: 10)
        try kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try kept.readResponse().status, 200)
        XCTAssertTrue(silent.isClosedByPeer(), "a connection that sends nothing is closed at the header timeout, not the idle one")
        // Between requests a keep-alive connection is on the idle clock: still usable after the header timeout.
        usleep(600_000)
        try kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try kept.readResponse().text, "ok")
    }

    func testConnectionBounds_emptyLinesDoNotResetTheClock() throws {
        let port = try startShortClocks()
        let client = try RawHTTPClient(port: port, timeout: 1)
        // Empty lines before a request line are tolerated by the parser, but they are not a request:
        // sending one every 100 ms must not keep the connection for ever.
        var closed = false
        for _ in 0..<50 {
            if (try? client.send("\r\n")) == nil { closed = true; break }
            client.setTimeout(0.1)
            if client.isClosedByPeer() { closed = true; break }
        }
        XCTAssertTrue(closed, "still open after 5 s of empty lines with a 300 ms header timeout")
    }

    /// The write clock: a client that asks for a large answer and stops reading is closed at the write timeout
    /// (what it then reads is what the kernel buffers held, less than the whole answer), not kept for ever.
    func testConnectionBounds_clientThatStopsReadingIsClosedAtTheWriteTimeout() throws {
        let port = try startShortClocks { $0.writeTimeout = .milliseconds(300) }
        let client = try RawHTTPClient(port: port, timeout: 10)
        try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        // Not reading: the server's send stalls once the buffers are full, and its write clock runs out.
        usleep(2_000_000)
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                XCTAssertTrue(count == 0 || errno == ECONNRESET, "the server closed the connection (errno \(errno))")
                break
            }
            received += count
        }
        XCTAssertGreaterThan(received, 0, "the answer started")
        XCTAssertLessThan(received, Self.bigBody.count, "closed at the write timeout before the whole answer was sent")
        // Others are still served.
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/health").status, 200)
    }

    func testConnectionBounds_perIPCapAnswers503AndServesOthers() throws {
        let port = try startShortClocks {
            $0.maxConnectionsPerIP = 2
            $0.trustedProxies = ["127.0.0.2/32"]
            $0.headerTimeout = .seconds(30)
            $0.readTimeout = .seconds(30)
            $0.eventLoops = 1
        }
        var held: [RawHTTPClient] = []
        for _ in 0..<2 {
            let client = try RawHTTPClient(port: port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
            held.append(client)
        }
        let excess = try RawHTTPClient(port: port)
        try? excess.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = try excess.readResponse()
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.text, "Too many connections from your address.\n")
        XCTAssertTrue(excess.isClosedByPeer())
        // Another address is served, and so are the connections already held.
        XCTAssertEqual(try RawHTTPClient.get(port: port, "/health", source: "127.0.0.3").status, 200)
        // A trusted proxy (nginx in front) is never capped.
        var proxy: [RawHTTPClient] = []
        for _ in 0..<6 {
            let client = try RawHTTPClient(port: port, source: "127.0.0.2")
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
            proxy.append(client)
        }
        try held[0].send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try held[0].readResponse().status, 200)
        XCTAssertTrue(logs.text.contains("maxconnectionsperip"), logs.text)
        // A slot freed by a close is given again.
        held.removeFirst()
        var status = 0
        for _ in 0..<50 {
            status = (try? RawHTTPClient.get(port: port, "/health").status) ?? 0
            if status == 200 { break }
            usleep(50_000)
        }
        XCTAssertEqual(status, 200)
    }

    func testConnectionBounds_ipv6ClientsShareOneCapPerSlash64() throws {
        XCTAssertEqual(IPAddress.clientKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64")
        XCTAssertEqual(IPAddress.clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64")
        XCTAssertNotEqual(IPAddress.clientKey("2001:db8:1:3::1"), "2001:db8:1:2::/64")
        XCTAssertEqual(IPAddress.clientKey("192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(IPAddress.clientKey("::ffff:192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(IPAddress.clientKey(""), "")
    }
}
