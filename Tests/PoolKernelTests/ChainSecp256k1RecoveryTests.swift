import COpenSSL
@testable import PoolKernel
import XCTest

/// The fixed-width Swift ECDSA verification and compact-signature recovery (`ECDSAVerification` on `Scalar`,
/// `FieldElement`, `Secp256k1Point`) against the reference on OpenSSL's secp256k1 group and `BIGNUM`s (`ECDSAMath`,
/// `BN_mod_*`), on seeded random keys and messages and on the edge cases: R.x ≥ n (recovery codes 2/3), high and
/// low S, X off the curve, R or S zero or ≥ n, a recovered point at infinity, hostile bytes.
final class ChainSecp256k1RecoveryTests: XCTestCase {
    private var random = SplitMix64(seed: 0x5EC9_256B)
    private let order = Secp256k1Constants.order

    private func randomBytes(_ count: Int = 32) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }

    private func randomScalarBytes() -> [UInt8] {
        while true {
            let bytes = randomBytes()
            if Secp256k1Constants.isBelowOrder(bytes), bytes.contains(where: { $0 != 0 }) { return bytes }
        }
    }

    // MARK: - BIGNUM oracle

    private func withBN<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        let context = try XCTUnwrap(BN_CTX_new())
        defer { BN_CTX_free(context) }
        return try body(context)
    }

    private func bn(_ bytes: [UInt8]) throws -> BigNumber { try BigNumber(bytes) }

    /// `operation(result, a, b, modulus, context)` on BIGNUMs, as 32 bytes.
    private func modular(_ a: [UInt8], _ b: [UInt8], modulus: [UInt8],
                         _ operation: (OpaquePointer, OpaquePointer, OpaquePointer, OpaquePointer, OpaquePointer) -> Int32) throws -> [UInt8] {
        try withBN { context in
            let result = try BigNumber(), x = try bn(a), y = try bn(b), m = try bn(modulus)
            // The owners stay alive across the call (their pointers alone would not keep them).
            let status = withExtendedLifetime((x, y, m)) { operation(result.pointer, x.pointer, y.pointer, m.pointer, context) }
            XCTAssertEqual(status, 1)
            return try result.bytes32()
        }
    }

    /// A few values at the edges of the scalar and field ranges, then seeded random ones.
    private func interestingValues(below modulus: [UInt8], count: Int) -> [[UInt8]] {
        let one = [UInt8](repeating: 0, count: 31) + [1]
        let minusOne = Secp256k1Constants.compare(modulus, order) == 0 ? Secp256k1Constants.negatedModOrder(one) : {
            var value = modulus
            value[31] -= 1
            return value
        }()
        var minusTwo = minusOne
        minusTwo[31] -= 1
        let half = [0x80] + [UInt8](repeating: 0, count: 31)
        let lowLimbsFull = [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0xFF, count: 24)
        var values = [[UInt8](repeating: 0, count: 32), one, minusOne, minusTwo, half, lowLimbsFull]
        while values.count < count {
            let value = randomBytes()
            if Secp256k1Constants.compare(value, modulus) < 0 { values.append(value) }
        }
        return values
    }

    // MARK: - Scalars and field

    func testScalar_arithmeticMatchesBIGNUM() throws {
        let values = interestingValues(below: order, count: 60)
        for a in values {
            let x = try XCTUnwrap(Scalar(exactly: a[...]))
            XCTAssertEqual(x.bigEndianBytes, a)
            XCTAssertEqual((-x).bigEndianBytes, try modular([UInt8](repeating: 0, count: 32), a, modulus: order) { BN_mod_sub($0, $1, $2, $3, $4) })
            if !x.isZero {
                let inverse = try modular(a, [], modulus: order) { result, a, _, m, context in
                    BN_mod_inverse(result, a, m, context) == nil ? 0 : 1
                }
                XCTAssertEqual(x.inverse().bigEndianBytes, inverse, Hex.encode(a))
            }
            for b in values.prefix(20) {
                let y = try XCTUnwrap(Scalar(exactly: b[...]))
                XCTAssertEqual((x * y).bigEndianBytes, try modular(a, b, modulus: order) { BN_mod_mul($0, $1, $2, $3, $4) })
                XCTAssertEqual((x + y).bigEndianBytes, try modular(a, b, modulus: order) { BN_mod_add($0, $1, $2, $3, $4) })
            }
        }
        // 32 bytes at or above n reduce like BN_nnmod, and are not scalars exactly.
        var orderPlusOne = order
        orderPlusOne[31] += 1
        for bytes in [order, orderPlusOne, [UInt8](repeating: 0xFF, count: 32)] {
            XCTAssertNil(Scalar(exactly: bytes[...]))
            let reduced = try modular(bytes, [], modulus: order) { result, x, _, m, context in BN_nnmod(result, x, m, context) }
            XCTAssertEqual(Scalar(reducing: bytes[...]).bigEndianBytes, reduced)
        }
    }

    func testField_squareSquareRootAndInverseMatchBIGNUM() throws {
        let prime = Secp256k1Constants.fieldPrime
        var squares = 0
        for bytes in interestingValues(below: prime, count: 200) {
            let element = try XCTUnwrap(FieldElement(bigEndian: bytes[...]))
            XCTAssertEqual(element.squared().bigEndianBytes, try modular(bytes, bytes, modulus: prime) { BN_mod_mul($0, $1, $2, $3, $4) })
            let reference: [UInt8]? = try withBN { context in
                let result = try BigNumber(), value = try bn(bytes), modulus = try bn(prime)
                defer { ERR_clear_error() }
                let found = withExtendedLifetime((value, modulus)) {
                    BN_mod_sqrt(result.pointer, value.pointer, modulus.pointer, context) != nil
                }
                return found ? try result.bytes32() : nil
            }
            if let root = element.squareRoot() {
                squares += 1
                XCTAssertEqual(root.squared(), element)
                let theirs = try XCTUnwrap(reference, Hex.encode(bytes))
                XCTAssertTrue(root.bigEndianBytes == theirs || (-root).bigEndianBytes == theirs)
            } else {
                XCTAssertNil(reference, Hex.encode(bytes))
            }
            if !element.isZero {
                XCTAssertEqual(element.inverse().bigEndianBytes,
                               try modular(bytes, [], modulus: prime) { result, a, _, m, context in
                                   BN_mod_inverse(result, a, m, context) == nil ? 0 : 1
                               })
            }
        }
        XCTAssertGreaterThan(squares, 50)  // about half the elements are squares
        XCTAssertLessThan(squares, 150)
    }

    func testWNAF_digitsRecomposeTheScalar() throws {
        for bytes in interestingValues(below: order, count: 200) {
            let k = try XCTUnwrap(Scalar(exactly: bytes[...]))
            let digits = Secp256k1Point.wNAF(k)
            var value = Scalar.zero
            for digit in digits.reversed() {
                value = value + value
                let magnitude = Scalar(l0: UInt64(abs(Int(digit))), l1: 0, l2: 0, l3: 0)
                value = value + (digit < 0 ? -magnitude : magnitude)
                if digit != 0 {
                    XCTAssertEqual(abs(Int(digit)) % 2, 1)
                    XCTAssertLessThan(abs(Int(digit)), 16)
                }
            }
            XCTAssertEqual(value, k, Hex.encode(bytes))
            XCTAssertTrue(digits.isEmpty == k.isZero)
        }
    }

    // MARK: - Recovery and verification against the reference

    /// Recovery by the Swift path and by the OpenSSL reference: both succeed with the same key, or both refuse
    /// with the same message.
    private func assertSameRecovery(_ signature: [UInt8], _ hash: [UInt8], _ label: String,
                                    file: StaticString = #filePath, line: UInt = #line) -> [UInt8]? {
        let ours = Result { try CompactSignature.recoverPublicKey(signature: signature, hash: hash) }
        let reference = Result { try CompactSignature.recoverPublicKeyWithOpenSSL(signature: signature, hash: hash) }
        switch (ours, reference) {
        case (.success(let a), .success(let b)):
            XCTAssertEqual(a.publicKey, b.publicKey, label, file: file, line: line)
            XCTAssertEqual(a.compressed, b.compressed, label, file: file, line: line)
            return a.publicKey
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual((a as? ChainError)?.code, .badSignature, label, file: file, line: line)
            XCTAssertEqual((a as? ChainError)?.message, (b as? ChainError)?.message, label, file: file, line: line)
        default:
            XCTFail("\(label): ours \(ours), reference \(reference)", file: file, line: line)
        }
        return nil
    }

    /// Verification by the Swift path and by the reference (the key parsed by OpenSSL).
    private func assertSameVerification(hash: [UInt8], r: [UInt8], s: [UInt8], publicKey: [UInt8], _ label: String,
                                        file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        let ours = ECDSAVerification.verify(hash: hash, r: r, s: s, publicKey: try XCTUnwrap(Secp256k1Point.parse(publicKey)))
        let context = try Secp256k1Context()
        let point = try context.parse(publicKey)
        defer { EC_POINT_free(point) }
        let reference = try ECDSAMath(context).verify(hash: hash, r: r, s: s, publicKey: point)
        XCTAssertEqual(ours, reference, label, file: file, line: line)
        return ours
    }

    func testRecoveryAndVerify_matchTheReferenceOnSeededRandomKeys() throws {
        for round in 0..<100 {
            let privateKey = randomScalarBytes()
            let publicKey = try Secp256k1.publicKey(privateKey: privateKey)
            let uncompressedKey = try Secp256k1.uncompressed(publicKey)
            let hash = BLAKE256.hash(randomBytes(Int.random(in: 0...200, using: &random)))
            let compressed = round % 3 != 0
            let signature = try CompactSignature.sign(hash: hash, privateKey: privateKey, compressed: compressed)
            XCTAssertEqual(assertSameRecovery(signature, hash, "round \(round)"), compressed ? publicKey : uncompressedKey)

            // The same signature with high S (n − s, Y parity flipped) recovers the same key; dcrd verifies either.
            let r = Array(signature[1..<33]), s = Array(signature[33..<65])
            let highS = Secp256k1Constants.negatedModOrder(s)
            let flipped = [27 + ((signature[0] - 27) ^ 1)] + r + highS
            XCTAssertEqual(assertSameRecovery(flipped, hash, "round \(round) high S"), compressed ? publicKey : uncompressedKey)
            for key in [publicKey, uncompressedKey] {
                XCTAssertTrue(try assertSameVerification(hash: hash, r: r, s: s, publicKey: key, "round \(round)"))
                XCTAssertTrue(try assertSameVerification(hash: hash, r: r, s: highS, publicKey: key, "round \(round) high S"))
            }
            // Wrong hash, wrong parity, other key, random R and S: both paths agree (and refuse or recover another key).
            var otherHash = hash
            otherHash[Int.random(in: 0..<32, using: &random)] ^= 1
            XCTAssertFalse(try assertSameVerification(hash: otherHash, r: r, s: s, publicKey: publicKey, "round \(round) hash"))
            XCTAssertNotEqual(assertSameRecovery(signature, otherHash, "round \(round) hash"), publicKey)
            XCTAssertNotEqual(assertSameRecovery([27 + ((signature[0] - 27) ^ 1)] + r + s, hash, "round \(round) parity"), publicKey)
            let randomR = randomScalarBytes(), randomS = randomScalarBytes()
            XCTAssertFalse(try assertSameVerification(hash: hash, r: randomR, s: randomS, publicKey: publicKey, "round \(round) random"))
            _ = assertSameRecovery([UInt8(27 + round % 8)] + randomR + randomS, hash, "round \(round) random")
        }
    }

    /// A signature whose R has X = r + n (recovery codes 2 and 3): constructed from an X in [n, p) on the curve,
    /// as no real signer meets one (probability about 2^−127).
    func testRecovery_overflowCodesAndTheirVerification() throws {
        let primeMinusOrder = try modular(Secp256k1Constants.fieldPrime, order, modulus: []) { result, p, n, _, _ in
            BN_sub(result, p, n)
        }
        var found = 0
        var small: UInt8 = 1
        while found < 6 {
            // x = n + r for small r: on the curve about half the time.
            let r = [UInt8](repeating: 0, count: 31) + [small]
            small += 1
            let x = try modular(order, r, modulus: Secp256k1Constants.fieldPrime) { BN_mod_add($0, $1, $2, $3, $4) }
            guard Secp256k1Point.decompress(x: try XCTUnwrap(FieldElement(bigEndian: x[...])), oddY: false) != nil else {
                XCTAssertThrowsError(try CompactSignature.recover(signature: [29] + r + randomScalarBytes(), hash: randomBytes())) {
                    XCTAssertEqual($0 as? SignatureDefect, .pointNotOnCurve)
                }
                _ = assertSameRecovery([29] + r + randomScalarBytes(), randomBytes(), "x = n + \(small - 1) off the curve")
                continue
            }
            found += 1
            for code: UInt8 in [2, 3, 6, 7] {
                let s = randomScalarBytes(), hash = randomBytes()
                let key = try XCTUnwrap(assertSameRecovery([27 + code] + r + s, hash, "x = n + \(small - 1), code \(code)"))
                // The recovered key verifies (r, s): X of u1·G + u2·Q is r + n, which reduces to r.
                XCTAssertTrue(try assertSameVerification(hash: hash, r: r, s: s, publicKey: key, "overflow verify"))
                // Without the overflow bit the same R and S recover another key (or none).
                XCTAssertNotEqual(assertSameRecovery([27 + (code & 5)] + r + s, hash, "no overflow bit"), key)
            }
        }
        // r + n at or above p: ErrSigOverflowsPrime, whatever S.
        for r in [primeMinusOrder, Secp256k1Constants.negatedModOrder([UInt8](repeating: 0, count: 31) + [1])] {
            XCTAssertThrowsError(try CompactSignature.recover(signature: [29] + r + randomScalarBytes(), hash: randomBytes())) {
                XCTAssertEqual($0 as? SignatureDefect, .overflowsPrime)
            }
            _ = assertSameRecovery([30] + r + randomScalarBytes(), randomBytes(), "r + n ≥ p")
        }
    }

    func testRecovery_rangeDefectsAndInfinity() throws {
        let zero = [UInt8](repeating: 0, count: 32), valid = randomScalarBytes(), hash = randomBytes()
        let cases: [([UInt8], [UInt8], SignatureDefect)] = [
            (zero, valid, .rIsZero), (order, valid, .rTooBig), ([UInt8](repeating: 0xFF, count: 32), valid, .rTooBig),
            (valid, zero, .sIsZero), (valid, order, .sTooBig), (valid, [UInt8](repeating: 0xFF, count: 32), .sTooBig),
        ]
        for (r, s, defect) in cases {
            XCTAssertThrowsError(try CompactSignature.recover(signature: [31] + r + s, hash: hash)) {
                XCTAssertEqual($0 as? SignatureDefect, defect)
            }
            XCTAssertThrowsError(try ECDSAVerification.recover(hash: hash, r: r, s: s, oddY: false, overflow: false)) {
                XCTAssertEqual($0 as? SignatureDefect, defect)
            }
            _ = assertSameRecovery([31] + r + s, hash, "\(defect)")
            XCTAssertFalse(try assertSameVerification(hash: hash, r: r, s: s, publicKey: Secp256k1.publicKey(privateKey: valid), "\(defect)"))
        }
        // s·R = e·G makes Q = r⁻¹(s·R − e·G) the point at infinity: R = k·G and e = s·k.
        for _ in 0..<10 {
            let k = randomScalarBytes(), s = randomScalarBytes()
            let rPoint = try Secp256k1.publicKey(privateKey: k)
            let r = try modular(Array(rPoint[1...]), [], modulus: order) { result, x, _, m, context in BN_nnmod(result, x, m, context) }
            let e = try modular(s, k, modulus: order) { BN_mod_mul($0, $1, $2, $3, $4) }
            let signature = [27 + (rPoint[0] & 1) + 4] + r + s
            XCTAssertThrowsError(try CompactSignature.recover(signature: signature, hash: e)) {
                XCTAssertEqual($0 as? SignatureDefect, .pointNotOnCurve)
            }
            _ = assertSameRecovery(signature, e, "infinity")
            // One bit away from e, the same signature recovers a key.
            var near = e
            near[31] ^= 1
            XCTAssertNotNil(assertSameRecovery(signature, near, "next to infinity"))
        }
    }

    func testRecovery_hostileBytesAgreeWithTheReference() throws {
        for round in 0..<300 {
            let length = round % 5 == 0 ? Int.random(in: 0...80, using: &random) : 65
            var bytes = randomBytes(length)
            if length == 65 {
                bytes[0] = UInt8(25 + round % 12)
                if round % 7 == 0 { bytes.replaceSubrange(1..<17, with: [UInt8](repeating: 0xFF, count: 16)) }  // r ≥ n
            }
            _ = assertSameRecovery(bytes, randomBytes(Int.random(in: 0...40, using: &random)), "round \(round)")
        }
    }

    private func openSSLCompressed(_ key: [UInt8]) throws -> [UInt8] {
        let context = try Secp256k1Context()
        let point = try context.parse(key)
        defer { EC_POINT_free(point) }
        return try context.serialize(point, compressed: true)
    }

    /// `Secp256k1Point.parse` (what `Secp256k1.compressed` and `.uncompressed` run in optimized builds, and ECDSA
    /// verification in all) against OpenSSL's parser.
    func testPublicKeyParsing_matchesOpenSSL() throws {
        for round in 0..<300 {
            let key = try Secp256k1.publicKey(privateKey: randomScalarBytes())
            var candidates = [key, try Secp256k1.uncompressed(key)]
            var offCurve = candidates[1]
            offCurve[64] ^= 1
            var hybrid = candidates[1]
            hybrid[0] = 0x06 | (hybrid[64] & 1)
            candidates += [offCurve, hybrid, [0x02] + randomBytes(), [0x03] + randomBytes(), [0x04] + randomBytes(64),
                           Array(key.prefix(32)), [0x02] + [UInt8](repeating: 0xFF, count: 32)]
            for candidate in candidates {
                let ours = Secp256k1Point.parse(candidate).map { Secp256k1Point.serialize($0, compressed: true) }
                let reference = try? openSSLCompressed(candidate)
                XCTAssertEqual(ours, reference, "round \(round) \(Hex.encode(candidate))")
            }
        }
    }
}
