import HostTestSupport
@testable import StakepooldControl
import XCTest

/// The control API's parser and routes without sockets: every bad input gives a clear answer.
final class StakepooldControlWireTests: XCTestCase {
    func parse(_ text: String) throws -> ControlMessage? { try ControlWire.parse(Array(text.utf8)) }

    func testControlWire_parsesRequestsIncrementally() throws {
        XCTAssertNil(try parse("POST /v1/voting-prefs HTTP/1.1\r\nContent-Length: 12\r\n"))
        XCTAssertNil(try parse("POST /v1/voting-prefs HTTP/1.1\r\nContent-Length: 12\r\n\r\n{\"Userid\""))
        let message = try XCTUnwrap(try parse("POST /v1/voting-prefs HTTP/1.1\r\nContent-Length: 12\r\n\r\n{\"Userid\":7}"))
        XCTAssertEqual(message.requestParts?.method, "POST")
        XCTAssertEqual(message.requestParts?.path, "/v1/voting-prefs")
        XCTAssertEqual(String(decoding: message.body, as: UTF8.self), "{\"Userid\":7}")
    }

    func testControlWire_rejectsBadInput() {
        XCTAssertThrowsError(try parse("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"))
        XCTAssertThrowsError(try parse("GET / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"))
        XCTAssertThrowsError(try parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
        XCTAssertThrowsError(try parse("GET / HTTP/1.1\r\nno colon here\r\n\r\n"))
        XCTAssertThrowsError(try parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000)))
        XCTAssertThrowsError(try parse("\r\n\r\n"))
        XCTAssertThrowsError(try ControlWire.parse([0x47, 0xff, 0xfe, 13, 10, 13, 10]))
    }

    func testControlRoutes_answers() throws {
        let updates = LockedBox()
        func route(_ text: String, token: String? = nil) throws -> ControlRoutes.Answer {
            let message = try XCTUnwrap(try parse(text))
            return ControlRoutes.respond(to: message, token: token) { updates.append($0) }
        }
        XCTAssertEqual(try route("GET /v1/version HTTP/1.1\r\n\r\n").json,
                       #"{"version_string":"3.0.0","major":3,"minor":0,"patch":0,"prerelease":"","build_metadata":""}"#)
        XCTAssertEqual(try route("GET /v1/ping HTTP/1.1\r\n\r\n").status, 200)
        XCTAssertEqual(try route("GET /v1/voting-prefs HTTP/1.1\r\n\r\n").status, 405)
        XCTAssertEqual(try route("GET /nope HTTP/1.1\r\n\r\n").status, 404)
        XCTAssertEqual(try route("GET /v1/ping\r\n\r\n").status, 400)
        XCTAssertEqual(try route("POST /v1/voting-prefs HTTP/1.1\r\nContent-Length: 5\r\n\r\n[1,2]").status, 400)
        XCTAssertEqual(try route("POST /v1/voting-prefs HTTP/1.1\r\nContent-Length: 14\r\n\r\n{\"Userid\":\"x\"}").status, 400)
        XCTAssertEqual(try route("POST /v1/voting-prefs HTTP/1.1\r\nContent-Length: 12\r\n\r\n{\"Userid\":9}").status, 200)
        XCTAssertEqual(try route("POST /v1/voting-prefs HTTP/1.1\r\n\r\n").status, 200)
        XCTAssertEqual(updates.values, [9, 0])
        XCTAssertEqual(try route("GET /v1/ping HTTP/1.1\r\n\r\n", token: "t").status, 401)
        XCTAssertEqual(try route("GET /v1/ping HTTP/1.1\r\nAuthorization: Bearer t\r\n\r\n", token: "t").status, 200)
    }
}
