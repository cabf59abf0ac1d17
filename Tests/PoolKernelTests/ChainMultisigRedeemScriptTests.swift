import Foundation
@testable import PoolKernel
import XCTest

final class ChainMultisigRedeemScriptTests: XCTestCase {
    private func keys(_ vector: ChainVectors.Object, _ field: String = "pubkeys_hex") throws -> [[UInt8]] {
        try (vector[field] as? [String] ?? []).map { try Hex.decode($0) }
    }

    private func number(_ value: Any?) -> Int? {
        if let int = value as? Int { return int }
        return (value as? String).flatMap(Int.init)
    }

    func testMultisig_vectorFilePasses() throws {
        let vectors = try ChainVectors.array("multisig")
        var perGroup: [String: Int] = [:]
        for vector in vectors {
            let group = try vector.string("group"), name = vector.name
            switch group {
            case "stdscript.TestMultiSigScriptV0":
                let threshold = try XCTUnwrap(number(vector["threshold"]), name)
                let build = { try MultisigRedeemScript(requiredSignatures: threshold, publicKeys: self.keys(vector)) }
                if vector["expect_error"] != nil {
                    XCTAssertThrowsError(try build(), name) { XCTAssertEqual(($0 as? ChainError)?.code, .badScript, name) }
                } else {
                    let script = try build()
                    XCTAssertEqual(Hex.encode(script.bytes), try vector.string("script_hex"), name)
                    XCTAssertEqual(try MultisigRedeemScript(parsing: script.bytes), script, name)
                }
            case "stdscript.scriptV0Tests":
                let script = try vector.hex("script_hex")
                let isSignatureScript = vector["is_signature_script"] as? Bool ?? false
                let wantMultisig = try vector.string("want_type") == "STMultiSig"
                if isSignatureScript {
                    XCTAssertEqual(MultisigRedeemScript.isMultisigSignatureScript(script), wantMultisig, name)
                    XCTAssertFalse(MultisigRedeemScript.isMultisig(script), name)
                } else {
                    XCTAssertEqual(MultisigRedeemScript.isMultisig(script), wantMultisig, name)
                    if wantMultisig {
                        let parsed = try MultisigRedeemScript(parsing: script)
                        XCTAssertEqual(parsed.requiredSignatures, number(vector["required_sigs"]), name)
                        XCTAssertEqual(parsed.publicKeys, try keys(vector), name)
                        if let hash = vector["script_hash160_hex"] as? String { XCTAssertEqual(Hex.encode(parsed.scriptHash), hash) }
                    }
                }
            case "stdscript.addressV0Tests":
                let net = try NetParams.named(vector.string("network"))
                let parsed = try MultisigRedeemScript(parsing: vector.hex("script_hex"))
                XCTAssertEqual(parsed.requiredSignatures, number(vector["required_sigs"]), name)
                XCTAssertEqual(try parsed.pubKeyAddresses(network: net).map(\.encoded), vector["extracted_addresses"] as? [String], name)
            default:
                // P2SH groups: redeem script (when published) -> hash160 -> P2SH address and pkScript.
                let net = try NetParams.named(vector.string("network"))
                let expectedHash = try vector.hex("script_hash160_hex")
                if let redeem = vector["redeem_script_hex"] as? String {
                    let script = try Hex.decode(redeem)
                    XCTAssertEqual(Hash160.hash(script), expectedHash, name)
                    XCTAssertEqual(try P2SH.address(of: script, network: net).encoded, try vector.string("p2sh_address"), name)
                    if let pk = vector["p2sh_pkscript_hex"] as? String { XCTAssertEqual(Hex.encode(P2SH.outputScript(of: script)), pk) }
                    if let m = number(vector["required_sigs"]) {
                        let parsed = try MultisigRedeemScript(parsing: script)
                        XCTAssertEqual(parsed.requiredSignatures, m, name)
                        XCTAssertEqual(parsed.publicKeys, try keys(vector), name)
                        if let p2pk = vector["pubkey_p2pk_addresses"] as? [String] {
                            XCTAssertEqual(try parsed.pubKeyAddresses(network: net).map(\.encoded), p2pk, name)
                        }
                        if let p2pkh = vector["decodescript_addresses"] as? [String] {
                            XCTAssertEqual(try parsed.publicKeys.map {
                                try Address(kind: .pubKeyHash, payload: Hash160.hash($0), network: net).encoded
                            }, p2pkh, name)
                        }
                    }
                }
                let address = try Address.decode(vector.string("p2sh_address"), network: net)
                XCTAssertEqual(address.kind, .scriptHash, name)
                XCTAssertEqual(address.payload, expectedHash, name)
                if let pk = vector["p2sh_pkscript_hex"] as? String { XCTAssertEqual(Hex.encode(address.paymentScript), pk, name) }
            }
            perGroup[group, default: 0] += 1
        }
        XCTAssertEqual(vectors.count, 45)
        XCTAssertEqual(perGroup["stdscript.scriptV0Tests"], 23)
        XCTAssertEqual(perGroup["stdscript.TestMultiSigScriptV0"], 6)
        XCTAssertEqual(perGroup["stdscript.addressV0Tests"], 6)
        XCTAssertEqual(perGroup["chaincfg organization (treasury) P2SH"], 4)
        XCTAssertEqual(perGroup["rpcserver.TestHandleDecodeScript"], 3)
    }

    func testMultisig_hashAndRipemdVectors() throws {
        let hashes = try ChainVectors.array("multisig", key: "hash160_vectors")
        XCTAssertEqual(hashes.count, 4)
        for vector in hashes {
            let input = try vector.hex("input_hex")
            XCTAssertEqual(Hex.encode(BLAKE256.hash(input)), try vector.string("blake256_hex"), vector.name)
            XCTAssertEqual(Hex.encode(Hash160.hash(input)), try vector.string("hash160_hex"), vector.name)
        }
        let ripemd = try ChainVectors.array("multisig", key: "ripemd160_vectors")
        XCTAssertEqual(ripemd.count, 9)
        for vector in ripemd {
            let input: [UInt8]
            if let repeatSpec = vector["input_repeat"] as? ChainVectors.Object {
                input = [UInt8](repeating: try repeatSpec.hex("byte_hex")[0], count: try repeatSpec.int("count"))
            } else {
                input = try vector.hex("input_hex")
            }
            XCTAssertEqual(Hex.encode(RIPEMD160.hash(input)), try vector.string("ripemd160_hex"))
        }
    }

    /// Extractor-computed P2SH addresses of the 1-of-2 and 2-of-2 test scripts on all four networks.
    func testMultisig_extractorDerivedP2SHAllNetworks() throws {
        let vectors = try ChainVectors.array("multisig", key: "extractor_derived")
        XCTAssertEqual(vectors.count, 2)
        for vector in vectors {
            let script = try MultisigRedeemScript(parsing: vector.hex("script_hex"))
            XCTAssertEqual(Hex.encode(script.scriptHash), try vector.string("script_hash160_hex"))
            let addresses = try XCTUnwrap(vector["p2sh_address"] as? [String: String])
            XCTAssertEqual(addresses.count, 4)
            for (name, expected) in addresses {
                XCTAssertEqual(try script.p2shAddress(network: NetParams.named(name)).encoded, expected, name)
            }
        }
    }

    /// dcrstakepool's order: OP_1 <pool> <user> OP_2 OP_CHECKMULTISIG, from keys or pubkey addresses.
    func testMultisig_poolUserOrderAndAddresses() throws {
        let pool = try Secp256k1.publicKey(privateKey: [UInt8](repeating: 0, count: 31) + [1])
        let user = try Secp256k1.publicKey(privateKey: [UInt8](repeating: 0, count: 31) + [2])
        let script = try MultisigRedeemScript.poolUser(poolPubKey: pool, userPubKey: user)
        XCTAssertEqual(script.bytes, [0x51, 0x21] + pool + [0x21] + user + [0x52, 0xAE])
        for net in NetParams.allBuiltIn {
            let viaAddresses = try MultisigRedeemScript.poolUser(
                poolAddress: Address.pubKey(publicKey: pool, network: net).encoded,
                userAddress: Address.pubKey(publicKey: user, network: net).encoded, network: net)
            XCTAssertEqual(viaAddresses, script)
            XCTAssertEqual(try viaAddresses.p2shAddress(network: net).encoded.first, net.addressPrefix.first)
        }
        let p2pkh = try Address.pubKeyHash(publicKey: user, network: .mainnet).encoded
        XCTAssertThrowsError(try MultisigRedeemScript.poolUser(poolAddress: p2pkh, userAddress: p2pkh, network: .mainnet))
    }

    /// Random scripts and random mutations of valid ones: the parser answers, never crashes; anything it
    /// accepts re-serializes to the same bytes.
    func testMultisig_fuzzParserNeverCrashes() throws {
        var rng = SplitMix64(seed: 0x5C41)
        let valid = try MultisigRedeemScript.poolUser(poolPubKey: Secp256k1.publicKey(privateKey: [UInt8](repeating: 5, count: 32)),
                                                userPubKey: Secp256k1.publicKey(privateKey: [UInt8](repeating: 6, count: 32))).bytes
        var accepted = 0
        for round in 0..<10_000 {
            var script: [UInt8]
            if round % 2 == 0 {
                script = valid
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    script[Int(rng.next() % UInt64(script.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if round % 6 == 0 { script.removeLast(Int(rng.next() % 5)) }
            } else {
                script = (0..<Int(rng.next() % 80)).map { _ in
                    [0x51, 0x52, 0x21, 0xAE, 0x4C, 0x4D, 0x4E, 0x00, UInt8(truncatingIfNeeded: rng.next())][Int(rng.next() % 9)]
                }
            }
            if let parsed = try? MultisigRedeemScript(parsing: script) {
                XCTAssertEqual(parsed.bytes, script)
                accepted += 1
            }
            _ = MultisigRedeemScript.isMultisigSignatureScript(script)
        }
        XCTAssertGreaterThan(accepted, 0) // mutations inside the key bytes stay valid multisig
    }
}
