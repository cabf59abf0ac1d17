import PoolKernel
import PoolTestKit
import XCTest

/// The in-memory vote policy passes the vote policy contract (unscripted), and the contract suite catches a
/// policy that breaks it.
final class InMemoryVotePolicyTests: VotePolicyConformanceTests {
    override func makePolicy() throws -> (any VotePolicy)? { InMemoryVotePolicy() }

    func testInMemoryVotePolicy_conformance() async throws { try await runVotePolicyConformance() }

    func testInMemoryVotePolicy_scriptedAnswersAndCallsAreRecorded() {
        let policy = InMemoryVotePolicy()
        let rules = Self.ruleSets[0]
        let tickets = Self.tickets(rules)
        policy.state.withLock { $0.bitsByTicket[tickets[0].ticketHash] = 0x0005 }
        XCTAssertEqual(policy.decide(for: tickets[0], rules: rules), VoteDecision(bits: 5, reason: "scripted 5"))
        // tickets[2] is an owner of this version with bits 0x03 (the fixture's second valid value).
        XCTAssertEqual(policy.decide(for: tickets[2], rules: rules).bits, 0x0003)
        let block = DecidedBlock(blockHash: "b", blockHeight: 1, entries: [])
        policy.observe(block)
        XCTAssertEqual(policy.state.value.decided.map(\.ticketHash), [tickets[0].ticketHash, tickets[2].ticketHash])
        XCTAssertEqual(policy.state.value.observed, [block])
    }
}

/// Policies that break one rule each of the contract: the suite must report them. This class runs the suite
/// itself with the policy under test, capturing the failures it records instead of failing.
final class VotePolicyConformanceCatchesBrokenPoliciesTests: VotePolicyConformanceTests {
    /// The policy the next run is made of.
    private var make: (@Sendable () -> any VotePolicy)?
    private let capture = FailureCapture()

    override func makePolicy() throws -> (any VotePolicy)? { make?() }

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        if !capture.take(description) {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    /// Runs the suite on `policy` and returns the failures it recorded (without failing this test).
    private func failures(of policy: @escaping @Sendable () -> any VotePolicy) async throws -> [String] {
        make = policy
        let run = await capture.failures { try await runVotePolicyConformance(failSkips: true) }
        if let thrown = run.thrown { throw thrown }
        return run.failures
    }

    struct AlwaysBits: VotePolicy {
        var name: String { "always-bits" }
        let bits: UInt16
        let reason: String
        func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision { VoteDecision(bits: bits, reason: reason) }
    }

    /// Answers with the owner's bits whatever their vote version (dcrstakepool's rule without the version check).
    struct IgnoresVersion: VotePolicy {
        var name: String { "ignores-version" }
        func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
            VoteDecision(bits: ticket.owner?.voteBits ?? rules.defaultBits, reason: "owner")
        }
    }

    /// Changes its answer each time it is asked.
    final class Drifting: VotePolicy {
        let calls = LockedValue(0)
        var name: String { "drifting" }
        func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
            let n = calls.withLock { count in count += 1; return count }
            return VoteDecision(bits: rules.defaultBits, reason: "call \(n)")
        }
    }

    func testConformance_passesTheInMemoryPolicy() async throws {
        let found = try await failures { InMemoryVotePolicy() }
        XCTAssertEqual(found, [])
    }

    func testConformance_catchesInvalidBits() async throws {
        let found = try await failures { AlwaysBits(bits: 0x0040, reason: "unknown bit") }
        XCTAssertTrue(found.contains { $0.contains("bits 64 invalid") }, "\(found)")
    }

    func testConformance_catchesStaleOwnerBits() async throws {
        let found = try await failures { IgnoresVersion() }
        XCTAssertTrue(found.contains { $0.contains("bits 65535 invalid") }, "\(found)")
    }

    func testConformance_catchesBadReasonsAndNames() async throws {
        let empty = try await failures { AlwaysBits(bits: 1, reason: " ") }
        XCTAssertTrue(empty.contains { $0.contains("empty reason") }, "\(empty)")
        let multiline = try await failures { AlwaysBits(bits: 1, reason: "line one\nline two") }
        XCTAssertTrue(multiline.contains { $0.contains("control character") }, "\(multiline)")
        let long = try await failures { AlwaysBits(bits: 1, reason: String(repeating: "x", count: 256)) }
        XCTAssertTrue(long.contains { $0.contains("reason too long") }, "\(long)")
        let named = try await failures { InMemoryVotePolicy(name: "In Memory") }
        XCTAssertTrue(named.contains { $0.contains("not a lower-case identifier") }, "\(named)")
    }

    func testConformance_catchesAnswersThatDriftWithoutObserve() async throws {
        let found = try await failures { Drifting() }
        XCTAssertTrue(found.contains { $0.contains("answers changed after deciding") }, "\(found)")
    }
}
