import PoolKernel
import PoolTestKit
import VotePolicies
import XCTest

/// `userprefs` passes the vote policy contract, made through the registry stakepoold picks it from.
final class UserPrefsPolicyConformanceTests: VotePolicyConformanceTests {
    override func makePolicy() throws -> (any VotePolicy)? {
        try VotePolicyPlugins.registry().make("userprefs", VotePolicyContext(logger: .disabled))
    }

    func testUserPrefsPolicy_conformance() async throws { try await runVotePolicyConformance() }
}

/// `pooldefault` passes the vote policy contract, with choices for an agenda up for vote, one that is not, and
/// a choice id that does not exist.
final class PoolDefaultPolicyConformanceTests: VotePolicyConformanceTests {
    override func makePolicy() throws -> (any VotePolicy)? {
        try VotePolicyPlugins.registry().make("pooldefault", VotePolicyContext(
            options: ["lnfeatures": "yes", "fixlnseqlocks": "maybe", "oldagenda": "no"], logger: .disabled))
    }

    func testPoolDefaultPolicy_conformance() async throws { try await runVotePolicyConformance() }
}
