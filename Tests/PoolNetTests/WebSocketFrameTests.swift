@testable import PoolNet
import XCTest

final class WebSocketFrameTests: XCTestCase {
    func testFrames_maskedClientTextMatchesRFCExample() throws {
        // RFC 6455 §5.7: masked "Hello" with key 37 fa 21 3d.
        let frame = WebSocketFrameEncoder.frame(opcode: .text, payload: Array("Hello".utf8), maskKey: 0x37fa_213d)
        XCTAssertEqual(frame, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
        var server = WebSocketFrameParser(role: .server)
        server.append(frame)
        XCTAssertEqual(try server.next(), .text(Array("Hello".utf8)))
        XCTAssertNil(try server.next())
    }

    func testFrames_fragmentedMessageWithInterleavedPingArrivesWhole() throws {
        var parser = WebSocketFrameParser(role: .client)
        parser.append([0x01, 0x03] + Array("Hel".utf8)) // text, not fin
        parser.append([0x89, 0x02, 0x68, 0x69])           // ping "hi" in between
        parser.append([0x80, 0x02] + Array("lo".utf8))    // continuation, fin
        XCTAssertEqual(try parser.next(), .ping(Array("hi".utf8)))
        XCTAssertEqual(try parser.next(), .text(Array("Hello".utf8)))
    }

    func testFrames_byteByByteDeliveryAndLongLengths() throws {
        let payload = [UInt8](repeating: 0x41, count: 70_000)
        let frame = WebSocketFrameEncoder.frame(opcode: .binary, payload: payload, maskKey: 0x01020304)
        XCTAssertEqual(frame[1], 0x80 | 127)
        var parser = WebSocketFrameParser(role: .server)
        for (index, byte) in frame.enumerated() {
            parser.append([byte])
            if index < frame.count - 1 { XCTAssertNil(try parser.next()) }
        }
        XCTAssertEqual(try parser.next(), .binary(payload))
        let medium = WebSocketFrameEncoder.frame(opcode: .text, payload: [UInt8](repeating: 0x61, count: 300), maskKey: nil)
        XCTAssertEqual(Array(medium[0..<4]), [0x81, 126, 0x01, 0x2c])
    }

    /// A reply of hundreds of MB (`listscripts` of a million users) arrives intact, costs its size once, and its memory
    /// is given back afterwards instead of staying with the connection.
    func testFrames_largeMessagesArriveIntactAndTheirBufferIsReleased() throws {
        let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var parser = WebSocketFrameParser(role: .client, maxMessageSize: 8 << 20)
        let frame = WebSocketFrameEncoder.frame(opcode: .binary, payload: large, maskKey: nil)
        for start in stride(from: 0, to: frame.count, by: 65_536) {
            parser.append(Array(frame[start..<min(frame.count, start + 65_536)]))
            if start + 65_536 < frame.count { XCTAssertNil(try parser.next()) }
        }
        XCTAssertEqual(try parser.next(), .binary(large))
        XCTAssertLessThanOrEqual(parser.bufferCapacity, WebSocketFrameParser.retainedCapacity)
        // A large frame followed by another in the same read: both whole, in order.
        let small = WebSocketFrameEncoder.frame(opcode: .text, payload: Array("next".utf8), maskKey: nil)
        parser.append(frame + small)
        XCTAssertEqual(try parser.next(), .binary(large))
        XCTAssertEqual(try parser.next(), .text(Array("next".utf8)))
        XCTAssertNil(try parser.next())
        XCTAssertLessThanOrEqual(parser.bufferCapacity, WebSocketFrameParser.retainedCapacity)
        XCTAssertEqual(parser.bufferedCount, 0)
    }

    /// A large reply leaves the send backlog a socket-full at a time; the bytes already written are dropped from its
    /// front only when they are half of it, so sending moves at most as many bytes as it sends (it used to move the
    /// whole unwritten tail after each write past a megabyte: gigabytes of copying for one 262 MB `listscripts` reply).
    func testBacklog_compactionMovesAtMostTheBytesSent() {
        let size = 262 << 20
        var (count, offset, moved) = (size, 0, 0)
        while offset < count {
            offset = min(count, offset + 212_992) // one socket buffer's worth per write
            if offset < count, WebSocketConnection.shouldCompact(written: offset, of: count) {
                moved += count - offset
                count -= offset
                offset = 0
            }
        }
        XCTAssertLessThanOrEqual(moved, size)
        XCTAssertFalse(WebSocketConnection.shouldCompact(written: 1 << 20, of: 1 << 21), "small backlogs are left alone")
    }

    func testFrames_closeFrameCarriesCodeAndReason() throws {
        var parser = WebSocketFrameParser(role: .client)
        parser.append(WebSocketFrameEncoder.frame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: 1001, reason: "bye"), maskKey: nil))
        XCTAssertEqual(try parser.next(), .close(code: 1001, reason: "bye"))
        parser.append([0x88, 0x00])
        XCTAssertEqual(try parser.next(), .close(code: 1005, reason: ""))
    }

    func testFrames_protocolViolationsAreErrors() {
        let cases: [(WebSocketRole, [UInt8], String)] = [
            (.server, [0x81, 0x01, 0x41], "unmasked client frame"),
            (.client, [0x81, 0x81, 0, 0, 0, 0, 0x41], "masked server frame"),
            (.client, [0xC1, 0x00], "reserved bit"),
            (.client, [0x83, 0x00], "unknown opcode"),
            (.client, [0x09, 0x00], "fragmented ping"),
            (.client, [0x89, 126, 0, 126] + [UInt8](repeating: 0, count: 126), "long ping"),
            (.client, [0x80, 0x00], "continuation without start"),
            (.client, [0x01, 0x01, 0x41, 0x01, 0x01, 0x42], "new message inside fragments"),
            (.client, [0x81, 0x02, 0xc3, 0x28], "invalid UTF-8"),
            (.client, [0x88, 0x01, 0x03], "1-byte close payload"),
            (.client, [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1], "64-bit length top bit"),
        ]
        for (role, bytes, name) in cases {
            var parser = WebSocketFrameParser(role: role)
            parser.append(bytes)
            XCTAssertThrowsError(try parser.next(), name) { error in
                XCTAssertEqual((error as? NetError)?.code, .netProtocol, name)
            }
        }
    }

    func testFrames_messageSizeLimitCountsFragments() {
        var parser = WebSocketFrameParser(role: .client, maxMessageSize: 10)
        parser.append([0x01, 0x06] + Array("abcdef".utf8) + [0x80, 0x06] + Array("ghijkl".utf8))
        XCTAssertThrowsError(try parser.next()) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTooLarge)
            XCTAssertEqual(WebSocketFrameParser.closeCode(for: error as! NetError), 1009)
        }
    }

    func testHandshake_acceptValueMatchesRFCExample() {
        XCTAssertEqual(WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testHandshake_clientRequestAndServerValidation() throws {
        let request = WebSocketHandshake.clientRequest(host: "127.0.0.1:19557", path: "/ws", key: "dGhlIHNhbXBsZSBub25jZQ==",
                                                       authorization: WebSocketHandshake.basicAuthorization(user: "u", password: "p"))
        let text = String(decoding: request, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:19557\r\n"))
        XCTAssertTrue(text.contains("Authorization: Basic dTpw\r\n"))
        let (head, consumed) = try XCTUnwrap(try HTTPHead.parse(request + [0x81]))
        XCTAssertEqual(consumed, request.count)
        let parsed = try WebSocketHandshake.validateClientRequest(head)
        XCTAssertEqual(parsed.path, "/ws")
        XCTAssertEqual(parsed.authorization, "Basic dTpw")
        XCTAssertNil(try HTTPHead.parse(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)))
        XCTAssertThrowsError(try HTTPHead.parse([UInt8](repeating: 0x41, count: 20_000)))
    }

    func testHandshake_serverStatusesMapToTypedErrors() throws {
        func head(_ text: String) throws -> HTTPHead { try XCTUnwrap(try HTTPHead.parse(Array(text.utf8))).head }
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        XCTAssertNoThrow(try WebSocketHandshake.validateServerResponse(
            head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"), key: key))
        XCTAssertThrowsError(try WebSocketHandshake.validateServerResponse(head("HTTP/1.1 401 Unauthorized\r\n\r\n"), key: key)) {
            XCTAssertEqual(($0 as? NetError)?.code, .netAuth)
        }
        XCTAssertThrowsError(try WebSocketHandshake.validateServerResponse(head("HTTP/1.1 200 OK\r\n\r\n"), key: key)) {
            XCTAssertTrue("\($0)".contains("invalid endpoint"))
        }
        XCTAssertThrowsError(try WebSocketHandshake.validateServerResponse(
            head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n"), key: key))
    }
}
