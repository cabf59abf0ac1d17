import Foundation
import XCTest
@testable import WebHost

/// Inputs found by Fuzz/Targets/FuzzHTTPRequest (docs/fuzzing.md): the parser's answer must not depend on how
/// the bytes were split into reads.
final class HTTPRequestParserFuzzRegressionTests: XCTestCase {
    private let limits = HTTPParserLimits(maxHeadBytes: 512, maxBodyBytes: 256, maxHeaderCount: 8)

    /// The failure status after feeding `bytes` in pieces of `pieceSize`, or nil when no failure.
    private func failureStatus(_ bytes: [UInt8], pieceSize: Int) -> Int? {
        var parser = HTTPRequestParser(limits: limits)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + pieceSize, bytes.count)
            parser.append(Array(bytes[offset..<end]))
            offset = end
            while true {
                switch parser.next() {
                case .request, .expectsContinue: continue
                case .needMoreData: break
                case .failure(let failure): return failure.status.code
                }
                break
            }
        }
        return nil
    }

    private func assertSplitIndependent(_ bytes: [UInt8], expected: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(failureStatus(bytes, pieceSize: bytes.count), expected, "fed whole", file: file, line: line)
        for pieceSize in [1, 7, 8, 64] {
            XCTAssertEqual(failureStatus(bytes, pieceSize: pieceSize), expected, "pieces of \(pieceSize)", file: file, line: line)
        }
    }

    /// Found: fed whole, an over-long head with a garbage method answered 414 (size checked first); in small
    /// pieces the garbage was seen first and answered 400.
    func testGarbageMethodBeyondHeadLimit_is400HoweverSplit() throws {
        let found = try XCTUnwrap(Data(base64Encoded: "B0cKCgoKCgoKClBUSQACCkhvc3Q6Cg0KCgoKCgoKD1BUUFRJAAIgL2hlIV1sOnRoILirq0UwJCAvaGVhXQoKCgoKClBUSQACCkhvc3Q6Cg0KCgoKCgoKDzp0aAENCgoKCgoKCgoKCgoKCgoKCgoKCgpzdDoKDQoKCgoKCgoKCgpQVEkAAgpIb3N0OgoNbDp0aAENCgoKCgoKCgoKCgoKCgoKCgoKCgpzdDoKDQoKCgoKCgoKCgpQVEkAAgpIb3N0OgoNCgoKCgoKCg86dGgBDQoKCgoKCgoKCgoKCgoKCgoKCgoKc3Q6Cg0KCgoKCgoKCgoKUFRJAAIKSG9zdDoKDQoKCgoKCgoPUFRQVEkKCgoKc3Q6Cg0KCgoKCgoKCgoKUFRJAAIKSG9zdDoKDWw6CgENCnRoCgoKCgoKCgoKCgoKCgoKCgoKc3Q6Cg0KCgoKCgoKCgoKUFRJAAIKSG9zdDoKDQoKCgoKCgoPOnRoAQ0KCgoKCgoKCgoKCgoKCgoKCgoKCnN0OgoNCgoKCgoKCgoKClBUSQACCkhvc3Q6Cg0KCgoKCgoKD1BUUFRJAAIgL2hlIV1sOnRoILirq/J0OiANAQ0KCgoKCgoKCgoKAAIgL2hlIV1sOnRoILirq/J0OiANAQ0KCgoKCgoKCgoKCldXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1cKCgoKCgo="))
        assertSplitIndependent(Array(found.dropFirst()), expected: 400)  // byte 0 is the fuzz target's split size
        assertSplitIndependent(Array("G\n".utf8) + Array(repeating: UInt8(ascii: "W"), count: 600), expected: 400)
    }

    /// Found: a complete but over-long head whose method holds a TAB answered 431 when fed whole (sizes were
    /// checked before the request line) and 400 in pieces (garbage seen before the head was complete).
    func testGarbageMethodInCompleteOverlongHead_is400HoweverSplit() throws {
        let found = try XCTUnwrap(Data(base64Encoded: "JwktAR8CUE9TVCAvIEhUVFAvMS4xDQpIb3N0OiB4DQpDb2h0MQ0KSG9zdDogeA0KQ29odGVudC1MZW5ndGg6IDk5Ofo5OTggMS4xDQpIb3N0OiB4DQpDb2h0ZW50LUxlbmd0aDogOTk5+jk5OCAJR0VudC1MZW5ndGg6IDk5OSAJR0VUIGdpbiBmbz85OTlUIOtpbiBmb3RoOiA5OTn6OTk4IAlHRW50LUxlbmd0aDogOTk5IAlHRQkfR0VudC1MZW5ndGg6IDk5OSAJR0VUIGdpbiBmbz85OTlUIGdpbiBmb3RoOiA5OTn6OTk4IAlHRW50LUxlbmd0aDogOThodHRwczovL2luIGZvPzk5OVQgZ2luZW5yaXQtTGVuZ3RoOiA5OTn6OTk4IDEuMQ0KSG9zdDogeA0KQ29odGVudC1MZW5ndGg6IDk5Ofo5OTggCUdFbnQtTGVuZ3RoOiA5OTkgCUdFVCBnaW4gZm8/OTk5VCBnaW4gZm90aDogOTk5+jk5OCAJR0VudC1MZW5ndGg6IDk5OSAJR0UJR0VudG4tTGVuZ3RoOiA5OTkgCUdFVCBnaW4gZm8/OTk5VCBnaW4gZm90aDogOTk5+jk5OCAJRwpFbnQtTGVuZ3R+aDogOTk5IAlHRVQgZ2luIEhUVFAvMS4xDQpIb3N0OiB4IGZvPzk5OVQgZ2luIGZvPzk5OTkNCg0/OTk5OQ0KDQo="))
        assertSplitIndependent(Array(found.dropFirst()), expected: 400)
        let head = "\tGET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "p", count: 600) + "\r\n\r\n"
        assertSplitIndependent(Array(head.utf8), expected: 400)
    }

    /// The request-line bound is the same before and after the head is complete: a line of exactly
    /// maxHeadBytes is too long (414), one byte shorter fits the line bound and the head is too large (431).
    func testRequestLineAtHeadLimit_sameStatusHoweverSplit() {
        func request(lineLength: Int) -> [UInt8] {
            let target = "/" + String(repeating: "a", count: lineLength - "GET  HTTP/1.1".count - 1)
            return Array("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        }
        XCTAssertEqual(request(lineLength: 512).firstIndex(of: 13), 512)
        assertSplitIndependent(request(lineLength: 512), expected: 414)
        assertSplitIndependent(request(lineLength: 511), expected: 431)
        assertSplitIndependent(request(lineLength: 510), expected: 431)
    }
}
