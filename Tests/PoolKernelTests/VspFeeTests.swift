import PoolKernel
import XCTest

/// vspd's fee (spec §6.1). Expected amounts are the spec's worked examples, and for the split boundaries values
/// computed by hand from the spec's formula with plain integer arithmetic (Python), not by this code.
final class VspFeeTests: XCTestCase {
    private let mainnet = VspFee(network: .mainnet)
    private let testnet = VspFee(network: .testnet3)
    private static let dcr: Int64 = 100_000_000

    func testVspFee_specWorkedExamples() throws {
        XCTAssertEqual(mainnet.amount(ticketPrice: 200 * Self.dcr, height: 1_000_000, percent: try VspFeePercent(1)), 1_080_089)
        XCTAssertEqual(mainnet.amount(ticketPrice: 200 * Self.dcr, height: 1_000_000, percent: try VspFeePercent(2)), 2_160_178)
        XCTAssertEqual(mainnet.amount(ticketPrice: 200 * Self.dcr, height: 1_000_000, percent: try VspFeePercent(0.5)), 540_044)
        XCTAssertEqual(mainnet.amount(ticketPrice: 150 * Self.dcr, height: 700_000, percent: try VspFeePercent(3)), 4_718_480)
        XCTAssertEqual(mainnet.amount(ticketPrice: 120 * Self.dcr, height: 600_000, percent: try VspFeePercent(3)), 2_084_640)
        XCTAssertEqual(testnet.amount(ticketPrice: 100 * Self.dcr, height: 1_300_000, percent: try VspFeePercent(3)), 24_064)
    }

    func testVspFee_subsidySplitChangesAtTheDCPHeights() throws {
        let three = try VspFeePercent(3)
        let price = 150 * Self.dcr
        XCTAssertEqual(mainnet.split(height: 657_279), .original)
        XCTAssertEqual(mainnet.split(height: 657_280), .dcp0010)
        XCTAssertEqual(mainnet.split(height: 794_367), .dcp0010)
        XCTAssertEqual(mainnet.split(height: 794_368), .dcp0012)
        XCTAssertEqual(mainnet.amount(ticketPrice: price, height: 657_279, percent: three), 1_909_038)
        XCTAssertEqual(mainnet.amount(ticketPrice: price, height: 657_280, percent: three), 5_055_026)
        XCTAssertEqual(mainnet.amount(ticketPrice: price, height: 794_367, percent: three), 4_030_240)
        XCTAssertEqual(mainnet.amount(ticketPrice: price, height: 794_368, percent: three), 4_479_129)
        XCTAssertEqual(testnet.split(height: 877_727), .original)
        XCTAssertEqual(testnet.split(height: 1_170_048), .dcp0012)
    }

    func testVspFee_noVoteSubsidyBeforeStakeValidationMinusOne() throws {
        let three = try VspFeePercent(3)
        XCTAssertEqual(mainnet.voteSubsidy(height: 4_094), 0)
        XCTAssertEqual(mainnet.amount(ticketPrice: 100 * Self.dcr, height: 4_094, percent: three), 0)
        XCTAssertEqual(mainnet.amount(ticketPrice: 100 * Self.dcr, height: 4_095, percent: three), 5_405_429)
    }

    func testVspFeePercent_isTheDoubleProductFloored() throws {
        XCTAssertEqual(try VspFeePercent(3.0).hundredths, 300)
        XCTAssertEqual(try VspFeePercent(0.29).hundredths, 28, "0.29 × 100 = 28.999… in IEEE double, as Go computes")
        XCTAssertEqual(try VspFeePercent(0.01).hundredths, 1)
        XCTAssertEqual(try VspFeePercent(100).hundredths, 10_000)
        XCTAssertEqual(try VspFeePercent(0.29).percent, 0.29)
        // 0.29 % charges 28 hundredths, not 29: 108595334-atom subsidy, 200 DCR at 1,000,000.
        let fee = mainnet.amount(ticketPrice: 200 * Self.dcr, height: 1_000_000, percent: try VspFeePercent(0.29))
        XCTAssertEqual(fee, 1_080_089 * 28 / 100)
    }

    func testVspFeePercent_outsideVspdsRangeIsRefused() {
        for bad in [0, 0.009, -1, 100.01, 1e9, .nan, .infinity, -.infinity] as [Double] {
            XCTAssertThrowsError(try VspFeePercent(bad), "\(bad)") { error in
                XCTAssertEqual((error as? VspError)?.code, .badVspFeePercent)
                XCTAssertTrue((error as? VspError)?.message.contains("0.01") == true)
            }
        }
    }

    func testVspTicket_quoteExpiresAfterItsSecond() {
        let ticket = VspTicket(hash: "h", commitmentAddress: "a", feeAddressXPubID: 1, feeAddressIndex: 1,
                               feeAddress: "f", feeAmount: 1, feeExpiration: 1_000 + VspTicket.quoteLifetimeSeconds)
        XCTAssertEqual(VspTicket.quoteLifetimeSeconds, 3_600)
        XCTAssertFalse(ticket.isQuoteExpired(now: 4_600), "valid while now <= expiration")
        XCTAssertTrue(ticket.isQuoteExpired(now: 4_601))
    }

    func testVspVotePreferences_mergeAddsAndOverwritesNeverDeletes() {
        let stored = VspVotePreferences(voteChoices: ["a": "yes", "b": "no"], tSpendPolicy: ["t": "yes"])
        let merged = stored.merging(VspVotePreferences(voteChoices: ["b": "abstain", "c": "yes"], treasuryPolicy: ["k": "no"]))
        XCTAssertEqual(merged, VspVotePreferences(voteChoices: ["a": "yes", "b": "abstain", "c": "yes"],
                                                  tSpendPolicy: ["t": "yes"], treasuryPolicy: ["k": "no"]))
        XCTAssertEqual(VspVotePreferences.encode(["b": "x/y", "a": "\""]), #"{"a":"\"","b":"x/y"}"#)
        XCTAssertEqual(VspVotePreferences.decode(""), [:])
        XCTAssertNil(VspVotePreferences.decode(#"{"a":1}"#))
        XCTAssertNil(VspVotePreferences.decode("[]"))
    }
}
