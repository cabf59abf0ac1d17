import Foundation
@testable import PoolKernel
import XCTest

final class ChainUserPubKeyAddressTests: XCTestCase {
    private let generator = [UInt8](repeating: 0, count: 31) + [1]

    private func code(_ body: () throws -> Address) -> RegistrationError.Code? {
        do { _ = try body(); return nil } catch { return (error as? RegistrationError)?.code }
    }

    func testUserPubKeyAddress_acceptsPubKeyAddressOfPoolNetwork() throws {
        let key = try Secp256k1.publicKey(privateKey: generator)
        for net in NetParams.allBuiltIn {
            let text = try Address.pubKey(publicKey: key, network: net).encoded
            let address = try UserPubKeyAddress.validate(text, poolNetwork: net)
            XCTAssertEqual(address.kind, .pubKey)
            XCTAssertEqual(address.payload, key)
        }
    }

    func testUserPubKeyAddress_rejectionsFollowDcrstakepoolOrder() throws {
        let key = try Secp256k1.publicKey(privateKey: generator)
        let mainnetPK = try Address.pubKey(publicKey: key, network: .mainnet).encoded
        XCTAssertEqual(code { try UserPubKeyAddress.validate(String(repeating: "D", count: 39), poolNetwork: .mainnet) }, .addressTooShort)
        XCTAssertEqual(code { try UserPubKeyAddress.validate(String(repeating: "D", count: 66), poolNetwork: .mainnet) }, .addressTooLong)
        XCTAssertEqual(code { try UserPubKeyAddress.validate(String(repeating: "D", count: 45), poolNetwork: .mainnet) }, .undecodableAddress)
        var broken = Array(mainnetPK)
        broken[10] = broken[10] == "a" ? "b" : "a"
        XCTAssertEqual(code { try UserPubKeyAddress.validate(String(broken), poolNetwork: .mainnet) }, .undecodableAddress)
        let p2pkh = try Address.pubKeyHash(publicKey: key, network: .mainnet).encoded
        // 35-character P2PKH/P2SH addresses fail the length check before the type check, as in dcrstakepool.
        XCTAssertEqual(code { try UserPubKeyAddress.validate(p2pkh, poolNetwork: .mainnet) }, .addressTooShort)
        let p2sh = try Address.scriptHash(script: [0x51], network: .mainnet).encoded
        XCTAssertEqual(code { try UserPubKeyAddress.validate(p2sh, poolNetwork: .mainnet) }, .addressTooShort)
        let schnorr = try Address.pubKey(publicKey: key, network: .mainnet, kind: .pubKeySchnorr).encoded
        XCTAssertEqual(code { try UserPubKeyAddress.validate(schnorr, poolNetwork: .mainnet) }, .incorrectAddressType)
        let ed25519 = try Address(kind: .pubKeyEd25519, payload: [UInt8](repeating: 9, count: 32), network: .mainnet).encoded
        XCTAssertEqual(code { try UserPubKeyAddress.validate(ed25519, poolNetwork: .mainnet) }, .incorrectAddressType)
        // Wrong network: rejected by default, accepted in dcrstakepool-compatible mode.
        XCTAssertEqual(code { try UserPubKeyAddress.validate(mainnetPK, poolNetwork: .testnet3) }, .wrongNetwork)
        XCTAssertEqual(try UserPubKeyAddress.validate(mainnetPK, poolNetwork: .testnet3, allowOtherNetworks: true).networkName,
                       "mainnet")
    }

    func testUserPubKeyAddress_vectorPubKeyAddressesValidate() throws {
        var checked = 0
        for vector in try ChainVectors.array("addresses") where vector["type"] as? String == "p2pk-ecdsa-secp256k1" {
            guard vector["valid"] as? Bool == true, let text = vector["address"] as? String else { continue }
            let net = try NetParams.named(vector.string("network"))
            XCTAssertEqual(try UserPubKeyAddress.validate(text, poolNetwork: net).encoded, text, vector.name)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
    }
}
