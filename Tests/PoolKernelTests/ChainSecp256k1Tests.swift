@testable import PoolKernel
import XCTest

/// The Swift point arithmetic behind public derivation, compared with OpenSSL's EC code on random inputs and on
/// the edge cases (doubling inside the last addition, a result at infinity, tweaks at and above the order).
final class ChainSecp256k1Tests: XCTestCase {
    private static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]

    private func randomScalar() -> [UInt8] {
        var bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        bytes[0] &= 0x7F  // below the order
        return bytes
    }

    /// n − k for 0 < k < n, big-endian.
    private func negated(_ k: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var value = Int(Self.order[index]) - Int(k[index]) - borrow
            borrow = value < 0 ? 1 : 0
            if value < 0 { value += 256 }
            out[index] = UInt8(value)
        }
        return out
    }

    func testSecp256k1_addTweakMatchesOpenSSLOnRandomInputs() throws {
        for round in 0..<2_000 {
            let parent = try Secp256k1.publicKey(privateKey: randomScalar())
            let tweak = round % 50 == 0 ? [UInt8](repeating: 0, count: 32) : randomScalar()
            let ours = try Secp256k1.addTweakInSwift(tweak, toPublicKey: parent)
            let reference = try Secp256k1.addTweakWithOpenSSL(tweak, toPublicKey: parent)
            XCTAssertEqual(ours.compressed, reference.compressed, "round \(round)")
            XCTAssertEqual(ours.uncompressed, reference.uncompressed, "round \(round)")
            // The uncompressed parent gives the same child.
            let fromUncompressed = try Secp256k1.addTweakInSwift(tweak, toPublicKey: try Secp256k1.uncompressed(parent))
            XCTAssertEqual(fromUncompressed.compressed, ours.compressed)
        }
    }

    func testSecp256k1_doublingInsideTheAdditionAndInfinity() throws {
        let k = randomScalar()
        let parent = try Secp256k1.publicKey(privateKey: k)
        // tweak = k: k·G + K = 2K, the doubling branch of the mixed addition.
        XCTAssertEqual(try Secp256k1.addTweakInSwift(k, toPublicKey: parent).compressed,
                       try Secp256k1.addTweakWithOpenSSL(k, toPublicKey: parent).compressed)
        // tweak = n − k: the sum is the point at infinity.
        XCTAssertThrowsError(try Secp256k1.addTweakInSwift(negated(k), toPublicKey: parent)) { error in
            XCTAssertEqual((error as? ChainError)?.code, .badDerivation)
        }
    }

    func testSecp256k1_tweaksAtOrAboveTheOrderAreRefused() throws {
        let parent = try Secp256k1.publicKey(privateKey: randomScalar())
        for tweak in [Self.order, [UInt8](repeating: 0xFF, count: 32)] {
            XCTAssertThrowsError(try Secp256k1.addTweakInSwift(tweak, toPublicKey: parent)) { error in
                XCTAssertEqual((error as? ChainError)?.code, .badDerivation)
            }
        }
        var offCurve = try Secp256k1.uncompressed(parent)
        offCurve[64] ^= 1
        XCTAssertThrowsError(try Secp256k1.addTweakInSwift(randomScalar(), toPublicKey: offCurve))
    }

    func testSecp256k1_fieldInverseAndReduction() {
        for _ in 0..<500 {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
            guard let element = FieldElement(bigEndian: bytes[...]), !element.isZero else { continue }
            XCTAssertEqual(element * element.inverse(), .one)
            XCTAssertEqual((element - element), .zero)
            XCTAssertEqual(element + (-element), .zero)
            XCTAssertEqual(FieldElement(bigEndian: element.bigEndianBytes[...]), element)
        }
        // p − 1 squared is 1; p itself is not a field element.
        let minusOne = FieldElement(l0: 0xFFFF_FFFE_FFFF_FC2E, l1: .max, l2: .max, l3: .max)
        XCTAssertEqual(minusOne * minusOne, .one)
        XCTAssertEqual(minusOne + .one, .zero)
        XCTAssertNil(FieldElement(bigEndian: FieldElement.modulus.bigEndianBytes[...]))
    }
}
