/// An element of secp256k1's base field, p = 2^256 − 2^32 − 977, as four little-endian 64-bit limbs, always
/// fully reduced (< p). Only what public-key derivation needs: +, −, ×, square, inverse. Not constant-time:
/// it only ever handles public data (extended public keys and their tweaks).
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
        func limb(_ index: Int) -> UInt64 {
            let start = bytes.startIndex + 24 - 8 * index
            return bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        self.init(l0: limb(0), l1: limb(1), l2: limb(2), l3: limb(3))
        if isAtLeastModulus { return nil }
    }

    /// 32 big-endian bytes.
    var bigEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (index, limb) in [l3, l2, l1, l0].enumerated() {
            for byte in 0..<8 { out[index * 8 + byte] = UInt8(truncatingIfNeeded: limb >> (56 - 8 * UInt64(byte))) }
        }
        return out
    }

    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }
    var isOdd: Bool { l0 & 1 == 1 }

    private var isAtLeastModulus: Bool {
        l3 == .max && l2 == .max && l1 == .max && l0 >= Self.modulus.l0
    }

    /// Adds `c` (< 2^64) to the limbs, returning the carry out of the top limb.
    private mutating func addSmall(_ c: UInt64) -> Bool {
        var carry: UInt64 = 0
        l0 = Self.addWithCarry(l0, c, &carry)
        l1 = Self.addWithCarry(l1, 0, &carry)
        l2 = Self.addWithCarry(l2, 0, &carry)
        l3 = Self.addWithCarry(l3, 0, &carry)
        return carry != 0
    }

    @inline(__always)
    private static func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
        let (s1, o1) = a.addingReportingOverflow(b)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        carry = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        return s2
    }

    @inline(__always)
    private static func subtractWithBorrow(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
        let (d1, o1) = a.subtractingReportingOverflow(b)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
        borrow = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        return d2
    }

    /// From a value below 2p to below p.
    private mutating func reduceOnce() {
        if isAtLeastModulus { _ = addSmall(Self.foldConstant) } // − p ≡ + (2^256 − p), dropping 2^256
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        var carry: UInt64 = 0
        var r = FieldElement(l0: addWithCarry(a.l0, b.l0, &carry), l1: 0, l2: 0, l3: 0)
        r.l1 = addWithCarry(a.l1, b.l1, &carry)
        r.l2 = addWithCarry(a.l2, b.l2, &carry)
        r.l3 = addWithCarry(a.l3, b.l3, &carry)
        // A carry out means the sum is r + 2^256 ≡ r + (2^256 − p); it cannot overflow again (r < 2^256 − 2·fold).
        if carry != 0 { _ = r.addSmall(foldConstant) }
        r.reduceOnce()
        return r
    }

    static prefix func - (a: FieldElement) -> FieldElement { zero - a }

    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        var borrow: UInt64 = 0
        var r = FieldElement(l0: subtractWithBorrow(a.l0, b.l0, &borrow), l1: 0, l2: 0, l3: 0)
        r.l1 = subtractWithBorrow(a.l1, b.l1, &borrow)
        r.l2 = subtractWithBorrow(a.l2, b.l2, &borrow)
        r.l3 = subtractWithBorrow(a.l3, b.l3, &borrow)
        if borrow != 0 {
            // The difference wrapped by 2^256; adding p back is taking the fold away (it cannot wrap again).
            var back: UInt64 = 0
            r.l0 = subtractWithBorrow(r.l0, foldConstant, &back)
            r.l1 = subtractWithBorrow(r.l1, 0, &back)
            r.l2 = subtractWithBorrow(r.l2, 0, &back)
            r.l3 = subtractWithBorrow(r.l3, 0, &back)
        }
        return r
    }

    /// a·b + c + d as (high, low) — never overflows 128 bits. (Written on `multipliedFullWidth` rather than
    /// `UInt128`, whose generic conversions are very slow in unoptimized test builds.)
    @inline(__always)
    private static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let (high, low) = a.multipliedFullWidth(by: b)
        let (sum1, overflow1) = low.addingReportingOverflow(c)
        let (sum2, overflow2) = sum1.addingReportingOverflow(d)
        return (high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0), sum2)
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        // Operand scanning, one row of a's limbs at a time; each step a·b + t + carry fits in 128 bits.
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
        return reduce(t0, t1, t2, t3, t4, t5, t6, t7)
    }

    func squared() -> FieldElement { self * self }

    /// Folds a 512-bit product (little-endian limbs) below p: low + high · (2^256 − p), then the few bits
    /// above 2^256 once more, then at most one subtraction of p.
    @inline(__always)
    private static func reduce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64,
                               _ t4: UInt64, _ t5: UInt64, _ t6: UInt64, _ t7: UInt64) -> FieldElement {
        var carry: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (carry, r0) = multiplyAdd(t4, foldConstant, t0, 0)
        (carry, r1) = multiplyAdd(t5, foldConstant, t1, carry)
        (carry, r2) = multiplyAdd(t6, foldConstant, t2, carry)
        (carry, r3) = multiplyAdd(t7, foldConstant, t3, carry)
        // carry < 2^34: fold it in; a carry out of that is folded once more (it cannot carry again).
        let high: UInt64
        (high, r0) = multiplyAdd(carry, foldConstant, r0, 0)
        var r = FieldElement(l0: r0, l1: r1, l2: r2, l3: r3)
        if high != 0 {
            var c: UInt64 = 0
            r.l1 = addWithCarry(r.l1, high, &c)
            r.l2 = addWithCarry(r.l2, 0, &c)
            r.l3 = addWithCarry(r.l3, 0, &c)
            if c != 0 { _ = r.addSmall(foldConstant) }
        }
        r.reduceOnce()
        return r
    }

    /// self^(p−2) = self^−1 (Fermat); the inverse of zero is zero (callers never ask).
    func inverse() -> FieldElement {
        // p − 2 in big-endian limbs.
        let exponent: [UInt64] = [.max, .max, .max, 0xFFFF_FFFE_FFFF_FC2D]
        var result = FieldElement.one
        for limb in exponent {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared()
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }
}
