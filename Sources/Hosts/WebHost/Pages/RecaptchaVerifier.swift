import Foundation
import PoolKernel
import PoolNet

/// Google reCAPTCHA server-side verification (spec §3.21): POSTs `secret` and `response` as
/// `application/x-www-form-urlencoded` to `https://www.google.com/recaptcha/api/siteverify` over TLS (system
/// trust store), 20 s timeout, and passes iff the JSON reply has `"success": true`. Any network, HTTP or JSON
/// problem is a failure, logged as `Recaptcha error [...]` (never with the secret).
public struct RecaptchaVerifier: Sendable {
    public static let host = "www.google.com"
    public static let path = "/recaptcha/api/siteverify"
    static let maxReplyBytes = 64 * 1024

    let secret: String
    let timeout: Duration
    let logger: Logger

    public init(secret: String, timeout: Duration = .seconds(20), logger: Logger) {
        self.secret = secret
        self.timeout = timeout
        self.logger = logger
    }

    /// The captcha mode for `Pages` with this verifier.
    public func mode(siteKey: String) -> CaptchaMode {
        let verifier = self
        return .recaptcha(siteKey: siteKey) { response in await verifier.verify(response) }
    }

    public func verify(_ response: String) async -> Bool {
        let body = "secret=\(Self.formEscape(secret))&response=\(Self.formEscape(response))"
        let request = "POST \(Self.path) HTTP/1.1\r\nHost: \(Self.host)\r\nUser-Agent: hxstakepool\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
        let timeout = self.timeout
        do {
            let context = try TLSContext(client: TLSClientConfiguration())
            let connection = try await NetConnection.connect(to: HostPort(host: Self.host, port: 443), timeout: timeout)
            defer { connection.close() }
            let reply = try await connection.perform { connection -> [UInt8] in
                try connection.startTLS(context, serverName: Self.host, timeout: timeout)
                try connection.write(request, timeout: timeout)
                var bytes: [UInt8] = []
                while bytes.count <= Self.maxReplyBytes {
                    let chunk = try connection.read(timeout: timeout)
                    if chunk.isEmpty { break }
                    bytes += chunk
                }
                return bytes
            }
            let (passed, codes) = Self.interpret(reply)
            if !passed { logger.warn("Recaptcha error: \(codes.joined(separator: ", "))") }
            return passed
        } catch {
            logger.warn("Recaptcha error [\(error)]")
            return false
        }
    }

    /// Reads an HTTP/1.1 reply (plain or chunked body): success iff status 200 and `"success": true`.
    static func interpret(_ reply: [UInt8]) -> (Bool, [String]) {
        let text = String(decoding: reply, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return (false, ["malformed reply"]) }
        let head = text[..<split.lowerBound]
        guard head.hasPrefix("HTTP/1.1 200") || head.hasPrefix("HTTP/1.0 200") else {
            return (false, [String(head.prefix(while: { $0 != "\r" }))])
        }
        var body = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            return (false, ["invalid JSON"])
        }
        let codes = object["error-codes"] as? [String] ?? []
        return ((object["success"] as? Bool) == true, codes)
    }

    static func dechunk(_ body: String) -> String {
        var out = ""
        var rest = Substring(body)
        while let lineEnd = rest.range(of: "\r\n") {
            guard let field = rest[..<lineEnd.lowerBound].split(separator: ";").first,
                  let size = Int(field.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let utf8 = rest.utf8
            guard utf8.distance(from: start, to: utf8.endIndex) >= size else { break }
            let end = utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return out
    }

    static func formEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
