import COpenSSL
import Foundation

/// The claims of a pool API token, in dcrstakepool's order: `iat`, `iss`, `loggedInAs`.
public struct APITokenClaims: Sendable, Equatable {
    /// Unix seconds when the token was issued.
    public var issuedAt: Int64
    /// The pool's `baseurl`.
    public var issuer: String
    /// The user the token authenticates (`loggedInAs`).
    public var userID: UserId

    public init(issuedAt: Int64, issuer: String, userID: UserId) {
        self.issuedAt = issuedAt
        self.issuer = issuer
        self.userID = userID
    }
}

/// Why a token was refused. Messages never contain the token or the secret.
public struct APITokenError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var codeName: String { code.rawValue }
    public static func == (lhs: APITokenError, rhs: APITokenError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    public static let tokenMalformed: ErrorCode = "token-malformed"
    public static let tokenAlgorithm: ErrorCode = "token-algorithm"
    public static let tokenSignature: ErrorCode = "token-signature"
    public static let tokenNotYetValid: ErrorCode = "token-not-yet-valid"
    public static let tokenExpired: ErrorCode = "token-expired"
    public static let tokenIssuer: ErrorCode = "token-issuer"
    public static let tokenClaims: ErrorCode = "token-claims"
}

/// Issues and verifies dcrstakepool API tokens: compact JWS, HS256 with key `apisecret`, header
/// `{"alg":"HS256","typ":"JWT"}`, payload `{"iat":…,"iss":"<baseurl>","loggedInAs":<UserId>}`,
/// base64url without padding (webapp spec §4.2).
///
/// Verification is stricter than v1.1.1 on purpose: `iss` must equal `baseurl` (changing it needs new
/// tokens, as the README says). Callers must also compare the token with the user's stored
/// `apiToken`, so that regenerating a token revokes the old one.
public struct APITokenSigner: Sendable {
    private let secret: [UInt8]
    public let issuer: String
    /// Tolerated clock difference for `iat`/`nbf`/`exp`, in seconds.
    public let leeway: Int64

    public init(secret: String, issuer: String, leeway: Int64 = 60) {
        self.secret = Array(secret.utf8)
        self.issuer = issuer
        self.leeway = leeway
    }

    /// A new token for `userID` issued at `date`.
    public func issue(for userID: UserId, at date: Date = Date()) -> String {
        let header = Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        let payload = GoJSON.encode(.object([("iat", .int(Int64(date.timeIntervalSince1970))), ("iss", .string(issuer)),
                                             ("loggedInAs", .int(userID.rawValue))]))
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = Self.hmac(algorithm: "HS256", key: secret, data: Array(signingInput.utf8)) ?? []
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Checks format, algorithm (HS256/384/512), signature, `iat`/`nbf`/`exp` and `iss`, and returns the claims.
    public func verify(_ token: String, now: Date = Date()) throws(APITokenError) -> APITokenClaims {
        guard token.utf8.count <= 4096 else { throw APITokenError(.tokenMalformed, "token too long") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]) else {
            throw APITokenError(.tokenMalformed, "token is not three base64url segments")
        }
        guard let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any],
              let algorithm = header["alg"] as? String else {
            throw APITokenError(.tokenMalformed, "token header is not a JSON object with alg")
        }
        guard ["HS256", "HS384", "HS512"].contains(algorithm) else {
            throw APITokenError(.tokenAlgorithm, "unexpected signing method \(algorithm.prefix(16))")
        }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard let expected = Self.hmac(algorithm: algorithm, key: secret, data: signingInput),
              Self.constantTimeEqual(expected, signature) else {
            throw APITokenError(.tokenSignature, "signature is invalid")
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes)) else {
            throw APITokenError(.tokenMalformed, "token payload is not a JSON object")
        }
        let nowSeconds = Int64(now.timeIntervalSince1970)
        guard let issuedAt = claims.iat else { throw APITokenError(.tokenClaims, "iat claim missing") }
        if issuedAt > nowSeconds + leeway { throw APITokenError(.tokenNotYetValid, "token used before issued") }
        if let notBefore = claims.nbf, notBefore > nowSeconds + leeway {
            throw APITokenError(.tokenNotYetValid, "token is not valid yet")
        }
        if let expiry = claims.exp, nowSeconds - leeway >= expiry {
            throw APITokenError(.tokenExpired, "token is expired")
        }
        guard let tokenIssuer = claims.iss, tokenIssuer == issuer else {
            throw APITokenError(.tokenIssuer, "token was issued for another base URL")
        }
        guard let user = claims.loggedInAs, user > 0 else {
            throw APITokenError(.tokenClaims, "loggedInAs claim missing or not a user id")
        }
        return APITokenClaims(issuedAt: issuedAt, issuer: tokenIssuer, userID: UserId(user))
    }

    /// The registered claims we read; a claim of the wrong type counts as absent.
    private struct Claims: Decodable {
        var iat: Int64?
        var nbf: Int64?
        var exp: Int64?
        var iss: String?
        var loggedInAs: Int64?

        enum CodingKeys: String, CodingKey { case iat, nbf, exp, iss, loggedInAs }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            iat = Self.integer(container, .iat)
            nbf = Self.integer(container, .nbf)
            exp = Self.integer(container, .exp)
            iss = try? container.decode(String.self, forKey: .iss)
            loggedInAs = Self.integer(container, .loggedInAs)
        }

        /// Go's jwt library reads numeric claims as float64: accept integral floats too.
        private static func integer(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Int64? {
            if let value = try? container.decode(Int64.self, forKey: key) { return value }
            if let value = try? container.decode(Double.self, forKey: key), value.isFinite, value == value.rounded(),
               abs(value) < 9.2e18 { return Int64(value) }
            return nil
        }
    }

    static func hmac(algorithm: String, key: [UInt8], data: [UInt8]) -> [UInt8]? {
        let digest: OpaquePointer?
        switch algorithm {
        case "HS256": digest = EVP_sha256()
        case "HS384": digest = EVP_sha384()
        case "HS512": digest = EVP_sha512()
        default: return nil
        }
        return OpenSSLDigest.hmac(digest, key: key, message: data)
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool { ConstantTime.equal(a, b) }
}

/// base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// nil for padding, characters outside the alphabet, or an impossible length.
    public static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95
        }), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
