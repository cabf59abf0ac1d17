import Foundation

/// The control API's tiny HTTP/1.1 subset, as a pure parser: one request or response per connection,
/// `Content-Length` bodies only, hard size limits (the API carries a few bytes of JSON).
package struct ControlMessage: Sendable, Equatable {
    /// `GET /v1/version HTTP/1.1` or `HTTP/1.1 200 OK`.
    package var startLine: String
    /// Header names lower-cased.
    package var headers: [String: String]
    package var body: [UInt8]

    /// Request line parts: method, path.
    package var requestParts: (method: String, path: String)? {
        let parts = startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// The status code of a response line.
    package var statusCode: Int? {
        let parts = startLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else { return nil }
        return code
    }
}

package enum ControlWire {
    static let maxHeadBytes = 8 * 1024
    static let maxBodyBytes = 16 * 1024
    static let maxHeaders = 32

    /// A complete message from `bytes`, nil when more bytes are needed, or a `ControlError` for bad input.
    package static func parse(_ bytes: [UInt8]) throws -> ControlMessage? {
        guard let headEnd = headEnd(in: bytes) else {
            if bytes.count > maxHeadBytes { throw ControlError(.controlBadMessage, "header section too large") }
            return nil
        }
        guard headEnd <= maxHeadBytes else { throw ControlError(.controlBadMessage, "header section too large") }
        guard let head = String(validating: bytes[0..<headEnd], as: UTF8.self) else {
            throw ControlError(.controlBadMessage, "header section is not UTF-8")
        }
        var lines = head.components(separatedBy: "\r\n")
        let startLine = lines.removeFirst()
        guard !startLine.isEmpty else { throw ControlError(.controlBadMessage, "empty start line") }
        guard lines.count <= maxHeaders else { throw ControlError(.controlBadMessage, "too many headers") }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw ControlError(.controlBadMessage, "malformed header line")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty, !name.contains(" ") else { throw ControlError(.controlBadMessage, "bad header name") }
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["transfer-encoding"] != nil {
            throw ControlError(.controlBadMessage, "transfer-encoding is not supported")
        }
        var length = 0
        if let text = headers["content-length"] {
            guard let value = Int(text), value >= 0 else { throw ControlError(.controlBadMessage, "bad content-length") }
            guard value <= maxBodyBytes else { throw ControlError(.controlBadMessage, "body too large") }
            length = value
        }
        let bodyStart = headEnd + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return ControlMessage(startLine: startLine, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)]))
    }

    /// Index of the `\r\n\r\n` that ends the head.
    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Serialises a response (always `Connection: close`).
    package static func response(status: Int, reason: String, json: String) -> [UInt8] {
        let body = Array(json.utf8)
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Serialises a request.
    package static func request(method: String, path: String, host: String, token: String?, json: String?) -> [UInt8] {
        let body = Array((json ?? "").utf8)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if json != nil { head += "Content-Type: application/json\r\n" }
        if let token, !token.isEmpty { head += "Authorization: Bearer \(token)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }
}
