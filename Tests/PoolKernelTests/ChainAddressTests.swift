import Foundation
@testable import PoolKernel
import XCTest

final class ChainAddressTests: XCTestCase {
    private func network(_ vector: ChainVectors.Object) throws -> NetParams {
        try NetParams.named(vector.string("network"))
    }

    func testAddress_vectorFilePasses() throws {
        let vectors = try ChainVectors.array("addresses")
        var counts: [String: Int] = [:]
        for vector in vectors {
            let name = vector.name
            if let construct = vector["construct"] as? ChainVectors.Object {
                try checkConstructor(construct, vector: vector)
                counts["construct", default: 0] += 1
            } else if let text = vector["string"] as? String {
                XCTAssertEqual(Address.isProbablyV0(text), vector["probably_v0_base58"] as? Bool, name)
                counts["prescreen", default: 0] += 1
            } else if vector["decode_error"] != nil {
                let address = try vector.string("address")
                XCTAssertThrowsError(try Address.decode(address, network: network(vector)), name) { error in
                    guard let chainError = error as? ChainError else { return XCTFail("\(name): \(error)") }
                    let expected = try? vector.string("decode_error")
                    if expected == "ErrBadAddressChecksum" { XCTAssertEqual(chainError.code, .badChecksum, name) }
                    if vector["valid_on_network"] != nil || name.contains("testnet rejected") {
                        XCTAssertEqual(chainError.code, .wrongNetwork, name)
                    }
                }
                counts["decode-invalid", default: 0] += 1
            } else if let pubkeyHex = vector["pubkey_hex"] as? String {
                try checkPubKeyToHash(vector, pubkey: Hex.decode(pubkeyHex))
                counts["pubkey->p2pkh", default: 0] += 1
            } else {
                try checkValidDecode(vector)
                counts["decode-valid", default: 0] += 1
            }
        }
        XCTAssertEqual(vectors.count, 134)
        XCTAssertEqual(counts, ["construct": 55, "prescreen": 11, "decode-invalid": 19, "pubkey->p2pkh": 10, "decode-valid": 39])
    }

    private func checkValidDecode(_ vector: ChainVectors.Object) throws {
        let name = vector.name
        XCTAssertEqual(vector["valid"] as? Bool, true, name)
        let text = try vector.string("address")
        let net = try network(vector)
        let address = try Address.decode(text, network: net)
        if let type = vector["type"] as? String { XCTAssertEqual(address.kind.rawValue, type, name) }
        XCTAssertEqual(address.payload, try vector.hex("payload_hex"), name)
        XCTAssertEqual(address.networkName, net.name)
        XCTAssertEqual(Address.id(of: address.kind, in: net), UInt16(try vector.string("net_id_hex"), radix: 16), name)
        // Re-encoding the payload gives the same text.
        XCTAssertEqual(try Address(kind: address.kind, payload: address.payload, network: net).encoded, text, name)
        if let script = vector["payment_script_hex"] as? String {
            XCTAssertEqual(Hex.encode(address.paymentScript), script, name)
        }
        if let script = vector["script_hex"] as? String, !script.hasPrefix("41") {
            XCTAssertEqual(Hex.encode(address.paymentScript), script, name) // uncompressed scripts re-encode compressed
        }
        if let p2pkh = vector["p2pkh_address"] as? String {
            let hashKind: Address.Kind = address.kind == .pubKeySchnorr ? .pubKeyHashSchnorr : .pubKeyHash
            XCTAssertEqual(try Address(kind: hashKind, payload: Hash160.hash(address.payload), network: net).encoded, p2pkh, name)
        }
        // Any-network decode finds the same network.
        XCTAssertEqual(try Address.decode(text, anyOf: NetParams.allBuiltIn).networkName, net.name, name)
    }

    private func checkPubKeyToHash(_ vector: ChainVectors.Object, pubkey: [UInt8]) throws {
        let name = vector.name, net = try network(vector)
        let expectedHash = try vector.hex("hash160_hex")
        let compressNote = !name.contains("UNCOMPRESSED")
        let address = try Address.pubKeyHash(publicKey: pubkey, network: net, compress: compressNote)
        XCTAssertEqual(address.payload, expectedHash, name)
        XCTAssertEqual(address.encoded, try vector.string("p2pkh_address"), name)
        if let compressed = vector["compressed_pubkey_hex"] as? String {
            XCTAssertEqual(try Secp256k1.compressed(pubkey), try Hex.decode(compressed), name)
        }
        if let p2pk = vector["p2pk_address"] as? String {
            XCTAssertEqual(try Address.pubKey(publicKey: pubkey, network: net).encoded, p2pk, name)
        }
        if let privateKey = vector["private_key_hex"] as? String {
            let derived = try Secp256k1.publicKey(privateKey: Hex.decode(privateKey))
            XCTAssertEqual(derived, try Secp256k1.compressed(pubkey), name)
        }
    }

    private func checkConstructor(_ construct: ChainVectors.Object, vector: ChainVectors.Object) throws {
        let name = vector.name, net = try network(vector)
        let function = try construct.string("func")
        let input = try construct.hex("input_hex")
        let version = UInt16(try construct.int("script_version"))
        let kind = try XCTUnwrap(Address.Kind(rawValue: try vector.string("type")), name)
        let build = { () throws -> Address in
            switch function {
            case "NewAddressScriptHash":
                guard version == 0 else { return try Address(kind: .scriptHash, payload: [], network: net, scriptVersion: version) }
                return try Address.scriptHash(script: input, network: net)
            case "NewAddressPubKeyEcdsaSecp256k1", "NewAddressPubKeySchnorrSecp256k1":
                // The concrete constructors take a parsed key, so any valid encoding is accepted.
                guard version == 0 else { return try Address(kind: kind, payload: input, network: net, scriptVersion: version) }
                return try Address.pubKey(publicKey: input, network: net, kind: kind)
            default:
                return try Address(kind: kind, payload: input, network: net, scriptVersion: version)
            }
        }
        if let expectedError = construct["expect_error"] as? String {
            XCTAssertThrowsError(try build(), name) { error in
                XCTAssertTrue(error is ChainError, name)
                if expectedError == "ErrUnsupportedScriptVersion" {
                    XCTAssertEqual((error as? ChainError)?.code, .unsupportedAddress, name)
                }
            }
        } else {
            let address = try build()
            XCTAssertEqual(address.encoded, try vector.string("address"), name)
            XCTAssertEqual(address.payload, try vector.hex("payload_hex"), name)
            if let script = vector["payment_script_hex"] as? String {
                XCTAssertEqual(Hex.encode(address.paymentScript), script, name)
            }
        }
    }

    func testAddress_wrongNetworkIsTypedError() throws {
        let mainnetAddress = try Address.pubKeyHash(publicKey: Secp256k1.publicKey(privateKey: [UInt8](repeating: 0, count: 31) + [1]),
                                                    network: .mainnet)
        for other in [NetParams.testnet3, .simnet, .regnet] {
            XCTAssertThrowsError(try Address.decode(mainnetAddress.encoded, network: other)) {
                XCTAssertEqual(($0 as? ChainError)?.code, .wrongNetwork)
            }
        }
    }

    /// Random mutations of valid addresses and random base58 strings of address lengths: typed errors only.
    func testAddress_fuzzDecodeNeverCrashes() throws {
        var rng = SplitMix64(seed: 0xADD8)
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        let seeds = [try Address.pubKey(publicKey: Secp256k1.publicKey(privateKey: [UInt8](repeating: 7, count: 32)), network: .mainnet).encoded,
                     try Address.scriptHash(script: [0x51], network: .testnet3).encoded]
        var decodedCount = 0
        for round in 0..<10_000 {
            var chars: [Character]
            if round % 2 == 0 {
                chars = Array(seeds[round % 4 / 2])
                chars[Int(rng.next() % UInt64(chars.count))] = alphabet[Int(rng.next() % 58)]
            } else {
                chars = (0..<(round % 4 == 1 ? 35 : 53)).map { _ in alphabet[Int(rng.next() % 58)] }
            }
            do {
                _ = try Address.decode(String(chars), anyOf: NetParams.allBuiltIn)
                decodedCount += 1
            } catch {
                XCTAssertTrue(error is ChainError, "\(error)")
            }
        }
        XCTAssertLessThan(decodedCount, 200) // a changed character almost always breaks the checksum
    }
}
