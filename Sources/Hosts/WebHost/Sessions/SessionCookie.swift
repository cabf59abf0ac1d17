import Foundation
import PoolKernel

/// The `session` cookie: `<id>.<signature>`, both base64url; the signature is HMAC-SHA256 of the id under
/// `cookiesecret`. The store keys sessions by SHA-256 of the id, so a database leak does not leak live cookies.
struct SessionCookie: Sendable {
    static let name = "session"
    /// Cookie values longer than this are ignored without parsing.
    static let maxLength = 200

    let secret: [UInt8]

    init(secret: String) { self.secret = Array(secret.utf8) }

    /// A fresh random session id (32 bytes, base64url).
    static func newID() -> String { Base64URL.encode(SecureRandom.bytes(32)) }

    /// The storage key of a cookie id.
    static func storageKey(_ id: String) -> String { SecureRandom.hex(SHA256.hash(Array(id.utf8))) }

    func value(for id: String) -> String {
        id + "." + Base64URL.encode(HMACSHA256.authenticationCode(key: secret, message: Array(id.utf8)))
    }

    /// The id in a cookie value when its signature is right; nil for anything else.
    func id(from value: String) -> String? {
        guard value.utf8.count <= Self.maxLength, let dot = value.firstIndex(of: ".") else { return nil }
        let id = String(value[..<dot])
        guard !id.isEmpty, let signature = Base64URL.decode(value[value.index(after: dot)...]) else { return nil }
        let expected = HMACSHA256.authenticationCode(key: secret, message: Array(id.utf8))
        return APITokenSigner.constantTimeEqual(signature, expected) ? id : nil
    }

    /// The value of cookie `name` in a request's `Cookie` headers, or nil.
    static func read(_ name: String, from headers: HTTPHeaders) -> String? {
        for header in headers.values("Cookie") {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                return pair[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
