import COpenSSL

/// A secp256k1 ECDSA signature (R, S) as dcrd's `ecdsa` package handles it: strict DER parsing, low-S DER
/// output, verification without a low-S rule (dcrd accepts high S), and deterministic RFC 6979 signing.
///
/// Verification runs on the fixed-width Swift arithmetic (`ECDSAVerification`), signing on OpenSSL's
/// (`ECDSAMath`: `EC_POINT_mul`, `BN_mod_*`); the ECDSA equations are written here so the behaviour is dcrd's
/// exactly (hash taken as its first 32 bytes reduced mod n, no DER in between).
public struct ECDSASignature: Sendable, Hashable {
    /// R and S, 32 bytes big-endian each, both in 1..<n once parsed.
    public let r: [UInt8]
    public let s: [UInt8]

    /// A signature from 32-byte R and S; values outside 1..<n throw `badSignature`.
    public init(r: [UInt8], s: [UInt8]) throws {
        guard r.count == 32, s.count == 32 else { throw ChainError(.badSignature, "R and S must be 32 bytes each.") }
        if let defect = Self.rangeDefect(r: r, s: s) { throw defect.chainError }
        self.r = r
        self.s = s
    }

    private init(checkedR r: [UInt8], s: [UInt8]) {
        self.r = r
        self.s = s
    }

    /// R's and S's range checks in dcrd's order, or nil when both are in 1..<n.
    static func rangeDefect(r: [UInt8], s: [UInt8]) -> SignatureDefect? {
        if !Secp256k1Constants.isBelowOrder(r) { return .rTooBig }
        if r.allSatisfy({ $0 == 0 }) { return .rIsZero }
        if !Secp256k1Constants.isBelowOrder(s) { return .sTooBig }
        if s.allSatisfy({ $0 == 0 }) { return .sIsZero }
        return nil
    }

    // MARK: - DER

    /// Parses a strict DER signature (dcrd `ParseDERSignature`); any defect throws `badSignature`.
    public init(der: [UInt8]) throws {
        switch Self.parseDER(der) {
        case .success(let signature): self = signature
        case .failure(let defect): throw defect.chainError
        }
    }

    /// DER parsing with the precise defect, checked in dcrd's order.
    static func parseDER(_ sig: [UInt8]) -> Result<ECDSASignature, SignatureDefect> {
        // 0x30 <len> 0x02 <lenR> <R> 0x02 <lenS> <S>
        guard sig.count >= 8 else { return .failure(.sigTooShort) }
        guard sig.count <= 72 else { return .failure(.sigTooLong) }
        guard sig[0] == 0x30 else { return .failure(.invalidSeqID) }
        guard Int(sig[1]) == sig.count - 2 else { return .failure(.invalidDataLen) }
        let rLength = Int(sig[3])
        let sTypeOffset = 4 + rLength
        guard sTypeOffset < sig.count else { return .failure(.missingSTypeID) }
        let sLengthOffset = sTypeOffset + 1
        guard sLengthOffset < sig.count else { return .failure(.missingSLen) }
        let sOffset = sLengthOffset + 1
        let sLength = Int(sig[sLengthOffset])
        guard sOffset + sLength == sig.count else { return .failure(.invalidSLen) }
        guard sig[2] == 0x02 else { return .failure(.invalidRIntID) }
        guard rLength > 0 else { return .failure(.zeroRLen) }
        guard sig[4] & 0x80 == 0 else { return .failure(.negativeR) }
        guard rLength == 1 || sig[4] != 0 || sig[5] & 0x80 != 0 else { return .failure(.tooMuchRPadding) }
        guard sig[sTypeOffset] == 0x02 else { return .failure(.invalidSIntID) }
        guard sLength > 0 else { return .failure(.zeroSLen) }
        guard sig[sOffset] & 0x80 == 0 else { return .failure(.negativeS) }
        guard sLength == 1 || sig[sOffset] != 0 || sig[sOffset + 1] & 0x80 != 0 else { return .failure(.tooMuchSPadding) }
        // R starts at byte 4. Integers may carry one leading zero for the sign bit: strip it, then at most 32
        // bytes may remain.
        func fixed(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
            let trimmed = bytes.drop { $0 == 0 }
            guard trimmed.count <= 32 else { return nil }
            return [UInt8](repeating: 0, count: 32 - trimmed.count) + trimmed
        }
        guard let r = fixed(sig[4..<(4 + rLength)]), Secp256k1Constants.isBelowOrder(r) else { return .failure(.rTooBig) }
        guard !r.allSatisfy({ $0 == 0 }) else { return .failure(.rIsZero) }
        guard let s = fixed(sig[sOffset..<(sOffset + sLength)]), Secp256k1Constants.isBelowOrder(s) else {
            return .failure(.sTooBig)
        }
        guard !s.allSatisfy({ $0 == 0 }) else { return .failure(.sIsZero) }
        return .success(ECDSASignature(checkedR: r, s: s))
    }

    /// The DER encoding with S in low form (dcrd `Serialize`).
    public var der: [UInt8] { Self.der(r: r, s: s) }

    /// DER of raw R and S (S replaced by n − S when above n/2), the way dcrd serializes any (R, S) — zero included.
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        let lowS = Secp256k1Constants.isAboveHalfOrder(s) ? Secp256k1Constants.negatedModOrder(s) : s
        func integer(_ value: [UInt8]) -> [UInt8] {
            var trimmed = Array(value.drop { $0 == 0 })
            if trimmed.isEmpty { trimmed = [0] }
            if trimmed[0] & 0x80 != 0 { trimmed.insert(0, at: 0) }
            return [0x02, UInt8(trimmed.count)] + trimmed
        }
        let body = integer(r) + integer(lowS)
        return [0x30, UInt8(body.count)] + body
    }

    // MARK: - Verification

    /// Whether this signature is valid for `hash` (its first 32 bytes, reduced mod n) under `publicKey`
    /// (33 or 65 bytes). A malformed public key throws `badPublicKey`; a wrong signature returns false.
    /// Runs on the fixed-width Swift arithmetic (`ECDSAVerification`); `ECDSAMath.verify` is its test reference.
    public func verify(hash: [UInt8], publicKey: [UInt8]) throws -> Bool {
        guard let key = Secp256k1Point.parse(publicKey) else {
            throw ChainError(.badPublicKey, "The public key is not a 33-byte (0x02/0x03) or 65-byte (0x04) secp256k1 point.")
        }
        return ECDSAVerification.verify(hash: hash, r: r, s: s, publicKey: key)
    }

    /// The same verification through OpenSSL's EC API and `BIGNUM`s (`ECDSAMath`): the reference the
    /// differential tests and `poolbench chain` compare `verify` with. Not for production use (several times slower).
    public func verifyWithOpenSSL(hash: [UInt8], publicKey: [UInt8]) throws -> Bool {
        let context = try Secp256k1Context()
        let key = try context.parse(publicKey)
        defer { EC_POINT_free(key) }
        return try ECDSAMath(context).verify(hash: hash, r: r, s: s, publicKey: key)
    }

    // MARK: - Signing

    /// The RFC 6979 deterministic signature of `hash` with a 32-byte private key (dcrd `ecdsa.Sign`), with the
    /// public-key recovery code (bit 0: R.y odd, bit 1: R.x ≥ n). Zero or ≥ n keys throw `badPrivateKey`.
    public static func sign(hash: [UInt8], privateKey: [UInt8]) throws -> (signature: ECDSASignature, recoveryCode: UInt8) {
        var iteration: UInt32 = 0
        while true {
            let nonce = RFC6979.nonce(privateKey: privateKey, hash: hash, extraIterations: iteration)
            if let result = try sign(hash: hash, privateKey: privateKey, nonce: nonce) { return result }
            iteration += 1
        }
    }

    /// One signing attempt with an explicit nonce; nil when R or S comes out zero (the caller takes the next nonce).
    static func sign(hash: [UInt8], privateKey: [UInt8], nonce: [UInt8]) throws -> (signature: ECDSASignature, recoveryCode: UInt8)? {
        let context = try Secp256k1Context()
        guard let (r, s, code) = try ECDSAMath(context).sign(hash: hash, privateKey: privateKey, nonce: nonce) else { return nil }
        return (ECDSASignature(checkedR: r, s: s), code)
    }
}
