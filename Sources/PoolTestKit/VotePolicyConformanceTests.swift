import Foundation
import PoolKernel
import XCTest

/// The `VotePolicy` contract (the requirements in `Sources/PoolKernel/Ports/VotePolicy.swift`) as tests.
/// Subclass it in a policy's test target, override `makePolicy()` (a fresh policy, no history) and declare one
/// test that runs the suite (Linux XCTest discovery does not see test methods inherited from another module):
///
/// ```swift
/// final class MyPolicyConformanceTests: VotePolicyConformanceTests {
///     override func makePolicy() throws -> (any VotePolicy)? { MyPolicy(...) }
///     func testMyPolicy_conformance() async throws { try await runVotePolicyConformance() }
/// }
/// ```
///
/// The inputs are hand-written (agendas shaped like dcrd chaincfg's, with masks 0x0006 and 0x0018), all valid in
/// the contract's sense, so every answer must be valid bits.
open class VotePolicyConformanceTests: XCTestCase {
    /// A fresh policy with no observed history, or nil (the base class).
    open func makePolicy() throws -> (any VotePolicy)? { nil }

    /// Every check of the contract, by name. Each gets a fresh policy.
    public var votePolicyChecks: [ConformanceCheck] {
        [
            ("nameIsAStableIdentifier", checkVotePolicy_nameIsAStableIdentifier),
            ("decisionsAreValidForValidInputs", checkVotePolicy_decisionsAreValidForValidInputs),
            ("reasonIsOneShortLine", checkVotePolicy_reasonIsOneShortLine),
            ("decidingHasNoEffectOnLaterDecisions", checkVotePolicy_decidingHasNoEffectOnLaterDecisions),
            ("decisionsStayValidAfterObservingBlocks", checkVotePolicy_decisionsStayValidAfterObservingBlocks),
            ("concurrentObserveAndDecideStayValid", checkVotePolicy_concurrentObserveAndDecideStayValid),
        ]
    }

    /// Runs every check; a failing check is reported with its name and the others still run; a skipped check
    /// fails with `CI=true` (`failSkips`) and otherwise turns the run into a skip (`ConformanceRunner`).
    public func runVotePolicyConformance(failSkips: Bool = TestEnvironment.isCI, file: StaticString = #filePath,
                                         line: UInt = #line) async throws {
        guard try makePolicy() != nil else { throw XCTSkip("base conformance class: no policy") }
        try await ConformanceRunner.run("vote policy", votePolicyChecks, failSkips: failSkips, file: file, line: line)
    }

    private func policy() throws -> any VotePolicy {
        guard let policy = try makePolicy() else { throw XCTSkip("base conformance class: no policy") }
        return policy
    }

    // MARK: Fixtures (hand-written; the suite checks them against `VoteRules.isValid` before use)

    public static let agendaA = VoteRules.Agenda(id: "lnfeatures", mask: 0x0006, choices: [
        VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true),
        VoteRules.Choice(id: "no", bits: 0x0002, isNo: true),
        VoteRules.Choice(id: "yes", bits: 0x0004),
    ])
    public static let agendaB = VoteRules.Agenda(id: "fixlnseqlocks", mask: 0x0018, choices: [
        VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true),
        VoteRules.Choice(id: "no", bits: 0x0008, isNo: true),
        VoteRules.Choice(id: "yes", bits: 0x0010),
    ])

    /// Rule sets: two agendas with plain and with chosen wallet defaults, one agenda, no agenda.
    public static let ruleSets: [VoteRules] = [
        VoteRules(voteVersion: 7, agendas: [agendaA, agendaB], defaultBits: 0x0001, defaultBitsExtended: "07000000"),
        VoteRules(voteVersion: 7, agendas: [agendaA, agendaB], defaultBits: 0x000d, defaultBitsExtended: "07000000"),
        VoteRules(voteVersion: 6, agendas: [agendaA], defaultBits: 0x0003, defaultBitsExtended: "06000000"),
        VoteRules(voteVersion: 8, agendas: [], defaultBits: 0x0001, defaultBitsExtended: "08000000"),
    ]

    /// Every valid vote-bits value under `rules`, written out per rule set (bit 0 plus one choice per agenda).
    public static func validBits(_ rules: VoteRules) -> [UInt16] {
        switch rules.agendas.count {
        case 2: return [0x01, 0x03, 0x05, 0x09, 0x0b, 0x0d, 0x11, 0x13, 0x15]
        case 1: return [0x01, 0x03, 0x05]
        default: return [0x01]
        }
    }

    /// Winners under `rules`: no owner, owners of this version with every valid bits value, and owners of
    /// another version holding bits that are invalid now.
    public static func tickets(_ rules: VoteRules) -> [WinningTicket] {
        var owners: [VotingUser?] = [nil]
        for (n, bits) in validBits(rules).enumerated() {
            owners.append(VotingUser(userId: UserId(Int64(n + 1)), multiSigAddress: "Ss\(n + 1)", voteBits: bits,
                                     voteBitsVersion: rules.voteVersion))
        }
        for (n, bits) in [UInt16(0xffff), 0x0000, 0x0007, 0x0019].enumerated() {
            owners.append(VotingUser(userId: UserId(Int64(100 + n)), multiSigAddress: "Ss\(100 + n)", voteBits: bits,
                                     voteBitsVersion: rules.voteVersion - 1))
        }
        return owners.enumerated().map { n, owner in
            WinningTicket(ticketHash: hash(0x1000 + n), blockHash: hash(0xb1), blockHeight: 1000,
                          multiSigAddress: owner?.multiSigAddress ?? "SsNoPrefs\(n)", owner: owner)
        }
    }

    public static func hash(_ n: Int) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: 64 - digits.count) + digits
    }

    /// Every (rules, ticket) input, after checking the fixtures are valid inputs in the contract's sense.
    private func inputs() -> [(rules: VoteRules, ticket: WinningTicket)] {
        var inputs: [(rules: VoteRules, ticket: WinningTicket)] = []
        for rules in Self.ruleSets {
            XCTAssertTrue(rules.isValid(rules.defaultBits), "fixture: wallet default \(rules.defaultBits) is valid")
            for ticket in Self.tickets(rules) {
                if let owner = ticket.owner, owner.voteBitsVersion == rules.voteVersion {
                    XCTAssertTrue(rules.isValid(owner.voteBits), "fixture: owner bits \(owner.voteBits) are valid")
                }
                inputs.append((rules, ticket))
            }
        }
        return inputs
    }

    /// Blocks as the engine reports them: each winner with the bits the engine would cast for it.
    private static func decidedBlock(_ height: Int64, policy: any VotePolicy, rules: VoteRules) -> DecidedBlock {
        let step = VoteDecisionStep(policy: policy, logger: .disabled)
        let winners = tickets(rules)
        let entries = winners.indices.filter { ($0 + Int(height)) % 3 != 0 }.map { index in
            DecidedBlock.Entry(ticket: winners[index], bits: step.decide(for: winners[index], rules: rules).bits)
        }
        return DecidedBlock(blockHash: Self.hash(0xb000 + Int(height)), blockHeight: height, entries: entries)
    }

    private func assertValid(_ decision: VoteDecision, _ input: (rules: VoteRules, ticket: WinningTicket),
                             _ what: String) {
        let owner = input.ticket.owner.map { "owner bits \($0.voteBits) v\($0.voteBitsVersion)" } ?? "no owner"
        XCTAssertTrue(input.rules.isValid(decision.bits),
                      "\(what): bits \(decision.bits) invalid under v\(input.rules.voteVersion) "
                        + "(default \(input.rules.defaultBits), \(owner)); reason \(decision.reason)")
    }

    // MARK: Checks

    public func checkVotePolicy_nameIsAStableIdentifier() async throws {
        let policy = try policy()
        let name = policy.name
        XCTAssertFalse(name.isEmpty, "name is empty")
        XCTAssertTrue(name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" },
                      "name \(name.debugDescription) is not a lower-case identifier")
        XCTAssertEqual(policy.name, name, "name changes between calls")
        XCTAssertEqual(try self.policy().name, name, "two instances have different names")
    }

    public func checkVotePolicy_decisionsAreValidForValidInputs() async throws {
        let policy = try policy()
        for input in inputs() {
            assertValid(policy.decide(for: input.ticket, rules: input.rules), input, "fresh policy")
        }
    }

    public func checkVotePolicy_reasonIsOneShortLine() async throws {
        let policy = try policy()
        for input in inputs() {
            let reason = policy.decide(for: input.ticket, rules: input.rules).reason
            XCTAssertFalse(reason.trimmingCharacters(in: .whitespaces).isEmpty, "empty reason")
            XCTAssertFalse(reason.unicodeScalars.contains { $0.properties.generalCategory == .control },
                           "reason has a control character: \(reason.debugDescription)")
            XCTAssertLessThanOrEqual(reason.unicodeScalars.count, StorageLimits.shortText, "reason too long: \(reason)")
        }
    }

    public func checkVotePolicy_decidingHasNoEffectOnLaterDecisions() async throws {
        let policy = try policy()
        let all = inputs()
        let first = all.map { policy.decide(for: $0.ticket, rules: $0.rules) }
        let again = all.reversed().map { policy.decide(for: $0.ticket, rules: $0.rules) }.reversed()
        XCTAssertEqual(first, Array(again), "answers changed after deciding (without observe)")
        let fresh = try self.policy()
        XCTAssertEqual(all.map { fresh.decide(for: $0.ticket, rules: $0.rules) }, first,
                       "a fresh policy answers differently")
    }

    public func checkVotePolicy_decisionsStayValidAfterObservingBlocks() async throws {
        let policy = try policy()
        for rules in Self.ruleSets {
            for height in 1...30 { policy.observe(Self.decidedBlock(Int64(height), policy: policy, rules: rules)) }
            for ticket in Self.tickets(rules) {
                assertValid(policy.decide(for: ticket, rules: rules), (rules, ticket), "after 30 observed blocks")
            }
        }
    }

    public func checkVotePolicy_concurrentObserveAndDecideStayValid() async throws {
        let policy = try policy()
        let rules = Self.ruleSets[1]
        let tickets = Self.tickets(rules)
        let invalid = await withTaskGroup(of: [UInt16].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var invalid: [UInt16] = []
                    for round in 0..<25 {
                        policy.observe(Self.decidedBlock(Int64(worker * 100 + round), policy: policy, rules: rules))
                        for ticket in tickets {
                            let bits = policy.decide(for: ticket, rules: rules).bits
                            if !rules.isValid(bits) { invalid.append(bits) }
                        }
                    }
                    return invalid
                }
            }
            return await group.reduce(into: [UInt16]()) { $0 += $1 }
        }
        XCTAssertEqual(invalid, [], "invalid bits while observing and deciding from 8 tasks")
    }
}
