/// Steps on 64-bit limbs, the 512-bit product and byte conversions shared by the fixed-width field (`FieldElement`) and scalar (`Scalar`) arithmetic.
enum Limb {
    @inline(__always)
    static func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
        let (s1, o1) = a.addingReportingOverflow(b)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        carry = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        return s2
    }

    @inline(__always)
    static func subtractWithBorrow(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
        let (d1, o1) = a.subtractingReportingOverflow(b)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
        borrow = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        return d2
    }

    /// a·b + c + d as (high, low) — never overflows 128 bits. (Written on `multipliedFullWidth` rather than
    /// `UInt128`, whose generic conversions are very slow in unoptimized test builds.)
    @inline(__always)
    static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let (high, low) = a.multipliedFullWidth(by: b)
        let (sum1, overflow1) = low.addingReportingOverflow(c)
        let (sum2, overflow2) = sum1.addingReportingOverflow(d)
        return (high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0), sum2)
    }

    /// Four limbs, least significant first.
    typealias Four = (UInt64, UInt64, UInt64, UInt64)
    /// Eight limbs (a 512-bit product), least significant first.
    typealias Eight = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The 512-bit product a·b, operand scanning one row of a's limbs at a time; each step a·b + t + carry fits
    /// in 128 bits.
    @inline(__always)
    static func product(_ a: Four, _ b: Four) -> Eight {
        var t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64, t6: UInt64, t7: UInt64
        var carry: UInt64
        (carry, t0) = multiplyAdd(a.0, b.0, 0, 0)
        (carry, t1) = multiplyAdd(a.0, b.1, 0, carry)
        (carry, t2) = multiplyAdd(a.0, b.2, 0, carry)
        (t4, t3) = multiplyAdd(a.0, b.3, 0, carry)
        (carry, t1) = multiplyAdd(a.1, b.0, t1, 0)
        (carry, t2) = multiplyAdd(a.1, b.1, t2, carry)
        (carry, t3) = multiplyAdd(a.1, b.2, t3, carry)
        (t5, t4) = multiplyAdd(a.1, b.3, t4, carry)
        (carry, t2) = multiplyAdd(a.2, b.0, t2, 0)
        (carry, t3) = multiplyAdd(a.2, b.1, t3, carry)
        (carry, t4) = multiplyAdd(a.2, b.2, t4, carry)
        (t6, t5) = multiplyAdd(a.2, b.3, t5, carry)
        (carry, t3) = multiplyAdd(a.3, b.0, t3, 0)
        (carry, t4) = multiplyAdd(a.3, b.1, t4, carry)
        (carry, t5) = multiplyAdd(a.3, b.2, t5, carry)
        (t7, t6) = multiplyAdd(a.3, b.3, t6, carry)
        return (t0, t1, t2, t3, t4, t5, t6, t7)
    }

    /// The limbs of 32 big-endian bytes (the caller checks the count).
    static func limbs(bigEndian bytes: ArraySlice<UInt8>) -> Four {
        func word(_ index: Int) -> UInt64 {
            let start = bytes.startIndex + 24 - 8 * index
            return bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        return (word(0), word(1), word(2), word(3))
    }

    /// 32 big-endian bytes of four limbs.
    static func bigEndianBytes(_ limbs: Four) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (index, limb) in [limbs.3, limbs.2, limbs.1, limbs.0].enumerated() {
            for byte in 0..<8 { out[index * 8 + byte] = UInt8(truncatingIfNeeded: limb >> (56 - 8 * UInt64(byte))) }
        }
        return out
    }
}
