import PoolKernel

/// `votepolicy=pooldefault`: every ticket votes the operator's fixed choice per agenda, whatever its owner chose.
///
/// Options (`votepolicyoptions`): `<agenda id>=<choice id>`, e.g. `lnfeatures=yes,sdiffalgorithm=no`.
/// Agendas of the current vote version without a configured choice (or whose configured choice id does not
/// exist) keep the wallet default's choice; configured agendas that are not up for vote are ignored.
public struct PoolDefaultPolicy: VotePolicy {
    public static let pluginName = "pooldefault"
    public var name: String { Self.pluginName }
    /// Agenda id (lower-cased) → choice id.
    public let choices: [String: String]

    public init(choices: [String: String]) {
        var normalized: [String: String] = [:]
        for (agenda, choice) in choices { normalized[agenda.lowercased()] = choice.lowercased() }
        self.choices = normalized
    }

    public func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
        var bits = VoteRules.blockValidBit
        var applied: [String] = []
        for agenda in rules.agendas {
            if let wanted = choices[agenda.id.lowercased()], let choice = agenda.choice(id: wanted) {
                bits |= choice.bits
                applied.append("\(agenda.id)=\(choice.id)")
            } else if let fallback = agenda.choice(in: rules.defaultBits) {
                bits |= fallback.bits
                applied.append("\(agenda.id)=\(fallback.id)(wallet)")
            }
        }
        let reason = applied.isEmpty ? "pool default (no agendas)" : "pool default " + applied.joined(separator: ",")
        return VoteDecision(bits: bits, reason: reason)
    }

    /// Problems with the configured choices under `rules`, for a start-up warning (empty: all fine).
    public func problems(under rules: VoteRules) -> [String] {
        var problems: [String] = []
        for (agendaId, choiceId) in choices.sorted(by: { $0.key < $1.key }) {
            guard let agenda = rules.agendas.first(where: { $0.id.lowercased() == agendaId }) else {
                problems.append("agenda \(agendaId) is not up for vote in version \(rules.voteVersion)")
                continue
            }
            if agenda.choice(id: choiceId) == nil {
                let known = agenda.choices.map(\.id).joined(separator: ", ")
                problems.append("agenda \(agenda.id) has no choice \(choiceId) (choices: \(known))")
            }
        }
        return problems
    }
}
