/// ECDSA verification and public-key recovery on the fixed-width Swift arithmetic (`Scalar`, `FieldElement`,
/// `Secp256k1Point`): what every signed vspd request pays for, so it avoids OpenSSL's generic `BIGNUM` code
/// (a profile put a fifth of the vspd benchmark's CPU there). Not constant-time, deliberately: everything here is
/// public (signatures, hashes, public keys). Signing, which handles private keys, stays on OpenSSL (`ECDSAMath`),
/// and `ECDSAMath`'s own verify/recover are the reference these are tested against.
enum ECDSAVerification {
    /// u1·G + u2·Q with u1 = e/s, u2 = r/s; valid when its X reduced mod n equals r. R and S must be 32 bytes.
    static func verify(hash: [UInt8], r: [UInt8], s: [UInt8], publicKey: Secp256k1Point.Affine) -> Bool {
        guard ECDSASignature.rangeDefect(r: r, s: s) == nil,
              let rScalar = Scalar(exactly: r[...]), let sScalar = Scalar(exactly: s[...]) else { return false }
        let w = sScalar.inverse()
        let point = Secp256k1Point.linearCombination(generatorScalar: reducedHash(hash) * w, point: publicKey,
                                                     scalar: rScalar * w)
        guard !point.isInfinity else { return false }
        // X/Z² mod n == r without inverting Z: X == r·Z², or X == (r + n)·Z² when r + n is still below p.
        let rField = field(rScalar), zz = point.z.squared()
        if point.x == rField * zz { return true }
        guard isBelow(rField, primeMinusOrder) else { return false }
        return point.x == (rField + orderField) * zz
    }

    /// Q = r⁻¹·(s·R − e·G) for the point R of X = r (+ n when `overflow`) and Y parity `oddY`; R or S out of
    /// 1..<n throws its range defect. Throws `SignatureDefect` when X reaches the field prime, R is
    /// not on the curve, or Q is infinity.
    static func recover(hash: [UInt8], r: [UInt8], s: [UInt8], oddY: Bool, overflow: Bool) throws -> Secp256k1Point.Affine {
        guard let rScalar = Scalar(exactly: r[...]), !rScalar.isZero, let sScalar = Scalar(exactly: s[...]), !sScalar.isZero else {
            throw ECDSASignature.rangeDefect(r: r, s: s) ?? SignatureDefect.invalidLength
        }
        var x = field(rScalar)
        if overflow {
            guard isBelow(x, primeMinusOrder) else { throw SignatureDefect.overflowsPrime }  // r + n < p
            x = x + orderField
        }
        guard let rPoint = Secp256k1Point.decompress(x: x, oddY: oddY) else { throw SignatureDefect.pointNotOnCurve }
        let w = rScalar.inverse()
        let q = Secp256k1Point.linearCombination(generatorScalar: -(reducedHash(hash) * w), point: rPoint,
                                                 scalar: sScalar * w)
        guard let affine = q.normalized() else { throw SignatureDefect.pointNotOnCurve }
        return affine
    }

    /// The hash's first 32 bytes as a big-endian number reduced mod n, as `ECDSAMath` takes it (a shorter hash
    /// is a smaller number).
    private static func reducedHash(_ hash: [UInt8]) -> Scalar {
        let prefix = hash.prefix(32)
        return Scalar(reducing: ([UInt8](repeating: 0, count: 32 - prefix.count) + prefix)[...])
    }

    /// n and p − n as field elements (n < p).
    private static let orderField = field(.order)
    private static let primeMinusOrder = -orderField

    private static func field(_ scalar: Scalar) -> FieldElement {
        FieldElement(l0: scalar.l0, l1: scalar.l1, l2: scalar.l2, l3: scalar.l3)
    }

    private static func isBelow(_ a: FieldElement, _ b: FieldElement) -> Bool {
        if a.l3 != b.l3 { return a.l3 < b.l3 }
        if a.l2 != b.l2 { return a.l2 < b.l2 }
        if a.l1 != b.l1 { return a.l1 < b.l1 }
        return a.l0 < b.l0
    }
}
