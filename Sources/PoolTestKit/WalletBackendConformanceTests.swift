import PoolKernel
import XCTest

/// The `WalletBackend` contract as tests. Subclass it in a backend's test target, override
/// `makeWallet()`, and declare one test that runs the suite (Linux XCTest discovery does not see test
/// methods inherited from another module, so the checks are run by name from the subclass):
///
/// ```swift
/// final class MyWalletTests: WalletBackendConformanceTests {
///     override func makeWallet() async throws -> (any WalletBackend)? { MyWallet(...) }
///     func testMyWallet_conformance() async throws { try await runWalletConformance() }
/// }
/// ```
///
/// The suite only uses behaviour every wallet must have without chain fixtures. Backends that can
/// build real multisig scripts return two of their pay-to-pubkey addresses from `pubKeyAddresses`.
open class WalletBackendConformanceTests: XCTestCase {
    /// A fresh wallet for one test, or nil to skip (the base class).
    open func makeWallet() async throws -> (any WalletBackend)? { nil }

    /// Two pay-to-pubkey addresses the wallet accepts in `createmultisig`, or nil if it has none.
    open func pubKeyAddresses(of wallet: any WalletBackend) async throws -> [String]? { nil }

    /// A well-formed 1-of-2 multisig redeem script (the secp256k1 points G and 2G as keys).
    public static let sampleRedeemScript =
        "51" + "21" + "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        + "21" + "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5" + "52ae"


    /// Every check of the contract, by name. Each gets a fresh wallet from `makeWallet()`.
    public var walletChecks: [ConformanceCheck] {
        [
            ("walletInfoVoteDefaultsAreConsistent", checkWallet_walletInfoVoteDefaultsAreConsistent),
            ("undecodableAddressIsInvalidNotAnError", checkWallet_undecodableAddressIsInvalidNotAnError),
            ("createMultisigWithBadKeysFails", checkWallet_createMultisigWithBadKeysFails),
            ("createMultisigIsDeterministic", checkWallet_createMultisigIsDeterministic),
            ("emptyScriptImportIsRejected", checkWallet_emptyScriptImportIsRejected),
            ("importScriptIsIdempotentAndListed", checkWallet_importScriptIsIdempotentAndListed),
            ("scriptSetHoldsTheListedScripts", checkWallet_scriptSetHoldsTheListedScripts),
            ("unknownTransactionIsMinus5", checkWallet_unknownTransactionIsMinus5),
            ("unknownRawTransactionIsMinus5", checkWallet_unknownRawTransactionIsMinus5),
            ("voteForUnknownTicketIsMinus4", checkWallet_voteForUnknownTicketIsMinus4),
            ("badTicketHexIsRejected", checkWallet_badTicketHexIsRejected),
            ("badStakePoolUserAddressIsMinus4", checkWallet_badStakePoolUserAddressIsMinus4),
            ("bestBlockAndTicketsAreWellFormed", checkWallet_bestBlockAndTicketsAreWellFormed),
            ("stakeInfoProportionsAreConsistent", checkWallet_stakeInfoProportionsAreConsistent),
            ("syncAddressIndexAndVersion", checkWallet_syncAddressIndexAndVersion),
            ("concurrentCallsAllComplete", checkWallet_concurrentCallsAllComplete),
            ("callsAfterCloseFailWithShutdown", checkWallet_callsAfterCloseFailWithShutdown),
        ]
    }

    /// Runs every check; a failing check is reported with its name and the others still run.
    /// A check that needs a fixture the backend lacks skips, and a skip fails with `CI=true` (`ConformanceRunner`).
    public func runWalletConformance(failSkips: Bool = TestEnvironment.isCI, file: StaticString = #filePath,
                                     line: UInt = #line) async throws {
        guard try await makeWallet() != nil else { throw XCTSkip("base conformance class: no backend") }
        try await ConformanceRunner.run("wallet", walletChecks, failSkips: failSkips, file: file, line: line)
    }

    private static let unknownHash = String(repeating: "ab", count: 32)

    private func wallet() async throws -> any WalletBackend {
        guard let wallet = try await makeWallet() else { throw XCTSkip("base conformance class: no backend") }
        return wallet
    }

    /// Asserts that `body` fails with a JSON-RPC error, optionally with the given code.
    public func assertRPCError<T>(_ expectedCode: Int?, _ body: () async throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected an RPC error", file: file, line: line)
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletRPC, "\(error)", file: file, line: line)
            if let expectedCode { XCTAssertEqual(error.rpcCode, expectedCode, "\(error)", file: file, line: line) }
        } catch {
            XCTFail("expected WalletError, got \(error)", file: file, line: line)
        }
    }

    private static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    public func checkWallet_walletInfoVoteDefaultsAreConsistent() async throws {
        let wallet = try await wallet()
        let info = try await wallet.walletInfo()
        XCTAssertEqual(info.voteBits & 1, 1, "bit 0 of the default vote bits is always set")
        XCTAssertGreaterThan(info.voteVersion, 0)
        let hex = Array(info.voteBitsExtended.utf8)
        XCTAssertGreaterThanOrEqual(hex.count, 8)
        var version: UInt32 = 0
        for index in 0..<4 {
            let byte = UInt32(String(decoding: hex[index * 2..<index * 2 + 2], as: UTF8.self), radix: 16)
            XCTAssertNotNil(byte)
            version |= (byte ?? 0) << (8 * UInt32(index))
        }
        XCTAssertEqual(version, info.voteVersion, "votebitsextended starts with the vote version, little-endian")
    }

    public func checkWallet_undecodableAddressIsInvalidNotAnError() async throws {
        let wallet = try await wallet()
        let result = try await wallet.validateAddress("not-an-address")
        XCTAssertFalse(result.isValid)
        XCTAssertFalse(result.isMine)
    }

    public func checkWallet_createMultisigWithBadKeysFails() async throws {
        let wallet = try await wallet()
        await assertRPCError(nil) { try await wallet.createMultisig(nRequired: 1, keys: ["bogus", "keys"]) }
    }

    public func checkWallet_createMultisigIsDeterministic() async throws {
        let wallet = try await wallet()
        guard let keys = try await pubKeyAddresses(of: wallet) else { throw XCTSkip("backend has no key fixture") }
        let first = try await wallet.createMultisig(nRequired: 1, keys: keys)
        let second = try await wallet.createMultisig(nRequired: 1, keys: keys)
        XCTAssertEqual(first, second)
        XCTAssertTrue(first.redeemScript.hasPrefix("51"), "a 1-of-n script starts with OP_1")
        XCTAssertTrue(first.redeemScript.hasSuffix("ae"), "a multisig script ends with OP_CHECKMULTISIG")
    }

    public func checkWallet_emptyScriptImportIsRejected() async throws {
        let wallet = try await wallet()
        await assertRPCError(WalletRPCCode.wallet) { try await wallet.importScript("", rescan: true, scanFrom: 0) }
    }

    public func checkWallet_importScriptIsIdempotentAndListed() async throws {
        let wallet = try await wallet()
        let script = Self.sampleRedeemScript
        try await wallet.importScript(script, rescan: true, scanFrom: 0)
        try await wallet.importScript(script, rescan: true, scanFrom: 0)
        let listed = try await wallet.listScripts().filter { $0.redeemScript == script }
        XCTAssertEqual(listed.count, 1, "a script imported twice is listed once")
    }

    /// `listScriptSet()` holds exactly the scripts `listScripts()` lists, as bytes, each once.
    public func checkWallet_scriptSetHoldsTheListedScripts() async throws {
        let wallet = try await wallet()
        try await wallet.importScript(Self.sampleRedeemScript, rescan: true, scanFrom: 0)
        let listed = Set(try await wallet.listScripts().map { $0.redeemScript.lowercased() })
        let set = try await wallet.listScriptSet()
        XCTAssertEqual(set.count, listed.count)
        XCTAssertEqual(Set((0..<set.count).map(set.hex)), listed)
        XCTAssertTrue(listed.contains(Self.sampleRedeemScript.lowercased()))
    }

    public func checkWallet_unknownTransactionIsMinus5() async throws {
        let wallet = try await wallet()
        do {
            _ = try await wallet.transaction(txid: Self.unknownHash)
            XCTFail("expected -5")
        } catch let error as WalletError {
            XCTAssertEqual(error.rpcCode, WalletRPCCode.noInformation)
            XCTAssertTrue(error.message.hasPrefix("-5: No information for transaction"), error.message)
        }
    }

    public func checkWallet_unknownRawTransactionIsMinus5() async throws {
        let wallet = try await wallet()
        await assertRPCError(WalletRPCCode.noInformation) { try await wallet.rawTransaction(txid: Self.unknownHash) }
    }

    public func checkWallet_voteForUnknownTicketIsMinus4() async throws {
        let wallet = try await wallet()
        let info = try await wallet.walletInfo()
        let best = try await wallet.bestBlock()
        await assertRPCError(WalletRPCCode.wallet) {
            try await wallet.generateVote(blockHash: best.hash, height: best.height, ticket: Self.unknownHash,
                                          voteBits: info.voteBits, voteBitsExtended: info.voteBitsExtended)
        }
    }

    public func checkWallet_badTicketHexIsRejected() async throws {
        let wallet = try await wallet()
        await assertRPCError(nil) { try await wallet.addTicket("zz") }
    }

    public func checkWallet_badStakePoolUserAddressIsMinus4() async throws {
        let wallet = try await wallet()
        await assertRPCError(WalletRPCCode.wallet) { try await wallet.stakePoolUserInfo(multisigAddress: "bogus!") }
    }

    public func checkWallet_bestBlockAndTicketsAreWellFormed() async throws {
        let wallet = try await wallet()
        let best = try await wallet.bestBlock()
        XCTAssertTrue(Self.isHash(best.hash), best.hash)
        XCTAssertGreaterThanOrEqual(best.height, 0)
        let all = try await wallet.tickets(includeImmature: true)
        let live = try await wallet.tickets(includeImmature: false)
        XCTAssertTrue(all.allSatisfy(Self.isHash))
        XCTAssertTrue(Set(live).isSubset(of: Set(all)), "live tickets are a subset of all tickets")
    }

    public func checkWallet_stakeInfoProportionsAreConsistent() async throws {
        let wallet = try await wallet()
        let info = try await wallet.stakeInfo()
        let expectedLive = info.poolSize == 0 ? 0 : Double(info.live) / Double(info.poolSize)
        XCTAssertEqual(info.proportionLive, expectedLive, accuracy: 1e-9)
        let decided = info.voted + info.missed
        let expectedMissed = info.missed == 0 ? 0 : Double(info.missed) / Double(decided)
        XCTAssertEqual(info.proportionMissed, expectedMissed, accuracy: 1e-9)
    }

    public func checkWallet_syncAddressIndexAndVersion() async throws {
        let wallet = try await wallet()
        try await wallet.syncDefaultAccount()
        let compatible = try await wallet.hasCompatibleAPI()
        XCTAssertTrue(compatible, "dcrwalletjsonrpcapi must be 4.x with x >= 1")
    }

    public func checkWallet_concurrentCallsAllComplete() async throws {
        let wallet = try await wallet()
        let expected = try await wallet.walletInfo()
        try await withThrowingTaskGroup(of: WalletInfo.self) { group in
            for _ in 0..<64 { group.addTask { try await wallet.walletInfo() } }
            var count = 0
            for try await info in group {
                XCTAssertEqual(info.voteVersion, expected.voteVersion)
                count += 1
            }
            XCTAssertEqual(count, 64)
        }
    }

    public func checkWallet_callsAfterCloseFailWithShutdown() async throws {
        let wallet = try await wallet()
        await wallet.close()
        do {
            _ = try await wallet.walletInfo()
            XCTFail("a closed wallet must not answer")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletShutdown)
            XCTAssertTrue(error.isUnavailable)
        }
    }
}
