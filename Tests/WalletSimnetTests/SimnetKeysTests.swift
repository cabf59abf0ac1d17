import PoolKernel
import XCTest
@testable import WalletSimnet

final class SimnetKeysTests: XCTestCase {
    /// The web app derives ticket and fee addresses from the extended public keys; the simulated wallets
    /// must recognise exactly those (webapp.md §6.2).
    func testSimnetKeys_addressesFollowTheExtendedPublicKeys() async throws {
        let simnet = makeSimnet(seed: 77)
        let voting = try ExtendedPublicKey(parsing: simnet.votingExtendedPublicKey, network: .simnet)
        let cold = try ExtendedPublicKey(parsing: simnet.coldExtendedPublicKey, network: .simnet)
        XCTAssertTrue(simnet.votingExtendedPublicKey.hasPrefix("spub"))
        for uid in [0, 1, 17] {
            XCTAssertEqual(try voting.derive([0, UInt32(uid)]).p2pkhAddress(network: .simnet).encoded, simnet.ticketAddress(index: uid))
            XCTAssertEqual(try cold.derive([0, UInt32(uid)]).p2pkhAddress(network: .simnet).encoded, simnet.feeAddress(index: uid))
        }
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
        let validation = try await wallet.validateAddress(simnet.ticketAddress(index: 17))
        XCTAssertTrue(validation.isMine)
        XCTAssertEqual(validation.pubKeyAddress, try voting.derive([0, 17]).pubKeyAddress(network: .simnet).encoded)
        XCTAssertEqual(validation.pubKey, Hex.encode(try voting.derive([0, 17]).publicKey))
        // Beyond the synced index the address is valid but not the wallet's, until accountsyncaddressindex.
        let far = try await wallet.validateAddress(simnet.ticketAddress(index: 500))
        XCTAssertTrue(far.isValid)
        XCTAssertFalse(far.isMine)
        try await wallet.syncDefaultAccount(maxUsers: 500)
        let synced = try await wallet.validateAddress(simnet.ticketAddress(index: 500))
        XCTAssertTrue(synced.isMine)
        // Another seed, other keys.
        XCTAssertNotEqual(makeSimnet(seed: 78).votingExtendedPublicKey, simnet.votingExtendedPublicKey)
    }

    func testSimnetKeys_multisigIsTheStandardOneOfTwoScript() async throws {
        let simnet = makeSimnet()
        let user = try simnet.registerUser(3)
        XCTAssertTrue(user.ticketAddress.hasPrefix("Sc"))
        XCTAssertTrue(user.feeAddress.hasPrefix("Ss"))
        let script = try Hex.decode(user.redeemScript)
        XCTAssertEqual(script.count, 71)
        XCTAssertEqual(script.first, 0x51)
        XCTAssertEqual(Array(script.suffix(2)), [0x52, 0xAE])
        XCTAssertEqual(try Address.scriptHash(script: script, network: .simnet).encoded, user.ticketAddress)
        // Every wallet imported it.
        for index in 0..<simnet.walletCount {
            let scripts = try await SimnetWalletBackend(simnet: simnet, walletIndex: index).listScripts()
            XCTAssertEqual(scripts.map(\.address), [user.ticketAddress])
        }
    }

    func testSimnetKeys_parametersAreTheRealSimnetOnes() {
        let parameters = SimnetParameters.simnet
        XCTAssertEqual(parameters.ticketMaturity, 16)
        XCTAssertEqual(parameters.ticketExpiry, 384)
        XCTAssertEqual(parameters.ticketsPerBlock, 5)
        XCTAssertEqual(parameters.ticketPoolSize, 64)
        XCTAssertEqual(parameters.stakeEnabledHeight, 32)
        XCTAssertEqual(parameters.stakeValidationHeight, 144)
        XCTAssertEqual(parameters.maxFreshStakePerBlock, 20)
        XCTAssertEqual(parameters.netMagic, 0x1214_1C16)
        XCTAssertEqual(parameters.genesisHash, "6bef82c645999585f7255cb02672921ac2f5492820090cd635fe3a59d16b4f87")
    }

    func testSimnetKeys_malformedTransactionsAreDeserializationErrors() {
        let cases: [[UInt8]] = [[], [1, 0, 0, 0], [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                                [1, 0, 1, 0]]  // serialization type 1 (prefix only) is refused
        for bytes in cases {
            XCTAssertThrowsError(try SimnetTransaction.deserialize(bytes)) { error in
                XCTAssertEqual((error as? SimnetError)?.rpcCode, -22, "\(bytes)")
            }
        }
        XCTAssertThrowsError(try SimnetTransaction.deserialize(hex: "abc"))
        XCTAssertThrowsError(try SimnetTransaction.deserialize(hex: "zz"))
    }
}
