@testable import PoolKernel
import XCTest

/// A refusal carries its vocabulary once; detail and foreign errors never change what users or the API see.
final class RegistrationErrorTests: XCTestCase {
    func testRegistrationError_detailKeepsTheRefusalsWords() {
        let refusal = RegistrationError.walletsUnavailable.with(detail: "wallet 2: connection refused")
        XCTAssertEqual(refusal.code, .walletsUnavailable)
        XCTAssertEqual(refusal.message, "The pool's wallets are not all available right now; please try again later")
        XCTAssertEqual(refusal.apiCode, 14)
        XCTAssertEqual(refusal.apiMessage, "system error - unable to process wallet commands")
        XCTAssertEqual(refusal.detail, "wallet 2: connection refused")
        XCTAssertEqual(refusal.description, refusal.message, "CLI and logs print the message, not the detail")
    }

    func testRegistrationError_foreignErrorsAreUnexpectedAndGoToTheErrorPage() {
        let foreign = RegistrationError.refusal(for: StorageError(.unavailable, "db down"))
        XCTAssertEqual(foreign.code, .unexpected)
        XCTAssertTrue(foreign.redirectsToErrorPage)
        XCTAssertEqual(foreign.apiCode, 14)
        XCTAssertTrue(foreign.detail.contains("db down"))
        XCTAssertFalse(foreign.message.contains("db down"), "operator detail is never shown to users")
        // A refusal passes through unchanged.
        let own = RegistrationError.refusal(for: RegistrationError.addressTooLong)
        XCTAssertEqual(own.message, "Address is too long")
        XCTAssertFalse(own.redirectsToErrorPage)
    }

    func testUserPubKeyAddress_wrongNetworkNamesBothNetworksButTheAPIKeepsTheSpecText() throws {
        let key = try Secp256k1.publicKey(privateKey: [UInt8](repeating: 0, count: 31) + [1])
        let mainnet = try Address.pubKey(publicKey: key, network: .mainnet).encoded
        XCTAssertThrowsError(try UserPubKeyAddress.validate(mainnet, poolNetwork: .testnet3)) { error in
            let refusal = error as? RegistrationError
            XCTAssertEqual(refusal?.message, "Address is for mainnet, but this pool runs on testnet3")
            XCTAssertEqual(refusal?.apiMessage, "address error - address is for the wrong network")
            XCTAssertEqual(refusal?.apiCode, 3)
        }
    }
}
