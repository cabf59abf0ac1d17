import COpenSSL

/// Ed25519 group arithmetic (twisted Edwards −x² + y² = 1 + d·x²·y² over 2²⁵⁵ − 19, extended coordinates) on
/// OpenSSL's `BN_mod_*`, for the one thing OpenSSL's EVP API cannot do: the public key of a raw scalar, which is
/// what a Decred Ed25519 WIF holds (OpenSSL only derives keys from RFC 8032 seeds). Public data only; not
/// constant-time.
enum Ed25519Point {
    private static let prime = Array<UInt8>(hex: "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed")
    /// 2·d, d = −121665/121666 mod p.
    private static let twoD = Array<UInt8>(hex: "2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159")
    private static let baseX = Array<UInt8>(hex: "216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a")
    private static let baseY = Array<UInt8>(hex: "6666666666666666666666666666666666666666666666666666666666666658")

    /// The 32-byte encoding (little-endian y, top bit = x's parity) of scalar·B for a big-endian scalar.
    static func publicKey(scalar: [UInt8]) throws -> [UInt8] {
        let field = try Field()
        var result = try Extended.identity(field)
        let base = try Extended(x: BigNumber(baseX), y: BigNumber(baseY), field: field)
        for byte in scalar {
            for bit in (0..<8).reversed() {
                result = try result.adding(result, field)
                if byte >> UInt8(bit) & 1 == 1 { result = try result.adding(base, field) }
            }
        }
        return try result.encoded(field)
    }

    /// The prime, the curve constant and a BN context for one computation.
    private final class Field {
        let p: BigNumber
        let twoD: BigNumber
        let bn: OpaquePointer

        init() throws {
            guard let bn = BN_CTX_new() else { throw ChainError(.cryptoFailure, "Out of memory.") }
            self.bn = bn
            p = try BigNumber(Ed25519Point.prime)
            twoD = try BigNumber(Ed25519Point.twoD)
        }

        deinit { BN_CTX_free(bn) }

        func multiply(_ a: BigNumber, _ b: BigNumber) throws -> BigNumber {
            try apply { BN_mod_mul($0, a.pointer, b.pointer, p.pointer, bn) }
        }

        func add(_ a: BigNumber, _ b: BigNumber) throws -> BigNumber {
            try apply { BN_mod_add($0, a.pointer, b.pointer, p.pointer, bn) }
        }

        func subtract(_ a: BigNumber, _ b: BigNumber) throws -> BigNumber {
            try apply { BN_mod_sub($0, a.pointer, b.pointer, p.pointer, bn) }
        }

        func inverse(_ a: BigNumber) throws -> BigNumber {
            try apply { BN_mod_inverse($0, a.pointer, p.pointer, bn) != nil ? 1 : 0 }
        }

        private func apply(_ operation: (OpaquePointer) -> Int32) throws -> BigNumber {
            let out = try BigNumber()
            guard operation(out.pointer) == 1 else { throw ChainError(.cryptoFailure, "Ed25519 field arithmetic failed.") }
            return out
        }
    }

    /// (X : Y : Z : T) with x = X/Z, y = Y/Z, x·y = T/Z.
    private struct Extended {
        var x: BigNumber, y: BigNumber, z: BigNumber, t: BigNumber

        static func identity(_ field: Field) throws -> Extended {
            Extended(x: try BigNumber([0]), y: try BigNumber([1]), z: try BigNumber([1]), t: try BigNumber([0]))
        }

        init(x: BigNumber, y: BigNumber, z: BigNumber, t: BigNumber) {
            self.x = x
            self.y = y
            self.z = z
            self.t = t
        }

        init(x: BigNumber, y: BigNumber, field: Field) throws {
            self.init(x: x, y: y, z: try BigNumber([1]), t: try field.multiply(x, y))
        }

        /// The unified addition (RFC 8032 §5.1.4; also right for doubling).
        func adding(_ other: Extended, _ f: Field) throws -> Extended {
            let a = try f.multiply(f.subtract(y, x), f.subtract(other.y, other.x))
            let b = try f.multiply(f.add(y, x), f.add(other.y, other.x))
            let c = try f.multiply(f.multiply(t, f.twoD), other.t)
            let zz = try f.multiply(z, other.z)
            let d = try f.add(zz, zz)
            let e = try f.subtract(b, a), ff = try f.subtract(d, c), g = try f.add(d, c), h = try f.add(b, a)
            return Extended(x: try f.multiply(e, ff), y: try f.multiply(g, h), z: try f.multiply(ff, g), t: try f.multiply(e, h))
        }

        func encoded(_ f: Field) throws -> [UInt8] {
            let zInverse = try f.inverse(z)
            let affineX = try f.multiply(x, zInverse), affineY = try f.multiply(y, zInverse)
            var out = try affineY.bytes32()
            out.reverse()
            if BN_is_odd(affineX.pointer) == 1 { out[31] |= 0x80 }
            return out
        }
    }
}
