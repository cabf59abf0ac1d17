import XCTest
@testable import WebHost

/// The response head byte for byte: the server's own headers win over a handler's (whatever their case), a CR or
/// LF in a handler's value is dropped (it would split the response), lengths are decimal.
final class HTTPResponseSerializerTests: XCTestCase {
    private func wire(_ response: HTTPResponse, keepAlive: Bool = true, omitBody: Bool = false,
                      date: String = "Thu, 03 Dec 2026 15:00:00 GMT") -> String {
        var buffer: [UInt8] = Array("previous;".utf8)
        HTTPResponseSerializer.append(response, keepAlive: keepAlive, omitBody: omitBody, date: date, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    func testHandlersServerOwnedHeadersAreIgnored_valuesCannotSplitTheResponse() {
        var response = HTTPResponse(status: .notFound, body: Array("gone".utf8))
        response.headers.add("Content-LENGTH", "999")
        response.headers.add("connection", "upgrade")
        response.headers.add("DATE", "yesterday")
        response.headers.add("Transfer-Encoding", "chunked")
        response.headers.add("X-Note", "a\r\nSet-Cookie: evil=1\nb")
        response.headers.add("VSP-Server-Signature", "c2lnbmF0dXJl")
        XCTAssertEqual(wire(response), "previous;HTTP/1.1 404 Not Found\r\nX-Note: aSet-Cookie: evil=1b\r\n"
                       + "VSP-Server-Signature: c2lnbmF0dXJl\r\nContent-Length: 4\r\n"
                       + "Date: Thu, 03 Dec 2026 15:00:00 GMT\r\n\r\ngone")
    }

    func testLengthsInDecimal_headKeepsTheLength_closeIsAnnounced() {
        let body = [UInt8](repeating: 0x61, count: 1_234_567)
        let head = wire(HTTPResponse(status: HTTPStatus(599, "Odd"), body: body), keepAlive: false, omitBody: true, date: "")
        XCTAssertEqual(head, "previous;HTTP/1.1 599 Odd\r\nContent-Length: 1234567\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(wire(HTTPResponse(status: .ok), date: ""), "previous;HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(wire(HTTPResponse(status: .noContent, body: Array("x".utf8)), date: ""),
                       "previous;HTTP/1.1 204 No Content\r\n\r\n", "204 has neither a length nor a body")
    }
}
