import Foundation
import XCTest
@testable import WebHost

/// Connections opened at once (a benchmark's or a proxy's pool) are spread over the I/O threads: one loop must not
/// serve them all while another idles (wrk's 64 connections could all land on the loop that woke first, which then
/// served vspinfo alone on one core).
final class HTTPServerLoopBalanceTests: WebHostTestCase {
    func testConnectionsOpenedAtOnce_areSpreadEvenlyOverTheLoops() throws {
        // The request ID names the loop that read the request: after the prefix's "-", the loop's index in base 36.
        let router = Router(routes: [.get("/loop") { request in .text(request.requestID) }])
        let (_, port) = try startServer(router) { $0.eventLoops = 3 }
        let clients = try (0..<60).map { _ in try RawHTTPClient(port: port) }
        var perLoop: [Character: Int] = [:]
        for client in clients {
            try client.send("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n")
            let id = try client.readResponse().text
            let afterPrefix = try XCTUnwrap(id.split(separator: "-").last?.first)
            perLoop[afterPrefix, default: 0] += 1
        }
        // Each connection goes to the loop with the fewest: 20 each, give or take the ones two loops accepted
        // at the same instant.
        XCTAssertEqual(perLoop.count, 3, "every loop serves connections: \(perLoop)")
        for (loop, count) in perLoop { XCTAssertTrue((17...23).contains(count), "loop \(loop) serves \(count) of 60: \(perLoop)") }
    }
}
