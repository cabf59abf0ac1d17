@testable import PoolKernel
import XCTest

/// The constant-time private-key → public-key path (`Secp256k1SecretMultiplication` on `ConstantTimeField`),
/// compared with OpenSSL's ladder on seeded random keys and on the edge scalars, and its field steps compared with
/// the public `FieldElement` arithmetic.
final class ChainSecp256k1SecretKeyTests: XCTestCase {
    private static let order = Secp256k1Constants.order

    /// Deterministic 32-byte values: BLAKE-256 of a label and a counter.
    private func seeded(_ label: String, _ index: Int) -> [UInt8] { BLAKE256.hash(Array("\(label) \(index)".utf8)) }

    private func bigEndian(_ value: UInt64) -> [UInt8] {
        [UInt8](repeating: 0, count: 24) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    /// n − k for 0 < k < n.
    private func negated(_ k: [UInt8]) -> [UInt8] { Secp256k1Constants.negatedModOrder(k) }

    private func assertSameAsOpenSSL(_ key: [UInt8], _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try Secp256k1.publicKeyWithOpenSSL(privateKey: key)
        XCTAssertEqual(Secp256k1SecretMultiplication.publicKey(privateKey: key), reference, label, file: file, line: line)
    }

    func testSecretMultiplication_matchesOpenSSLOnSeededRandomKeys() throws {
        var checked = 0
        for index in 0..<300 {
            let key = seeded("secret key", index)
            guard Secp256k1Constants.isBelowOrder(key) else { continue }
            try assertSameAsOpenSSL(key, "key \(index)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 290)
    }

    func testSecretMultiplication_edgeScalars() throws {
        let one = bigEndian(1)
        // The standard generator: 1·G and (n − 1)·G = −G (SEC 2's G, an outside value).
        let generatorX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        XCTAssertEqual(Secp256k1SecretMultiplication.publicKey(privateKey: one).map { Hex.encode($0) }, "02" + generatorX)
        XCTAssertEqual(Secp256k1SecretMultiplication.publicKey(privateKey: negated(one)).map { Hex.encode($0) }, "03" + generatorX)
        var edges: [[UInt8]] = [one, bigEndian(2), bigEndian(15), bigEndian(16), bigEndian(17), bigEndian(.max),
                                negated(one), negated(bigEndian(2)), negated(bigEndian(16)),
                                [UInt8](repeating: 0x11, count: 32), [UInt8](repeating: 0x0F, count: 32),
                                [UInt8](repeating: 0xF0, count: 32), [0x7F] + [UInt8](repeating: 0xFF, count: 31)]
        // One non-zero digit in each window in turn (every other window's lookup is the identity), and its complement.
        for window in 0..<64 {
            var key = [UInt8](repeating: 0, count: 32)
            key[31 - window / 2] = window % 2 == 0 ? 0x0F : 0xF0
            edges.append(key)
            if window < 63 { edges.append(negated(key)) }
        }
        for (index, key) in edges.enumerated() { try assertSameAsOpenSSL(key, "edge \(index)") }
    }

    func testSecretMultiplication_refusesZeroAndScalarsFromTheOrderUp() throws {
        let refused: [[UInt8]] = [[UInt8](repeating: 0, count: 32), Self.order, [UInt8](repeating: 0xFF, count: 32),
                                  Self.order.dropLast() + [0x42]]
        for key in refused {
            XCTAssertEqual(Secp256k1SecretMultiplication.isValidScalar(key), 0, Hex.encode(key))
            XCTAssertNil(Secp256k1SecretMultiplication.publicKey(privateKey: key), Hex.encode(key))
            XCTAssertThrowsError(try Secp256k1.publicKeyWithOpenSSL(privateKey: key))
        }
        XCTAssertNil(Secp256k1SecretMultiplication.publicKey(privateKey: [UInt8](repeating: 1, count: 31)))
        // Both paths of the public entry point give the same code for a refused key.
        XCTAssertThrowsError(try Secp256k1.publicKey(privateKey: Self.order)) { error in
            XCTAssertEqual((error as? ChainError)?.code, .badPrivateKey)
        }
        XCTAssertEqual(Secp256k1SecretMultiplication.isValidScalar(negated(bigEndian(1))), 1)
    }

    /// The complete formula on the cases the comb never meets but must survive: the identity on either side,
    /// P + P, and P + (−P).
    func testCompleteAddition_identityDoublingAndInverse() {
        typealias Projective = Secp256k1SecretMultiplication.Projective
        let identity = Projective(x: .zero, y: .one, z: .zero)
        let g = Secp256k1Point.generator
        let point = Projective(x: g.x, y: g.y, z: .one)
        func affine(_ p: Projective) -> Secp256k1Point.Affine? {
            if p.z.isZero { return nil }
            let inverse = p.z.inverse()
            return Secp256k1Point.Affine(x: p.x * inverse, y: p.y * inverse)
        }
        XCTAssertEqual(affine(Secp256k1SecretMultiplication.add(identity, point)), g)
        XCTAssertEqual(affine(Secp256k1SecretMultiplication.add(point, identity)), g)
        XCTAssertNil(affine(Secp256k1SecretMultiplication.add(identity, identity)))
        XCTAssertEqual(affine(Secp256k1SecretMultiplication.add(point, point)), Secp256k1Point.Jacobian(g).doubled().normalized())
        XCTAssertNil(affine(Secp256k1SecretMultiplication.add(point, Projective(x: g.x, y: -g.y, z: .one))))
    }

    func testConstantTimeField_matchesFieldElementArithmetic() {
        let minusOne = FieldElement(l0: 0xFFFF_FFFE_FFFF_FC2E, l1: .max, l2: .max, l3: .max)
        var elements: [FieldElement] = [.zero, .one, minusOne, minusOne - .one,
                                        FieldElement(l0: .max, l1: .max, l2: .max, l3: 0x7FFF_FFFF_FFFF_FFFF),
                                        FieldElement(l0: 0x1_0000_03D1, l1: 0, l2: 0, l3: 0), FieldElement(l0: 0, l1: 0, l2: 0, l3: 1)]
        for index in 0..<200 {
            if let element = FieldElement(bigEndian: seeded("field", index)[...]) { elements.append(element) }
        }
        for (i, a) in elements.enumerated() {
            for b in elements[i...].prefix(12) {
                XCTAssertEqual(ConstantTimeField.add(a, b), a + b)
                XCTAssertEqual(ConstantTimeField.subtract(a, b), a - b)
                XCTAssertEqual(ConstantTimeField.subtract(b, a), b - a)
                XCTAssertEqual(ConstantTimeField.multiply(a, b), a * b)
            }
            XCTAssertEqual(ConstantTimeField.square(a), a.squared())
            if i % 10 == 0 { XCTAssertEqual(ConstantTimeField.inverse(a), a.inverse()) }
        }
    }
}
