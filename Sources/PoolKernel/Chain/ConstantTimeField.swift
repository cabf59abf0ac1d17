/// secp256k1 field arithmetic for secret data: the same values as `FieldElement`'s operators (fully reduced, < p),
/// but every step is branch-free — carries and "is it at least p" decisions become all-ones/all-zero masks that
/// select between two computed results, so neither the time taken nor the memory touched depends on the values.
/// Only fixed-count loops and wrapping (`&+`, `&-`) integer operations: no overflow traps, no secret-dependent
/// indexes. `Secp256k1SecretMultiplication` computes a private key's public key on it.
enum ConstantTimeField {
    private static let fold = FieldElement.foldConstant

    /// All ones for `bit` 1, zero for `bit` 0 (`bit` must be 0 or 1).
    @inline(__always)
    static func mask(_ bit: UInt64) -> UInt64 { 0 &- bit }

    /// 1 when `value` is zero, else 0, computed without a comparison.
    @inline(__always)
    static func isZeroBit(_ value: UInt64) -> UInt64 { ((value | (0 &- value)) >> 63) ^ 1 }

    /// `a` where `mask` is all ones, `b` where it is zero.
    @inline(__always)
    static func select(_ mask: UInt64, _ a: FieldElement, _ b: FieldElement) -> FieldElement {
        FieldElement(l0: (a.l0 & mask) | (b.l0 & ~mask), l1: (a.l1 & mask) | (b.l1 & ~mask),
                     l2: (a.l2 & mask) | (b.l2 & ~mask), l3: (a.l3 & mask) | (b.l3 & ~mask))
    }

    /// r + carry·2^256 (below 2p, `carry` 0 or 1) reduced below p: subtracting p is adding 2^256 − p and
    /// dropping 2^256, needed exactly when `carry` is set or that addition carries out.
    @inline(__always)
    private static func reducedBelowModulus(_ r: FieldElement, carry: UInt64) -> FieldElement {
        var c: UInt64 = 0
        let t0 = Limb.addWithCarry(r.l0, fold, &c)
        let t1 = Limb.addWithCarry(r.l1, 0, &c)
        let t2 = Limb.addWithCarry(r.l2, 0, &c)
        let t3 = Limb.addWithCarry(r.l3, 0, &c)
        return select(mask(carry | c), FieldElement(l0: t0, l1: t1, l2: t2, l3: t3), r)
    }

    @inline(__always)
    static func add(_ a: FieldElement, _ b: FieldElement) -> FieldElement {
        var carry: UInt64 = 0
        let s0 = Limb.addWithCarry(a.l0, b.l0, &carry)
        let s1 = Limb.addWithCarry(a.l1, b.l1, &carry)
        let s2 = Limb.addWithCarry(a.l2, b.l2, &carry)
        let s3 = Limb.addWithCarry(a.l3, b.l3, &carry)
        return reducedBelowModulus(FieldElement(l0: s0, l1: s1, l2: s2, l3: s3), carry: carry)
    }

    @inline(__always)
    static func subtract(_ a: FieldElement, _ b: FieldElement) -> FieldElement {
        var borrow: UInt64 = 0
        let d0 = Limb.subtractWithBorrow(a.l0, b.l0, &borrow)
        let d1 = Limb.subtractWithBorrow(a.l1, b.l1, &borrow)
        let d2 = Limb.subtractWithBorrow(a.l2, b.l2, &borrow)
        let d3 = Limb.subtractWithBorrow(a.l3, b.l3, &borrow)
        // A wrapped difference (a < b) gets p added back: subtracting 2^256 − p, which cannot wrap again.
        var back: UInt64 = 0
        let r0 = Limb.subtractWithBorrow(d0, fold & mask(borrow), &back)
        let r1 = Limb.subtractWithBorrow(d1, 0, &back)
        let r2 = Limb.subtractWithBorrow(d2, 0, &back)
        let r3 = Limb.subtractWithBorrow(d3, 0, &back)
        return FieldElement(l0: r0, l1: r1, l2: r2, l3: r3)
    }

    static func multiply(_ a: FieldElement, _ b: FieldElement) -> FieldElement {
        let t = Limb.product(a.limbs, b.limbs)
        // low + high·(2^256 − p): 256 bits plus a carry below 2^34.
        var carry: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (carry, r0) = Limb.multiplyAdd(t.4, fold, t.0, 0)
        (carry, r1) = Limb.multiplyAdd(t.5, fold, t.1, carry)
        (carry, r2) = Limb.multiplyAdd(t.6, fold, t.2, carry)
        (carry, r3) = Limb.multiplyAdd(t.7, fold, t.3, carry)
        // That carry folded in once more; what carries out of the top then leaves r tiny, so its fold fits.
        let high: UInt64
        (high, r0) = Limb.multiplyAdd(carry, fold, r0, 0)
        var top: UInt64 = 0
        r1 = Limb.addWithCarry(r1, high, &top)
        r2 = Limb.addWithCarry(r2, 0, &top)
        r3 = Limb.addWithCarry(r3, 0, &top)
        var spill: UInt64 = 0
        r0 = Limb.addWithCarry(r0, fold & mask(top), &spill)
        r1 = Limb.addWithCarry(r1, 0, &spill)
        r2 = Limb.addWithCarry(r2, 0, &spill)
        r3 = Limb.addWithCarry(r3, 0, &spill)
        return reducedBelowModulus(FieldElement(l0: r0, l1: r1, l2: r2, l3: r3), carry: 0)
    }

    @inline(__always)
    static func square(_ a: FieldElement) -> FieldElement { multiply(a, a) }

    /// a^(p−2) = a^−1 (Fermat) by a fixed chain of squarings and multiplications (the exponent is public, so the
    /// sequence of steps is the same for every `a`); zero gives zero.
    static func inverse(_ a: FieldElement) -> FieldElement {
        // p − 2 = [223 ones][0][22 ones][0000101101], as in `FieldElement.inverse`.
        func squared(_ x: FieldElement, times: Int) -> FieldElement {
            var result = x
            for _ in 0..<times { result = square(result) }
            return result
        }
        let x2 = multiply(square(a), a)
        let x3 = multiply(square(x2), a)
        let x6 = multiply(squared(x3, times: 3), x3)
        let x9 = multiply(squared(x6, times: 3), x3)
        let x11 = multiply(squared(x9, times: 2), x2)
        let x22 = multiply(squared(x11, times: 11), x11)
        let x44 = multiply(squared(x22, times: 22), x22)
        let x88 = multiply(squared(x44, times: 44), x44)
        let x176 = multiply(squared(x88, times: 88), x88)
        let x220 = multiply(squared(x176, times: 44), x44)
        let x223 = multiply(squared(x220, times: 3), x3)
        var t = multiply(squared(x223, times: 23), x22)
        t = multiply(squared(t, times: 5), a)
        t = multiply(squared(t, times: 3), x2)
        return multiply(squared(t, times: 2), a)
    }
}
