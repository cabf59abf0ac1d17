import PoolKernel
import PoolTestKit
import XCTest

/// Fee addresses (spec §6.2) derived from a fee xpub through the real storage port (in-memory engine). The
/// expected child keys come from `../shared/vectors/hdkeychain.json` (an account xpub, its external branch and
/// children 0…2).
final class VspFeeAddressAllocatorTests: XCTestCase {
    private struct Account {
        let xpub: String
        let branch: String
        let children: [String]  // compressed public keys, hex, of branch children 0, 1, 2
    }

    private func simnetAccount() throws -> Account {
        let derived = try XCTUnwrap(try ChainVectors.file("hdkeychain")["extractor_derived"] as? [[String: Any]])
        let simnet = try XCTUnwrap(derived.first { $0["network"] as? String == "simnet" })
        let children = try XCTUnwrap(simnet["children"] as? [[String: Any]]).compactMap { $0["public_key_hex"] as? String }
        XCTAssertEqual(children.count, 3)
        return Account(xpub: try XCTUnwrap(simnet["account_ext_pub"] as? String),
                       branch: try XCTUnwrap(simnet["branch_ext_pub"] as? String), children: children)
    }

    private func p2pkh(_ publicKeyHex: String) throws -> String {
        try Address(kind: .pubKeyHash, payload: Hash160.hash(try Hex.decode(publicKeyHex)), network: .simnet).encoded
    }

    func testVspFeeAddress_externalBranchChildIStartingAtOne() async throws {
        let account = try simnetAccount()
        let storage = InMemoryStorage()
        let xpub = try await VspFeeAddressAllocator.addFeeXPub(" \(account.xpub)\n", storage: storage, network: .simnet, now: 7)
        XCTAssertEqual(xpub, VspFeeXPub(id: 1, key: account.xpub))
        XCTAssertEqual(try ExtendedPublicKey(parsing: account.xpub, network: .simnet).child(0).serialized(), account.branch)
        let allocator = VspFeeAddressAllocator(storage: storage, network: .simnet)
        let first = try await allocator.next()
        let second = try await allocator.next()
        XCTAssertEqual(first, VspFeeAddress(xpubID: 1, index: 1, address: try p2pkh(account.children[1])))
        XCTAssertEqual(second, VspFeeAddress(xpubID: 1, index: 2, address: try p2pkh(account.children[2])))
        XCTAssertTrue(first.address.hasPrefix("Ss"), first.address)
        // The index is in storage: a new allocator (a restart, another host) continues after it.
        let third = try await VspFeeAddressAllocator(storage: storage, network: .simnet).next()
        XCTAssertEqual(third.index, 3)
        let stored = try await storage.read { try $0.vspFeeXPubs() }
        XCTAssertEqual(stored.first?.lastUsedIndex, 3)
    }

    func testVspFeeAddress_invalidChildIsSkippedAndAThirdSkipFails() async throws {
        let account = try simnetAccount()
        let storage = InMemoryStorage()
        _ = try await VspFeeAddressAllocator.addFeeXPub(account.xpub, storage: storage, network: .simnet, now: 1)
        let invalid: Set<UInt32> = [1, 3, 4, 5]
        let allocator = VspFeeAddressAllocator(storage: storage, network: .simnet) { branch, index, network in
            if invalid.contains(index) { throw ChainError(.badDerivation, "invalid child \(index)") }
            return try VspFeeAddressAllocator.p2pkh(branch, index, network)
        }
        let skippedOne = try await allocator.next()
        XCTAssertEqual(skippedOne.index, 2, "index 1 is skipped, and consumed")
        XCTAssertEqual(skippedOne.address, try p2pkh(account.children[2]))
        do {
            _ = try await allocator.next()
            XCTFail("three invalid children in one call must fail")
        } catch let error as VspError {
            XCTAssertEqual(error.code, .vspFeeAddressDerivation)
        }
        let after = try await allocator.next()
        XCTAssertEqual(after.index, 6, "indexes 3, 4, 5 are never handed out")
    }

    func testVspFeeXPub_refusesPrivateKeysOtherNetworksAndReuse() async throws {
        let account = try simnetAccount()
        let storage = InMemoryStorage()
        let allocator = VspFeeAddressAllocator(storage: storage, network: .simnet)
        do {
            _ = try await allocator.next()
            XCTFail("no xpub yet")
        } catch let error as VspError {
            XCTAssertEqual(error.code, .noVspFeeXPub)
        }
        let derived = try XCTUnwrap(try ChainVectors.file("hdkeychain")["extractor_derived"] as? [[String: Any]])
        let simnet = try XCTUnwrap(derived.first { $0["network"] as? String == "simnet" })
        let privateKey = try XCTUnwrap(simnet["account_ext_priv"] as? String)
        for bad in [privateKey, "dpubZ9169KDAEUnyoBhjjmT2VaEodr6pUTDoqCEAeqgbfr2JfkB88BbK77jbTYbcYXb2FVz7DKBdW4P618yd51MwF8DjKVopSbS7Lkgi6bowX5w",
                    "not an xpub", ""] {
            do {
                _ = try await VspFeeAddressAllocator.addFeeXPub(bad, storage: storage, network: .simnet, now: 1)
                XCTFail("\(bad) must be refused")
            } catch let error as VspError {
                XCTAssertEqual(error.code, .badVspFeeXPub)
                XCTAssertFalse(error.message.contains(privateKey), "a private key is never echoed")
            }
        }
        let none = try await storage.read { try $0.vspFeeXPubs() }
        XCTAssertEqual(none, [])
        _ = try await VspFeeAddressAllocator.addFeeXPub(account.xpub, storage: storage, network: .simnet, now: 1)
        do {
            _ = try await VspFeeAddressAllocator.addFeeXPub(account.xpub, storage: storage, network: .simnet, now: 2)
            XCTFail("a used xpub must be refused")
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .duplicate)
        }
    }
}
