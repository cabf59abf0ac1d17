import Foundation

/// Size limits applied while parsing a request.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Request line plus header section, in bytes (request line alone beyond it → 414, headers → 431).
    public var maxHeadBytes: Int
    /// Decoded body size (Content-Length or the sum of chunks) → 413 beyond it.
    public var maxBodyBytes: Int
    /// Number of header fields → 431 beyond it.
    public var maxHeaderCount: Int

    public init(maxHeadBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20, maxHeaderCount: Int = 100) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
    }
}

/// Why a request could not be parsed: the status to answer with and a short reason for the log.
/// After a failure the connection must be closed (the framing is lost).
public struct HTTPParseFailure: Error, Equatable, Sendable {
    public let status: HTTPStatus
    public let reason: String
    init(_ status: HTTPStatus, _ reason: String) { self.status = status; self.reason = reason }
}

/// An incremental HTTP/1.x request parser: a plain state machine over bytes, no I/O.
///
/// Feed bytes as they arrive with `append(_:)`, then call `next()` until it returns `.needMoreData`.
/// Requests come out complete (head and decoded body) and in order, so pipelining needs nothing
/// more than calling `next()` again. A failure is sticky: every later `next()` returns it again.
struct HTTPRequestParser {
    enum Event: Sendable {
        /// A complete request.
        case request(HTTPRequest)
        /// The head of a request with `Expect: 100-continue` arrived and its body has not: the
        /// caller should write `100 Continue`. Reported once per request.
        case expectsContinue
        case needMoreData
        case failure(HTTPParseFailure)
    }

    private enum State {
        /// Looking for the end of the head; `scanned` bytes after `start` are known to hold no CRLFCRLF.
        case head(scanned: Int)
        /// Reading a Content-Length body.
        case fixedBody(HTTPRequest, remaining: Int)
        case chunked(HTTPRequest, ChunkState)
        case failed(HTTPParseFailure)
    }

    private enum ChunkState {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    let limits: HTTPParserLimits
    private var buffer: [UInt8] = []
    private var start = 0
    private var state: State = .head(scanned: 0)
    private var continueReported = false

    init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet consumed by a complete request.
    var bufferedByteCount: Int { buffer.count - start }

    /// True when no byte of a next request has arrived (the connection is idle between requests).
    var isIdle: Bool {
        if case .head = state { return buffer.count == start }
        return false
    }

    /// True once the head of the current request is complete and its body is being read.
    var isReadingBody: Bool {
        switch state {
        case .fixedBody, .chunked: true
        case .head, .failed: false
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfUseful()
        buffer.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func next() -> Event {
        switch state {
        case .failed(let failure):
            return .failure(failure)
        case .head(let scanned):
            return parseHead(scanned: scanned)
        case .fixedBody(let request, let remaining):
            return readFixedBody(request, remaining: remaining)
        case .chunked(let request, let chunkState):
            return readChunked(request, chunkState)
        }
    }

    // MARK: - Head

    private mutating func parseHead(scanned: Int) -> Event {
        // Tolerate empty lines before a request line (RFC 9112 §2.2).
        while buffer.count - start >= 2, buffer[start] == 13, buffer[start + 1] == 10 { start += 2 }
        if buffer.count - start == 1, buffer[start] == 13 { return .needMoreData }
        // Garbage first, before any size check: its verdict never changes as bytes arrive, so the answer
        // (400) does not depend on how the stream was split into reads (found by Fuzz/Targets/FuzzHTTPRequest).
        if let problem = earlyGarbage() { return fail(.badRequest, problem) }

        guard let headEnd = findHeadEnd(from: start + max(0, scanned - 3)) else {
            let pending = buffer.count - start
            if pending > limits.maxHeadBytes {
                // A request line shorter than maxHeadBytes, the same bound as below once the head is complete.
                let hasLineEnd = findCRLF(from: start, to: start + limits.maxHeadBytes + 1) != nil
                return fail(hasLineEnd ? .headerFieldsTooLarge : .uriTooLong,
                            hasLineEnd ? "header section too large" : "request line too long")
            }
            state = .head(scanned: pending)
            return .needMoreData
        }
        // headEnd points at the first byte after CRLFCRLF.
        let headBytes = headEnd - start
        guard let lineEnd = findCRLF(from: start, to: headEnd) else { return fail(.badRequest, "no request line") }
        if lineEnd - start >= limits.maxHeadBytes { return fail(.uriTooLong, "request line too long") }
        if headBytes > limits.maxHeadBytes { return fail(.headerFieldsTooLarge, "header section too large") }

        var request: HTTPRequest
        switch parseRequestLine(start, lineEnd) {
        case .success(let parsed): request = parsed
        case .failure(let failure): return fail(failure)
        }
        switch parseHeaders(from: lineEnd + 2, to: headEnd - 2) {
        case .success(let headers): request.headers = headers
        case .failure(let failure): return fail(failure)
        }
        start = headEnd
        continueReported = false
        return beginBody(request)
    }

    /// Rejects obvious non-HTTP early, so binary garbage does not sit in the buffer until a timeout.
    private func earlyGarbage() -> String? {
        let end = min(buffer.count, start + 64)
        var index = start
        while index < end {
            let byte = buffer[index]
            if byte == 0 { return "NUL byte" }
            if byte == UInt8(ascii: " ") || byte == 13 { return nil }
            if !Self.isTokenByte(byte) { return "invalid byte in method" }
            index += 1
        }
        return end - start >= 64 && index == end ? "method too long" : nil
    }

    private func findHeadEnd(from: Int) -> Int? {
        var index = Swift.max(from, start)
        let end = buffer.count
        while index + 3 < end {
            if buffer[index + 3] != 10 { index += buffer[index + 3] == 13 ? 1 : 4; continue }
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    private func findCRLF(from: Int, to end: Int) -> Int? {
        var index = from
        let limit = Swift.min(end, buffer.count)
        while index + 1 < limit {
            if buffer[index] == 13 && buffer[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    private func parseRequestLine(_ from: Int, _ to: Int) -> Result<HTTPRequest, HTTPParseFailure> {
        let line = buffer[from..<to]
        guard let firstSpace = line.firstIndex(of: UInt8(ascii: " ")) else {
            return .failure(HTTPParseFailure(.badRequest, "malformed request line"))
        }
        let methodBytes = line[from..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.count <= 32, methodBytes.allSatisfy(Self.isTokenByte) else {
            return .failure(HTTPParseFailure(.badRequest, "invalid method"))
        }
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: UInt8(ascii: " ")) else {
            return .failure(HTTPParseFailure(.badRequest, "malformed request line"))
        }
        let targetBytes = rest[rest.startIndex..<secondSpace]
        let versionBytes = rest[(secondSpace + 1)...]
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(HTTPParseFailure(.badRequest, "invalid request target"))
        }
        let version: (Int, Int)
        switch Self.parseVersion(versionBytes) {
        case .some(let parsed): version = parsed
        case .none: return .failure(HTTPParseFailure(.badRequest, "malformed HTTP version"))
        }
        guard version.0 == 1 else { return .failure(HTTPParseFailure(.versionNotSupported, "unsupported HTTP version")) }

        let method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        guard HTTPMethod.implemented.contains(method.rawValue) else {
            return .failure(HTTPParseFailure(.notImplemented, "method not implemented"))
        }
        let target = String(decoding: targetBytes, as: UTF8.self)
        var request = HTTPRequest(method: method, target: target, version: (version.0, version.1))
        switch Self.splitTarget(Array(targetBytes), method: method) {
        case .success(let (path, query)):
            request.path = path
            request.query = query
        case .failure(let failure):
            return .failure(failure)
        }
        return .success(request)
    }

    private static func parseVersion(_ bytes: ArraySlice<UInt8>) -> (Int, Int)? {
        let text = Array(bytes)
        guard text.count == 8, text.starts(with: Array("HTTP/".utf8)), text[6] == UInt8(ascii: "."),
              let major = digitValue(text[5]), let minor = digitValue(text[7]) else { return nil }
        return (major, minor)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
    }

    /// Origin-form (`/p?q`), absolute-form (`http://host/p?q`) or `*` (OPTIONS only).
    static func splitTarget(_ bytes: [UInt8], method: HTTPMethod) -> Result<(String, String), HTTPParseFailure> {
        var pathBytes = bytes[...]
        if bytes == [UInt8(ascii: "*")] {
            return method == .options ? .success(("*", "")) : .failure(HTTPParseFailure(.badRequest, "invalid request target"))
        }
        if bytes.first != UInt8(ascii: "/") {
            let lower = String(decoding: bytes.prefix(8), as: UTF8.self).lowercased()
            let schemeLength = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
            guard schemeLength > 0 else { return .failure(HTTPParseFailure(.badRequest, "invalid request target")) }
            let afterScheme = bytes[schemeLength...]
            if let slash = afterScheme.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                pathBytes = bytes[slash...]
                if pathBytes.first == UInt8(ascii: "?") { pathBytes = ([UInt8(ascii: "/")] + pathBytes)[...] }
            } else {
                pathBytes = [UInt8(ascii: "/")][...]
            }
        }
        var query = ""
        if let mark = pathBytes.firstIndex(of: UInt8(ascii: "?")) {
            query = String(decoding: pathBytes[(mark + 1)...], as: UTF8.self)
            pathBytes = pathBytes[..<mark]
        }
        if let hash = pathBytes.firstIndex(of: UInt8(ascii: "#")) { pathBytes = pathBytes[..<hash] }
        // Percent-decode the path; it must decode to valid UTF-8 without NUL.
        var decoded: [UInt8] = []
        decoded.reserveCapacity(pathBytes.count)
        var index = pathBytes.startIndex
        while index < pathBytes.endIndex {
            let byte = pathBytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < pathBytes.endIndex,
                      let high = FormDecoding.hexValue(pathBytes[index + 1]),
                      let low = FormDecoding.hexValue(pathBytes[index + 2]) else {
                    return .failure(HTTPParseFailure(.badRequest, "invalid percent-encoding in path"))
                }
                let value = high << 4 | low
                if value == 0 { return .failure(HTTPParseFailure(.badRequest, "NUL in path")) }
                decoded.append(value)
                index += 3
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        guard let path = String(validating: decoded, as: UTF8.self) else {
            return .failure(HTTPParseFailure(.badRequest, "path is not valid UTF-8"))
        }
        return .success((path, query))
    }

    private func parseHeaders(from: Int, to end: Int) -> Result<HTTPHeaders, HTTPParseFailure> {
        var headers = HTTPHeaders()
        var lineStart = from
        while lineStart < end {
            let lineEnd = findCRLF(from: lineStart, to: end + 2) ?? end
            let line = buffer[lineStart..<lineEnd]
            lineStart = lineEnd + 2
            guard let first = line.first else { continue }
            if first == UInt8(ascii: " ") || first == 9 {
                return .failure(HTTPParseFailure(.badRequest, "obsolete line folding"))
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(HTTPParseFailure(.badRequest, "header without colon"))
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
                return .failure(HTTPParseFailure(.badRequest, "invalid header name"))
            }
            var value = line[(colon + 1)...]
            while let byte = value.first, byte == 32 || byte == 9 { value = value.dropFirst() }
            while let byte = value.last, byte == 32 || byte == 9 { value = value.dropLast() }
            for byte in value where (byte < 0x20 && byte != 9) || byte == 0x7F {
                return .failure(HTTPParseFailure(.badRequest, byte == 0 ? "NUL in header value" : "control byte in header value"))
            }
            if headers.count >= limits.maxHeaderCount {
                return .failure(HTTPParseFailure(.headerFieldsTooLarge, "too many header fields"))
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return .success(headers)
    }

    // MARK: - Body

    private mutating func beginBody(_ request: HTTPRequest) -> Event {
        let transferEncodings = request.headers.values("Transfer-Encoding")
        let lengths = request.headers.values("Content-Length")
        if request.version.major == 1, request.version.minor == 1, request.headers.values("Host").count != 1 {
            return fail(.badRequest, "HTTP/1.1 request needs exactly one Host header")
        }
        if !transferEncodings.isEmpty {
            if !lengths.isEmpty { return fail(.badRequest, "both Transfer-Encoding and Content-Length") }
            if request.version.minor == 0 { return fail(.badRequest, "Transfer-Encoding in HTTP/1.0") }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard codings == ["chunked"] else { return fail(.notImplemented, "unsupported transfer coding") }
            state = .chunked(request, .size)
            return readChunked(request, .size, body: [])
        }
        guard !lengths.isEmpty else { return finish(request, body: []) }
        guard lengths.count == 1 else { return fail(.badRequest, "duplicate Content-Length") }
        let text = lengths[0]
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            return fail(.badRequest, "invalid Content-Length")
        }
        guard text.utf8.count <= 18, let length = Int(text), length <= limits.maxBodyBytes else {
            return fail(.payloadTooLarge, "body larger than \(limits.maxBodyBytes) bytes")
        }
        return readFixedBody(request, remaining: length)
    }

    private mutating func readFixedBody(_ request: HTTPRequest, remaining: Int) -> Event {
        if buffer.count - start >= remaining {
            let body = Array(buffer[start..<(start + remaining)])
            start += remaining
            return finish(request, body: body)
        }
        state = .fixedBody(request, remaining: remaining)
        return reportContinueIfExpected(request)
    }

    private mutating func reportContinueIfExpected(_ request: HTTPRequest) -> Event {
        if !continueReported, request.headers["Expect"]?.lowercased() == "100-continue" {
            continueReported = true
            return .expectsContinue
        }
        return .needMoreData
    }

    /// Chunked decoding keeps the decoded body in `chunkBody` between calls.
    private var chunkBody: [UInt8] = []

    private mutating func readChunked(_ request: HTTPRequest, _ initial: ChunkState) -> Event {
        readChunked(request, initial, body: chunkBody)
    }

    private mutating func readChunked(_ request: HTTPRequest, _ initial: ChunkState, body initialBody: [UInt8]) -> Event {
        var chunkState = initial
        var body = initialBody
        chunkBody = []
        while true {
            switch chunkState {
            case .size:
                guard let lineEnd = findCRLF(from: start, to: buffer.count) else {
                    if buffer.count - start > 1024 { return fail(.badRequest, "chunk size line too long") }
                    return suspendChunked(request, chunkState, body)
                }
                if lineEnd - start > 1024 { return fail(.badRequest, "chunk size line too long") }
                let line = buffer[start..<lineEnd]
                let sizeEnd = line.firstIndex(where: { $0 == UInt8(ascii: ";") || $0 == 32 || $0 == 9 }) ?? line.endIndex
                let digits = line[line.startIndex..<sizeEnd]
                guard !digits.isEmpty, digits.allSatisfy({ FormDecoding.hexValue($0) != nil }) else {
                    return fail(.badRequest, "invalid chunk size")
                }
                let significant = digits.drop { $0 == UInt8(ascii: "0") }
                guard significant.count <= 15 else { return fail(.payloadTooLarge, "chunk too large") }
                let size = significant.reduce(0) { $0 << 4 | Int(FormDecoding.hexValue($1) ?? 0) }
                for byte in line[sizeEnd...] where byte < 0x20 && byte != 9 {
                    return fail(.badRequest, "control byte in chunk extension")
                }
                guard body.count + size <= limits.maxBodyBytes else {
                    return fail(.payloadTooLarge, "body larger than \(limits.maxBodyBytes) bytes")
                }
                start = lineEnd + 2
                chunkState = size == 0 ? .trailers(bytes: 0) : .data(remaining: size)
            case .data(let remaining):
                let available = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<(start + available)])
                start += available
                if available < remaining { return suspendChunked(request, .data(remaining: remaining - available), body) }
                chunkState = .dataEnd
            case .dataEnd:
                guard buffer.count - start >= 2 else { return suspendChunked(request, chunkState, body) }
                guard buffer[start] == 13, buffer[start + 1] == 10 else { return fail(.badRequest, "missing CRLF after chunk data") }
                start += 2
                chunkState = .size
            case .trailers(let seen):
                guard let lineEnd = findCRLF(from: start, to: buffer.count) else {
                    if seen + buffer.count - start > limits.maxHeadBytes { return fail(.headerFieldsTooLarge, "trailer section too large") }
                    return suspendChunked(request, chunkState, body)
                }
                let length = lineEnd - start
                if seen + length > limits.maxHeadBytes { return fail(.headerFieldsTooLarge, "trailer section too large") }
                let line = buffer[start..<lineEnd]
                start = lineEnd + 2
                if length == 0 { return finish(request, body: body) }
                // Trailer fields are validated like headers, then dropped (nothing here uses them).
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                      line[line.startIndex..<colon].allSatisfy(Self.isTokenByte),
                      !line.contains(where: { ($0 < 0x20 && $0 != 9) || $0 == 0x7F }) else {
                    return fail(.badRequest, "invalid trailer field")
                }
                chunkState = .trailers(bytes: seen + length + 2)
            }
        }
    }

    private mutating func suspendChunked(_ request: HTTPRequest, _ chunkState: ChunkState, _ body: [UInt8]) -> Event {
        chunkBody = body
        state = .chunked(request, chunkState)
        return reportContinueIfExpected(request)
    }

    private mutating func finish(_ request: HTTPRequest, body: [UInt8]) -> Event {
        var request = request
        request.body = body
        state = .head(scanned: 0)
        chunkBody = []
        compactIfUseful()
        return .request(request)
    }

    private mutating func fail(_ status: HTTPStatus, _ reason: String) -> Event {
        fail(HTTPParseFailure(status, reason))
    }

    private mutating func fail(_ failure: HTTPParseFailure) -> Event {
        state = .failed(failure)
        buffer = []
        start = 0
        return .failure(failure)
    }

    private mutating func compactIfUseful() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            start = 0
        } else if start > 4096 && start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            if case .head(let scanned) = state { state = .head(scanned: scanned) }
            start = 0
        }
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
