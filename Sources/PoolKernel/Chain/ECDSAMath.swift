import COpenSSL

/// The ECDSA equations over OpenSSL's secp256k1 group and `BN_mod_*` arithmetic. Signing (private keys) runs
/// here; `verify` and `recover` are the independent reference that the differential tests and `poolbench chain`
/// compare the fast Swift path (`ECDSAVerification`) with. One instance per operation (it borrows the
/// operation's BN context).
struct ECDSAMath {
    let context: Secp256k1Context
    let order: OpaquePointer

    init(_ context: Secp256k1Context) throws {
        guard let order = EC_GROUP_get0_order(context.group) else {
            throw ChainError(.cryptoFailure, "OpenSSL has no secp256k1 order.")
        }
        self.context = context
        self.order = order
    }

    /// u1·G + u2·Q with u1 = e/s, u2 = r/s; valid when its X reduced mod n equals R.
    func verify(hash: [UInt8], r: [UInt8], s: [UInt8], publicKey: OpaquePointer) throws -> Bool {
        guard ECDSASignature.rangeDefect(r: r, s: s) == nil else { return false }
        let e = try reducedHash(hash)
        let rValue = try BigNumber(r), sValue = try BigNumber(s)
        let w = try BigNumber(), u1 = try BigNumber(), u2 = try BigNumber()
        guard BN_mod_inverse(w.pointer, sValue.pointer, order, context.bn) != nil,
              BN_mod_mul(u1.pointer, e.pointer, w.pointer, order, context.bn) == 1,
              BN_mod_mul(u2.pointer, rValue.pointer, w.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        let point = try context.newPoint()
        defer { EC_POINT_free(point) }
        guard EC_POINT_mul(context.group, point, u1.pointer, publicKey, u2.pointer, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 point arithmetic failed.")
        }
        guard EC_POINT_is_at_infinity(context.group, point) == 0 else { return false }
        let (x, _) = try affine(point)
        guard BN_nnmod(x.pointer, x.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        return BN_cmp(x.pointer, rValue.pointer) == 0
    }

    /// (R, S, recovery code) for `nonce`, S in low form; nil when R or S is zero.
    func sign(hash: [UInt8], privateKey: [UInt8], nonce: [UInt8]) throws -> (r: [UInt8], s: [UInt8], code: UInt8)? {
        let d = try BigNumber(owning: context.scalar(privateKey))
        let k = try BigNumber(nonce)
        guard BN_nnmod(k.pointer, k.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        guard BN_is_zero(k.pointer) == 0 else { return nil }
        let point = try context.newPoint()
        defer { EC_POINT_free(point) }
        guard EC_POINT_mul(context.group, point, k.pointer, nil, nil, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar multiplication failed.")
        }
        let (x, y) = try affine(point)
        var code: UInt8 = BN_is_odd(y.pointer) == 1 ? 1 : 0
        if BN_cmp(x.pointer, order) >= 0 { code |= 2 }
        let r = try BigNumber(), s = try BigNumber(), kInverse = try BigNumber(), rd = try BigNumber()
        let e = try reducedHash(hash)
        guard BN_nnmod(r.pointer, x.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        guard BN_is_zero(r.pointer) == 0 else { return nil }
        guard BN_mod_inverse(kInverse.pointer, k.pointer, order, context.bn) != nil,
              BN_mod_mul(rd.pointer, r.pointer, d.pointer, order, context.bn) == 1,
              BN_mod_add(s.pointer, e.pointer, rd.pointer, order, context.bn) == 1,
              BN_mod_mul(s.pointer, s.pointer, kInverse.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        guard BN_is_zero(s.pointer) == 0 else { return nil }
        var sBytes = try s.bytes32()
        if Secp256k1Constants.isAboveHalfOrder(sBytes) {
            sBytes = Secp256k1Constants.negatedModOrder(sBytes)
            code ^= 1
        }
        return (try r.bytes32(), sBytes, code)
    }

    /// Q = (S·R − e·G) / r for the point R of X = r (+ n when `overflow`) and Y parity `oddY`. Throws
    /// `SignatureDefect` when R is not on the curve, X reaches the field prime, or Q is infinity.
    func recover(hash: [UInt8], r: [UInt8], s: [UInt8], oddY: Bool, overflow: Bool) throws -> OpaquePointer {
        let rValue = try BigNumber(r), sValue = try BigNumber(s)
        let x = try BigNumber(r)
        if overflow {
            let prime = try BigNumber(Secp256k1Constants.fieldPrime)
            guard BN_add(x.pointer, x.pointer, order) == 1 else {
                throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
            }
            guard BN_cmp(x.pointer, prime.pointer) < 0 else { throw SignatureDefect.overflowsPrime }
        }
        let rPoint = try context.newPoint()
        defer { EC_POINT_free(rPoint) }
        guard EC_POINT_set_compressed_coordinates(context.group, rPoint, x.pointer, oddY ? 1 : 0, context.bn) == 1 else {
            ERR_clear_error()
            throw SignatureDefect.pointNotOnCurve
        }
        let e = try reducedHash(hash)
        let w = try BigNumber(), ew = try BigNumber(), u1 = try BigNumber(), u2 = try BigNumber(), zero = try BigNumber()
        guard BN_mod_inverse(w.pointer, rValue.pointer, order, context.bn) != nil,
              BN_mod_mul(ew.pointer, e.pointer, w.pointer, order, context.bn) == 1,
              BN_mod_sub(u1.pointer, zero.pointer, ew.pointer, order, context.bn) == 1,
              BN_mod_mul(u2.pointer, sValue.pointer, w.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        let q = try context.newPoint()
        guard EC_POINT_mul(context.group, q, u1.pointer, rPoint, u2.pointer, context.bn) == 1 else {
            EC_POINT_free(q)
            throw ChainError(.cryptoFailure, "secp256k1 point arithmetic failed.")
        }
        guard EC_POINT_is_at_infinity(context.group, q) == 0 else {
            EC_POINT_free(q)
            throw SignatureDefect.pointNotOnCurve
        }
        return q
    }

    /// The hash's first 32 bytes as a number reduced mod n (dcrd `hashToInt`).
    private func reducedHash(_ hash: [UInt8]) throws -> BigNumber {
        let e = try BigNumber(Array(hash.prefix(32)))
        guard BN_nnmod(e.pointer, e.pointer, order, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 scalar arithmetic failed.")
        }
        return e
    }

    private func affine(_ point: OpaquePointer) throws -> (x: BigNumber, y: BigNumber) {
        let x = try BigNumber(), y = try BigNumber()
        guard EC_POINT_get_affine_coordinates(context.group, point, x.pointer, y.pointer, context.bn) == 1 else {
            throw ChainError(.cryptoFailure, "secp256k1 point normalization failed.")
        }
        return (x, y)
    }
}
