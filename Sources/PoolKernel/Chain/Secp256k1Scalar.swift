/// An integer modulo secp256k1's group order n, as four little-endian 64-bit limbs, always fully reduced (< n):
/// the scalar side of ECDSA verification and public-key recovery. Not constant-time: only public values
/// (signature parts, message hashes, and what is computed from them) pass through it.
struct Scalar: Equatable, Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    static let order = Scalar(l0: 0xBFD2_5E8C_D036_4141, l1: 0xBAAE_DCE6_AF48_A03B, l2: 0xFFFF_FFFF_FFFF_FFFE, l3: .max)
    /// 2^256 − n = c0 + c1·2^64 + 2^128: reducing modulo n folds the part above 2^256 back in multiplied by this.
    private static let fold0: UInt64 = 0x402D_A173_2FC9_BEBF
    private static let fold1: UInt64 = 0x4551_2319_50B7_5FC4
    static let zero = Scalar(l0: 0, l1: 0, l2: 0, l3: 0)
    static let one = Scalar(l0: 1, l1: 0, l2: 0, l3: 0)

    init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    /// 32 big-endian bytes reduced modulo n (dcrd's `hashToInt` for a 32-byte hash; 2^256 < 2n, so at most one
    /// subtraction).
    init(reducing bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 32, "a scalar is 32 bytes")
        let limbs = Limb.limbs(bigEndian: bytes)
        self.init(l0: limbs.0, l1: limbs.1, l2: limbs.2, l3: limbs.3)
        if isAtLeastOrder { foldOnce() }
    }

    /// The scalar of 32 big-endian bytes, or nil when they are not below n.
    init?(exactly bytes: ArraySlice<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self.init(reducing: bytes)
        if bigEndianBytes[...] != bytes { return nil }
    }

    var bigEndianBytes: [UInt8] { Limb.bigEndianBytes(limbs) }

    var limbs: Limb.Four { (l0, l1, l2, l3) }

    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// Limb `index` (0 = least significant); limbs from 4 on are zero.
    private func limb(_ index: Int) -> UInt64 {
        switch index {
        case 0: l0
        case 1: l1
        case 2: l2
        case 3: l3
        default: 0
        }
    }

    /// `count` (1…63) bits starting at bit `index` (0 = least significant), as a number; bits from 256 on are zero.
    func bits(_ index: Int, count: Int) -> UInt64 {
        let word = index >> 6, shift = UInt64(index & 63)
        var value = limb(word) >> shift
        if shift != 0 { value |= limb(word + 1) << (64 - shift) }
        return value & ((1 << UInt64(count)) - 1)
    }

    private var isAtLeastOrder: Bool {
        if l3 != Self.order.l3 { return l3 > Self.order.l3 }
        if l2 != Self.order.l2 { return l2 > Self.order.l2 }
        if l1 != Self.order.l1 { return l1 > Self.order.l1 }
        return l0 >= Self.order.l0
    }

    /// self − n taken modulo 2^256, i.e. self + (2^256 − n) dropping the carry: for n ≤ self < 2^256.
    private mutating func foldOnce() {
        var carry: UInt64 = 0
        l0 = Limb.addWithCarry(l0, Self.fold0, &carry)
        l1 = Limb.addWithCarry(l1, Self.fold1, &carry)
        l2 = Limb.addWithCarry(l2, 1, &carry)
        l3 = Limb.addWithCarry(l3, 0, &carry)
    }

    static func + (a: Scalar, b: Scalar) -> Scalar {
        var carry: UInt64 = 0
        var r = Scalar(l0: Limb.addWithCarry(a.l0, b.l0, &carry), l1: 0, l2: 0, l3: 0)
        r.l1 = Limb.addWithCarry(a.l1, b.l1, &carry)
        r.l2 = Limb.addWithCarry(a.l2, b.l2, &carry)
        r.l3 = Limb.addWithCarry(a.l3, b.l3, &carry)
        // a + b < 2n: a carry out or a sum at or above n needs exactly one subtraction of n.
        if carry != 0 || r.isAtLeastOrder { r.foldOnce() }
        return r
    }

    /// n − a (zero stays zero).
    static prefix func - (a: Scalar) -> Scalar {
        if a.isZero { return a }
        var borrow: UInt64 = 0
        var r = Scalar(l0: Limb.subtractWithBorrow(order.l0, a.l0, &borrow), l1: 0, l2: 0, l3: 0)
        r.l1 = Limb.subtractWithBorrow(order.l1, a.l1, &borrow)
        r.l2 = Limb.subtractWithBorrow(order.l2, a.l2, &borrow)
        r.l3 = Limb.subtractWithBorrow(order.l3, a.l3, &borrow)
        return r
    }

    static func * (a: Scalar, b: Scalar) -> Scalar {
        let t = Limb.product(a.limbs, b.limbs)
        return reduce(t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7)
    }

    /// Reduces a 512-bit value (little-endian limbs) modulo n by folding its part above 2^256 in, times
    /// 2^256 − n (129 bits), three times: below 2^386, then below 2^260, then below 2^256 + 2^134 — and one
    /// more fold plus at most one subtraction of n leave it below n.
    private static func reduce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64,
                               _ t4: UInt64, _ t5: UInt64, _ t6: UInt64, _ t7: UInt64) -> Scalar {
        var carry: UInt64 = 0, c: UInt64 = 0
        // 1: a = t[0..3] + t[4..7]·(fold0 + fold1·2^64 + 2^128), seven limbs (a6 < 4).
        var a0: UInt64, a1: UInt64, a2: UInt64, a3: UInt64, a4: UInt64, a5: UInt64, a6: UInt64
        (carry, a0) = Limb.multiplyAdd(t4, fold0, t0, 0)
        (carry, a1) = Limb.multiplyAdd(t5, fold0, t1, carry)
        (carry, a2) = Limb.multiplyAdd(t6, fold0, t2, carry)
        (a4, a3) = Limb.multiplyAdd(t7, fold0, t3, carry)
        (carry, a1) = Limb.multiplyAdd(t4, fold1, a1, 0)
        (carry, a2) = Limb.multiplyAdd(t5, fold1, a2, carry)
        (carry, a3) = Limb.multiplyAdd(t6, fold1, a3, carry)
        (a5, a4) = Limb.multiplyAdd(t7, fold1, a4, carry)
        a2 = Limb.addWithCarry(a2, t4, &c)
        a3 = Limb.addWithCarry(a3, t5, &c)
        a4 = Limb.addWithCarry(a4, t6, &c)
        a5 = Limb.addWithCarry(a5, t7, &c)
        a6 = c
        // 2: b = a[0..3] + a[4..6]·(2^256 − n), five limbs (b4 < 16).
        var b0: UInt64, b1: UInt64, b2: UInt64, b3: UInt64, b4: UInt64
        (carry, b0) = Limb.multiplyAdd(a4, fold0, a0, 0)
        (carry, b1) = Limb.multiplyAdd(a5, fold0, a1, carry)
        (carry, b2) = Limb.multiplyAdd(a6, fold0, a2, carry)
        c = 0
        b3 = Limb.addWithCarry(a3, carry, &c)
        b4 = c
        (carry, b1) = Limb.multiplyAdd(a4, fold1, b1, 0)
        (carry, b2) = Limb.multiplyAdd(a5, fold1, b2, carry)
        (carry, b3) = Limb.multiplyAdd(a6, fold1, b3, carry)
        b4 &+= carry
        c = 0
        b2 = Limb.addWithCarry(b2, a4, &c)
        b3 = Limb.addWithCarry(b3, a5, &c)
        b4 = Limb.addWithCarry(b4, a6, &c)
        // 3: r = b[0..3] + b4·(2^256 − n); a carry out of the top limb is one more 2^256 to fold.
        var r = Scalar.zero
        (carry, r.l0) = Limb.multiplyAdd(b4, fold0, b0, 0)
        (carry, r.l1) = Limb.multiplyAdd(b4, fold1, b1, carry)
        c = 0
        r.l2 = Limb.addWithCarry(b2, b4 &+ carry, &c)
        r.l3 = Limb.addWithCarry(b3, 0, &c)
        if c != 0 { r.foldOnce() }  // r + 2^256 ≡ r + (2^256 − n); r is small here, so it cannot carry again
        if r.isAtLeastOrder { r.foldOnce() }
        return r
    }

    /// self^(n−2) = self^−1 (Fermat, n is prime), four bits of the exponent at a time; zero gives zero.
    func inverse() -> Scalar {
        var powers = [Scalar.one, self]
        for _ in 2..<16 { powers.append(powers[powers.count - 1] * self) }
        let exponent = -Scalar(l0: 2, l1: 0, l2: 0, l3: 0)  // n − 2
        var result = Scalar.one
        for position in stride(from: 252, through: 0, by: -4) {
            for _ in 0..<4 { result = result * result }
            let nibble = Int(exponent.bits(position, count: 4))
            if nibble != 0 { result = result * powers[nibble] }
        }
        return result
    }
}
