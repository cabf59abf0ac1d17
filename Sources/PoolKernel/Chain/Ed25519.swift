import COpenSSL

/// An Ed25519 (RFC 8032, pure) signing key held by OpenSSL (`EVP_PKEY_ED25519`), built from its 32-byte seed:
/// the VSP's response-signing key (vspd keeps the seed; clients pin the public key).
///
/// `@unchecked Sendable`: the `EVP_PKEY` is fully built in `init` and never changed afterwards; OpenSSL allows
/// concurrent signing with one key as long as each signature has its own `EVP_MD_CTX`, which `sign` creates.
public final class Ed25519SigningKey: @unchecked Sendable {
    public static let seedLength = 32
    public static let signatureLength = 64

    /// The raw 32-byte public key (what vspd's `vspinfo.pubkey` carries in base64).
    public let publicKey: [UInt8]
    /// The 32-byte seed (the private key as RFC 8032 defines it). Never logged.
    let seed: [UInt8]
    private let key: OpaquePointer

    /// A key from a 32-byte seed; any other length throws `badPrivateKey`.
    public init(seed: [UInt8]) throws {
        guard seed.count == Self.seedLength else { throw ChainError(.badPrivateKey, "An Ed25519 seed must be 32 bytes.") }
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            ERR_clear_error()
            throw ChainError(.cryptoFailure, "OpenSSL could not build an Ed25519 key.")
        }
        var publicKey = [UInt8](repeating: 0, count: 32)
        var length = publicKey.count
        guard EVP_PKEY_get_raw_public_key(key, &publicKey, &length) == 1, length == 32 else {
            EVP_PKEY_free(key)
            throw ChainError(.cryptoFailure, "OpenSSL could not export the Ed25519 public key.")
        }
        self.key = key
        self.seed = seed
        self.publicKey = publicKey
    }

    /// A fresh key from OpenSSL's private random generator.
    public static func generate() throws -> Ed25519SigningKey {
        var seed = [UInt8](repeating: 0, count: seedLength)
        guard RAND_priv_bytes(&seed, Int32(seedLength)) == 1 else {
            throw ChainError(.cryptoFailure, "OpenSSL's random generator failed.")
        }
        return try Ed25519SigningKey(seed: seed)
    }

    deinit { EVP_PKEY_free(key) }

    /// The 64-byte signature of exactly `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw ChainError(.cryptoFailure, "Out of memory.") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        var length = signature.count
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
              EVP_DigestSign(context, &signature, &length, message, message.count) == 1,
              length == Self.signatureLength else {
            ERR_clear_error()
            throw ChainError(.cryptoFailure, "OpenSSL could not make an Ed25519 signature.")
        }
        return signature
    }
}

/// Ed25519 verification through OpenSSL.
public enum Ed25519 {
    /// Whether `signature` (64 bytes) is `publicKey`'s (32 bytes) signature of `message`. Wrong sizes are
    /// simply invalid.
    public static func isValid(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == Ed25519SigningKey.signatureLength, publicKey.count == 32,
              let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, publicKey, publicKey.count) else {
            ERR_clear_error()
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        let valid = EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1
            && EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        ERR_clear_error()
        return valid
    }
}
