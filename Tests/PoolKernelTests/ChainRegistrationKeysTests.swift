import Foundation
import XCTest
@testable import PoolKernel

final class ChainRegistrationKeysTests: XCTestCase {
    /// The pool's ticket and fee addresses are the vectors' `/0/i` children as P2PKH (webapp.md §6.2).
    func testChainRegistrationKeys_matchHDVectorChildren() throws {
        let vectors = try ChainVectors.array("hdkeychain").filter { ($0["group"] as? String) == "TestPublicDerivation" }
        let mainnet = try NetParams.named("mainnet")
        var checked = 0
        for start in vectors where (start["path_indices"] as? [Int]) == [] {
            let startKey = try start.string("start_key")
            let keys = try ChainRegistrationKeys(votingExtendedPublicKey: startKey, coldExtendedPublicKey: startKey, network: mainnet)
            for child in vectors where try child.string("start_key") == startKey {
                guard let path = child["path_indices"] as? [Int], path.count == 2, path[0] == 0 else { continue }
                let expected = try Address.pubKeyHash(publicKey: child.hex("public_key_hex"), network: mainnet).encoded
                XCTAssertEqual(try keys.ticketAddress(userId: UserId(Int64(path[1]))), expected)
                XCTAssertEqual(try keys.feeAddress(userId: UserId(Int64(path[1]))), expected)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 2, "the two /0/i public-derivation vectors")
    }

    func testChainRegistrationKeys_rejectsWrongNetworkAndBadIndex() throws {
        let start = try XCTUnwrap(ChainVectors.array("hdkeychain").first { ($0["group"] as? String) == "TestPublicDerivation" })
        let key = try start.string("start_key")
        XCTAssertThrowsError(try ChainRegistrationKeys(votingExtendedPublicKey: key, coldExtendedPublicKey: key,
                                                       network: NetParams.named("testnet3"))) { error in
            XCTAssertEqual((error as? ChainError)?.message, "voting extended public key is for wrong network")
        }
        let keys = try ChainRegistrationKeys(votingExtendedPublicKey: key, coldExtendedPublicKey: key, network: NetParams.named("mainnet"))
        XCTAssertThrowsError(try keys.ticketAddress(userId: UserId(Int64(1) << 31)))
        XCTAssertNoThrow(try keys.ticketAddress(userId: UserId(20_000)), "no 10,000-user cap")
        XCTAssertThrowsError(try keys.validateUserAddress("not an address"))
    }
}
