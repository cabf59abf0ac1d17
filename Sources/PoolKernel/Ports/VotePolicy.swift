import Foundation

/// The vote-policy port: decides the vote bits for one winning pool ticket.
///
/// Plugins (`VotePolicies` module, chosen by stakepoold's `votepolicy` option): `userprefs` (the default,
/// dcrstakepool's rule, stakepoold.md §8.4) and `pooldefault` (operator-fixed choices per agenda). A fork adds
/// its own policy in its own package (see `examples/ForkVotePolicy`) without touching the kernel.
///
/// ```swift
/// struct AlwaysDefault: VotePolicy {
///     var name: String { "alwaysdefault" }
///     func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
///         VoteDecision(bits: rules.defaultBits, reason: "operator wants wallet defaults")
///     }
/// }
/// ```
///
/// Implementation requirements (the contract `VotePolicyConformanceTests` in PoolTestKit checks; run your
/// policy through it):
/// - `name` is a non-empty lower-case identifier (`a-z`, `0-9`, `-`), the same on every call: the name its
///   factory is registered under (`votepolicy = <name>`), stored in each vote audit record.
/// - `decide` is pure and fast (it runs on the vote path, inside the miners' ~3 s window, for every managed
///   winner; budget: a few microseconds). No I/O, no locks held for long, no logging of secrets. Deciding has
///   no effect on later decisions: the same ticket under the same rules gets the same answer until `observe` is
///   called (only `observe` may change what a policy decides).
/// - Given valid inputs — `rules.defaultBits` valid under `rules`, and an owner's `voteBits` valid under
///   `rules` whenever their `voteBitsVersion` is `rules.voteVersion` (owners of another version may hold any
///   bits) — `decide` returns bits valid under `rules` (`VoteRules.isValid`) for every ticket, with or without
///   an owner, whatever the agendas (none included), and whatever blocks were observed before.
/// - The engine still validates every answer (bit 0 set, every agenda's masked value one of its choices, no
///   unknown bits): an invalid result is never cast: the wallet's default bits are used instead and the
///   fallback is logged and audited (`VoteDecisionStep`). That is a safety net, not a way to say "default".
/// - `reason` is a short operator-facing text stored in the vote audit, e.g. `user prefs v6`: non-empty, one
///   line (no control characters), at most `StorageLimits.shortText` (255) characters.
/// - `observe(_:)` is called once per decided block, after all its winners were decided, from one task at a
///   time per block; blocks may overlap, and `decide` runs meanwhile for other blocks, so implementations that
///   keep state must lock it (concurrent `observe` and `decide` calls from many tasks must stay safe and valid).
public protocol VotePolicy: Sendable {
    /// The plugin name (`userprefs`, `pooldefault`, …): stored in each vote audit record.
    var name: String { get }
    /// The bits (and why) for one winning ticket under the current vote rules.
    func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision
    /// Sees what was decided for a block (for policies that follow recent history). Default: nothing.
    func observe(_ block: DecidedBlock)
}

extension VotePolicy {
    public func observe(_ block: DecidedBlock) {}
}

/// A policy's answer: the vote bits and a short reason for the audit log.
public struct VoteDecision: Sendable, Equatable {
    public var bits: UInt16
    public var reason: String
    public init(bits: UInt16, reason: String) {
        self.bits = bits
        self.reason = reason
    }
}

/// One winning ticket this daemon manages, with its owner's stored preferences when known.
public struct WinningTicket: Sendable, Equatable {
    public var ticketHash: String
    /// The block the ticket votes on (from the `winningtickets` notification).
    public var blockHash: String
    public var blockHeight: Int64
    /// The owner's 1-of-2 multisig (P2SH) address from the ticket map.
    public var multiSigAddress: String
    /// The owner's `VoteBits` / `VoteBitsVersion`; nil when the user is not in the prefs cache.
    public var owner: VotingUser?

    public init(ticketHash: String, blockHash: String, blockHeight: Int64, multiSigAddress: String,
                owner: VotingUser?) {
        self.ticketHash = ticketHash
        self.blockHash = blockHash
        self.blockHeight = blockHeight
        self.multiSigAddress = multiSigAddress
        self.owner = owner
    }
}

/// What was decided for every managed winner of one block (input of `VotePolicy.observe`).
public struct DecidedBlock: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var ticket: WinningTicket
        /// The bits that will be cast (after validation).
        public var bits: UInt16
        public init(ticket: WinningTicket, bits: UInt16) {
            self.ticket = ticket
            self.bits = bits
        }
    }
    public var blockHash: String
    public var blockHeight: Int64
    public var entries: [Entry]
    public init(blockHash: String, blockHeight: Int64, entries: [Entry]) {
        self.blockHash = blockHash
        self.blockHeight = blockHeight
        self.entries = entries
    }
}

/// The rules votes are cast under: the vote version in force, its agendas, and the wallet's defaults
/// (`walletinfo`'s `voteversion`, `votebits`, `votebitsextended`, read once at start, stakepoold.md §3 step 5).
public struct VoteRules: Sendable, Equatable {
    /// One choice of an agenda (`abstain`, `no`, `yes`): the bits it sets within the agenda's mask.
    public struct Choice: Sendable, Equatable {
        public var id: String
        public var bits: UInt16
        public var isAbstain: Bool
        public var isNo: Bool
        public init(id: String, bits: UInt16, isAbstain: Bool = false, isNo: Bool = false) {
            self.id = id
            self.bits = bits
            self.isAbstain = isAbstain
            self.isNo = isNo
        }
    }

    /// One consensus agenda of the vote version (chaincfg `Deployments[voteVersion]`).
    public struct Agenda: Sendable, Equatable {
        public var id: String
        public var mask: UInt16
        public var choices: [Choice]
        public init(id: String, mask: UInt16, choices: [Choice]) {
            self.id = id
            self.mask = mask
            self.choices = choices
        }

        /// The choice whose bits equal `bits & mask`, if any.
        public func choice(in bits: UInt16) -> Choice? {
            let masked = bits & mask
            return choices.first { $0.bits == masked }
        }

        /// The choice called `id` (case-insensitive), if any.
        public func choice(id: String) -> Choice? {
            choices.first { $0.id.lowercased() == id.lowercased() }
        }
    }

    /// Bit 0: "the previous block's regular transaction tree is valid" (must be set in every pool vote).
    public static let blockValidBit: UInt16 = 0x0001

    public var voteVersion: UInt32
    public var agendas: [Agenda]
    /// The wallet's default vote bits (bit 0 plus its own agenda choices; not necessarily 1).
    public var defaultBits: UInt16
    /// The wallet's `votebitsextended` hex, always passed to `generatevote`.
    public var defaultBitsExtended: String

    public init(voteVersion: UInt32, agendas: [Agenda], defaultBits: UInt16 = 1, defaultBitsExtended: String = "") {
        self.voteVersion = voteVersion
        self.agendas = agendas
        self.defaultBits = defaultBits
        self.defaultBitsExtended = defaultBitsExtended
    }

    /// dcrstakepool's `IsValidVoteBits` (webapp.md §9.3): 1 is always valid; otherwise bit 0 must be set,
    /// each agenda's masked bits must be one of its choices, and no bit may lie outside every choice.
    public func isValid(_ bits: UInt16) -> Bool {
        if bits == 1 { return true }
        if bits & Self.blockValidBit == 0 { return false }
        var used = Self.blockValidBit
        for agenda in agendas {
            let masked = bits & agenda.mask
            var matched = false
            for choice in agenda.choices {
                used |= choice.bits
                if choice.bits == masked { matched = true }
            }
            if !matched { return false }
        }
        return bits & ~used == 0
    }
}

// MARK: - Engine side: validation and fallback

/// The bits that will be cast for one winner, after the policy's answer was validated.
public struct CheckedVoteDecision: Sendable, Equatable {
    public var bits: UInt16
    /// The policy's reason, or the fallback's reason when the policy's bits were rejected.
    public var reason: String
    /// The policy that decided (its `name`).
    public var policyName: String
    /// True when the policy's bits were invalid and the wallet's defaults are used instead.
    public var fellBack: Bool
    public init(bits: UInt16, reason: String, policyName: String, fellBack: Bool) {
        self.bits = bits
        self.reason = reason
        self.policyName = policyName
        self.fellBack = fellBack
    }
}

/// Runs a policy for one winner and enforces the port's contract: bits invalid under the vote rules are
/// replaced by the wallet's default bits, with a warning (the wallet's defaults are what dcrstakepool would
/// have cast, and a vote with the wallet's bits beats a missed vote).
public struct VoteDecisionStep: Sendable {
    public let policy: any VotePolicy
    public let logger: Logger

    public init(policy: any VotePolicy, logger: Logger) {
        self.policy = policy
        self.logger = logger
    }

    public func decide(for ticket: WinningTicket, rules: VoteRules) -> CheckedVoteDecision {
        let decision = policy.decide(for: ticket, rules: rules)
        if rules.isValid(decision.bits) {
            return CheckedVoteDecision(bits: decision.bits, reason: decision.reason, policyName: policy.name,
                                       fellBack: false)
        }
        logger.warn("vote policy \(policy.name) chose invalid votebits \(decision.bits) for ticket "
                    + "\(ticket.ticketHash) (vote version \(rules.voteVersion), reason: \(decision.reason)); "
                    + "using wallet default votebits \(rules.defaultBits)")
        return CheckedVoteDecision(bits: rules.defaultBits,
                                   reason: "invalid bits \(decision.bits) from policy (\(decision.reason)); wallet default",
                                   policyName: policy.name, fellBack: true)
    }
}

// MARK: - Plugin SPI

/// What a vote-policy factory gets: the policy's options from config (`votepolicyoptions=key=value,…`, keys
/// lower-cased) and a logger. Factories throw `ConfigError` for options they cannot use.
public struct VotePolicyContext: Sendable {
    public var options: [String: String]
    public var logger: Logger
    public init(options: [String: String] = [:], logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Parses `key=value` items (the `votepolicyoptions` list). An item without `=` is a `ConfigError`.
    public static func parseOptions(_ items: [String]) throws -> [String: String] {
        var options: [String: String] = [:]
        for item in items {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigError(.badValue, "votepolicyoptions: \"\(trimmed)\" is not key=value")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw ConfigError(.badValue, "votepolicyoptions: empty key in \"\(trimmed)\"") }
            options[key] = value
        }
        return options
    }
}

/// The registry stakepoold picks its policy from (option `votepolicy`).
public typealias VotePolicyRegistry = PluginRegistry<any VotePolicy, VotePolicyContext>

extension VoteRules {
    /// The rules for `voteVersion` from the chain parameters' agendas (`NetParams.agendas(forVoteVersion:)`).
    public init(voteVersion: UInt32, netAgendas: [PoolKernel.Agenda], defaultBits: UInt16, defaultBitsExtended: String) {
        self.init(voteVersion: voteVersion,
                  agendas: netAgendas.map { agenda in
                      VoteRules.Agenda(id: agenda.id, mask: agenda.mask, choices: agenda.choices.map {
                          VoteRules.Choice(id: $0.id, bits: $0.bits, isAbstain: $0.isAbstain, isNo: $0.isNo)
                      })
                  },
                  defaultBits: defaultBits, defaultBitsExtended: defaultBitsExtended)
    }
}
