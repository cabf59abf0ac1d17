/// An element of secp256k1's base field, p = 2^256 − 2^32 − 977, as four little-endian 64-bit limbs, always
/// fully reduced (< p). Only what public-key derivation and ECDSA verification/recovery need: +, −, ×, square,
/// inverse, square root. Not constant-time: it only ever handles public data (extended public keys and their
/// tweaks, signatures, recovered keys).
///
/// Optimized builds run +, −, × and squaring on `ConstantTimeField`'s branch-free steps: carries on `UInt128` compile
/// to add-with-carry chains, where the `Bool` carries below compile to branches that random data mispredicts
/// (compact-signature recovery, paid by every signed vspd request, got faster by it). Unoptimized builds keep the
/// code below, because `UInt128` is very slow there; the tests compare the two in every build.
struct FieldElement: Equatable, Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    /// 2^256 − p: reducing modulo p folds the part above 2^256 back in multiplied by this.
    static let foldConstant: UInt64 = 0x1_0000_03D1
    static let modulus = FieldElement(l0: 0xFFFF_FFFE_FFFF_FC2F, l1: .max, l2: .max, l3: .max)
    static let zero = FieldElement(l0: 0, l1: 0, l2: 0, l3: 0)
    static let one = FieldElement(l0: 1, l1: 0, l2: 0, l3: 0)

    init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    /// The element of 32 big-endian bytes, or nil when they are not below p.
    init?(bigEndian bytes: ArraySlice<UInt8>) {
        guard bytes.count == 32 else { return nil }
        let limbs = Limb.limbs(bigEndian: bytes)
        self.init(l0: limbs.0, l1: limbs.1, l2: limbs.2, l3: limbs.3)
        if isAtLeastModulus { return nil }
    }

    /// 32 big-endian bytes.
    var bigEndianBytes: [UInt8] { Limb.bigEndianBytes(limbs) }

    var limbs: Limb.Four { (l0, l1, l2, l3) }

    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }
    var isOdd: Bool { l0 & 1 == 1 }

    private var isAtLeastModulus: Bool {
        l3 == .max && l2 == .max && l1 == .max && l0 >= Self.modulus.l0
    }

    /// Adds `c` (< 2^64) to the limbs, returning the carry out of the top limb.
    private mutating func addSmall(_ c: UInt64) -> Bool {
        var carry: UInt64 = 0
        l0 = Limb.addWithCarry(l0, c, &carry)
        l1 = Limb.addWithCarry(l1, 0, &carry)
        l2 = Limb.addWithCarry(l2, 0, &carry)
        l3 = Limb.addWithCarry(l3, 0, &carry)
        return carry != 0
    }

    /// From a value below 2p to below p.
    private mutating func reduceOnce() {
        if isAtLeastModulus { _ = addSmall(Self.foldConstant) } // − p ≡ + (2^256 − p), dropping 2^256
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        #if !DEBUG
        return ConstantTimeField.add(a, b)
        #else
        var carry: UInt64 = 0
        var r = FieldElement(l0: Limb.addWithCarry(a.l0, b.l0, &carry), l1: 0, l2: 0, l3: 0)
        r.l1 = Limb.addWithCarry(a.l1, b.l1, &carry)
        r.l2 = Limb.addWithCarry(a.l2, b.l2, &carry)
        r.l3 = Limb.addWithCarry(a.l3, b.l3, &carry)
        // A carry out means the sum is r + 2^256 ≡ r + (2^256 − p); it cannot overflow again (r < 2^256 − 2·fold).
        if carry != 0 { _ = r.addSmall(foldConstant) }
        r.reduceOnce()
        return r
        #endif
    }

    static prefix func - (a: FieldElement) -> FieldElement { zero - a }

    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        #if !DEBUG
        return ConstantTimeField.subtract(a, b)
        #else
        var borrow: UInt64 = 0
        var r = FieldElement(l0: Limb.subtractWithBorrow(a.l0, b.l0, &borrow), l1: 0, l2: 0, l3: 0)
        r.l1 = Limb.subtractWithBorrow(a.l1, b.l1, &borrow)
        r.l2 = Limb.subtractWithBorrow(a.l2, b.l2, &borrow)
        r.l3 = Limb.subtractWithBorrow(a.l3, b.l3, &borrow)
        if borrow != 0 {
            // The difference wrapped by 2^256; adding p back is taking the fold away (it cannot wrap again).
            var back: UInt64 = 0
            r.l0 = Limb.subtractWithBorrow(r.l0, foldConstant, &back)
            r.l1 = Limb.subtractWithBorrow(r.l1, 0, &back)
            r.l2 = Limb.subtractWithBorrow(r.l2, 0, &back)
            r.l3 = Limb.subtractWithBorrow(r.l3, 0, &back)
        }
        return r
        #endif
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        #if !DEBUG
        return ConstantTimeField.multiply(a, b)
        #else
        let t = Limb.product(a.limbs, b.limbs)
        return reduce(t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7)
        #endif
    }

    /// self². Optimized builds: `ConstantTimeField.square` (each cross product computed once and doubled; squarings
    /// are most of the work of doublings, square roots and inversions). Unoptimized builds multiply.
    func squared() -> FieldElement {
        #if DEBUG
        return self * self
        #else
        return ConstantTimeField.square(self)
        #endif
    }

    /// Folds a 512-bit product (little-endian limbs) below p: low + high · (2^256 − p), then the few bits
    /// above 2^256 once more, then at most one subtraction of p.
    @inline(__always)
    private static func reduce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64,
                               _ t4: UInt64, _ t5: UInt64, _ t6: UInt64, _ t7: UInt64) -> FieldElement {
        var carry: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (carry, r0) = Limb.multiplyAdd(t4, foldConstant, t0, 0)
        (carry, r1) = Limb.multiplyAdd(t5, foldConstant, t1, carry)
        (carry, r2) = Limb.multiplyAdd(t6, foldConstant, t2, carry)
        (carry, r3) = Limb.multiplyAdd(t7, foldConstant, t3, carry)
        // carry < 2^34: fold it in; a carry out of that is folded once more (it cannot carry again).
        let high: UInt64
        (high, r0) = Limb.multiplyAdd(carry, foldConstant, r0, 0)
        var r = FieldElement(l0: r0, l1: r1, l2: r2, l3: r3)
        if high != 0 {
            var c: UInt64 = 0
            r.l1 = Limb.addWithCarry(r.l1, high, &c)
            r.l2 = Limb.addWithCarry(r.l2, 0, &c)
            r.l3 = Limb.addWithCarry(r.l3, 0, &c)
            if c != 0 { _ = r.addSmall(foldConstant) }
        }
        r.reduceOnce()
        return r
    }

    /// self^(p−2) = self^−1 (Fermat); the inverse of zero is zero (callers never ask).
    func inverse() -> FieldElement {
        // p − 2 = [223 ones][0][22 ones][0000101101]: the shared run of ones, then the tail bit by bit.
        let (x2, x22, x223) = onesChain()
        var t = x223.squaredRepeatedly(23) * x22
        t = t.squaredRepeatedly(5) * self
        t = t.squaredRepeatedly(3) * x2
        return t.squaredRepeatedly(2) * self
    }

    /// A square root (self^((p+1)/4), since p ≡ 3 mod 4), or nil when self is not a square.
    func squareRoot() -> FieldElement? {
        // (p + 1)/4 = [223 ones][0][22 ones][00001100].
        let (x2, x22, x223) = onesChain()
        var t = x223.squaredRepeatedly(23) * x22
        t = t.squaredRepeatedly(6) * x2
        t = t.squaredRepeatedly(2)
        return t.squared() == self ? t : nil
    }

    /// self^(2^k − 1) for k = 2, 22 and 223 — the runs of one bits in both p − 2 and (p + 1)/4 — in 222 squarings
    /// and 11 multiplications (the bit-by-bit ladder needs some 250 multiplications more).
    private func onesChain() -> (x2: FieldElement, x22: FieldElement, x223: FieldElement) {
        let x2 = squared() * self
        let x3 = x2.squared() * self
        let x6 = x3.squaredRepeatedly(3) * x3
        let x9 = x6.squaredRepeatedly(3) * x3
        let x11 = x9.squaredRepeatedly(2) * x2
        let x22 = x11.squaredRepeatedly(11) * x11
        let x44 = x22.squaredRepeatedly(22) * x22
        let x88 = x44.squaredRepeatedly(44) * x44
        let x176 = x88.squaredRepeatedly(88) * x88
        let x220 = x176.squaredRepeatedly(44) * x44
        let x223 = x220.squaredRepeatedly(3) * x3
        return (x2, x22, x223)
    }

    private func squaredRepeatedly(_ times: Int) -> FieldElement {
        var result = self
        for _ in 0..<times { result = result.squared() }
        return result
    }
}
