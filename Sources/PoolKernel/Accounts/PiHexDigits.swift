/// Hexadecimal digits of π, computed (not tabulated): Blowfish initialises its P-array and S-boxes with the
/// fractional part of π, 18 + 1024 words of it.
///
/// Machin's formula π = 16·atan(1/5) − 4·atan(1/239) in fixed point with 32-bit limbs (limb 0 is the integer
/// part). Three guard limbs absorb the truncation error of the series' divisions.
enum PiHexDigits {
    /// The first `count` 32-bit words of π's fractional part (`0x243F6A88, 0x85A308D3, …`).
    static func fractionWords(_ count: Int) -> [UInt32] {
        let limbs = count + 4
        var pi = arctanOfInverse(5, limbs: limbs)
        multiply(&pi, by: 16)
        var second = arctanOfInverse(239, limbs: limbs)
        multiply(&second, by: 4)
        subtract(&pi, second)
        return Array(pi[1...count])
    }

    /// atan(1/x) = Σ (−1)^k / ((2k+1)·x^(2k+1)).
    private static func arctanOfInverse(_ x: UInt32, limbs: Int) -> [UInt32] {
        var sum = [UInt32](repeating: 0, count: limbs)
        var power = [UInt32](repeating: 0, count: limbs)
        var term = [UInt32](repeating: 0, count: limbs)
        power[0] = 1
        var first = divide(&power, by: x, from: 0)  // 1/x
        let xSquared = x * x
        var k: UInt32 = 0
        while first < limbs {
            // term = power / (2k+1), written into `term` without copying power.
            var remainder: UInt64 = 0
            let divisor = UInt64(2 * k + 1)
            for index in 0..<first { term[index] = 0 }
            for index in first..<limbs {
                let current = (remainder << 32) | UInt64(power[index])
                term[index] = UInt32(truncatingIfNeeded: current / divisor)
                remainder = current % divisor
            }
            if k % 2 == 0 { add(&sum, term, from: first) } else { subtractTail(&sum, term, from: first) }
            first = divide(&power, by: xSquared, from: first)
            k += 1
        }
        return sum
    }

    /// Divides in place, skipping the leading zero limbs before `from`; returns the new first non-zero limb
    /// (`value.count` when zero).
    private static func divide(_ value: inout [UInt32], by divisor: UInt32, from: Int) -> Int {
        var remainder: UInt64 = 0
        let wide = UInt64(divisor)
        var firstNonZero = value.count
        for index in from..<value.count {
            let current = (remainder << 32) | UInt64(value[index])
            let quotient = UInt32(truncatingIfNeeded: current / wide)
            value[index] = quotient
            remainder = current % wide
            if quotient != 0 && firstNonZero == value.count { firstNonZero = index }
        }
        return firstNonZero
    }

    private static func add(_ sum: inout [UInt32], _ term: [UInt32], from: Int) {
        var carry: UInt64 = 0
        var index = sum.count - 1
        while index >= 0 {
            if index < from && carry == 0 { break }
            let total = UInt64(sum[index]) + UInt64(term[index]) + carry
            sum[index] = UInt32(truncatingIfNeeded: total)
            carry = total >> 32
            index -= 1
        }
    }

    private static func subtractTail(_ sum: inout [UInt32], _ term: [UInt32], from: Int) {
        var borrow: Int64 = 0
        var index = sum.count - 1
        while index >= 0 {
            if index < from && borrow == 0 { break }
            var difference = Int64(sum[index]) - Int64(term[index]) - borrow
            if difference < 0 {
                difference += 1 << 32
                borrow = 1
            } else {
                borrow = 0
            }
            sum[index] = UInt32(truncatingIfNeeded: difference)
            index -= 1
        }
    }

    private static func subtract(_ value: inout [UInt32], _ other: [UInt32]) {
        subtractTail(&value, other, from: 0)
    }

    private static func multiply(_ value: inout [UInt32], by factor: UInt32) {
        var carry: UInt64 = 0
        for index in stride(from: value.count - 1, through: 0, by: -1) {
            let product = UInt64(value[index]) * UInt64(factor) + carry
            value[index] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
    }
}
