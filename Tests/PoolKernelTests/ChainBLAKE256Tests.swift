import Foundation
@testable import PoolKernel
import XCTest

final class ChainBLAKE256Tests: XCTestCase {
    func testBLAKE256_vectorFileDigestsMatch() throws {
        let vectors = try ChainVectors.array("blake256")
        var perGroup: [String: Int] = [:]
        for vector in vectors {
            let input = try vector.hex("input_hex")
            XCTAssertEqual(input.count, try vector.int("input_len"), vector.name)
            let salt = try (vector["salt_hex"] as? String).map { try Hex.decode($0) }
            let expected = try vector.string("digest_hex")

            // One shot.
            var hasher = try salt.map { try BLAKE256(salt: $0) } ?? BLAKE256()
            hasher.update(input)
            XCTAssertEqual(Hex.encode(hasher.finalize()), expected, "one-shot \(vector.name)")
            if salt == nil { XCTAssertEqual(Hex.encode(BLAKE256.hash(input)), expected, vector.name) }

            // Saved state: hash the prefix, copy the hasher (value semantics), finish on the copy.
            let split = vector["split_at"] as? Int ?? input.count / 2
            var first = try salt.map { try BLAKE256(salt: $0) } ?? BLAKE256()
            first.update(Array(input[..<split]))
            _ = first.finalize() // finalize must not disturb the running state
            var restored = first
            restored.update(Array(input[split...]))
            XCTAssertEqual(Hex.encode(restored.finalize()), expected, "split \(vector.name)")

            // Byte by byte.
            var bytewise = try salt.map { try BLAKE256(salt: $0) } ?? BLAKE256()
            for byte in input { bytewise.update([byte]) }
            XCTAssertEqual(Hex.encode(bytewise.finalize()), expected, "bytewise \(vector.name)")
            perGroup[try vector.string("group"), default: 0] += 1
        }
        XCTAssertEqual(vectors.count, 69)
        XCTAssertEqual(perGroup, ["chainhash.hashTests": 31, "hasherVecTests": 17, "savedStateTests": 8,
                                  "examples": 7, "TestHasher256Write": 6])
    }

    func testBLAKE256_compressionVectorsMatch() throws {
        let vectors = try ChainVectors.array("blake256", key: "compression_vectors")
        XCTAssertEqual(vectors.count, 3)
        for vector in vectors {
            let words = { (key: String) throws -> [UInt32] in
                try (vector[key] as? [String] ?? []).map {
                    guard let word = UInt32($0, radix: 16) else { throw ChainVectorError(message: "bad word \($0)") }
                    return word
                }
            }
            let h = try words("chain_value_in"), s = try words("salt"), out = try words("chain_value_out")
            XCTAssertEqual(h.count, 8)
            XCTAssertEqual(s.count, 4)
            var state = BLAKE256.ChainValue(h0: h[0], h1: h[1], h2: h[2], h3: h[3], h4: h[4], h5: h[5], h6: h[6], h7: h[7])
            let block = try vector.hex("padded_block_hex")
            XCTAssertEqual(block.count, 64)
            let counter = UInt64(try vector.int("counter_bits"))
            block.withUnsafeBytes {
                BLAKE256.compress(&state, block: $0.baseAddress!, counter: counter,
                                  salt: BLAKE256.Salt(s0: s[0], s1: s[1], s2: s[2], s3: s[3]))
            }
            XCTAssertEqual([state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7], out,
                           vector.name)
        }
    }

    func testBLAKE256_badSaltLengthThrows() {
        XCTAssertThrowsError(try BLAKE256(salt: [UInt8](repeating: 1, count: 15))) {
            XCTAssertEqual(($0 as? ChainError)?.code, .badSalt)
        }
    }

    /// 10,000 random inputs (lengths 0...300, half of them salted, random split points) against the slow
    /// reference below, written straight from the BLAKE paper with no shared code; unsalted ones also one-shot.
    func testBLAKE256_differentialAgainstReference() throws {
        var rng = SplitMix64(seed: 0xB1A4E256)
        for round in 0..<10_000 {
            let length = Int(rng.next() % 301)
            let input = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let salt: [UInt8] = round % 2 == 0 ? [UInt8](repeating: 0, count: 16)
                : (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var hasher = try BLAKE256(salt: salt)
            let split = length == 0 ? 0 : Int(rng.next() % UInt64(length + 1))
            hasher.update(Array(input[..<split]))
            hasher.update(Array(input[split...]))
            let got = hasher.finalize()
            let want = ReferenceBLAKE256.hash(input, salt: salt)
            if got != want {
                XCTFail("length \(length) split \(split): \(Hex.encode(got)) != \(Hex.encode(want))")
                return
            }
            // The one-shot path (one-block messages take their own route) must agree too.
            if round % 2 == 0, BLAKE256.hash(input) != want {
                XCTFail("one-shot, length \(length): \(Hex.encode(BLAKE256.hash(input))) != \(Hex.encode(want))")
                return
            }
        }
    }
}

/// A deliberately naive BLAKE-256 from the specification: pad the whole message first, then loop.
enum ReferenceBLAKE256 {
    static let u: [UInt32] = [
        0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344, 0xA4093822, 0x299F31D0, 0x082EFA98, 0xEC4E6C89,
        0x452821E6, 0x38D01377, 0xBE5466CF, 0x34E90C6C, 0xC0AC29B7, 0xC97C50DD, 0x3F84D5B5, 0xB5470917,
    ]
    static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    static func rot(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    static func hash(_ message: [UInt8], salt saltBytes: [UInt8]) -> [UInt8] {
        let bitLength = UInt64(message.count) * 8
        var padded = message + [0x80]
        while padded.count % 64 != 56 { padded.append(0) }
        padded[padded.count - 1] |= 0x01
        for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[at + $1]) }
        }
        let salt = (0..<4).map { word(saltBytes, $0 * 4) }
        var h: [UInt32] = [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19]
        let blocks = padded.count / 64
        for index in 0..<blocks {
            // Counter: message bits up to and including this block; 0 when the block has none.
            let start = UInt64(index) * 512
            let counter: UInt64 = start >= bitLength ? 0 : min(bitLength, start + 512)
            let m = (0..<16).map { word(padded, index * 64 + $0 * 4) }
            var v = h + [salt[0] ^ u[0], salt[1] ^ u[1], salt[2] ^ u[2], salt[3] ^ u[3],
                         UInt32(truncatingIfNeeded: counter) ^ u[4], UInt32(truncatingIfNeeded: counter) ^ u[5],
                         UInt32(truncatingIfNeeded: counter >> 32) ^ u[6], UInt32(truncatingIfNeeded: counter >> 32) ^ u[7]]
            func g(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ r: Int, _ i: Int) {
                let s = sigma[r % 10]
                v[a] = v[a] &+ v[b] &+ (m[s[2 * i]] ^ u[s[2 * i + 1]])
                v[d] = rot(v[d] ^ v[a], 16)
                v[c] = v[c] &+ v[d]
                v[b] = rot(v[b] ^ v[c], 12)
                v[a] = v[a] &+ v[b] &+ (m[s[2 * i + 1]] ^ u[s[2 * i]])
                v[d] = rot(v[d] ^ v[a], 8)
                v[c] = v[c] &+ v[d]
                v[b] = rot(v[b] ^ v[c], 7)
            }
            for r in 0..<14 {
                g(0, 4, 8, 12, r, 0); g(1, 5, 9, 13, r, 1); g(2, 6, 10, 14, r, 2); g(3, 7, 11, 15, r, 3)
                g(0, 5, 10, 15, r, 4); g(1, 6, 11, 12, r, 5); g(2, 7, 8, 13, r, 6); g(3, 4, 9, 14, r, 7)
            }
            for i in 0..<8 { h[i] ^= salt[i % 4] ^ v[i] ^ v[i + 8] }
        }
        return h.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> UInt32(24 - 8 * $0)) } }
    }
}

/// A small deterministic PRNG so that failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
