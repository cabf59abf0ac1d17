import COpenSSL
import Foundation
@testable import PoolKernel
import XCTest

/// secp256k1 ECDSA on dcrd's vectors (`secp256k1-ecdsa.json`): strict DER, low-S serialization, verification,
/// RFC 6979 nonces and signatures, compact signatures and public-key recovery with dcrd's error kinds; then
/// signatures exchanged both ways with OpenSSL's own ECDSA.
final class ChainECDSATests: XCTestCase {
    private func vectors(_ kind: String) throws -> [ChainVectors.Object] {
        let all = try ChainVectors.array("secp256k1-ecdsa").filter { $0["kind"] as? String == kind }
        XCTAssertFalse(all.isEmpty, "no \(kind) vectors")
        return all
    }

    func testECDSA_derParseVectorsWithDcrdErrorKinds() throws {
        let list = try vectors("der_parse")
        XCTAssertEqual(list.count, 28)
        for vector in list {
            let result = ECDSASignature.parseDER(try vector.hex("sig_der_hex"))
            if vector["valid"] as? Bool == true {
                guard case .success(let signature) = result else { return XCTFail("\(vector.name): \(result)") }
                XCTAssertEqual(signature.der, try vector.hex("sig_der_hex"), vector.name)
            } else {
                guard case .failure(let defect) = result else { return XCTFail("\(vector.name) parsed") }
                XCTAssertEqual(defect.rawValue, try vector.string("error"), vector.name)
                XCTAssertThrowsError(try ECDSASignature(der: vector.hex("sig_der_hex"))) { error in
                    XCTAssertEqual((error as? ChainError)?.code, .badSignature)
                }
            }
        }
    }

    func testECDSA_derSerializeEmitsLowS() throws {
        for vector in try vectors("der_serialize") {
            XCTAssertEqual(ECDSASignature.der(r: try vector.hex("r_hex"), s: try vector.hex("s_hex")), try vector.hex("der_hex"), vector.name)
        }
    }

    func testECDSA_signAndVerifyVectors() throws {
        let list = try vectors("sign_verify")
        XCTAssertEqual(list.count, 18)
        for vector in list {
            let key = try vector.hex("private_key_hex"), hash = try vector.hex("hash_hex")
            let nonce = try vector.hex("nonce_hex")
            XCTAssertEqual(BLAKE256.hash(try vector.hex("msg_hex")), hash, vector.name)
            if vector["nonce_is_rfc6979"] as? Bool == true {
                XCTAssertEqual(RFC6979.nonce(privateKey: key, hash: hash), nonce, vector.name)
                let (signature, code) = try ECDSASignature.sign(hash: hash, privateKey: key)
                XCTAssertEqual(signature.r, try vector.hex("r_hex"), vector.name)
                XCTAssertEqual(signature.s, try vector.hex("s_hex"), vector.name)
                XCTAssertEqual(Int(code), try vector.int("recovery_code"), vector.name)
            }
            let explicit = try XCTUnwrap(ECDSASignature.sign(hash: hash, privateKey: key, nonce: nonce), vector.name)
            XCTAssertEqual(explicit.signature.r, try vector.hex("r_hex"), vector.name)
            XCTAssertEqual(explicit.signature.s, try vector.hex("s_hex"), vector.name)
            XCTAssertEqual(explicit.signature.der, try vector.hex("der_hex"), vector.name)
            XCTAssertEqual(try Secp256k1.publicKey(privateKey: key), try vector.hex("pubkey_compressed_hex"), vector.name)
            for pubkey in ["pubkey_compressed_hex", "pubkey_uncompressed_hex"] {
                XCTAssertTrue(try explicit.signature.verify(hash: hash, publicKey: vector.hex(pubkey)), vector.name)
            }
        }
    }

    func testECDSA_signAndVerifyFailures() throws {
        for vector in try vectors("sign_failure") {
            XCTAssertNil(try ECDSASignature.sign(hash: vector.hex("hash_hex"), privateKey: vector.hex("private_key_hex"),
                                                 nonce: vector.hex("nonce_hex")), vector.name)
        }
        let failures = try vectors("verify_failure") + ChainVectors.array("secp256k1-ecdsa", key: "extractor_derived")
        XCTAssertEqual(failures.count, 8)
        for vector in failures {
            let r = try vector.hex("r_hex"), s = try vector.hex("s_hex"), hash = try vector.hex("hash_hex")
            let key = try vector.hex("pubkey_compressed_hex")
            let context = try Secp256k1Context()
            let point = try context.parse(key)
            defer { EC_POINT_free(point) }
            let verifies = try ECDSAMath(context).verify(hash: hash, r: r, s: s, publicKey: point)
            XCTAssertEqual(verifies, try XCTUnwrap(vector["verifies"] as? Bool), vector.name)
        }
    }

    func testECDSA_examples() throws {
        let sign = try XCTUnwrap(vectors("example_sign").first)
        XCTAssertEqual(BLAKE256.hash(Array(try sign.string("message_ascii").utf8)), try sign.hex("hash_hex"))
        let (signature, _) = try ECDSASignature.sign(hash: sign.hex("hash_hex"), privateKey: sign.hex("private_key_hex"))
        XCTAssertEqual(signature.der, try sign.hex("der_hex"))
        let verify = try XCTUnwrap(vectors("example_verify").first)
        let parsed = try ECDSASignature(der: verify.hex("der_hex"))
        XCTAssertTrue(try parsed.verify(hash: verify.hex("hash_hex"), publicKey: verify.hex("pubkey_hex")))
    }

    func testECDSA_rfc6979NonceVectors() throws {
        let list = try ChainVectors.array("secp256k1-ecdsa", key: "rfc6979_nonce_vectors")
        XCTAssertEqual(list.count, 21)
        for vector in list {
            let nonce = RFC6979.nonce(privateKey: try vector.hex("key_hex"), hash: try vector.hex("hash_hex"),
                                      extraData: try vector.hex("extra_data_hex"), version: try vector.hex("version_hex"),
                                      extraIterations: UInt32(try vector.int("extra_iterations")))
            XCTAssertEqual(Hex.encode(nonce), try vector.string("nonce_hex"), vector.name)
        }
    }

    func testCompact_signAndRecoverVectors() throws {
        let list = try vectors("compact_sign_recover")
        XCTAssertEqual(list.count, 28)
        for vector in list {
            let compressed = try XCTUnwrap(vector["compressed"] as? Bool)
            let signature = try CompactSignature.sign(hash: vector.hex("hash_hex"), privateKey: vector.hex("private_key_hex"),
                                                      compressed: compressed)
            XCTAssertEqual(signature, try vector.hex("compact_sig_hex"), vector.name)
            let recovered = try CompactSignature.recoverPublicKey(signature: vector.hex("compact_sig_hex"), hash: vector.hex("hash_hex"))
            XCTAssertEqual(recovered.publicKey, try vector.hex("recovered_pubkey_hex"), vector.name)
            XCTAssertEqual(recovered.compressed, try XCTUnwrap(vector["recovered_compressed"] as? Bool), vector.name)
        }
    }

    func testCompact_recoverErrorsAreDcrdsInDcrdsOrder() throws {
        let list = try vectors("compact_recover_error")
        XCTAssertEqual(list.count, 15)
        for vector in list {
            XCTAssertThrowsError(try CompactSignature.recover(signature: vector.hex("compact_sig_hex"), hash: vector.hex("hash_hex")),
                                 vector.name) { error in
                XCTAssertEqual((error as? SignatureDefect)?.rawValue, try? vector.string("error"), vector.name)
            }
            XCTAssertThrowsError(try CompactSignature.recoverPublicKey(signature: vector.hex("compact_sig_hex"),
                                                                       hash: vector.hex("hash_hex"))) { error in
                XCTAssertEqual((error as? ChainError)?.code, .badSignature, vector.name)
            }
        }
    }

    func testCompact_hostileBytesNeverCrash() throws {
        let hash = BLAKE256.hash(Array("hostile".utf8))
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let length = round % 3 == 0 ? Int.random(in: 0...80, using: &generator) : 65
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length == 65 { bytes[0] = UInt8(27 + round % 8) }
            do {
                let (key, _) = try CompactSignature.recoverPublicKey(signature: bytes, hash: hash)
                XCTAssertTrue(Secp256k1.isValidPublicKey(key))
            } catch let error as ChainError {
                XCTAssertEqual(error.code, .badSignature)
            }
        }
    }

    // MARK: - Differential: OpenSSL's own ECDSA

    /// A fresh secp256k1 key made by OpenSSL, with its raw private scalar and compressed public key.
    private func openSSLKey() throws -> (key: OpaquePointer, privateKey: [UInt8], publicKey: [UInt8]) {
        let key = try XCTUnwrap(copenssl_ec_gen("secp256k1"))
        var bignum: OpaquePointer?
        XCTAssertEqual(EVP_PKEY_get_bn_param(key, "priv", &bignum), 1)
        var privateKey = [UInt8](repeating: 0, count: 32)
        XCTAssertEqual(BN_bn2binpad(bignum, &privateKey, 32), 32)
        BN_clear_free(bignum)
        var publicKey = [UInt8](repeating: 0, count: 65)
        var length = 0
        XCTAssertEqual(EVP_PKEY_get_octet_string_param(key, "pub", &publicKey, 65, &length), 1)
        return (key, privateKey, try Secp256k1.compressed(Array(publicKey.prefix(length))))
    }

    func testECDSA_differentialWithOpenSSLBothWays() throws {
        for round in 0..<40 {
            let (key, privateKey, publicKey) = try openSSLKey()
            defer { EVP_PKEY_free(key) }
            XCTAssertEqual(try Secp256k1.publicKey(privateKey: privateKey), publicKey)
            let hash = BLAKE256.hash(Array("round \(round)".utf8))

            // OpenSSL signs (random nonce, possibly high S); we parse its DER and verify.
            let context = try XCTUnwrap(EVP_PKEY_CTX_new(key, nil))
            defer { EVP_PKEY_CTX_free(context) }
            XCTAssertEqual(EVP_PKEY_sign_init(context), 1)
            var der = [UInt8](repeating: 0, count: 80)
            var derLength = der.count
            XCTAssertEqual(EVP_PKEY_sign(context, &der, &derLength, hash, hash.count), 1)
            let theirs = try ECDSASignature(der: Array(der.prefix(derLength)))
            XCTAssertTrue(try theirs.verify(hash: hash, publicKey: publicKey), "round \(round)")
            XCTAssertFalse(try theirs.verify(hash: BLAKE256.hash(hash), publicKey: publicKey), "round \(round)")

            // We sign; OpenSSL verifies our DER, and our compact form recovers OpenSSL's key.
            let (ours, _) = try ECDSASignature.sign(hash: hash, privateKey: privateKey)
            XCTAssertEqual(EVP_PKEY_verify_init(context), 1)
            XCTAssertEqual(EVP_PKEY_verify(context, ours.der, ours.der.count, hash, hash.count), 1, "round \(round)")
            let compact = try CompactSignature.sign(hash: hash, privateKey: privateKey)
            XCTAssertEqual(try CompactSignature.recoverPublicKey(signature: compact, hash: hash).publicKey, publicKey)
        }
    }
}
