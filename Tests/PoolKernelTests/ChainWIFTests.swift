import Foundation
@testable import PoolKernel
import XCTest

/// WIF private keys on dcrd's vectors (`wif.json`).
final class ChainWIFTests: XCTestCase {
    func testWIF_encodeDecodeVectors() throws {
        let vectors = try ChainVectors.array("wif").filter { $0["kind"] as? String == "encode_decode" }
        XCTAssertEqual(vectors.count, 12)
        for vector in vectors {
            let network = try NetParams.named(vector.string("network"))
            let type = try XCTUnwrap(WIF.SignatureType(rawValue: UInt8(vector.int("signature_type"))))
            let decoded = try WIF.decode(vector.string("wif"), network: network)
            XCTAssertEqual(decoded.privateKey, try vector.hex("private_key_hex"), vector.name)
            XCTAssertEqual(decoded.signatureType, type, vector.name)
            XCTAssertEqual(decoded.networkName, network.name)
            let built = try WIF(privateKey: vector.hex("private_key_hex"), signatureType: type, network: network)
            XCTAssertEqual(built.encoded, try vector.string("wif"), vector.name)
            XCTAssertEqual(built, decoded, vector.name)
            XCTAssertEqual(String(format: "%04x", network.addressIDs.privateKey), try vector.string("net_id_hex"))
            XCTAssertEqual(try decoded.publicKey(), try vector.hex("pubkey_hex"), vector.name)
            XCTAssertFalse(String(describing: decoded).contains(try vector.string("private_key_hex")))
        }
    }

    func testWIF_decodeAndConstructErrors() throws {
        let expected: [String: ErrorCode] = [
            "ErrMalformedPrivateKey": .badWIF, "ErrChecksumMismatch": .badChecksum, "ErrWrongWIFNetwork": .wrongNetwork,
            "not on subgroup (>N)": .badPrivateKey,
        ]
        let vectors = try ChainVectors.array("wif")
        let decodeErrors = vectors.filter { $0["kind"] as? String == "decode_error" }
        XCTAssertEqual(decodeErrors.count, 5)
        for vector in decodeErrors {
            XCTAssertThrowsError(try WIF.decode(vector.string("wif"), network: NetParams.named(vector.string("decode_network"))),
                                 vector.name) { error in
                XCTAssertEqual((error as? ChainError)?.code, expected[(try? vector.string("error")) ?? ""], vector.name)
            }
        }
        for vector in vectors where vector["kind"] as? String == "construct_error" {
            let network = try NetParams.named(vector.string("network"))
            let rawType = try vector.int("signature_type")
            if let type = UInt8(exactly: rawType).flatMap(WIF.SignatureType.init(rawValue:)) {
                XCTAssertThrowsError(try WIF(privateKey: vector.hex("private_key_hex"), signatureType: type, network: network)) {
                    XCTAssertEqual(($0 as? ChainError)?.code, .badPrivateKey, vector.name)
                }
            } else {
                XCTAssertGreaterThan(rawType, 2, "an unsupported type has no case")
            }
        }
    }

    func testWIF_hostileInputs() throws {
        let valid = "PmQdMn8xafwaQouk8ngs1CccRCB1ZmsqQxBaxNR4vhQi5a5QB5716"
        func code(_ text: String, _ network: NetParams = .mainnet) -> ErrorCode? {
            do { _ = try WIF.decode(text, network: network); return nil } catch { return (error as? ChainError)?.code }
        }
        XCTAssertNil(code(valid))
        XCTAssertEqual(code(valid, .simnet), .wrongNetwork)
        XCTAssertEqual(code(""), .badWIF)
        XCTAssertEqual(code("0OIl" + valid.dropFirst(4)), .badBase58Character)
        XCTAssertEqual(code(String(repeating: "z", count: 500)), .badWIF)
        // An unknown signature type with a correct checksum.
        let body: [UInt8] = [0x22, 0xDE, 7] + [UInt8](repeating: 1, count: 32)
        XCTAssertEqual(code(Base58.encode(body + Array(BLAKE256.hash(body).prefix(4)))), .unsupportedAddress)
        // A zero secp256k1 key decodes (as in dcrd) but has no public key.
        let zero = try WIF(privateKey: [UInt8](repeating: 0, count: 32), network: .mainnet)
        XCTAssertThrowsError(try WIF.decode(zero.encoded, network: .mainnet).publicKey()) {
            XCTAssertEqual(($0 as? ChainError)?.code, .badPrivateKey)
        }
        for _ in 0..<300 {
            let text = String((0..<Int.random(in: 0...60)).map { _ in "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".randomElement()! })
            if let error = code(text) { XCTAssertTrue([.badWIF, .badChecksum, .wrongNetwork, .unsupportedAddress, .badPrivateKey].contains(error)) }
        }
    }
}
