/// k·G for a secret k (a private key's public key), in constant time: a fixed-base comb over 64 four-bit windows.
///
/// - The table holds j·16^i·G for every window i and digit j (public data, built once with the fast public code).
/// - Each window's entry is read by scanning all 15 entries of its row and keeping the one whose index equals the
///   digit through a mask (digit 0 gives the identity), so the memory touched never depends on k.
/// - The 64 entries are summed with the complete addition formulas of Renes, Costello and Batina (2016,
///   algorithm 7, a = 0) in homogeneous projective coordinates: one formula for every pair of points, the identity
///   and equal points included, so there is no special case to branch on.
/// - All field arithmetic is `ConstantTimeField`; the final division by Z is its fixed Fermat chain.
///
/// Several times cheaper than OpenSSL's Montgomery ladder on generic `BIGNUM`s, which payfee pays once per request
/// (the tests compare the two on seeded random keys and the edge scalars).
enum Secp256k1SecretMultiplication {
    /// A point (X : Y : Z) with x = X/Z, y = Y/Z; (0 : 1 : 0) is the identity.
    struct Projective {
        var x: FieldElement
        var y: FieldElement
        var z: FieldElement
    }

    static let windows = 64
    static let entriesPerWindow = 15

    /// `table[15·i + j − 1]` = j·16^i·G for windows i in 0…63 and digits j in 1…15.
    static let table: [Secp256k1Point.Affine] = {
        var table: [Secp256k1Point.Affine] = []
        table.reserveCapacity(windows * entriesPerWindow)
        var base = Secp256k1Point.generator
        for _ in 0..<windows {
            var row: [Secp256k1Point.Jacobian] = [Secp256k1Point.Jacobian(base)]
            for _ in 2...16 { row.append(row[row.count - 1].adding(base)) }
            let normalized = Secp256k1Point.batchNormalize(row)
            table.append(contentsOf: normalized[0..<entriesPerWindow])
            base = normalized[entriesPerWindow]  // 16 · base
        }
        return table
    }()

    private static let b3 = FieldElement(l0: 21, l1: 0, l2: 0, l3: 0)  // 3·b, b = 7

    /// The compressed public key of a 32-byte big-endian private key, or nil when the key is zero or not below n
    /// (that one answer is the only thing decided by a branch).
    static func publicKey(privateKey key: [UInt8]) -> [UInt8]? {
        guard key.count == 32, isValidScalar(key) == 1 else { return nil }
        var sum = Projective(x: .zero, y: .one, z: .zero)
        table.withUnsafeBufferPointer { entries in
            for window in 0..<windows {
                let byte = UInt64(key[31 - (window >> 1)])
                let digit = (byte >> UInt64((window & 1) << 2)) & 0xF
                sum = add(sum, lookup(entries, window: window, digit: digit))
            }
        }
        let zInverse = ConstantTimeField.inverse(sum.z)
        let x = ConstantTimeField.multiply(sum.x, zInverse)
        let y = ConstantTimeField.multiply(sum.y, zInverse)
        var out = [UInt8](repeating: 0, count: 33)
        out[0] = 0x02 | UInt8(truncatingIfNeeded: y.l0 & 1)
        let xBytes = x.bigEndianBytes
        for index in 0..<32 { out[1 + index] = xBytes[index] }
        return out
    }

    /// 1 when 0 < k < n, else 0, from the borrow of k − n and the OR of k's limbs (no early exit on a byte).
    static func isValidScalar(_ key: [UInt8]) -> UInt64 {
        let k = Limb.limbs(bigEndian: key[...])
        let n = Scalar.order
        var borrow: UInt64 = 0
        _ = ConstantTimeField.subtractWithBorrow(k.0, n.l0, &borrow)
        _ = ConstantTimeField.subtractWithBorrow(k.1, n.l1, &borrow)
        _ = ConstantTimeField.subtractWithBorrow(k.2, n.l2, &borrow)
        _ = ConstantTimeField.subtractWithBorrow(k.3, n.l3, &borrow)
        return borrow & (ConstantTimeField.isZeroBit(k.0 | k.1 | k.2 | k.3) ^ 1)
    }

    /// digit·16^window·G as a projective point: every entry of the row is read, the matching one kept by mask.
    @inline(__always)
    static func lookup(_ entries: UnsafeBufferPointer<Secp256k1Point.Affine>, window: Int, digit: UInt64) -> Projective {
        var x = FieldElement.zero, y = FieldElement.zero
        let start = window * entriesPerWindow
        for j in 1...entriesPerWindow {
            let keep = ConstantTimeField.mask(ConstantTimeField.isZeroBit(UInt64(j) ^ digit))
            let entry = entries[start + j - 1]
            x = ConstantTimeField.select(keep, entry.x, x)
            y = ConstantTimeField.select(keep, entry.y, y)
        }
        // Digit 0: (0 : 1 : 0); any other digit: (x : y : 1).
        let zeroDigit = ConstantTimeField.isZeroBit(digit)
        y.l0 |= zeroDigit
        return Projective(x: x, y: y, z: FieldElement(l0: zeroDigit ^ 1, l1: 0, l2: 0, l3: 0))
    }

    /// p + q by the complete formula (RCB 2016, algorithm 7): 12 multiplications and 2 by 3b, for all inputs.
    @inline(__always)
    static func add(_ p: Projective, _ q: Projective) -> Projective {
        typealias F = ConstantTimeField
        var t0 = F.multiply(p.x, q.x)
        var t1 = F.multiply(p.y, q.y)
        var t2 = F.multiply(p.z, q.z)
        var t3 = F.add(p.x, p.y)
        var t4 = F.add(q.x, q.y)
        t3 = F.multiply(t3, t4)
        t4 = F.add(t0, t1)
        t3 = F.subtract(t3, t4)
        t4 = F.add(p.y, p.z)
        var x3 = F.add(q.y, q.z)
        t4 = F.multiply(t4, x3)
        x3 = F.add(t1, t2)
        t4 = F.subtract(t4, x3)
        x3 = F.add(p.x, p.z)
        var y3 = F.add(q.x, q.z)
        x3 = F.multiply(x3, y3)
        y3 = F.add(t0, t2)
        y3 = F.subtract(x3, y3)
        x3 = F.add(t0, t0)
        t0 = F.add(x3, t0)
        t2 = F.multiply(b3, t2)
        var z3 = F.add(t1, t2)
        t1 = F.subtract(t1, t2)
        y3 = F.multiply(b3, y3)
        x3 = F.multiply(t4, y3)
        t2 = F.multiply(t3, t1)
        x3 = F.subtract(t2, x3)
        y3 = F.multiply(y3, t0)
        t1 = F.multiply(t1, z3)
        y3 = F.add(t1, y3)
        t0 = F.multiply(t0, t3)
        z3 = F.multiply(z3, t4)
        z3 = F.add(z3, t0)
        return Projective(x: x3, y: y3, z: z3)
    }
}
