/// A response a handler returns. The server adds `Content-Length`, `Date` and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// When set, the body is this file instead of `body` (sent in pieces as the client reads).
    public var file: HTTPFileBody?

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An `application/json; charset=utf-8` response from already encoded bytes.
    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: bytes)
    }

    /// A `text/html` response (no charset, as dcrstakepool's pages).
    public static func html(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/html"], body: Array(text.utf8))
    }

    /// A redirect with Go's tiny HTML body.
    public static func redirect(to location: String, status: HTTPStatus = .seeOther) -> HTTPResponse {
        var response = HTTPResponse.html("<a href=\"\(HTMLEscaping.escape(location))\">\(status.reason)</a>.\n", status: status)
        response.headers.set("Location", location)
        response.headers.set("Content-Type", "text/html; charset=utf-8")
        return response
    }

    /// The small plain-text error bodies the server uses (`404 page not found\n` as Go's mux).
    public static func plainError(_ status: HTTPStatus) -> HTTPResponse {
        switch status.code {
        case 404: .text("404 page not found\n", status: status)
        default: .text("\(status.reason)\n", status: status)
        }
    }
}

/// Minimal HTML escaping for attribute and text contexts.
///
/// Works on UTF-8 bytes: the five special characters are ASCII and never occur inside a multi-byte sequence,
/// so byte-wise replacement is exact (and also escapes a `<` that a combining mark would join into one Character).
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: isSpecial) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 { append(byte, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// One bit per special byte (`" & ' < >`, all below 64: bits 0x22, 0x26, 0x27, 0x3C, 0x3E), one test a byte
    /// instead of five comparisons (the tickets page scans 20,000 hashes).
    @inline(__always)
    static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 64 && (0x5000_00C4_0000_0000 as UInt64) & (1 << UInt64(byte)) != 0
    }

    /// Appends `byte`, or its entity when it is special.
    @inline(__always)
    static func append(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])        // &amp;
        case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])              // &lt;
        case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])              // &gt;
        case 0x22: out.append(contentsOf: [0x26, 0x23, 0x33, 0x34, 0x3B])        // &#34;
        case 0x27: out.append(contentsOf: [0x26, 0x23, 0x33, 0x39, 0x3B])        // &#39;
        default: out.append(byte)
        }
    }
}
