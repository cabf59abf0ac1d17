import PoolKernel

/// `votepolicy=userprefs` (the default): dcrstakepool's rule (stakepoold.md §8.4) exactly.
///
/// - owner's prefs missing → the wallet's default bits;
/// - owner's `VoteBitsVersion` ≠ the vote version in force → the wallet's default bits (covers the window
///   between a wallet upgrade and the web app's reset to 1, webapp.md §9.6);
/// - otherwise the owner's `VoteBits` as stored.
public struct UserPrefsPolicy: VotePolicy {
    public static let pluginName = "userprefs"
    public var name: String { Self.pluginName }

    public init() {}

    public func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
        guard let owner = ticket.owner else {
            return VoteDecision(bits: rules.defaultBits, reason: "no prefs for \(ticket.multiSigAddress); wallet default")
        }
        guard owner.voteBitsVersion == rules.voteVersion else {
            return VoteDecision(bits: rules.defaultBits,
                                reason: "vote version mismatch user \(owner.voteBitsVersion) "
                                    + "stakepoold \(rules.voteVersion); wallet default")
        }
        return VoteDecision(bits: owner.voteBits, reason: "user prefs v\(rules.voteVersion)")
    }
}
