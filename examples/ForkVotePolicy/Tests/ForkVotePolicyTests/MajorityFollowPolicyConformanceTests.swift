import ForkVotePolicy
import PoolKernel
import PoolTestKit
import XCTest

/// The fork's policy passes the same vote policy contract as the built-in ones, made through the registry
/// stakepoold would pick it from, following the suite's first agenda over a short window.
final class MajorityFollowPolicyConformanceTests: VotePolicyConformanceTests {
    override func makePolicy() throws -> (any VotePolicy)? {
        var registry = VotePolicyRegistry(kind: "vote policy", option: "votepolicy")
        MajorityFollowPolicy.register(into: &registry)
        return try registry.make("followmajority", VotePolicyContext(options: ["agenda": "lnfeatures", "blocks": "3"],
                                                                     logger: .disabled))
    }

    func testMajorityFollow_conformance() async throws { try await runVotePolicyConformance() }
}
