import PoolKernel
import Synchronization

/// `votepolicy=followmajority`: on agenda `agenda`, vote the choice most of the pool's users preferred over the
/// last `blocks` decided blocks (their stored prefs for the current vote version); abstain when there is no
/// clear majority. Other agendas keep the wallet default's choice.
public final class MajorityFollowPolicy: VotePolicy {
    public static let pluginName = "followmajority"
    /// How many decided blocks the majority is counted over when `blocks` is not given.
    public static let defaultBlocks = 12
    public var name: String { Self.pluginName }
    public let agenda: String
    public let blocks: Int
    private let logger: Logger
    /// Per recent block: the owners' preferred choice bits on the agenda.
    private let history = Mutex<[[UInt16]]>([])

    public init(agenda: String, blocks: Int, logger: Logger = .disabled) {
        self.agenda = agenda.lowercased()
        self.blocks = max(1, blocks)
        self.logger = logger
    }

    /// Registers the plugin (`votepolicyoptions=agenda=<id>,blocks=<n>`) with a check run when the config is
    /// loaded: where the host has `votepolicyoptions` (stakepoold), the agenda must be one of the network's
    /// (a `chainparams` fork's own agendas included) and `blocks` a positive number, so a typo is exit 2 at start.
    public static func register(into registry: inout VotePolicyRegistry) {
        registry.register(pluginName, check: { context, isSelected in
            guard isSelected, context.values.specs["votepolicyoptions"] != nil else { return }
            let prefix = OptionChecks.prefix(context.values.source("votepolicyoptions"))
            _ = try settings(try VotePolicyContext.parseOptions(context.values.list("votepolicyoptions")),
                             network: context.params, prefix: prefix)
        }) { context in
            let (agenda, blocks) = try settings(context.options, network: nil, prefix: "")
            return MajorityFollowPolicy(agenda: agenda, blocks: blocks, logger: context.logger)
        }
    }

    /// The agenda and window the options name; `network` (when given) must have that agenda.
    static func settings(_ options: [String: String], network: NetParams?, prefix: String) throws -> (String, Int) {
        guard let agenda = options["agenda"], !agenda.isEmpty else {
            throw ConfigError(.missingOption, prefix + "votepolicy=followmajority needs votepolicyoptions=agenda=<id>")
        }
        let place = prefix.isEmpty ? "votepolicyoptions: " : prefix
        if let network {
            let known = Set(network.voteVersions.values.flatMap { $0.map { $0.id.lowercased() } })
            guard known.contains(agenda.lowercased()) else {
                throw ConfigError(.badValue, place + "agenda \(agenda) is not an agenda of \(network.name) "
                                  + "(known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        let text = options["blocks"] ?? String(defaultBlocks)
        guard let blocks = Int(text), blocks > 0 else {
            throw ConfigError(.badValue, place + "blocks=\(text) is not a positive number of blocks")
        }
        return (agenda, blocks)
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
        let window = history.withLock { history in
            history.append(preferred)
            if history.count > blocks { history.removeFirst(history.count - blocks) }
            return history.reduce(0) { $0 + $1.count }
        }
        // Once per block: what the next block's votes on the agenda will follow (also a point tests wait for).
        logger.info("followmajority observed block \(block.blockHeight): \(preferred.count) preferences, "
                    + "\(window) in the last \(blocks) blocks")
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
