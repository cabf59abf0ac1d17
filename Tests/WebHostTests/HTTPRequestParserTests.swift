import XCTest
@testable import WebHost

final class HTTPRequestParserTests: XCTestCase {
    private func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPRequestParser.Event {
        parse(Array(text.utf8), limits: limits)
    }

    private func parse(_ bytes: [UInt8], limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPRequestParser.Event {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(bytes)
        return parser.next()
    }

    private func status(_ event: HTTPRequestParser.Event) -> Int? {
        switch event {
        case .failure(let failure): failure.status.code
        case .request: 200
        case .needMoreData: 0
        case .expectsContinue: 100
        }
    }

    func testHTTPRequestParser_parsesRequestLineHeadersAndQuery() throws {
        guard case .request(let request) = parse("GET /api/v1/stats?x=1&y=a+b HTTP/1.1\r\nHost: h\r\nX-A:  v  \r\n\r\n") else {
            return XCTFail("no request")
        }
        XCTAssertEqual(request.method, .get)
        XCTAssertEqual(request.path, "/api/v1/stats")
        XCTAssertEqual(request.query, "x=1&y=a+b")
        XCTAssertEqual(request.queryItems["y"], "a b")
        XCTAssertEqual(request.headers["x-a"], "v")
        XCTAssertTrue(request.wantsKeepAlive)
    }

    func testHTTPRequestParser_malformedRequestsTable() {
        let big = String(repeating: "a", count: 17 * 1024)
        let cases: [(String, [UInt8], Int)] = [
            ("bad request line", Array("GARBAGE\r\n\r\n".utf8), 400),
            ("missing version", Array("GET /\r\nHost: x\r\n\r\n".utf8), 400),
            ("lowercase version", Array("GET / http/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("HTTP/2.0", Array("GET / HTTP/2.0\r\nHost: x\r\n\r\n".utf8), 505),
            ("unknown method", Array("BREW / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 501),
            ("bad method byte", Array("G(T / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("relative target", Array("GET foo HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("header without colon", Array("GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n".utf8), 400),
            ("space before colon", Array("GET / HTTP/1.1\r\nHost : x\r\n\r\n".utf8), 400),
            ("obs-fold", Array("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n".utf8), 400),
            ("no host", Array("GET / HTTP/1.1\r\n\r\n".utf8), 400),
            ("two hosts", Array("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".utf8), 400),
            ("duplicate content-length", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na".utf8), 400),
            ("negative content-length", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".utf8), 400),
            ("plus content-length", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n".utf8), 400),
            ("list content-length", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n".utf8), 400),
            ("huge content-length", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8), 413),
            ("body over limit", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n".utf8), 413),
            ("te and cl", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n".utf8), 400),
            ("gzip te", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n".utf8), 501),
            ("chunked twice", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n".utf8), 501),
            ("invalid chunk size", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8), 400),
            ("negative chunk size", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n".utf8), 400),
            ("huge chunk size", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n".utf8), 413),
            ("chunk over limit", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n".utf8), 413),
            ("missing chunk CRLF", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n".utf8), 400),
            ("NUL in request line", Array("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("NUL in header", Array("GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n".utf8), 400),
            ("NUL first", [0, 0, 0, 0], 400),
            ("encoded NUL in path", Array("GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("non-UTF-8 path", Array("GET /%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("raw high bytes in path", Array("GET /".utf8) + [0xC3, 0x28] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("bad percent", Array("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
            ("long request line", Array("GET /\(big) HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 414),
            ("100 KB header", Array("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 100 * 1024))\r\n\r\n".utf8), 431),
            ("too many headers", Array(("GET / HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): 1\r\n" }.joined() + "\r\n").utf8), 431),
            ("te in 1.0", Array("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n".utf8), 400),
            ("star for GET", Array("GET * HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ]
        for (name, bytes, expected) in cases {
            XCTAssertEqual(status(parse(bytes)), expected, name)
            // Byte-by-byte delivery must reach the same verdict (state machine, not buffer luck).
            var parser = HTTPRequestParser()
            var verdict: Int?
            for byte in bytes {
                parser.append([byte])
                let event = parser.next()
                if let code = status(event), code != 0, code != 100 { verdict = code; break }
            }
            XCTAssertEqual(verdict, expected, "\(name) (byte by byte)")
        }
    }

    func testHTTPRequestParser_failureIsSticky() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nBroken\r\n\r\n".utf8))
        XCTAssertEqual(status(parser.next()), 400)
        parser.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(status(parser.next()), 400)
    }

    func testHTTPRequestParser_pipelinedAndChunkedAcrossReads() throws {
        var parser = HTTPRequestParser()
        let text = "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
        var paths: [String] = []
        var bodies: [String] = []
        for byte in text.utf8 {
            parser.append([byte])
            while case .request(let request) = parser.next() {
                paths.append(request.path)
                bodies.append(String(decoding: request.body, as: UTF8.self))
            }
        }
        XCTAssertEqual(paths, ["/a", "/b", "/c"])
        XCTAssertEqual(bodies, ["abc", "", "ok"])
        XCTAssertTrue(parser.isIdle)
    }

    func testHTTPRequestParser_configurableBodyLimit() {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits: limits)), 413)
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits)), 200)
    }

    func testHTTPRequestParser_absoluteFormAndLeadingEmptyLines() throws {
        guard case .request(let request) = parse("\r\n\r\nGET http://example.com/x/y?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n") else {
            return XCTFail("no request")
        }
        XCTAssertEqual(request.path, "/x/y")
        XCTAssertEqual(request.query, "q=1")
    }

    func testHTTPRequestParser_randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED)
        let seeds = [Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                     Array("POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8),
                     Array("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody".utf8)]
        var outcomes = [Int: Int]()
        let limits = HTTPParserLimits(maxHeadBytes: 512, maxBodyBytes: 256)
        for iteration in 0..<100_000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                // Pure random bytes, with CR/LF/space/colon made common.
                let alphabet: [UInt8] = [13, 10, 32, 58, 48, 65, 0, 255, 37, 59]
                bytes = (0..<Int(generator.next() % 96)).map { _ in
                    generator.next() % 3 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: generator.next())
                }
            } else {
                // A valid request with a few bytes mutated.
                bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            var parser = HTTPRequestParser(limits: limits)
            // Deliver in random splits and drain every event.
            var offset = 0
            var rounds = 0
            while offset < bytes.count {
                let take = min(bytes.count - offset, 1 + Int(generator.next() % 40))
                parser.append(Array(bytes[offset..<(offset + take)]))
                offset += take
                loop: while rounds < 64 {
                    rounds += 1
                    switch parser.next() {
                    case .request: continue
                    case .expectsContinue: continue
                    case .needMoreData: break loop
                    case .failure(let failure):
                        XCTAssertTrue([400, 413, 414, 431, 501, 505].contains(failure.status.code))
                        break loop
                    }
                }
            }
            outcomes[status(parser.next()) ?? -1, default: 0] += 1
        }
        XCTAssertGreaterThan(outcomes[400] ?? 0, 1000)   // the fuzzer does reach error paths
        XCTAssertGreaterThan(outcomes[0] ?? 0, 100)      // and incomplete-but-valid states
    }
}

/// Deterministic PRNG so a fuzz failure can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
