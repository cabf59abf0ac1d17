/// u1·G + u2·P, the double multiplication of ECDSA verification and public-key recovery: u2·P by a width-5 wNAF
/// (odd multiples P, 3P, …, 15P; about 256 doublings and 43 additions), then u1·G from the generator's byte
/// table added in (at most 32 mixed additions, no doublings). Not constant-time: the scalars and points are
/// public (signature parts, message hashes, public keys).
extension Secp256k1Point {
    static let windowWidth = 5

    static func linearCombination(generatorScalar u1: Scalar, point: Affine, scalar u2: Scalar) -> Jacobian {
        let digits = wNAF(u2)
        var odd: [Jacobian] = [Jacobian(point)]  // odd[i] = (2i + 1)·P
        let twice = Jacobian(point).doubled()
        for _ in 1..<(1 << (windowWidth - 2)) { odd.append(odd[odd.count - 1].adding(twice)) }
        var result = Jacobian.infinity
        for index in stride(from: digits.count - 1, through: 0, by: -1) {
            result = result.doubled()
            let digit = Int(digits[index])
            if digit > 0 {
                result = result.adding(odd[digit >> 1])
            } else if digit < 0 {
                result = result.adding(odd[-digit >> 1].negated)
            }
        }
        return multiplyGenerator(u1.bigEndianBytes, adding: result)
    }

    /// The width-w non-adjacent form of `k`, least significant digit first: each digit zero or odd in
    /// −(2^(w−1) − 1)…2^(w−1) − 1, any two non-zero digits at least w apart, Σ digit·2^i = k. Trailing zeros
    /// are dropped (an empty list for zero).
    static func wNAF(_ k: Scalar) -> [Int8] {
        var digits = [Int8](repeating: 0, count: 257)
        var carry: UInt64 = 0
        var bit = 0
        var top = -1
        while bit < 256 {
            // Skip the bits equal to the pending carry (a zero digit, with the carry moving on unchanged).
            if k.bits(bit, count: 1) == carry {
                bit += 1
                continue
            }
            let width = min(windowWidth, 256 - bit)
            var word = k.bits(bit, count: width) + carry
            carry = (word >> UInt64(windowWidth - 1)) & 1
            word = word &- (carry << UInt64(windowWidth))
            digits[bit] = Int8(truncatingIfNeeded: Int64(bitPattern: word))
            top = bit
            bit += width
        }
        if carry != 0 {
            digits[256] = 1
            top = 256
        }
        return Array(digits.prefix(top + 1))
    }
}
