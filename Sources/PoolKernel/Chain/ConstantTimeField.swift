import COpenSSL

/// secp256k1 field arithmetic for secret data: the same values as `FieldElement`'s operators (fully reduced, < p),
/// with no branch and no memory access that depends on them. Carries travel as the high half of `UInt128` sums
/// (compiled to add-with-carry chains), every "is it at least p" decision is an all-ones/all-zero mask selecting
/// between two computed results, and each mask passes through an optimization barrier so the compiler cannot turn
/// the selection back into a branch (it did, with `Bool` carries: checked in the disassembly). Only fixed-count
/// loops and wrapping operations (no overflow traps). `Secp256k1SecretMultiplication` computes a private key's
/// public key on it; optimized builds also run `FieldElement`'s operators on it (faster than its branching code).
enum ConstantTimeField {
    private static let fold = FieldElement.foldConstant

    /// All ones for `bit` 1, zero for `bit` 0 (`bit` must be 0 or 1), opaque to the optimizer.
    @inline(__always)
    static func mask(_ bit: UInt64) -> UInt64 { 0 &- copenssl_value_barrier_u64(bit) }

    /// 1 when `value` is zero, else 0, computed without a comparison.
    @inline(__always)
    static func isZeroBit(_ value: UInt64) -> UInt64 { ((value | (0 &- value)) >> 63) ^ 1 }

    /// `a` where `mask` is all ones, `b` where it is zero.
    @inline(__always)
    static func select(_ mask: UInt64, _ a: FieldElement, _ b: FieldElement) -> FieldElement {
        FieldElement(l0: b.l0 ^ (mask & (a.l0 ^ b.l0)), l1: b.l1 ^ (mask & (a.l1 ^ b.l1)),
                     l2: b.l2 ^ (mask & (a.l2 ^ b.l2)), l3: b.l3 ^ (mask & (a.l3 ^ b.l3)))
    }

    /// a + b + carry; `carry` (0 or 1) becomes the carry out.
    @inline(__always)
    static func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
        let sum = UInt128(a) &+ UInt128(b) &+ UInt128(carry)
        carry = UInt64(truncatingIfNeeded: sum >> 64)
        return UInt64(truncatingIfNeeded: sum)
    }

    /// a − b − borrow; `borrow` (0 or 1) becomes the borrow out.
    @inline(__always)
    static func subtractWithBorrow(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
        let difference = UInt128(a) &- UInt128(b) &- UInt128(borrow)
        borrow = UInt64(truncatingIfNeeded: difference >> 64) & 1
        return UInt64(truncatingIfNeeded: difference)
    }

    /// a·b + c + d as (high, low); never overflows 128 bits.
    @inline(__always)
    static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let value = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
        return (UInt64(truncatingIfNeeded: value >> 64), UInt64(truncatingIfNeeded: value))
    }

    /// r + carry·2^256 (below 2p, `carry` 0 or 1) reduced below p: subtracting p is adding 2^256 − p and
    /// dropping 2^256, needed exactly when `carry` is set or that addition carries out.
    @inline(__always)
    private static func reducedBelowModulus(_ r: FieldElement, carry: UInt64) -> FieldElement {
        var c: UInt64 = 0
        let t0 = addWithCarry(r.l0, fold, &c)
        let t1 = addWithCarry(r.l1, 0, &c)
        let t2 = addWithCarry(r.l2, 0, &c)
        let t3 = addWithCarry(r.l3, 0, &c)
        return select(mask(carry | c), FieldElement(l0: t0, l1: t1, l2: t2, l3: t3), r)
    }

    @inline(__always)
    static func add(_ a: FieldElement, _ b: FieldElement) -> FieldElement {
        var carry: UInt64 = 0
        let s0 = addWithCarry(a.l0, b.l0, &carry)
        let s1 = addWithCarry(a.l1, b.l1, &carry)
        let s2 = addWithCarry(a.l2, b.l2, &carry)
        let s3 = addWithCarry(a.l3, b.l3, &carry)
        return reducedBelowModulus(FieldElement(l0: s0, l1: s1, l2: s2, l3: s3), carry: carry)
    }

    @inline(__always)
    static func subtract(_ a: FieldElement, _ b: FieldElement) -> FieldElement {
        var borrow: UInt64 = 0
        let d0 = subtractWithBorrow(a.l0, b.l0, &borrow)
        let d1 = subtractWithBorrow(a.l1, b.l1, &borrow)
        let d2 = subtractWithBorrow(a.l2, b.l2, &borrow)
        let d3 = subtractWithBorrow(a.l3, b.l3, &borrow)
        // A wrapped difference (a < b) gets p added back: subtracting 2^256 − p, which cannot wrap again.
        var back: UInt64 = 0
        let r0 = subtractWithBorrow(d0, fold & mask(borrow), &back)
        let r1 = subtractWithBorrow(d1, 0, &back)
        let r2 = subtractWithBorrow(d2, 0, &back)
        let r3 = subtractWithBorrow(d3, 0, &back)
        return FieldElement(l0: r0, l1: r1, l2: r2, l3: r3)
    }

    static func multiply(_ a: FieldElement, _ b: FieldElement) -> FieldElement { reduced(product(a, b)) }

    /// a², with each cross product computed once and doubled (6 limb products instead of 16's 12 cross ones).
    static func square(_ a: FieldElement) -> FieldElement {
        var t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64, t6: UInt64
        var carry: UInt64
        (carry, t1) = multiplyAdd(a.l0, a.l1, 0, 0)
        (carry, t2) = multiplyAdd(a.l0, a.l2, 0, carry)
        (t4, t3) = multiplyAdd(a.l0, a.l3, 0, carry)
        (carry, t3) = multiplyAdd(a.l1, a.l2, t3, 0)
        (t5, t4) = multiplyAdd(a.l1, a.l3, t4, carry)
        (t6, t5) = multiplyAdd(a.l2, a.l3, t5, 0)
        let t7 = t6 >> 63
        t6 = t6 << 1 | t5 >> 63
        t5 = t5 << 1 | t4 >> 63
        t4 = t4 << 1 | t3 >> 63
        t3 = t3 << 1 | t2 >> 63
        t2 = t2 << 1 | t1 >> 63
        t1 <<= 1
        let (h0, d0) = multiplyAdd(a.l0, a.l0, 0, 0), (h1, d1) = multiplyAdd(a.l1, a.l1, 0, 0)
        let (h2, d2) = multiplyAdd(a.l2, a.l2, 0, 0), (h3, d3) = multiplyAdd(a.l3, a.l3, 0, 0)
        var c: UInt64 = 0
        let r1 = addWithCarry(t1, h0, &c), r2 = addWithCarry(t2, d1, &c)
        let r3 = addWithCarry(t3, h1, &c), r4 = addWithCarry(t4, d2, &c)
        let r5 = addWithCarry(t5, h2, &c), r6 = addWithCarry(t6, d3, &c)
        let r7 = addWithCarry(t7, h3, &c)
        return reduced((d0, r1, r2, r3, r4, r5, r6, r7))
    }

    /// A 512-bit value (little-endian limbs) below p: low + high·(2^256 − p), the carry folded in once more, then
    /// at most one subtraction of p — each step the same for every value.
    @inline(__always)
    private static func reduced(_ t: Limb.Eight) -> FieldElement {
        // low + high·(2^256 − p): 256 bits plus a carry below 2^34.
        var carry: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (carry, r0) = multiplyAdd(t.4, fold, t.0, 0)
        (carry, r1) = multiplyAdd(t.5, fold, t.1, carry)
        (carry, r2) = multiplyAdd(t.6, fold, t.2, carry)
        (carry, r3) = multiplyAdd(t.7, fold, t.3, carry)
        // That carry folded in once more; what carries out of the top then leaves r tiny, so its fold fits.
        let high: UInt64
        (high, r0) = multiplyAdd(carry, fold, r0, 0)
        var top: UInt64 = 0
        r1 = addWithCarry(r1, high, &top)
        r2 = addWithCarry(r2, 0, &top)
        r3 = addWithCarry(r3, 0, &top)
        var spill: UInt64 = 0
        r0 = addWithCarry(r0, fold & mask(top), &spill)
        r1 = addWithCarry(r1, 0, &spill)
        r2 = addWithCarry(r2, 0, &spill)
        r3 = addWithCarry(r3, 0, &spill)
        return reducedBelowModulus(FieldElement(l0: r0, l1: r1, l2: r2, l3: r3), carry: 0)
    }

    /// The 512-bit product, little-endian limbs (as `Limb.product`, on the carries above).
    @inline(__always)
    private static func product(_ a: FieldElement, _ b: FieldElement) -> Limb.Eight {
        var t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64, t6: UInt64, t7: UInt64
        var carry: UInt64
        (carry, t0) = multiplyAdd(a.l0, b.l0, 0, 0)
        (carry, t1) = multiplyAdd(a.l0, b.l1, 0, carry)
        (carry, t2) = multiplyAdd(a.l0, b.l2, 0, carry)
        (t4, t3) = multiplyAdd(a.l0, b.l3, 0, carry)
        (carry, t1) = multiplyAdd(a.l1, b.l0, t1, 0)
        (carry, t2) = multiplyAdd(a.l1, b.l1, t2, carry)
        (carry, t3) = multiplyAdd(a.l1, b.l2, t3, carry)
        (t5, t4) = multiplyAdd(a.l1, b.l3, t4, carry)
        (carry, t2) = multiplyAdd(a.l2, b.l0, t2, 0)
        (carry, t3) = multiplyAdd(a.l2, b.l1, t3, carry)
        (carry, t4) = multiplyAdd(a.l2, b.l2, t4, carry)
        (t6, t5) = multiplyAdd(a.l2, b.l3, t5, carry)
        (carry, t3) = multiplyAdd(a.l3, b.l0, t3, 0)
        (carry, t4) = multiplyAdd(a.l3, b.l1, t4, carry)
        (carry, t5) = multiplyAdd(a.l3, b.l2, t5, carry)
        (t7, t6) = multiplyAdd(a.l3, b.l3, t6, carry)
        return (t0, t1, t2, t3, t4, t5, t6, t7)
    }


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
