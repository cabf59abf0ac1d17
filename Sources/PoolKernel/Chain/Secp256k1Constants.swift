/// Curve constants and byte-level comparisons on 32-byte big-endian scalars.
enum Secp256k1Constants {
    static let order: [UInt8] = Array(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    static let halfOrder: [UInt8] = Array(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
    static let fieldPrime: [UInt8] = Array(hex: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")

    static func isBelowOrder(_ value: [UInt8]) -> Bool { compare(value, order) < 0 }
    static func isAboveHalfOrder(_ value: [UInt8]) -> Bool { compare(value, halfOrder) > 0 }

    /// n − value for 0 < value < n.
    static func negatedModOrder(_ value: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var digit = Int(order[index]) - Int(value[index]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            out[index] = UInt8(digit)
        }
        return out
    }

    /// Big-endian comparison of equal-length byte strings.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}

extension Array where Element == UInt8 {
    /// Bytes of a hex literal written in this source (a programmer error when malformed).
    init(hex: String) {
        // swiftlint:disable:next force_try
        self = try! Hex.decode(hex)
    }
}
