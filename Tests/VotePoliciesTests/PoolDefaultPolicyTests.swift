import PoolKernel
import VotePolicies
import XCTest

final class PoolDefaultPolicyTests: XCTestCase {
    let sdiff = VoteRules.Agenda(id: "sdiffalgorithm", mask: 0x0006, choices: [
        VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true), VoteRules.Choice(id: "no", bits: 2, isNo: true),
        VoteRules.Choice(id: "yes", bits: 4),
    ])
    let lnsupport = VoteRules.Agenda(id: "lnsupport", mask: 0x0018, choices: [
        VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true), VoteRules.Choice(id: "no", bits: 8, isNo: true),
        VoteRules.Choice(id: "yes", bits: 0x10),
    ])

    func testPoolDefaultPolicy_operatorChoicesOverrideUsers() {
        let rules = VoteRules(voteVersion: 4, agendas: [sdiff, lnsupport], defaultBits: 1)
        let policy = PoolDefaultPolicy(choices: ["SDiffAlgorithm": "YES", "lnsupport": "no"])
        let decision = policy.decide(for: winner(owner: user(bits: 3, version: 4)), rules: rules)
        XCTAssertEqual(decision.bits, 1 | 4 | 8)
        XCTAssertTrue(rules.isValid(decision.bits))
        XCTAssertEqual(decision.reason, "pool default sdiffalgorithm=yes,lnsupport=no")
    }

    func testPoolDefaultPolicy_unconfiguredAgendaKeepsWalletChoice() {
        let rules = VoteRules(voteVersion: 4, agendas: [sdiff, lnsupport], defaultBits: 1 | 0x10)
        let policy = PoolDefaultPolicy(choices: ["sdiffalgorithm": "no", "lnsupport": "maybe"])
        let decision = policy.decide(for: winner(owner: nil), rules: rules)
        XCTAssertEqual(decision.bits, 1 | 2 | 0x10)
        XCTAssertEqual(policy.problems(under: rules), ["agenda lnsupport has no choice maybe (choices: abstain, no, yes)"])
        XCTAssertEqual(PoolDefaultPolicy(choices: ["lnfeatures": "yes"]).problems(under: rules),
                       ["agenda lnfeatures is not up for vote in version 4"])
    }

    func testPoolDefaultPolicy_noAgendasVotesBlockValidOnly() {
        let decision = PoolDefaultPolicy(choices: ["x": "y"]).decide(for: winner(owner: nil),
                                                                    rules: VoteRules(voteVersion: 9, agendas: []))
        XCTAssertEqual(decision.bits, 1)
    }

    func testVotePolicyPlugins_registryBuildsByName() throws {
        let registry = VotePolicyPlugins.registry()
        XCTAssertEqual(registry.names, ["pooldefault", "userprefs"])
        XCTAssertEqual(try registry.make("UserPrefs", VotePolicyContext(logger: .disabled)).name, "userprefs")
        let options = try VotePolicyContext.parseOptions(["lnfeatures=yes", " sdiffalgorithm = no "])
        XCTAssertEqual(options, ["lnfeatures": "yes", "sdiffalgorithm": "no"])
        XCTAssertEqual(try registry.make("pooldefault", VotePolicyContext(options: options, logger: .disabled)).name,
                       "pooldefault")
        XCTAssertThrowsError(try registry.make("pooldefault", VotePolicyContext(logger: .disabled)))
        XCTAssertThrowsError(try registry.make("nosuch", VotePolicyContext(logger: .disabled))) { error in
            XCTAssertTrue("\(error)".contains("known: pooldefault, userprefs"), "\(error)")
        }
        XCTAssertThrowsError(try VotePolicyContext.parseOptions(["novalue"]))
        XCTAssertThrowsError(try VotePolicyContext.parseOptions(["=x"]))
    }
}
