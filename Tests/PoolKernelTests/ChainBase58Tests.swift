import Foundation
@testable import PoolKernel
import XCTest

final class ChainBase58Tests: XCTestCase {
    func testBase58_vectorFilePasses() throws {
        let vectors = try ChainVectors.array("base58")
        var perKind: [String: Int] = [:]
        for vector in vectors {
            let kind = try vector.string("kind")
            let encoded = try vector.string("encoded")
            switch kind {
            case "encode_decode":
                let decoded = try vector.hex("decoded_hex")
                XCTAssertEqual(Base58.encode(decoded), encoded)
                XCTAssertEqual(try Base58.decode(encoded), decoded, encoded)
            case "decode_invalid":
                XCTAssertThrowsError(try Base58.decode(encoded), encoded) {
                    XCTAssertEqual(($0 as? ChainError)?.code, .badBase58Character)
                }
            case "check_encode_decode":
                let version = try vector.hex("version_hex")
                let payload = try vector.hex("payload_hex")
                XCTAssertEqual(version.count, 2)
                let versionValue = UInt16(version[0]) << 8 | UInt16(version[1])
                XCTAssertEqual(Base58Check.encode(version: versionValue, payload: payload), encoded)
                let (gotVersion, gotPayload) = try Base58Check.decode(encoded)
                XCTAssertEqual(gotVersion, versionValue)
                XCTAssertEqual(gotPayload, payload)
                XCTAssertEqual(try Base58.decode(encoded), try vector.hex("raw_decoded_hex"))
                XCTAssertEqual(Base58Check.checksum(version + payload), try vector.hex("checksum_hex"))
            case "check_decode_error":
                let expected: ErrorCode = try vector.string("expect_error") == "ErrChecksum" ? .badChecksum : .badLength
                XCTAssertThrowsError(try Base58Check.decode(encoded), encoded) {
                    XCTAssertEqual(($0 as? ChainError)?.code, expected, encoded)
                }
            default:
                XCTFail("unknown kind \(kind)")
            }
            perKind[kind, default: 0] += 1
        }
        XCTAssertEqual(perKind, ["encode_decode": 35, "decode_invalid": 10, "check_encode_decode": 13, "check_decode_error": 7])
    }

    /// 10,000 random byte strings (with random leading zeros) round-trip, and match a BigInt-free
    /// reference that converts through repeated division of the whole number.
    func testBase58_randomRoundTripsAndReference() throws {
        var rng = SplitMix64(seed: 58)
        for _ in 0..<10_000 {
            let zeros = Int(rng.next() % 4)
            let length = Int(rng.next() % 40)
            let bytes = [UInt8](repeating: 0, count: zeros) + (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let text = Base58.encode(bytes)
            XCTAssertEqual(text, ReferenceBase58.encode(bytes))
            XCTAssertEqual(try Base58.decode(text), bytes)
            let version = UInt16(truncatingIfNeeded: rng.next())
            let checked = Base58Check.encode(version: version, payload: bytes)
            let (v, p) = try Base58Check.decode(checked)
            XCTAssertEqual(v, version)
            XCTAssertEqual(p, bytes)
        }
    }

    /// Random strings over the alphabet plus junk: decoders throw typed errors or succeed, never crash.
    func testBase58_fuzzDecodersNeverCrash() {
        var rng = SplitMix64(seed: 0xF022)
        let pool = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/= \u{0}é漢".unicodeScalars)
        for _ in 0..<10_000 {
            let length = Int(rng.next() % 60)
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(pool[Int(rng.next() % UInt64(pool.count))]) }
            for attempt in [{ _ = try Base58.decode(text) }, { _ = try Base58Check.decode(text) }] {
                do { try attempt() } catch { XCTAssertTrue(error is ChainError, "\(error)") }
            }
        }
        XCTAssertThrowsError(try Base58.decode(String(repeating: "2", count: Base58.maxDecodeLength + 1))) {
            XCTAssertEqual(($0 as? ChainError)?.code, .badLength)
        }
    }
}

/// Textbook base58: treat the bytes as one big number, divide by 58 until zero.
enum ReferenceBase58 {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        var number = Array(bytes.drop { $0 == 0 })
        var out: [Character] = []
        while !number.isEmpty {
            var remainder = 0
            var quotient: [UInt8] = []
            for byte in number {
                let value = remainder * 256 + Int(byte)
                let digit = value / 58
                remainder = value % 58
                if !quotient.isEmpty || digit != 0 { quotient.append(UInt8(digit)) }
            }
            out.append(alphabet[remainder])
            number = quotient
        }
        return String(repeating: "1", count: bytes.prefix { $0 == 0 }.count) + String(out.reversed())
    }
}
