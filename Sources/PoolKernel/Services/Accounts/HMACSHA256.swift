import COpenSSL

/// HMAC-SHA256 (session cookie signatures).
public enum HMACSHA256 {
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            var written: UInt32 = 0
            let result = key.withUnsafeBytes { k in
                message.withUnsafeBytes { m in
                    HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.bindMemory(to: UInt8.self).baseAddress, m.count,
                         out.baseAddress, &written)
                }
            }
            precondition(result != nil && written == 32, "HMAC-SHA256 failed")
            count = 32
        }
    }
}
