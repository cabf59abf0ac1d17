import COpenSSL

/// secp256k1 key arithmetic through OpenSSL's EC API: public key parsing and compression, scalar
/// multiplication and point addition for BIP32 derivation.
///
/// Each operation owns one `Secp256k1Context` (BN scratch context) for its duration; the curve group
/// itself is shared read-only.
package enum Secp256k1 {
    /// Length of a compressed public key (0x02/0x03 ‖ X).
    static let compressedLength = 33

    /// The compressed form of a compressed (0x02/0x03, 33 bytes) or uncompressed (0x04, 65 bytes) public key.
    /// Hybrid (0x06/0x07) encodings, other lengths, and points not on the curve throw `badPublicKey`.
    static func compressed(_ publicKey: [UInt8]) throws -> [UInt8] { try encoded(publicKey, compressed: true) }

    /// The 65-byte uncompressed form (0x04 ‖ X ‖ Y) of a valid public key.
    static func uncompressed(_ publicKey: [UInt8]) throws -> [UInt8] { try encoded(publicKey, compressed: false) }

    /// Optimized builds parse on the Swift field arithmetic (`Secp256k1Point.parse`: a compressed key's Y is a
    /// square root, which OpenSSL computes on generic `BIGNUM`s — every derived fee address pays one). Unoptimized
    /// builds keep OpenSSL's parser for the reason `addTweak` gives; the tests compare both parsers in every build.
    private static func encoded(_ publicKey: [UInt8], compressed: Bool) throws -> [UInt8] {
        #if DEBUG
        let context = try Secp256k1Context()
        let point = try context.parse(publicKey)
        defer { EC_POINT_free(point) }
        return try context.serialize(point, compressed: compressed)
        #else
        try checkShape(publicKey)
        guard let point = Secp256k1Point.parse(publicKey) else {
            throw ChainError(.badPublicKey, "The public key is not a point on secp256k1.")
        }
        return Secp256k1Point.serialize(point, compressed: compressed)
        #endif
    }

    /// Refuses any public-key encoding but 33 bytes 0x02/0x03 or 65 bytes 0x04 (hybrid forms included, which
    /// OpenSSL would accept).
    static func checkShape(_ bytes: [UInt8]) throws {
        let shapeOK = (bytes.count == 33 && (bytes[0] == 0x02 || bytes[0] == 0x03)) || (bytes.count == 65 && bytes[0] == 0x04)
        guard shapeOK else {
            throw ChainError(.badPublicKey, "A public key must be 33 bytes (0x02/0x03) or 65 bytes (0x04).")
        }
    }

    /// Whether `publicKey` is a valid compressed or uncompressed secp256k1 point.
    static func isValidPublicKey(_ publicKey: [UInt8]) -> Bool { (try? compressed(publicKey)) != nil }

    /// The compressed public key of a 32-byte private key; zero or ≥ n throws `badPrivateKey`.
    ///
    /// Optimized builds compute it with the constant-time comb of `Secp256k1SecretMultiplication` (payfee derives
    /// one per request; OpenSSL's ladder costs several times more). Unoptimized builds keep OpenSSL's, for the
    /// reason `addTweak` gives; the tests compare both in every build.
    package static func publicKey(privateKey: [UInt8]) throws -> [UInt8] {
        #if DEBUG
        return try publicKeyWithOpenSSL(privateKey: privateKey)
        #else
        guard privateKey.count == 32 else { throw ChainError(.badPrivateKey, "A secp256k1 scalar must be 32 bytes.") }
        guard let publicKey = Secp256k1SecretMultiplication.publicKey(privateKey: privateKey) else {
            throw ChainError(.badPrivateKey, "A secp256k1 private key must be non-zero and below the curve order.")
        }
        return publicKey
        #endif
    }

    /// `publicKey(privateKey:)` through OpenSSL's constant-time ladder: the reference the differential tests use.
    package static func publicKeyWithOpenSSL(privateKey: [UInt8]) throws -> [UInt8] {
        let context = try Secp256k1Context()
        let scalar = try context.scalar(privateKey)
        defer { BN_clear_free(scalar) }
        let point = try context.newPoint()
        defer { EC_POINT_free(point) }
        guard EC_POINT_mul(context.group, point, scalar, nil, nil, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar multiplication failed.")
        }
        return try context.serialize(point, compressed: true)
    }

    /// A public key in both encodings: what a derived child needs to be serialized (compressed) and to be
    /// the next parent without re-deriving Y (uncompressed: parsing it needs no square root).
    struct PublicKeyForms: Sendable {
        let compressed: [UInt8]
        let uncompressed: [UInt8]
    }

    /// point(tweak) + publicKey (BIP32 public child derivation). `publicKey` may be compressed or uncompressed.
    /// A tweak ≥ n or a result at infinity throws `badDerivation` (the caller moves on to the next index).
    ///
    /// Optimized builds run it on the Swift field arithmetic of `Secp256k1Point` (tweak·G from a byte-window
    /// table, one addition, one inversion: about 3× faster than OpenSSL's generic curve code). Unoptimized
    /// (debug/test) builds use OpenSSL's path, because unoptimized Swift big-number code is ~15× slower than
    /// the C library and tests derive tens of thousands of keys; the Swift path is compared with OpenSSL on
    /// random inputs by the tests in every build.
    static func addTweak(_ tweak: [UInt8], toPublicKey publicKey: [UInt8]) throws -> PublicKeyForms {
        #if DEBUG
        return try addTweakWithOpenSSL(tweak, toPublicKey: publicKey)
        #else
        return try addTweakInSwift(tweak, toPublicKey: publicKey)
        #endif
    }

    /// `addTweak` on the Swift point arithmetic (a compressed parent is first decompressed through OpenSSL).
    static func addTweakInSwift(_ tweak: [UInt8], toPublicKey publicKey: [UInt8]) throws -> PublicKeyForms {
        guard tweak.count == 32, Secp256k1Constants.isBelowOrder(tweak) else {
            throw ChainError(.badDerivation, "Derived tweak is not below the curve order; use the next index.")
        }
        let uncompressedKey = publicKey.count == 65 ? publicKey : try uncompressed(publicKey)
        guard let parent = Secp256k1Point.parseUncompressed(uncompressedKey) else {
            throw ChainError(.badPublicKey, "The public key is not a point on secp256k1.")
        }
        guard let child = Secp256k1Point.multiplyGenerator(tweak).adding(parent).normalized() else {
            throw ChainError(.badDerivation, "Derived key is the point at infinity; use the next index.")
        }
        return PublicKeyForms(compressed: Secp256k1Point.serialize(child, compressed: true),
                              uncompressed: Secp256k1Point.serialize(child, compressed: false))
    }

    /// The same operation through OpenSSL's EC API (one wNAF double-scalar multiplication over the generator
    /// table): the independent reference the differential tests compare `addTweak` with.
    static func addTweakWithOpenSSL(_ tweak: [UInt8], toPublicKey publicKey: [UInt8]) throws -> PublicKeyForms {
        let context = try Secp256k1Context()
        let base = try context.parse(publicKey)
        defer { EC_POINT_free(base) }
        let scalar: OpaquePointer
        do {
            scalar = try context.scalar(tweak, allowZero: true)
        } catch {
            throw ChainError(.badDerivation, "Derived tweak is not below the curve order; use the next index.")
        }
        defer { BN_clear_free(scalar) }
        let sum = try context.newPoint()
        defer { EC_POINT_free(sum) }
        guard EC_POINT_mul(context.group, sum, scalar, base, BN_value_one(), context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 point arithmetic failed.")
        }
        guard EC_POINT_is_at_infinity(context.group, sum) == 0 else {
            throw ChainError(.badDerivation, "Derived key is the point at infinity; use the next index.")
        }
        // One field inversion to affine X and Y, then both encodings are plain byte layouts (serializing
        // the projective point twice would pay the inversion twice).
        guard let x = BN_new(), let y = BN_new() else { throw ChainError(.cryptoFailure, "Out of memory.") }
        defer { BN_free(x); BN_free(y) }
        var xBytes = [UInt8](repeating: 0, count: 32), yBytes = [UInt8](repeating: 0, count: 32)
        guard EC_POINT_get_affine_coordinates(context.group, sum, x, y, context.bn) == 1,
              BN_bn2binpad(x, &xBytes, 32) == 32, BN_bn2binpad(y, &yBytes, 32) == 32 else {
            throw ChainError(.cryptoFailure, "secp256k1 point normalization failed.")
        }
        return PublicKeyForms(compressed: [yBytes[31] & 1 == 0 ? 0x02 : 0x03] + xBytes,
                              uncompressed: [0x04] + xBytes + yBytes)
    }

    /// (tweak + privateKey) mod n as 32 bytes (BIP32 private child derivation). A tweak ≥ n or a zero
    /// result throws `badDerivation`.
    static func addTweak(_ tweak: [UInt8], toPrivateKey privateKey: [UInt8]) throws -> [UInt8] {
        let context = try Secp256k1Context()
        let key = try context.scalar(privateKey, allowZero: true)
        defer { BN_clear_free(key) }
        let scalar: OpaquePointer
        do {
            scalar = try context.scalar(tweak, allowZero: true)
        } catch {
            throw ChainError(.badDerivation, "Derived tweak is not below the curve order; use the next index.")
        }
        defer { BN_clear_free(scalar) }
        guard let sum = BN_secure_new() else { throw ChainError(.cryptoFailure, "Out of memory.") }
        defer { BN_clear_free(sum) }
        guard BN_mod_add(sum, scalar, key, EC_GROUP_get0_order(context.group), context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar addition failed.")
        }
        guard BN_is_zero(sum) == 0 else { throw ChainError(.badDerivation, "Derived private key is zero; use the next index.") }
        var out = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(sum, &out, 32) == 32 else { throw ChainError(.cryptoFailure, "Scalar serialization failed.") }
        return out
    }
}

/// The secp256k1 curve group, built once (building a group per call dominated derivation time).
///
/// `@unchecked Sendable`: the group is fully constructed in `init` and never mutated afterwards; OpenSSL only reads a group during point arithmetic, so sharing it across
/// threads is safe. It lives for the whole process (a constant, not mutable global state).
final class Secp256k1Group: @unchecked Sendable {
    static let shared = Secp256k1Group()

    let group: OpaquePointer?

    private init() {
        group = EC_GROUP_new_by_curve_name(NID_secp256k1)
        // The generator table makes public derivation several times faster (see `addTweak`). Without it
        // results are the same, only slower, so a failure here is not an error.
        if let group, let bn = BN_CTX_new() {
            _ = copenssl_ec_group_precompute_mult(group, bn)
            BN_CTX_free(bn)
        }
    }

    deinit {
        EC_GROUP_free(group)
    }
}

/// The shared secp256k1 group plus this operation's own BN scratch context (freed in `deinit`).
final class Secp256k1Context {
    let group: OpaquePointer
    let bn: OpaquePointer

    init() throws {
        guard let group = Secp256k1Group.shared.group else {
            throw ChainError(.cryptoFailure, "OpenSSL has no secp256k1 curve.")
        }
        guard let bn = BN_CTX_new() else { throw ChainError(.cryptoFailure, "Out of memory.") }
        self.group = group
        self.bn = bn
    }

    deinit {
        BN_CTX_free(bn)
    }

    func newPoint() throws -> OpaquePointer {
        guard let point = EC_POINT_new(group) else { throw ChainError(.cryptoFailure, "Out of memory.") }
        return point
    }

    /// Parses a compressed (33) or uncompressed (65) point; the caller frees it. Hybrid forms are refused.
    func parse(_ bytes: [UInt8]) throws -> OpaquePointer {
        try Secp256k1.checkShape(bytes)
        let point = try newPoint()
        guard EC_POINT_oct2point(group, point, bytes, bytes.count, bn) == 1,
              EC_POINT_is_on_curve(group, point, bn) == 1 else {
            EC_POINT_free(point)
            ERR_clear_error()
            throw ChainError(.badPublicKey, "The public key is not a point on secp256k1.")
        }
        return point
    }

    func serialize(_ point: OpaquePointer, compressed: Bool) throws -> [UInt8] {
        let length = compressed ? 33 : 65
        var out = [UInt8](repeating: 0, count: length)
        let form = compressed ? POINT_CONVERSION_COMPRESSED : POINT_CONVERSION_UNCOMPRESSED
        guard EC_POINT_point2oct(group, point, form, &out, length, bn) == length else {
            throw ChainError(.cryptoFailure, "Point serialization failed.")
        }
        return out
    }

    /// A 32-byte big-endian scalar below the order; the caller frees it with `BN_clear_free`.
    func scalar(_ bytes: [UInt8], allowZero: Bool = false) throws -> OpaquePointer {
        guard bytes.count == 32, let value = BN_secure_new() else {
            throw ChainError(.badPrivateKey, "A secp256k1 scalar must be 32 bytes.")
        }
        guard BN_bin2bn(bytes, 32, value) != nil,
              BN_cmp(value, EC_GROUP_get0_order(group)) < 0,
              allowZero || BN_is_zero(value) == 0 else {
            BN_clear_free(value)
            throw ChainError(.badPrivateKey, "A secp256k1 private key must be non-zero and below the curve order.")
        }
        return value
    }
}
