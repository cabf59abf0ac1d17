/// Deterministic ECDSA nonces (RFC 6979 §3.2 with HMAC-SHA256) exactly as dcrd's `secp256k1.NonceRFC6979`
/// builds them: the private key and hash are left-padded or cut to 32 bytes, optional 32-byte extra data and
/// 16-byte version join the seed, and `extraIterations` skips that many valid candidates.
enum RFC6979 {
    static func nonce(privateKey: [UInt8], hash: [UInt8], extraData: [UInt8] = [], version: [UInt8] = [],
                      extraIterations: UInt32 = 0) -> [UInt8] {
        func fitted(_ bytes: [UInt8]) -> [UInt8] {
            let cut = Array(bytes.prefix(32))
            return [UInt8](repeating: 0, count: 32 - cut.count) + cut
        }
        var seed = fitted(privateKey) + fitted(hash)
        if extraData.count == 32 {
            seed += extraData
            if version.count == 16 { seed += version }
        } else if version.count == 16 {
            seed += [UInt8](repeating: 0, count: 32) + version
        }
        var v = [UInt8](repeating: 0x01, count: 32)
        var k = [UInt8](repeating: 0x00, count: 32)
        k = HMACSHA256.authenticationCode(key: k, message: v + [0x00] + seed)
        v = HMACSHA256.authenticationCode(key: k, message: v)
        k = HMACSHA256.authenticationCode(key: k, message: v + [0x01] + seed)
        v = HMACSHA256.authenticationCode(key: k, message: v)
        var generated: UInt32 = 0
        while true {
            v = HMACSHA256.authenticationCode(key: k, message: v)
            let candidate = v
            if !candidate.allSatisfy({ $0 == 0 }) && Secp256k1Constants.isBelowOrder(candidate) {
                if generated == extraIterations { return candidate }
                generated += 1
            }
            k = HMACSHA256.authenticationCode(key: k, message: v + [0x00])
            v = HMACSHA256.authenticationCode(key: k, message: v)
        }
    }
}
