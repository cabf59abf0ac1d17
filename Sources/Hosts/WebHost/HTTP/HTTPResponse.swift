/// A response a handler returns. The server adds `Content-Length`, `Date` and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

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
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
