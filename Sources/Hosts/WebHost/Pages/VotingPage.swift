import PoolKernel

/// Voting preferences for the current vote version's agendas (spec §9.4–§9.5).
extension Pages {
    func voting(_ context: inout PageContext) async -> PageOutcome {
        guard let user = context.user else { return .redirect("/") }
        let bits = VoteBits(user.voteBits)
        let agendas: [TemplateValue] = configuration.agendas.enumerated().map { index, agenda in
            let selected = agenda.selectedBits(in: bits)
            return ["Index": .int(Int64(index)), "Id": .string(agenda.id), "Description": .string(agenda.description),
                    "Choices": .list(agenda.choices.map { choice in
                        ["Bits": .int(Int64(choice.bits)), "Description": .string(choice.description),
                         "Selected": .bool(choice.bits == selected)]
                    })]
        }
        return .page(template: "voting", title: "Decred Stake Pool - Voting", flag: "IsVoting", data: [
            "Agendas": .list(agendas), "VoteVersion": .int(Int64(configuration.voteVersion)),
            "FlashError": Self.list(context.session.takeFlashes("votingError")),
            "FlashSuccess": Self.list(context.session.takeFlashes("votingSuccess")),
        ])
    }

    func votingPost(_ context: inout PageContext) async -> PageOutcome {
        guard let user = context.user else { return .redirect("/") }
        let (messages, changed) = await accounts.updateVoting(userId: user.id, fields: context.form,
                                                              agendas: configuration.agendas)
        if changed { await userChanged(user.id) }
        context.session.flash("votingError", messages.errors)
        context.session.flash("votingSuccess", messages.successes)
        return .redirect("/voting")
    }
}
