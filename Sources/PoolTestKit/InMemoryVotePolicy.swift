import PoolKernel

/// An in-memory `VotePolicy` for kernel tests: dcrstakepool's rule (the owner's bits when they are for the vote
/// version in force, else the wallet's defaults) unless a test scripts an answer, and a record of every call.
///
/// Scripted answers are cast as given, valid or not, so a test can drive the engine's fallback.
public final class InMemoryVotePolicy: VotePolicy {
    public struct State: Sendable {
        /// Bits for every ticket (scripted), or nil for the owner's-prefs rule.
        public var fixedBits: UInt16?
        /// Bits for one ticket hash (scripted); wins over `fixedBits`.
        public var bitsByTicket: [String: UInt16] = [:]
        /// Every ticket `decide` was asked about, in call order.
        public var decided: [WinningTicket] = []
        /// Every block passed to `observe`, in call order.
        public var observed: [DecidedBlock] = []
        public init(fixedBits: UInt16? = nil) { self.fixedBits = fixedBits }
    }

    public let name: String
    public let state: LockedValue<State>

    public init(name: String = "inmemory", fixedBits: UInt16? = nil) {
        self.name = name
        self.state = LockedValue(State(fixedBits: fixedBits))
    }

    public func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
        state.withLock { state in
            state.decided.append(ticket)
            if let bits = state.bitsByTicket[ticket.ticketHash] ?? state.fixedBits {
                return VoteDecision(bits: bits, reason: "scripted \(bits)")
            }
            guard let owner = ticket.owner, owner.voteBitsVersion == rules.voteVersion else {
                return VoteDecision(bits: rules.defaultBits, reason: "wallet default")
            }
            return VoteDecision(bits: owner.voteBits, reason: "owner prefs v\(rules.voteVersion)")
        }
    }

    public func observe(_ block: DecidedBlock) {
        state.withLock { $0.observed.append(block) }
    }
}
