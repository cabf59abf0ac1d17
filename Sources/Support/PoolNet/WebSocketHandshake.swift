import COpenSSL
import Foundation

/// The head of an HTTP/1.1 request or response: start line and headers (names compared
/// case-insensitively). Bodies are not parsed here.
public struct HTTPHead: Sendable, Equatable {
    /// The three parts of the start line (`GET`, `/ws`, `HTTP/1.1` or `HTTP/1.1`, `101`, `Switching Protocols`).
    public var startLine: [String]
    public var headers: [(name: String, value: String)]

    public static func == (lhs: HTTPHead, rhs: HTTPHead) -> Bool {
        lhs.startLine == rhs.startLine && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Whether a comma-separated header contains `token` (case-insensitive), e.g. `Connection: keep-alive, Upgrade`.
    public func headerHasToken(_ name: String, _ token: String) -> Bool {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.contains { header in
            header.value.split(separator: ",").contains {
                $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(token) == .orderedSame
            }
        }
    }

    /// Parses a head from the start of `bytes`. Returns nil until `\r\n\r\n` has arrived, else the head
    /// and the number of bytes it used (what follows belongs to the next layer).
    /// Throws `netTooLarge` past `limit` bytes and `netProtocol` on malformed input.
    public static func parse(_ bytes: [UInt8], limit: Int = 16_384) throws -> (head: HTTPHead, consumed: Int)? {
        guard let end = findTerminator(bytes) else {
            if bytes.count > limit { throw NetError(.netTooLarge, "HTTP head larger than \(limit) bytes") }
            return nil
        }
        guard end <= limit else { throw NetError(.netTooLarge, "HTTP head larger than \(limit) bytes") }
        guard let text = String(validating: bytes[0..<end], as: UTF8.self) else {
            throw NetError(.netProtocol, "HTTP head is not UTF-8")
        }
        var lines = text.components(separatedBy: "\r\n")
        let start = lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
        guard start.count >= 2 else { throw NetError(.netProtocol, "malformed HTTP start line") }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw NetError(.netProtocol, "malformed HTTP header line")
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (HTTPHead(startLine: start, headers: headers), end + 4)
    }

    private static func findTerminator(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// The websocket opening handshake (RFC 6455 §4) with HTTP Basic auth (wallet-rpc.md §1.1).
public enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// A fresh random `Sec-WebSocket-Key`.
    public static func makeKey() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        _ = RAND_bytes(&bytes, 16)
        return Data(bytes).base64EncodedString()
    }

    /// `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)).
    public static func acceptValue(for key: String) -> String {
        let input = Array((key + guid).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_Digest(input, input.count, &digest, &length, EVP_sha1(), nil)
        return Data(digest.prefix(Int(length))).base64EncodedString()
    }

    /// `Basic base64(user:password)`. The result is a secret.
    public static func basicAuthorization(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// The client's upgrade request: `GET <path>` with Host, Upgrade, Connection, key, version 13 and,
    /// when `authorization` is set, the `Authorization` header.
    public static func clientRequest(host: String, path: String, key: String, authorization: String?) -> [UInt8] {
        var text = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Checks the server's answer to our upgrade request (dcrrpcclient's mapping: 401/403 → invalid
    /// auth, 200 → not a websocket endpoint, other → the status text).
    public static func validateServerResponse(_ head: HTTPHead, key: String) throws {
        let status = Int(head.startLine[1]) ?? 0
        let reason = head.startLine.count > 2 ? head.startLine[2] : ""
        switch status {
        case 101: break
        case 401, 403: throw NetError(.netAuth, "authentication failure: HTTP \(status) \(reason)")
        case 200: throw NetError(.netProtocol, "invalid endpoint: HTTP 200 without websocket upgrade")
        case 429: throw NetError(.netProtocol, "server busy: HTTP 429 \(reason)")
        default: throw NetError(.netProtocol, "websocket upgrade refused: HTTP \(status) \(reason)")
        }
        guard head.header("Upgrade")?.caseInsensitiveCompare("websocket") == .orderedSame,
              head.headerHasToken("Connection", "upgrade") else {
            throw NetError(.netProtocol, "websocket upgrade response lacks Upgrade/Connection headers")
        }
        guard head.header("Sec-WebSocket-Accept") == acceptValue(for: key) else {
            throw NetError(.netProtocol, "websocket upgrade response has a wrong Sec-WebSocket-Accept")
        }
    }

    /// What a server learned from a valid upgrade request.
    public struct ClientRequest: Sendable {
        public var path: String
        public var key: String
        /// The raw `Authorization` header, if any (a secret).
        public var authorization: String?
    }

    /// Validates a client's upgrade request (GET, Upgrade: websocket, Connection: Upgrade, version 13, key).
    public static func validateClientRequest(_ head: HTTPHead) throws -> ClientRequest {
        guard head.startLine.count == 3, head.startLine[0] == "GET", head.startLine[2].hasPrefix("HTTP/1.1") else {
            throw NetError(.netProtocol, "not an HTTP/1.1 GET request")
        }
        guard head.header("Upgrade")?.caseInsensitiveCompare("websocket") == .orderedSame,
              head.headerHasToken("Connection", "upgrade") else {
            throw NetError(.netProtocol, "not a websocket upgrade request")
        }
        guard head.header("Sec-WebSocket-Version") == "13" else {
            throw NetError(.netProtocol, "unsupported websocket version")
        }
        guard let key = head.header("Sec-WebSocket-Key"), Data(base64Encoded: key)?.count == 16 else {
            throw NetError(.netProtocol, "missing or bad Sec-WebSocket-Key")
        }
        return ClientRequest(path: head.startLine[1], key: key, authorization: head.header("Authorization"))
    }

    /// The server's `101 Switching Protocols` answer.
    public static func switchingProtocols(key: String) -> [UInt8] {
        Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(for: key))\r\n\r\n").utf8)
    }

    /// A plain HTTP error answer that closes the connection (dcrwallet's 401 carries
    /// `WWW-Authenticate: Basic realm="btcwallet RPC"` and body `401 Unauthorized.`).
    public static func errorResponse(status: Int, reason: String, body: String, extraHeaders: [(String, String)] = []) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in extraHeaders { text += "\(name): \(value)\r\n" }
        text += "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(text.utf8)
    }
}
