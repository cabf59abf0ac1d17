import Foundation
@testable import PoolKernel
import PoolTestKit
import XCTest

/// Registration keys over in-memory wallets: ticket/fee addresses are fixed per user id, user addresses are checked
/// by the real chain code (simnet), and `InMemoryWallet`'s placeholder keys are mapped back to addresses.
final class FakeRegistrationKeys: RegistrationKeyDeriving {
    private let seen = LockedValue<[String: String]>([:])

    func validateUserAddress(_ text: String) throws {
        _ = try UserPubKeyAddress.validate(text, poolNetwork: .simnet)
        seen.withLock { $0[Self.placeholderHex(text, bytes: 33)] = text }
    }
    func ticketAddress(userId: UserId) throws -> String { Self.ticketAddress(userId) }
    func feeAddress(userId: UserId) throws -> String { "SsFee" + String(repeating: "z", count: 20) + "\(userId)" }
    func pubKeyAddress(compressedKey: [UInt8]) throws -> String {
        let hex = compressedKey.map { String(format: "%02x", $0) }.joined()
        guard let address = seen.value[hex] else { throw ChainError(.badPublicKey, "unknown key") }
        return address
    }
    func expectedMultisig(poolPubKeyAddress: String, userPubKeyAddress: String) throws -> MultisigScript? { nil }

    static func ticketAddress(_ userId: UserId) -> String { "SsTicket" + String(repeating: "x", count: 20) + "\(userId)" }
    static let poolPubKeyAddress = "SkLUJQxtYoVrewN6fwqsU6JQjxLs5a6xfcTsGfUYiLr2AUY6HuLMN"

    /// Same filler as `InMemoryWallet` (FNV-1a stream), so its placeholder scripts can be read back.
    static func placeholderHex(_ seed: String, bytes: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var out = ""
        for _ in 0..<bytes {
            hash = (hash ^ 0x9e) &* 0x100_0000_01b3
            out += String(format: "%02x", UInt8(truncatingIfNeeded: hash >> 24))
        }
        return out
    }
}

/// A wallet whose `importscript` reports "disconnected" while `failImports` is set (a crash or a dropped
/// socket in the middle of a registration); every other call goes to the wrapped wallet.
final class FlakyImportWallet: WalletBackend {
    let inner: any WalletBackend
    let failImports = LockedValue(false)
    init(_ inner: any WalletBackend) { self.inner = inner }
    func walletInfo() async throws -> WalletInfo { try await inner.walletInfo() }
    func validateAddress(_ address: String) async throws -> AddressValidation { try await inner.validateAddress(address) }
    func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        try await inner.createMultisig(nRequired: nRequired, keys: keys)
    }
    func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws {
        if failImports.value { throw WalletError(.walletDisconnected, "the client has been disconnected") }
        try await inner.importScript(scriptHex, rescan: rescan, scanFrom: scanFrom)
    }
    func bestBlock() async throws -> BestBlock { try await inner.bestBlock() }
    func stakeInfo() async throws -> StakeInfo { try await inner.stakeInfo() }
    func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
        try await inner.stakePoolUserInfo(multisigAddress: multisigAddress)
    }
    func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws {
        try await inner.accountSyncAddressIndex(account: account, branch: branch, index: index)
    }
    func listScripts() async throws -> [ImportedScript] { try await inner.listScripts() }
    func tickets(includeImmature: Bool) async throws -> [String] { try await inner.tickets(includeImmature: includeImmature) }
    func rawTransaction(txid: String) async throws -> String { try await inner.rawTransaction(txid: txid) }
    func addTicket(_ ticketHex: String) async throws { try await inner.addTicket(ticketHex) }
    func transaction(txid: String) async throws -> WalletTransaction { try await inner.transaction(txid: txid) }
    func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                      voteBitsExtended: String) async throws -> String {
        try await inner.generateVote(blockHash: blockHash, height: height, ticket: ticket, voteBits: voteBits,
                                     voteBitsExtended: voteBitsExtended)
    }
    func version() async throws -> [String: APIVersion] { try await inner.version() }
}

/// Three in-memory wallets that know the pool's ticket addresses, a pool over them, storage with users, and the
/// registration service.
struct RegistrationFixture {
    let inner: [InMemoryWallet]
    let wallets: [FlakyImportWallet]
    let pool: WalletPool
    let storage: InMemoryStorage
    let registration: AddressRegistration

    init(walletCount: Int = 3, minServers: Int = 2, users: Int = 3) async throws {
        inner = (0..<walletCount).map { _ in
            var state = InMemoryWallet.State()
            state.bestBlock = BestBlock(hash: String(repeating: "cd", count: 32), height: 20)
            for id in 1...5 {
                let address = FakeRegistrationKeys.ticketAddress(UserId(Int64(id)))
                state.knownAddresses[address] = AddressValidation(
                    isValid: true, address: address, isMine: true,
                    pubKeyAddress: FakeRegistrationKeys.poolPubKeyAddress, pubKey: "02\(id)")
            }
            return InMemoryWallet(state)
        }
        wallets = inner.map { FlakyImportWallet($0) }
        pool = WalletPool(members: wallets.enumerated().map { .init(label: "mem\($0.offset)", backend: $0.element) },
                          configuration: .init(minServers: minServers), logger: .disabled)
        storage = InMemoryStorage()
        for index in 0..<users {
            _ = try await storage.insertUser(User(email: "user\(index)@example.com", passwordHash: "x"))
        }
        registration = AddressRegistration(pool: pool, storage: storage, keys: FakeRegistrationKeys(), logger: .disabled)
    }

    func setDown(_ index: Int, _ down: Bool = true) {
        inner[index].state.withLock {
            $0.failure = down ? WalletError(.walletDisconnected, "the client has been disconnected") : nil
        }
    }

    func scripts(ofWallet index: Int) async throws -> [String] {
        inner[index].state.value.scripts.map(\.redeemScript)
    }
}

/// A user's simnet pubkey address made from a private key (1 + seed).
func simnetUserAddress(_ seed: UInt8) throws -> String {
    var secret = [UInt8](repeating: 0, count: 32)
    secret[31] = seed &+ 1
    secret[0] = 0x11
    let key = try Secp256k1.publicKey(privateKey: secret)
    return try Address.pubKey(publicKey: key, network: .simnet).encoded
}

func assertRegistrationError<T>(_ code: RegistrationError.Code, _ message: String? = nil,
                                file: StaticString = #filePath, line: UInt = #line,
                                _ body: () async throws -> T) async {
    do {
        _ = try await body()
        XCTFail("expected \(code)", file: file, line: line)
    } catch let error as RegistrationError {
        XCTAssertEqual(error.code, code, "\(error.message) — \(error.detail)", file: file, line: line)
        if let message { XCTAssertEqual(error.message, message, file: file, line: line) }
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
}

final class RegistrationTests: XCTestCase {
    func testRegistration_endToEndStoresEverythingAndEveryWalletHasTheScript() async throws {
        let fixture = try await RegistrationFixture()
        let userAddress = try simnetUserAddress(1)
        let result = try await fixture.registration.registerAddress(userId: 2, pubKeyAddress: userAddress)
        let userRow = try await fixture.storage.user(id: 2)
        let user = try XCTUnwrap(userRow)
        XCTAssertEqual(user.multiSigAddress, result.multiSigAddress)
        XCTAssertEqual(user.multiSigScript, result.multiSigScript)
        XCTAssertEqual(user.userPubKeyAddr, userAddress)
        XCTAssertEqual(user.userFeeAddr, try FakeRegistrationKeys().feeAddress(userId: 2))
        XCTAssertEqual(user.heightRegistered, 20)
        XCTAssertFalse(user.poolPubKeyAddr.isEmpty)
        // The stored script is OP_1 <pool key> <user key> OP_2 OP_CHECKMULTISIG, and its P2SH is the ticket address.
        XCTAssertEqual(user.poolPubKeyAddr, FakeRegistrationKeys.poolPubKeyAddress)
        let keys = try XCTUnwrap(OneOfTwoMultisig.keys(inScriptHex: user.multiSigScript))
        XCTAssertEqual(OneOfTwoMultisig.hex(keys.user), FakeRegistrationKeys.placeholderHex(userAddress, bytes: 33))
        XCTAssertEqual(OneOfTwoMultisig.hex(keys.pool),
                       FakeRegistrationKeys.placeholderHex(FakeRegistrationKeys.poolPubKeyAddress, bytes: 33),
                       "pool key first, user key second")
        for index in 0..<3 {
            let scripts = try await fixture.scripts(ofWallet: index)
            XCTAssertEqual(scripts, [user.multiSigScript], "wallet \(index)")
        }
    }

    func testRegistration_oneOfThreeWalletsDownIsRefusedCleanlyThenRetrySucceeds() async throws {
        let fixture = try await RegistrationFixture()
        fixture.setDown(2)
        let userAddress = try simnetUserAddress(2)
        await assertRegistrationError(.walletsUnavailable) {
            try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: userAddress)
        }
        let untouchedRow = try await fixture.storage.user(id: 1)
        let untouched = try XCTUnwrap(untouchedRow)
        XCTAssertEqual([untouched.multiSigScript, untouched.multiSigAddress, untouched.userPubKeyAddr,
                        untouched.poolPubKeyAddr, untouched.userFeeAddr], ["", "", "", "", ""])
        for index in 0..<2 {
            let walletScripts = try await fixture.scripts(ofWallet: index)
            XCTAssertEqual(walletScripts, [])
        }
        XCTAssertFalse(fixture.pool.isStopped, "a wallet being down refuses, it does not stop the pool")

        fixture.setDown(2, false)
        let result = try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: userAddress)
        for index in 0..<3 {
            let walletScripts = try await fixture.scripts(ofWallet: index)
            XCTAssertEqual(walletScripts, [result.multiSigScript])
        }
    }

    func testRegistration_walletsDisagreeFailClosed() async throws {
        let fixture = try await RegistrationFixture()
        fixture.inner[1].state.withLock { $0.knownAddresses[FakeRegistrationKeys.ticketAddress(1)]?.pubKey = "03ff" }
        await assertRegistrationError(.walletsStopped) {
            try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: try simnetUserAddress(3))
        }
        XCTAssertTrue(fixture.pool.isStopped)
        XCTAssertEqual(fixture.pool.status().stopReason, "RPC validateaddress failed: non equivalent pubkey returned")
        let userRow = try await fixture.storage.user(id: 1)
        let user = try XCTUnwrap(userRow)
        XCTAssertEqual(user.multiSigScript, "")
        // Stays down even after the wallet is fixed (no automatic recovery configured).
        fixture.inner[1].state.withLock { $0.knownAddresses[FakeRegistrationKeys.ticketAddress(1)]?.pubKey = "021" }
        await assertRegistrationError(.walletsStopped) {
            try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: try simnetUserAddress(3))
        }
    }

    func testRegistration_interruptedImportIsCompletedByRetryWithOneScriptPerUser() async throws {
        let fixture = try await RegistrationFixture()
        let first = try simnetUserAddress(4)
        fixture.wallets[2].failImports.withLock { $0 = true }
        await assertRegistrationError(.walletsUnavailable) {
            try await fixture.registration.registerAddress(userId: 3, pubKeyAddress: first)
        }
        let pendingRow = try await fixture.storage.user(id: 3)
        let pending = try XCTUnwrap(pendingRow)
        XCTAssertFalse(pending.multiSigScript.isEmpty, "the intent is recorded before the wallets import")
        XCTAssertEqual(pending.multiSigAddress, "", "but the user is not active yet")
        XCTAssertEqual(pending.userPubKeyAddr, "")
        let walletScripts = try await fixture.scripts(ofWallet: 0)
        XCTAssertEqual(walletScripts, [pending.multiSigScript])
        let lastWalletScripts = try await fixture.scripts(ofWallet: 2)
        XCTAssertEqual(lastWalletScripts, [])

        // The retry carries another address: the earlier submission is completed instead.
        fixture.wallets[2].failImports.withLock { $0 = false }
        fixture.inner.forEach { wallet in wallet.state.withLock { $0.bestBlock.height = 23 } }
        let result = try await fixture.registration.registerAddress(userId: 3, pubKeyAddress: try simnetUserAddress(5))
        XCTAssertTrue(result.completedEarlierSubmission)
        XCTAssertEqual(result.userPubKeyAddr, first)
        XCTAssertEqual(result.multiSigScript, pending.multiSigScript)
        XCTAssertEqual(result.heightRegistered, pending.heightRegistered, "rescan from the first attempt's height")
        for index in 0..<3 {
            let walletScripts = try await fixture.scripts(ofWallet: index)
            XCTAssertEqual(walletScripts, [pending.multiSigScript])
        }
        let storedRow = try await fixture.storage.user(id: 3)
        let stored = try XCTUnwrap(storedRow)
        XCTAssertEqual(stored.multiSigAddress, result.multiSigAddress)
    }

    func testRegistration_addressCannotChangeOnceSet() async throws {
        let fixture = try await RegistrationFixture()
        _ = try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: try simnetUserAddress(6))
        await assertRegistrationError(.alreadySubmitted, "Stake pool is currently limited to one address per account") {
            try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: try simnetUserAddress(7))
        }
        XCTAssertEqual(RegistrationError.alreadySubmitted.apiCode, 6)
        XCTAssertEqual(RegistrationError.alreadySubmitted.apiMessage, "address error - address already submitted")
    }

    func testRegistration_badAddressesGiveOriginalMessages() async throws {
        let fixture = try await RegistrationFixture()
        let cases: [(String, RegistrationError.Code, String?)] = [
            ("SkShort", .addressTooShort, "Address is too short"),
            (String(repeating: "S", count: 66), .addressTooLong, "Address is too long"),
            ("SkLUJQxtYoVrewN6fwqsU6JQjxLs5a6xfcTsGfUYiLr2AUY6HuLMX", .undecodableAddress, "Couldn't decode address"),
            ("TkKmMiY5iDh4U3KkSopYgkU1AzhAcQZiSoVhYhFymZHGMi9LM9Fdt", .wrongNetwork, nil),
            // A simnet P2PKH address (Decred's vectors): the message says which address is wanted instead.
            ("Sspzuh5xuvqxccYLWJDJjCtqp166NRxcaPB", .addressTooShort, "Incorrect address type: this is not a public "
                + "key address. Run validateaddress on it and submit the pubkeyaddr value it shows."),
        ]
        for (address, code, message) in cases {
            await assertRegistrationError(code, message) {
                try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: address)
            }
        }
        let userRow = try await fixture.storage.user(id: 1)
        let user = try XCTUnwrap(userRow)
        XCTAssertEqual(user.multiSigScript, "")
    }

    func testRegistration_highUserIdsAreWatchedWithoutTheOldCap() async throws {
        let fixture = try await RegistrationFixture()
        XCTAssertEqual(AddressRegistration.maximumUserId, 2_147_483_646)
        try await fixture.pool.ensureAddressIndex(50_001)
        XCTAssertEqual(fixture.pool.addressIndex, 50_001)
        for wallet in fixture.inner { XCTAssertEqual(wallet.state.value.syncedIndex["default/0"], 50_001) }
        _ = try await fixture.registration.registerAddress(userId: 1, pubKeyAddress: try simnetUserAddress(9))
        XCTAssertEqual(fixture.pool.addressIndex, 50_001, "never lowered")
    }

    func testRegistration_addressWindowGrowsInSteps() async throws {
        XCTAssertEqual(AddressRegistration.addressWindow(for: 1), 100)
        XCTAssertEqual(AddressRegistration.addressWindow(for: 99), 100)
        XCTAssertEqual(AddressRegistration.addressWindow(for: 100), 200)
        XCTAssertEqual(AddressRegistration.addressWindow(for: UserId(AddressRegistration.maximumUserId)), 2_147_483_647)
        let fixture = try await RegistrationFixture()
        _ = try await fixture.registration.registerAddress(userId: 3, pubKeyAddress: try simnetUserAddress(10))
        for wallet in fixture.inner { XCTAssertEqual(wallet.state.value.syncedIndex["default/0"], 100) }
    }

    func testRegistration_concurrentSubmissionsForOneUserMakeOneScript() async throws {
        let fixture = try await RegistrationFixture()
        let address = try simnetUserAddress(8)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask { (try? await fixture.registration.registerAddress(userId: 2, pubKeyAddress: address)) != nil }
            }
            var successes = 0
            for await ok in group where ok { successes += 1 }
            return successes
        }
        XCTAssertEqual(results, 1)
        for index in 0..<3 {
            let walletScripts = try await fixture.scripts(ofWallet: index)
            XCTAssertEqual(walletScripts.count, 1)
        }
    }
}
