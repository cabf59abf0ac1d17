import PoolKernel
import Synchronization

/// `votepolicy=followmajority`: on agenda `agenda`, vote the choice most of the pool's users preferred over the
/// last `blocks` decided blocks (their stored prefs for the current vote version); abstain when there is no
/// clear majority. Other agendas keep the wallet default's choice.
public final class MajorityFollowPolicy: VotePolicy {
    public static let pluginName = "followmajority"
    public var name: String { Self.pluginName }
    public let agenda: String
    public let blocks: Int
    /// Per recent block: the owners' preferred choice bits on the agenda.
    private let history = Mutex<[[UInt16]]>([])

    public init(agenda: String, blocks: Int) {
        self.agenda = agenda.lowercased()
        self.blocks = max(1, blocks)
    }

    /// Registers the plugin (`votepolicyoptions=agenda=<id>,blocks=<n>`).
    public static func register(into registry: inout VotePolicyRegistry) {
        registry.register(pluginName) { context in
            guard let agenda = context.options["agenda"] else {
                throw ConfigError(.missingOption, "followmajority needs votepolicyoptions=agenda=<id>")
            }
            return MajorityFollowPolicy(agenda: agenda, blocks: Int(context.options["blocks"] ?? "") ?? 12)
        }
    }

    public func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
        var bits = VoteRules.blockValidBit
        var reason = "no agenda \(agenda); wallet default"
        for item in rules.agendas {
            if item.id.lowercased() == agenda {
                let (choice, why) = majority(in: item)
                bits |= choice.bits
                reason = why
            } else if let fallback = item.choice(in: rules.defaultBits) {
                bits |= fallback.bits
            }
        }
        return VoteDecision(bits: bits, reason: reason)
    }

    public func observe(_ block: DecidedBlock) {
        let preferred = block.entries.compactMap { $0.ticket.owner?.voteBits }
        history.withLock { history in
            history.append(preferred)
            if history.count > blocks { history.removeFirst(history.count - blocks) }
        }
    }

    private func majority(in item: VoteRules.Agenda) -> (VoteRules.Choice, String) {
        let abstain = item.choices.first { $0.isAbstain } ?? VoteRules.Choice(id: "abstain", bits: 0, isAbstain: true)
        let all = history.withLock { $0.flatMap { $0 } }
        var counts: [UInt16: Int] = [:]
        for bits in all { counts[bits & item.mask, default: 0] += 1 }
        guard let best = counts.max(by: { $0.value < $1.value }), best.value * 2 > all.count,
              let choice = item.choices.first(where: { $0.bits == best.key }) else {
            return (abstain, "no majority on \(item.id) in the last \(blocks) blocks; abstain")
        }
        return (choice, "majority \(choice.id) on \(item.id) (\(best.value)/\(all.count))")
    }
}
