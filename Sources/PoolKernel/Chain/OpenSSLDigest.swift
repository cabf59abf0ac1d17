import COpenSSL

/// One-shot message digests through OpenSSL's EVP interface (the algorithms we do not implement ourselves).
enum OpenSSLDigest {
    /// Digest of `bytes` with `md`; `outputLength` is the algorithm's fixed size.
    /// OpenSSL only fails here on allocation failure, which is not recoverable for a pure function.
    static func digest(_ md: OpaquePointer?, outputLength: Int, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: outputLength) { out, count in
            var written: UInt32 = 0
            let ok = EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &written, md, nil)
            precondition(ok == 1 && Int(written) == outputLength, "EVP_Digest failed")
            count = outputLength
        }
    }

    /// HMAC of `message` under `key` with digest `md` (nil only for an unknown digest, a programmer error).
    static func hmac(_ md: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                HMAC(md, k.baseAddress, Int32(k.count), m.bindMemory(to: UInt8.self).baseAddress, m.count, &output, &length)
            }
        }
        precondition(result != nil, "HMAC failed")
        return Array(output.prefix(Int(length)))
    }
}

/// RIPEMD-160 (OpenSSL 3's default provider still ships it).
public enum RIPEMD160 {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { OpenSSLDigest.digest(EVP_ripemd160(), outputLength: 20, $0) }
    }
}

/// SHA-256.
public enum SHA256 {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { OpenSSLDigest.digest(EVP_sha256(), outputLength: 32, $0) }
    }
}

/// HMAC-SHA512 (BIP32 master and child key derivation).
public enum HMACSHA512 {
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        OpenSSLDigest.hmac(EVP_sha512(), key: key, message: message)
    }
}

/// HMAC-SHA256 (session cookie signatures).
public enum HMACSHA256 {
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        OpenSSLDigest.hmac(EVP_sha256(), key: key, message: message)
    }
}

/// Decred's hash160: RIPEMD160(BLAKE256(x)), used for P2PKH and P2SH addresses and HD fingerprints.
public enum Hash160 {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { RIPEMD160.hash(BLAKE256.hash(bytes)) }
}
