import Foundation
import PoolKernel
import XCTest

final class APITokenTests: XCTestCase {
    func testAPIToken_matchesSpecExampleBytes() {
        let signer = APITokenSigner(secret: "secret", issuer: "http://127.0.0.1:8000")
        let token = signer.issue(for: 64, at: Date(timeIntervalSince1970: 1_481_730_366))
        // Header and payload segments from webapp spec §4.2; signature computed independently (HMAC-SHA256, key "secret").
        XCTAssertEqual(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJpYXQiOjE0ODE3MzAzNjYsImlzcyI6Imh0dHA6Ly8xMjcuMC4wLjE6ODAwMCIsImxvZ2dlZEluQXMiOjY0fQ."
            + "qGutcgzek8_W7DK4cDa3-gVlhwn4iBpCl4AL3rFAaqc")
        let claims = try? signer.verify(token, now: Date(timeIntervalSince1970: 1_600_000_000))
        XCTAssertEqual(claims, APITokenClaims(issuedAt: 1_481_730_366, issuer: "http://127.0.0.1:8000", userID: 64))
    }

    func testAPIToken_rejectsBadTokens() {
        let signer = APITokenSigner(secret: "secret", issuer: "https://pool")
        let good = signer.issue(for: 7)
        let parts = good.split(separator: ".").map(String.init)
        func code(_ token: String) -> ErrorCode? {
            do { _ = try signer.verify(token); return nil } catch { return error.code }
        }
        XCTAssertNil(code(good))
        XCTAssertEqual(code("abc"), .tokenMalformed)
        // Change the signature's first character (its last one carries 2 unused bits, so changing it may not
        // change the decoded bytes at all).
        let tampered = (parts[2].first == "A" ? "B" : "A") + parts[2].dropFirst()
        XCTAssertEqual(code(parts[0] + "." + parts[1] + "." + tampered), .tokenSignature)
        XCTAssertEqual(code(parts[0] + "=." + parts[1] + "." + parts[2]), .tokenMalformed)
        XCTAssertEqual(code(APITokenSigner(secret: "other", issuer: "https://pool").issue(for: 7)), .tokenSignature)
        XCTAssertEqual(code(APITokenSigner(secret: "secret", issuer: "https://elsewhere").issue(for: 7)), .tokenIssuer)
        XCTAssertEqual(code(signer.issue(for: 7, at: Date().addingTimeInterval(3600))), .tokenNotYetValid)
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        XCTAssertEqual(code(none + "." + parts[1] + "."), .tokenAlgorithm)
        // Correctly signed, but loggedInAs is a string (v1.1.1 panicked here).
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"iat":1,"iss":"https://pool","loggedInAs":"7"}"#.utf8))
        let signature = Base64URL.encode(hmac(header + "." + payload))
        XCTAssertEqual(code(header + "." + payload + "." + signature), .tokenClaims)
        let expiring = Base64URL.encode(Array(#"{"exp":2,"iat":1,"iss":"https://pool","loggedInAs":7}"#.utf8))
        XCTAssertEqual(code(header + "." + expiring + "." + Base64URL.encode(hmac(header + "." + expiring))), .tokenExpired)
    }

    private func hmac(_ text: String) -> [UInt8] { IndependentHMAC.hmac(text) }
}

/// HMAC-SHA256 with key "secret" in plain Swift, so the test signs hand-made payloads without
/// trusting the code under test (or OpenSSL).
enum IndependentHMAC {
    static func hmac(_ text: String) -> [UInt8] {
        let key = Array("secret".utf8) + [UInt8](repeating: 0, count: 64 - 6)
        let inner = sha256(key.map { $0 ^ 0x36 } + Array(text.utf8))
        return sha256(key.map { $0 ^ 0x5C } + inner)
    }

    /// A small SHA-256 (FIPS 180-4) so the test does not trust the code under test.
    static func sha256(_ message: [UInt8]) -> [UInt8] {
        let k: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message + [0x80]
        while data.count % 64 != 56 { data.append(0) }
        let bits = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        for chunk in stride(from: 0, to: data.count, by: 64) {
            var w = [UInt32](repeating: 0, count: 64)
            for i in 0..<16 {
                w[i] = UInt32(data[chunk + 4 * i]) << 24 | UInt32(data[chunk + 4 * i + 1]) << 16
                    | UInt32(data[chunk + 4 * i + 2]) << 8 | UInt32(data[chunk + 4 * i + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h = [h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d, h[4] &+ e, h[5] &+ f, h[6] &+ g, h[7] &+ hh]
        }
        return h.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * $0)) } }
    }
}
