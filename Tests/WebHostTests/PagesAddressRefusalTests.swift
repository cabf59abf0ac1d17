import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// The address form renders a refusal from the error the registrar threw: its `message` as the flash, or the
/// error page when the refusal says so. The page restates no text.
final class PagesAddressRefusalTests: PagesTestCase {
    private let address = "TkQ4jEVTpGn1LZAmCZRZ3n8hNWe9Hh8vbvfrTQuQaTCRJpsbKDCaf"

    private func signedInBrowser() async throws -> TestBrowser {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "refused@example.com", password: "refused-Pass-01")
        _ = try signIn(browser, email: "refused@example.com", password: "refused-Pass-01")
        try browser.get("/address")
        return browser
    }

    func testAddressPage_flashesTheRefusalsOwnMessage() async throws {
        let browser = try await signedInBrowser()
        // The flash texts of webapp.md §3.19 (written out here, so a changed message is noticed), HTML-escaped.
        let refusals: [(RegistrationError, String?)] = [
            (.alreadySubmitted, "Stake pool is currently limited to one address per account"),
            (.addressTooShort, "Address is too short"),
            (.addressTooLong, "Address is too long"),
            (.undecodableAddress, "Couldn&#39;t decode address"),
            (.ticketAddressDerivation, "Unable to derive ticket address"),
            (.feeAddressDerivation, "Unable to derive fee address"),
            (.poolAddressNotMine, "Unable to validate pool ticket address"),
            (.notAPubKeyAddress, nil), (.incorrectAddressType, nil),
            (.wrongNetwork(addressNetwork: "mainnet", poolNetwork: "testnet3"), nil),
            (.unknownUser, nil), (.inProgress, nil), (.earlierSubmissionPending, nil), (.walletsUnavailable, nil),
            (.importInterrupted, nil), (.accountUnreadable, nil), (.addressUnsaved, nil),
        ]
        for (refusal, specText) in refusals {
            registrar.failure.withLock { $0 = refusal.with(detail: "operator detail \(refusal.codeName)") }
            let page = try browser.post("/address", ["UserPubKeyAddr": address])
            XCTAssertEqual(page.status, 200, refusal.codeName)
            XCTAssertTrue(page.text.contains(HTMLEscaping.escape(refusal.message)), "\(refusal.codeName): \(page.text)")
            if let specText { XCTAssertTrue(page.text.contains(specText), refusal.codeName) }
            XCTAssertFalse(page.text.contains("operator detail"), "detail is for logs only")
            XCTAssertFalse(page.text.contains(refusal.apiMessage), "the API's wording is not the form's")
        }
    }

    func testAddressPage_stoppedWalletsAndForeignErrorsGoToTheErrorPage() async throws {
        let browser = try await signedInBrowser()
        let failures: [any Error & Sendable] = [RegistrationError.walletsStopped, RegistrationError.walletsFailed,
                                                 StorageError(.unavailable, "db down")]
        for failure in failures {
            registrar.failure.withLock { $0 = failure }
            let response = try browser.post("/address", ["UserPubKeyAddr": address])
            XCTAssertEqual(response.status, 303, "\(failure)")
            XCTAssertEqual(response.header("Location"), "/error", "\(failure)")
        }
    }
}
