import Foundation

/// One parsed request plus what the server knows about where it came from.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent (`/api/v1/stats?x=1`).
    public var target: String
    /// The percent-decoded path (`/api/v1/stats`), always starting with `/` (or `*` for `OPTIONS *`).
    public var path: String
    /// The raw query string after `?` (without it), empty when absent.
    public var query: String
    /// `(1, 1)` or `(1, 0)`.
    public var version: (major: Int, minor: Int)
    public var headers: HTTPHeaders
    public var body: [UInt8]

    // MARK: Filled by the server and the router.

    /// The TCP peer's IP address (`unix` for a Unix-socket peer).
    public var peerAddress: String = ""
    /// The client's IP: from `realipheader` when the peer is a trusted proxy, else the peer address.
    public var clientIP: String = ""
    /// A short unique id for logs and the `X-Request-Id` response header.
    public var requestID: String = ""
    /// Path parameters captured by the route pattern (`:command` → `command`).
    public var parameters: [String: String] = [:]
    /// The route pattern that matched (`/api/v1/:command`), for metrics; nil before routing.
    public var routePattern: String?
    /// Monotonic time (ns) when the request was completely received.
    public var receivedAt: UInt64 = 0

    public init(method: HTTPMethod, target: String, path: String? = nil, query: String = "",
                version: (major: Int, minor: Int) = (1, 1), headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.path = path ?? target
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// Whether the client allows the connection to stay open after this request.
    public var wantsKeepAlive: Bool {
        let tokens = headers.values("Connection").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if version.major == 1 && version.minor >= 1 { return !tokens.contains("close") }
        return tokens.contains("keep-alive")
    }

    /// Query parameters (form-decoded), first value wins.
    public var queryItems: [String: String] { FormDecoding.decode(query) }

    /// Form values as Go's `FormValue`: an `application/x-www-form-urlencoded` body first, then the
    /// query string. Multipart bodies are not supported (the API never sends them).
    public var formValues: [String: String] {
        var values = FormDecoding.decode(query)
        let type = headers["Content-Type"]?.lowercased() ?? ""
        if type.hasPrefix("application/x-www-form-urlencoded") {
            for (key, value) in FormDecoding.decode(String(decoding: body, as: UTF8.self)) { values[key] = value }
        }
        return values
    }
}

/// `application/x-www-form-urlencoded` decoding (also used for query strings).
public enum FormDecoding {
    /// Decodes `a=1&b=x+y`; the first occurrence of a key wins; malformed escapes are kept verbatim.
    public static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(parts[0])
            let value = parts.count > 1 ? unescape(parts[1]) : ""
            if result[key] == nil { result[key] = value }
        }
        return result
    }

    static func unescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                      let high = hexValue(iterator[iterator.startIndex]),
                      let low = hexValue(iterator[iterator.startIndex + 1]) {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
