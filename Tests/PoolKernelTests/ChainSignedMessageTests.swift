import Foundation
@testable import PoolKernel
import XCTest

/// Decred message signing on dcrd's vectors (`message-signing.json`) and the vspd request-signature vector of
/// the spec (`shared/spec/vspd-api.md` §2.4).
final class ChainSignedMessageTests: XCTestCase {
    private let privateKeyOne = [UInt8](repeating: 0, count: 31) + [1]

    func testMessage_framingAndHashOfTheWorkedExample() throws {
        let format = try XCTUnwrap(ChainVectors.file("message-signing")["format"] as? ChainVectors.Object)
        XCTAssertEqual(SignedMessage.framed([]).prefix(24), ArraySlice(try format.hex("prefix_framed_hex")))
        let example = try XCTUnwrap(format["worked_example"] as? ChainVectors.Object)
        let message = Array(try example.string("message").utf8)
        XCTAssertEqual(SignedMessage.framed(message), try example.hex("hashed_data_hex"))
        XCTAssertEqual(SignedMessage.hash(message), try example.hex("message_hash_hex"))
    }

    func testMessage_verifyVectorsAndExtractorCases() throws {
        let vectors = try ChainVectors.array("message-signing") + ChainVectors.array("message-signing", key: "extractor_derived")
        XCTAssertEqual(vectors.count, 23)
        for vector in vectors {
            let message = Array(try vector.string("message").utf8)
            if let hash = vector["message_hash_hex"] as? String {
                XCTAssertEqual(Hex.encode(SignedMessage.hash(message)), hash, vector.name)
            }
            let network = try NetParams.named(vector.string("network"))
            let verify = {
                try SignedMessage.verify(message, signatureBase64: vector.string("signature_base64"),
                                         address: vector.string("address"), network: network)
            }
            if try XCTUnwrap(vector["valid"] as? Bool) {
                XCTAssertNoThrow(try verify(), vector.name)
            } else {
                XCTAssertThrowsError(try verify(), vector.name) { XCTAssertTrue($0 is ChainError, vector.name) }
            }
            // Where the vector names the address the signature recovers, recovery agrees.
            if let recoveredAddress = vector["recovered_address"] as? String,
               let signature = StrictBase64.decode(try vector.string("signature_base64")) {
                let (key, _) = try CompactSignature.recoverPublicKey(signature: signature, hash: SignedMessage.hash(message))
                XCTAssertEqual(try Address(kind: .pubKeyHash, payload: Hash160.hash(key), network: network).encoded,
                               recoveredAddress, vector.name)
            }
        }
    }

    func testMessage_errorsAreTypedByCause() throws {
        let message = Array("test message".utf8)
        let signature = "H18ier4CIfSBOk0FKPjO4mggno0ES1w2P+41GpJnnyiSRWdE2n02YwE29Sw0n2ALT3M1Q1+GQW7moKqsem1COF8="
        func code(_ signature: String, _ address: String, _ network: NetParams = .mainnet) -> ErrorCode? {
            do {
                try SignedMessage.verify(message, signatureBase64: signature, address: address, network: network)
                return nil
            } catch {
                return (error as? ChainError)?.code
            }
        }
        XCTAssertNil(code(signature, "DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx"))
        XCTAssertEqual(code(signature, "DcXTb4QtmnyRsnzUVViYQawqFE5PuYTdX2C"), .unsupportedAddress)  // P2SH
        XCTAssertEqual(code(signature, "DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx", .testnet3), .wrongNetwork)
        XCTAssertEqual(code("invalid", "DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx"), .badSignature)
        XCTAssertEqual(code(String(signature.dropLast()), "DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx"), .badSignature)  // no padding
        let urlAlphabet = signature.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        XCTAssertEqual(code(urlAlphabet, "DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx"), .badSignature)
        XCTAssertEqual(code("", "DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx"), .badSignature)
        XCTAssertEqual(code(signature, "TsdbYVDoh3JsyP6oEg2aHVoTjsFuHzUgGKv", .testnet3), .signatureMismatch)
    }

    /// The spec's vspd-shaped vector: the request body signed on testnet with key 1 gives exactly the header value.
    func testMessage_vspdRequestSignatureVectorOfTheSpec() throws {
        let body = Array(#"{"tickethash":"484a68f7148e55d05f0b64a29fe7b148572cb5272d1ce2438cf15466d347f4f4"}"#.utf8)
        XCTAssertEqual(body.count, 81)
        XCTAssertEqual(Hex.encode(SignedMessage.hash(body)), "d5204652f5f43d21e9a1d8bd72928517a1512818063840bb510a89cc6fe9c55f")
        let header = "IMOHEANs3DarNBiadV1BJBn8x/aZS35qefIBlUhWMtXPeoabGzQNYnzVGJDjOkw5Ys/Um8I5HexOrRiLAHqxrRg="
        XCTAssertEqual(try SignedMessage.sign(body, privateKey: privateKeyOne), header)
        XCTAssertNoThrow(try SignedMessage.verify(body, signatureBase64: header, address: "TsmfmUitQApgnNxQypdGd2x36djCCpDpERU",
                                                  network: .testnet3))
        var tampered = body
        tampered[20] ^= 1
        XCTAssertThrowsError(try SignedMessage.verify(tampered, signatureBase64: header,
                                                      address: "TsmfmUitQApgnNxQypdGd2x36djCCpDpERU", network: .testnet3)) {
            XCTAssertEqual(($0 as? ChainError)?.code, .signatureMismatch)
        }
    }

    func testMessage_signVerifyRoundTripOnRandomKeysAndBodies() throws {
        for round in 0..<25 {
            var key = (0..<32).map { _ in UInt8.random(in: 0...255) }
            key[0] &= 0x7F
            let body = (0..<Int.random(in: 0...400)).map { _ in UInt8.random(in: 0...255) }
            let address = try Address.pubKeyHash(publicKey: Secp256k1.publicKey(privateKey: key), network: .simnet)
            let signature = try SignedMessage.sign(body, privateKey: key)
            XCTAssertNoThrow(try SignedMessage.verify(body, signatureBase64: signature, address: address.encoded, network: .simnet),
                             "round \(round)")
        }
    }
}
