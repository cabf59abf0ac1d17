import ForkVotePolicy
import PoolKernel
import XCTest

final class MajorityFollowPolicyTests: XCTestCase {
    let rules = VoteRules(voteVersion: 6, agendas: [VoteRules.Agenda(id: "lnfeatures", mask: 6, choices: [
        VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true), VoteRules.Choice(id: "no", bits: 2, isNo: true),
        VoteRules.Choice(id: "yes", bits: 4),
    ])], defaultBits: 1)

    func entry(_ bits: UInt16) -> DecidedBlock.Entry {
        let owner = VotingUser(userId: 1, multiSigAddress: "Ss", voteBits: bits, voteBitsVersion: 6)
        return DecidedBlock.Entry(ticket: WinningTicket(ticketHash: "t", blockHash: "b", blockHeight: 1,
                                                        multiSigAddress: "Ss", owner: owner), bits: bits)
    }

    func testMajorityFollow_abstainsWithoutHistoryThenFollows() throws {
        let policy = MajorityFollowPolicy(agenda: "lnfeatures", blocks: 2)
        let ticket = entry(1).ticket
        XCTAssertEqual(policy.decide(for: ticket, rules: rules).bits, 1)
        policy.observe(DecidedBlock(blockHash: "b1", blockHeight: 1, entries: [entry(5), entry(5), entry(3)]))
        XCTAssertEqual(policy.decide(for: ticket, rules: rules).bits, 5)
        XCTAssertTrue(rules.isValid(policy.decide(for: ticket, rules: rules).bits))
        policy.observe(DecidedBlock(blockHash: "b2", blockHeight: 2, entries: [entry(3), entry(3), entry(3)]))
        policy.observe(DecidedBlock(blockHash: "b3", blockHeight: 3, entries: [entry(3), entry(5)]))
        XCTAssertEqual(policy.decide(for: ticket, rules: rules).bits, 3, "window of 2 blocks: 4 of 5 say no")
    }

    func testMajorityFollow_registersIntoTheHostRegistry() throws {
        var registry = VotePolicyRegistry(kind: "vote policy", option: "votepolicy")
        MajorityFollowPolicy.register(into: &registry)
        let policy = try registry.make("followmajority", VotePolicyContext(options: ["agenda": "lnfeatures"], logger: .disabled))
        XCTAssertEqual(policy.name, "followmajority")
        XCTAssertThrowsError(try registry.make("followmajority", VotePolicyContext(logger: .disabled)))
    }
}
