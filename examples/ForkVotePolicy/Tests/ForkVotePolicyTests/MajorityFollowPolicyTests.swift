import ForkVotePolicy
import Foundation
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

    /// The option check stakepoold runs at load: the agenda must be one of the network's (the fork file's own
    /// `poolfeecap` included), `blocks` a positive number; a host without `votepolicyoptions` (the web app, which
    /// only checks the policy's name) is not asked for them.
    func testMajorityFollow_optionCheckNamesTheAgendaAndTheNetwork() throws {
        var registry = VotePolicyRegistry(kind: "vote policy", option: "votepolicy")
        MajorityFollowPolicy.register(into: &registry)
        let fork = try NetParams.load(contentsOf: URL(fileURLWithPath: ForkFile.path))
        func check(_ options: String?, hostHasOptions: Bool = true) throws {
            var specs = [OptionSpec("votepolicy", .string, default: "", help: "")]
            if hostHasOptions { specs.append(OptionSpec("votepolicyoptions", .list, help: "")) }
            var values = OptionValues(specs: specs)
            try values.set("votepolicy", "followmajority", source: .commandLine(flag: "--votepolicy"))
            if let options { try values.set("votepolicyoptions", options, source: .commandLine(flag: "--votepolicyoptions")) }
            try registry.checkOptions(PluginContext(values: values, network: PoolNetwork(params: fork), params: fork,
                                                    homeDir: "/nonexistent", dataDir: "/nonexistent"),
                                      selected: "followmajority")
        }
        XCTAssertNoThrow(try check("agenda=poolfeecap,blocks=3"))
        XCTAssertNoThrow(try check(nil, hostHasOptions: false))
        XCTAssertThrowsError(try check("agenda=poolfeecaps")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, .badValue)
            let message = (error as? ConfigError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("--votepolicyoptions: agenda poolfeecaps is not an agenda of forknet"), message)
        }
        XCTAssertThrowsError(try check("blocks=3")) { XCTAssertEqual(($0 as? ConfigError)?.code, .missingOption) }
        XCTAssertThrowsError(try check("agenda=poolfeecap,blocks=none")) { error in
            let message = (error as? ConfigError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("blocks=none is not a positive number"), message)
        }
    }
}
