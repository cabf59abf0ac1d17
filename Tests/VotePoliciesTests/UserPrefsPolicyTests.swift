import PoolKernel
import VotePolicies
import XCTest

/// simnet v6 (stakepoold.md §8.1): `lnfeatures`, mask 0x0006, abstain 0 / no 2 / yes 4.
let lnfeatures = VoteRules.Agenda(id: "lnfeatures", mask: 0x0006, choices: [
    VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true),
    VoteRules.Choice(id: "no", bits: 0x0002, isNo: true),
    VoteRules.Choice(id: "yes", bits: 0x0004),
])
let rulesV6 = VoteRules(voteVersion: 6, agendas: [lnfeatures], defaultBits: 1, defaultBitsExtended: "06000000")

func winner(owner: VotingUser?, msa: String = "ScuQxvveKGfpG1ypt6u27F99Anf7EW3cqhq") -> WinningTicket {
    WinningTicket(ticketHash: String(repeating: "ab", count: 32), blockHash: String(repeating: "01", count: 32),
                  blockHeight: 500, multiSigAddress: msa, owner: owner)
}

func user(bits: UInt16, version: UInt32) -> VotingUser {
    VotingUser(userId: 7, multiSigAddress: "ScuQxvveKGfpG1ypt6u27F99Anf7EW3cqhq", voteBits: bits, voteBitsVersion: version)
}

final class UserPrefsPolicyTests: XCTestCase {
    func testUserPrefsPolicy_currentVersionUsesOwnersBits() {
        let decision = UserPrefsPolicy().decide(for: winner(owner: user(bits: 5, version: 6)), rules: rulesV6)
        XCTAssertEqual(decision.bits, 5)
        XCTAssertEqual(decision.reason, "user prefs v6")
    }

    func testUserPrefsPolicy_missingPrefsUseWalletDefault() {
        var rules = rulesV6
        rules.defaultBits = 3  // the wallet's own setvotechoice, not necessarily 1
        let decision = UserPrefsPolicy().decide(for: winner(owner: nil), rules: rules)
        XCTAssertEqual(decision.bits, 3)
        XCTAssertTrue(decision.reason.contains("wallet default"), decision.reason)
    }

    func testUserPrefsPolicy_versionChangeUsesWalletDefaultUntilReset() {
        // Wallets upgraded to v6; the user's prefs are still for v5 → wallet default.
        var rules = rulesV6
        rules.defaultBits = 5
        let old = UserPrefsPolicy().decide(for: winner(owner: user(bits: 3, version: 5)), rules: rules)
        XCTAssertEqual(old.bits, 5)
        XCTAssertTrue(old.reason.contains("vote version mismatch user 5 stakepoold 6"), old.reason)
        // The web app's reset (webapp.md §9.6): VoteBitsVersion = 6 and VoteBits = 1 → the user's 1 again.
        let reset = UserPrefsPolicy().decide(for: winner(owner: user(bits: 1, version: 6)), rules: rules)
        XCTAssertEqual(reset.bits, 1)
    }

    func testUserPrefsPolicy_invalidBitsFallBackToWalletDefault() {
        let sink = CapturingSink()
        let logger = LogBackend(level: .debug, sinks: [sink]).logger("STPK")
        var rules = rulesV6
        rules.defaultBits = 3
        let step = VoteDecisionStep(policy: UserPrefsPolicy(), logger: logger)
        for bad: UInt16 in [7, 6, 0, 9, 0x8001] {
            let checked = step.decide(for: winner(owner: user(bits: bad, version: 6)), rules: rules)
            XCTAssertEqual(checked.bits, 3, "bits \(bad)")
            XCTAssertTrue(checked.fellBack)
            XCTAssertEqual(checked.policyName, "userprefs")
        }
        XCTAssertTrue(sink.text.contains("invalid votebits 7"), sink.text)
        let good = step.decide(for: winner(owner: user(bits: 5, version: 6)), rules: rules)
        XCTAssertEqual(good.bits, 5)
        XCTAssertFalse(good.fellBack)
    }

    func testVoteRules_isValidMatchesWebAppRule() {
        XCTAssertTrue(rulesV6.isValid(1))
        XCTAssertTrue(rulesV6.isValid(3))
        XCTAssertTrue(rulesV6.isValid(5))
        XCTAssertFalse(rulesV6.isValid(7))   // 0x6 is no choice
        XCTAssertFalse(rulesV6.isValid(4))   // bit 0 clear
        XCTAssertFalse(rulesV6.isValid(0x11))  // bit outside every choice
        let none = VoteRules(voteVersion: 99, agendas: [])
        XCTAssertTrue(none.isValid(1))
        XCTAssertFalse(none.isValid(3))
    }

    func testVoteRules_agendaMasksFromNetParams() throws {
        let all = try NetParamsAgendas.load()
        // The spec's pinned table (stakepoold.md §8.1) agrees with chaincfg for these versions.
        let expected: [(String, UInt32, String, UInt16)] = [
            ("mainnet", 4, "sdiffalgorithm", 0x0006), ("mainnet", 4, "lnsupport", 0x0018),
            ("mainnet", 5, "lnfeatures", 0x0006), ("testnet3", 5, "sdiffalgorithm", 0x0006),
            ("testnet3", 6, "lnfeatures", 0x0006), ("simnet", 4, "maxblocksize", 0x0006),
            ("simnet", 5, "sdiffalgorithm", 0x0006), ("simnet", 6, "lnfeatures", 0x0006),
        ]
        for (network, version, id, mask) in expected {
            let agenda = try XCTUnwrap(all[network]?[version]?.first { $0.id == id }, "\(network) v\(version) \(id)")
            XCTAssertEqual(agenda.mask, mask, "\(network) v\(version) \(id)")
        }
        // Every vote version of every network: bit 0 + exactly one choice per agenda is valid; a masked value
        // that is no choice, or bit 0 clear, is not; and the policy step never lets an invalid value through.
        let step = VoteDecisionStep(policy: UserPrefsPolicy(), logger: .disabled)
        var checked = 0
        for (network, versions) in all {
            for (version, agendas) in versions {
                let rules = VoteRules(voteVersion: version, agendas: agendas, defaultBits: 1)
                for agenda in agendas {
                    for choice in agenda.choices {
                        XCTAssertTrue(rules.isValid(1 | choice.bits), "\(network) v\(version) \(agenda.id) \(choice.id)")
                        XCTAssertFalse(rules.isValid(choice.bits & ~1), "\(network) v\(version) bit 0 clear")
                    }
                    let used = agenda.choices.reduce(UInt16(0)) { $0 | $1.bits }
                    if let stray = (1..<16).map({ UInt16(1) << $0 }).first(where: { $0 & agenda.mask != 0 && $0 & used == 0 }) {
                        XCTAssertFalse(rules.isValid(1 | stray), "\(network) v\(version) \(agenda.id) stray bit")
                    }
                    let full = 1 | agenda.mask
                    if agenda.choice(in: full) == nil {
                        let decision = step.decide(for: winner(owner: user(bits: full, version: version)), rules: rules)
                        XCTAssertEqual(decision.bits, 1)
                        XCTAssertTrue(decision.fellBack)
                    }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 30)
    }
}
