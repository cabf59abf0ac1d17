import Foundation
@testable import PoolKernel
import XCTest

final class ChainHDKeyTests: XCTestCase {
    private func indices(_ vector: ChainVectors.Object) -> [UInt32] {
        (vector["path_indices"] as? [Int] ?? []).map { UInt32($0) }
    }

    private func checkFields(_ key: ExtendedPublicKey, _ vector: ChainVectors.Object) throws {
        let name = vector.name
        XCTAssertEqual(Int(key.depth), try vector.int("depth"), name)
        XCTAssertEqual(String(format: "%08x", key.parentFingerprint), try vector.string("parent_fingerprint_hex"), name)
        XCTAssertEqual(Int(key.childNumber), try vector.int("child_number"), name)
        XCTAssertEqual(key.chainCode, try vector.hex("chain_code_hex"), name)
        if let pub = vector["public_key_hex"] as? String { XCTAssertEqual(Hex.encode(key.publicKey), pub, name) }
    }

    func testHDKey_vectorFilePasses() throws {
        let vectors = try ChainVectors.array("hdkeychain")
        var perGroup: [String: Int] = [:]
        for vector in vectors {
            let group = try vector.string("group"), name = vector.name
            let net = try NetParams.named(vector.string("network"))
            switch group {
            case "TestBIP0032Vectors", "TestBIP0032Vector4":
                let legacy = group == "TestBIP0032Vectors"
                let master = try ExtendedPrivateKey(seed: vector.hex("seed_hex"), network: net)
                let key = try master.derive(indices(vector), legacy: legacy)
                XCTAssertEqual(key.serialized(), try vector.string("ext_priv"), name)
                let pub = try key.neutered(network: net)
                XCTAssertEqual(pub.serialized(), try vector.string("ext_pub"), name)
                try checkFields(pub, vector)
                if let priv = vector["private_key_hex"] as? String { XCTAssertEqual(Hex.encode(key.paddedKey), priv, name) }
                if let serialized = vector["serialized_private_key_hex"] as? String {
                    XCTAssertEqual(Hex.encode(key.payload.keyData.dropFirst()), serialized, name)
                }
                if let strippedLength = vector["legacy_child_private_key_len"] as? Int {
                    // dcrd's legacy Child strips the leading zero byte that strict BIP32 keeps.
                    XCTAssertEqual(key.key.count, 32, name)
                    XCTAssertEqual(try master.derive(indices(vector), legacy: true).key.count, strippedLength, name)
                }
                if !legacy, indices(vector).count == 2 {
                    XCTAssertNotEqual(try master.derive(indices(vector), legacy: true).serialized(), try vector.string("ext_priv"),
                                      "legacy quirk must change \(name)")
                }
                // Parsing the expected strings gives back the same keys.
                XCTAssertEqual(try ExtendedPublicKey(parsing: vector.string("ext_pub"), network: net), pub, name)
                XCTAssertEqual(try ExtendedPrivateKey(parsing: vector.string("ext_priv"), network: net).serialized(),
                               try vector.string("ext_priv"), name)
            case "TestPrivateDerivation":
                let start = try ExtendedPrivateKey(parsing: vector.string("start_key"), network: net)
                let key = try start.derive(indices(vector))
                XCTAssertEqual(key.serialized(), try vector.string("ext_priv"), name)
                XCTAssertEqual(Hex.encode(key.paddedKey), try vector.string("private_key_hex"), name)
                try checkFields(key.neutered(network: net), vector)
            case "TestPublicDerivation":
                let start = try ExtendedPublicKey(parsing: vector.string("start_key"), network: net)
                XCTAssertEqual(Hex.encode(start.publicKey), try vector.string("start_public_key_hex"), name)
                XCTAssertEqual(start.chainCode, try vector.hex("start_chain_code_hex"), name)
                XCTAssertEqual(Int(start.depth), try vector.int("start_key_depth"), name)
                let key = try start.derive(indices(vector))
                XCTAssertEqual(key.serialized(), try vector.string("ext_pub"), name)
                try checkFields(key, vector)
            case "TestExtendedKeyAPI":
                let text = try vector.string("ext_key")
                if vector["is_private"] as? Bool == true {
                    let key = try ExtendedPrivateKey(parsing: text, network: net)
                    XCTAssertEqual(Hex.encode(key.paddedKey), try vector.string("private_key_hex"), name)
                    XCTAssertEqual(Hex.encode(try key.publicKey), try vector.string("public_key_hex"), name)
                    XCTAssertEqual(Int(key.payload.parentFingerprint), try vector.int("parent_fingerprint_uint32"), name)
                    // The public parser refuses private keys.
                    XCTAssertThrowsError(try ExtendedPublicKey(parsing: text, network: net), name)
                } else {
                    let key = try ExtendedPublicKey(parsing: text, network: net)
                    XCTAssertEqual(Hex.encode(key.publicKey), try vector.string("public_key_hex"), name)
                    XCTAssertEqual(Int(key.parentFingerprint), try vector.int("parent_fingerprint_uint32"), name)
                    XCTAssertThrowsError(try ExtendedPrivateKey(parsing: text, network: net), name) // ErrNotPrivExtKey
                }
            case "TestErrors":
                if let seed = vector["seed_hex"] as? String {
                    XCTAssertThrowsError(try ExtendedPrivateKey(seed: Hex.decode(seed), network: net), name) {
                        XCTAssertEqual(($0 as? ChainError)?.code, .badDerivation)
                    }
                } else {
                    let master = try ExtendedPrivateKey(seed: [UInt8](repeating: 0x42, count: 32), network: net)
                    let pub = try master.neutered(network: net)
                    XCTAssertThrowsError(try pub.derive(indices(vector)), name) {
                        XCTAssertEqual(($0 as? ChainError)?.code, .badDerivation)
                    }
                }
            case "TestErrors NewKeyFromString":
                let expected: ErrorCode = switch try vector.string("expect_error") {
                case "ErrInvalidKeyLen": .badExtendedKey
                case "ErrBadChecksum": .badChecksum
                case "ErrWrongNetwork": .wrongNetwork
                default: .badPublicKey
                }
                XCTAssertThrowsError(try ExtendedPublicKey(parsing: vector.string("ext_key"), network: net), name) {
                    XCTAssertEqual(($0 as? ChainError)?.code, expected, name)
                }
            case "Example_defaultWalletLayout":
                let start = try ExtendedPrivateKey(parsing: vector.string("start_key"), network: net)
                let child = try start.derive(indices(vector)).neutered(network: net)
                XCTAssertEqual(try child.p2pkhAddress(network: net).encoded, try vector.string("p2pkh_address"), name)
                // The same address by public derivation of the non-hardened tail (how the pool derives).
                let account = try start.child(indices(vector)[0]).neutered(network: net)
                XCTAssertEqual(try account.derive(Array(indices(vector).dropFirst())).p2pkhAddress(network: net).encoded,
                               try vector.string("p2pkh_address"), name)
            case "Example_audits":
                let start = try ExtendedPrivateKey(parsing: vector.string("start_key"), network: net)
                XCTAssertEqual(try start.neutered(network: net).serialized(), try vector.string("ext_pub"), name)
            default:
                XCTFail("unknown group \(group)")
            }
            perGroup[group, default: 0] += 1
        }
        XCTAssertEqual(vectors.count, 62)
        XCTAssertEqual(perGroup, ["TestBIP0032Vectors": 21, "TestPrivateDerivation": 13, "TestPublicDerivation": 12,
                                  "TestErrors NewKeyFromString": 5, "TestErrors": 3, "TestBIP0032Vector4": 3,
                                  "TestExtendedKeyAPI": 2, "Example_defaultWalletLayout": 2, "Example_audits": 1])
    }

    /// Simnet/regnet keys computed by the extractor (secondary evidence): version bytes and public derivation.
    func testHDKey_extractorDerivedSimnetRegnet() throws {
        let vectors = try ChainVectors.array("hdkeychain", key: "extractor_derived")
        XCTAssertEqual(vectors.count, 2)
        func path(_ text: String) -> [UInt32] {
            text.split(separator: "/").dropFirst().map { part in
                part.hasSuffix("H") ? UInt32(part.dropLast())! + ExtendedPublicKey.hardenedOffset : UInt32(part)!
            }
        }
        for vector in vectors {
            let net = try NetParams.named(vector.string("network"))
            let master = try ExtendedPrivateKey(seed: vector.hex("seed_hex"), network: net)
            XCTAssertEqual(master.serialized(), try vector.string("master_ext_priv"))
            XCTAssertEqual(try master.neutered(network: net).serialized(), try vector.string("master_ext_pub"))
            let account = try master.derive(path(vector.string("account_path")))
            XCTAssertEqual(account.serialized(), try vector.string("account_ext_priv"))
            let accountPub = try account.neutered(network: net)
            XCTAssertEqual(accountPub.serialized(), try vector.string("account_ext_pub"))
            let branch = try accountPub.child(0)
            XCTAssertEqual(branch.serialized(), try vector.string("branch_ext_pub"))
            let children = try XCTUnwrap(vector["children"] as? [ChainVectors.Object])
            XCTAssertEqual(children.count, 3)
            for (index, expected) in children.enumerated() {
                let child = try branch.child(UInt32(index))
                XCTAssertEqual(child.serialized(), try expected.string("ext_pub"))
                XCTAssertEqual(Hex.encode(child.publicKey), try expected.string("public_key_hex"))
                XCTAssertEqual(try child.pubKeyAddress(network: net).encoded, try expected.string("p2pk_address"))
                // Parse round trip on this network; refused on the others.
                XCTAssertEqual(try ExtendedPublicKey(parsing: child.serialized(), network: net), child)
                for other in NetParams.allBuiltIn where other.name != net.name {
                    XCTAssertThrowsError(try ExtendedPublicKey(parsing: child.serialized(), network: other)) {
                        XCTAssertEqual(($0 as? ChainError)?.code, .wrongNetwork)
                    }
                }
            }
        }
    }

    /// derive(i) then serialize/parse gives the same key, and public derivation equals neutered private
    /// derivation (an independent path through the private-key arithmetic).
    func testHDKey_differentialPublicVersusPrivateDerivation() throws {
        var rng = SplitMix64(seed: 0x4D)
        let master = try ExtendedPrivateKey(seed: (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, network: .mainnet)
        let account = try master.derive([44 + ExtendedPublicKey.hardenedOffset, 42 + ExtendedPublicKey.hardenedOffset,
                                         ExtendedPublicKey.hardenedOffset])
        let accountPub = try account.neutered(network: .mainnet)
        let rounds = 300 // each round is two OpenSSL scalar multiplications in debug builds
        for _ in 0..<rounds {
            let index = UInt32(truncatingIfNeeded: rng.next()) % ExtendedPublicKey.hardenedOffset
            let viaPublic = try accountPub.child(index)
            let viaPrivate = try account.child(index).neutered(network: .mainnet)
            XCTAssertEqual(viaPublic, viaPrivate)
            XCTAssertEqual(try ExtendedPublicKey(parsing: viaPublic.serialized(), network: .mainnet), viaPublic)
        }
    }

    func testHDKey_fuzzParseNeverCrashes() throws {
        var rng = SplitMix64(seed: 0x1D)
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        let valid = Array(try ExtendedPrivateKey(seed: [UInt8](repeating: 1, count: 16), network: .mainnet)
            .neutered(network: .mainnet).serialized())
        for round in 0..<10_000 {
            var chars = valid
            if round % 3 == 0 {
                chars = (0..<Int(rng.next() % 130)).map { _ in alphabet[Int(rng.next() % 58)] }
            } else {
                chars[Int(rng.next() % UInt64(chars.count))] = alphabet[Int(rng.next() % 58)]
            }
            do {
                _ = try ExtendedPublicKey(parsing: String(chars), network: .mainnet)
            } catch {
                XCTAssertTrue(error is ChainError, "\(error)")
            }
        }
    }
}
