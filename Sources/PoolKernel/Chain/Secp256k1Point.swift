/// secp256k1 points (y² = x³ + 7) in Swift on `FieldElement`: tweak·G from a precomputed table plus the parent key
/// for public child derivation, and the double multiplications of ECDSA verification and public-key recovery
/// (`Secp256k1Multiplication.swift`). Not constant-time — only public data passes through here.
enum Secp256k1Point {
    struct Affine: Sendable, Equatable {
        var x: FieldElement
        var y: FieldElement
    }

    /// Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity.
    struct Jacobian {
        var x: FieldElement
        var y: FieldElement
        var z: FieldElement

        static let infinity = Jacobian(x: .one, y: .one, z: .zero)
        var isInfinity: Bool { z.isZero }

        init(x: FieldElement, y: FieldElement, z: FieldElement) {
            self.x = x
            self.y = y
            self.z = z
        }

        init(_ point: Affine) { self.init(x: point.x, y: point.y, z: .one) }

        /// 2·self (dbl-2009-l, a = 0).
        func doubled() -> Jacobian {
            if isInfinity || y.isZero { return .infinity }
            let a = x.squared(), b = y.squared(), c = b.squared()
            let xb = x + b
            let d0 = xb.squared() - a - c
            let d = d0 + d0
            let e = a + a + a
            let f = e.squared()
            let x3 = f - d - d
            let c2 = c + c, c4 = c2 + c2, c8 = c4 + c4
            let y3 = e * (d - x3) - c8
            let yz = y * z
            return Jacobian(x: x3, y: y3, z: yz + yz)
        }

        /// self + point (madd-2007-bl), covering infinity and the doubling case.
        func adding(_ point: Affine) -> Jacobian {
            if isInfinity { return Jacobian(point) }
            let z1z1 = z.squared()
            let u2 = point.x * z1z1
            let s2 = point.y * z * z1z1
            let h = u2 - x
            let s2y = s2 - y
            if h.isZero { return s2y.isZero ? doubled() : .infinity }
            let hh = h.squared()
            let hh2 = hh + hh
            let i = hh2 + hh2
            let j = h * i
            let r = s2y + s2y
            let v = x * i
            let x3 = r.squared() - j - v - v
            let yj = y * j
            let y3 = r * (v - x3) - yj - yj
            let z3 = (z + h).squared() - z1z1 - hh
            return Jacobian(x: x3, y: y3, z: z3)
        }

        /// self + other (add-2007-bl), covering infinity and the doubling case.
        func adding(_ other: Jacobian) -> Jacobian {
            if isInfinity { return other }
            if other.isInfinity { return self }
            let z1z1 = z.squared(), z2z2 = other.z.squared()
            let u1 = x * z2z2, u2 = other.x * z1z1
            let s1 = y * other.z * z2z2, s2 = other.y * z * z1z1
            let h = u2 - u1
            let s2s1 = s2 - s1
            if h.isZero { return s2s1.isZero ? doubled() : .infinity }
            let h2 = h + h
            let i = h2.squared()
            let j = h * i
            let r = s2s1 + s2s1
            let v = u1 * i
            let x3 = r.squared() - j - v - v
            let s1j = s1 * j
            let y3 = r * (v - x3) - s1j - s1j
            let z3 = ((z + other.z).squared() - z1z1 - z2z2) * h
            return Jacobian(x: x3, y: y3, z: z3)
        }

        /// −self.
        var negated: Jacobian { Jacobian(x: x, y: -y, z: z) }

        /// The affine point, or nil at infinity.
        func normalized() -> Affine? {
            if isInfinity { return nil }
            let zInverse = z.inverse()
            let zInverse2 = zInverse.squared()
            return Affine(x: x * zInverse2, y: y * zInverse2 * zInverse)
        }
    }

    static let generator = Affine(
        x: FieldElement(l0: 0x59F2_815B_16F8_1798, l1: 0x029B_FCDB_2DCE_28D9, l2: 0x55A0_6295_CE87_0B07, l3: 0x79BE_667E_F9DC_BBAC),
        y: FieldElement(l0: 0x9C47_D08F_FB10_D4B8, l1: 0xFD17_B448_A685_5419, l2: 0x5DA4_FBFC_0E11_08A8, l3: 0x483A_DA77_26A3_C465))

    /// `table[i][j − 1]` = j · 256^i · G for the 32 bytes i of a scalar (little-endian byte order) and j in
    /// 1…255, so k·G is at most 32 additions. Built once (about 8,000 points, half a megabyte).
    static let generatorTable: [[Affine]] = {
        var table: [[Affine]] = []
        table.reserveCapacity(32)
        var base = generator
        for _ in 0..<32 {
            var row: [Jacobian] = [Jacobian(base)]
            row.reserveCapacity(256)
            for _ in 2...256 { row.append(row[row.count - 1].adding(base)) }
            let normalized = batchNormalize(row)
            table.append(Array(normalized[0..<255]))
            base = normalized[255]  // 256 · base
        }
        return table
    }()

    /// Affine forms of finite points with one inversion (Montgomery's trick).
    static func batchNormalize(_ points: [Jacobian]) -> [Affine] {
        var prefix: [FieldElement] = []
        prefix.reserveCapacity(points.count)
        var running = FieldElement.one
        for point in points {
            running = running * point.z
            prefix.append(running)
        }
        var inverse = running.inverse()
        var out = [Affine](repeating: Affine(x: .zero, y: .zero), count: points.count)
        for index in stride(from: points.count - 1, through: 0, by: -1) {
            let zInverse = index == 0 ? inverse : inverse * prefix[index - 1]
            inverse = inverse * points[index].z
            let zInverse2 = zInverse.squared()
            out[index] = Affine(x: points[index].x * zInverse2, y: points[index].y * zInverse2 * zInverse)
        }
        return out
    }

    /// start + scalar·G for a 32-byte big-endian scalar (any value; reduction modulo n is the caller's business).
    static func multiplyGenerator(_ scalar: [UInt8], adding start: Jacobian = .infinity) -> Jacobian {
        var result = start
        let table = generatorTable
        for (position, byte) in scalar.enumerated() where byte != 0 {
            result = result.adding(table[31 - position][Int(byte) - 1])
        }
        return result
    }

    private static let seven = FieldElement(l0: 7, l1: 0, l2: 0, l3: 0)

    /// The point of a 65-byte uncompressed key (0x04 ‖ X ‖ Y), or nil when it is not on the curve.
    static func parseUncompressed(_ key: [UInt8]) -> Affine? {
        guard key.count == 65, key[0] == 0x04, let x = FieldElement(bigEndian: key[1..<33]),
              let y = FieldElement(bigEndian: key[33..<65]) else { return nil }
        guard y.squared() == x.squared() * x + seven else { return nil }
        return Affine(x: x, y: y)
    }

    /// The point of a compressed (0x02/0x03 ‖ X) or uncompressed (0x04 ‖ X ‖ Y) key, or nil for any other shape
    /// (hybrid 0x06/0x07 included) or a point not on the curve.
    static func parse(_ key: [UInt8]) -> Affine? {
        if key.count == 65 { return parseUncompressed(key) }
        guard key.count == 33, key[0] == 0x02 || key[0] == 0x03, let x = FieldElement(bigEndian: key[1..<33]) else {
            return nil
        }
        return decompress(x: x, oddY: key[0] == 0x03)
    }

    /// The point with this X and Y parity, or nil when x³ + 7 is not a square (no such point).
    static func decompress(x: FieldElement, oddY: Bool) -> Affine? {
        guard let y = (x.squared() * x + seven).squareRoot() else { return nil }
        // y = 0 never happens: the group order is prime, so no point has order 2.
        return Affine(x: x, y: y.isOdd == oddY ? y : -y)
    }

    /// The compressed (33-byte) or uncompressed (65-byte) encoding.
    static func serialize(_ point: Affine, compressed: Bool) -> [UInt8] {
        let x = point.x.bigEndianBytes
        return compressed ? [point.y.isOdd ? 0x03 : 0x02] + x : [0x04] + x + point.y.bigEndianBytes
    }
}
