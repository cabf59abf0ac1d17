import PoolKernel

/// The tickets page (spec §3.20, §8): live, voted (recent ones listed, older archived), missed, expired, invalid.
extension Pages {
    func ticketsPage(_ context: inout PageContext) async -> PageOutcome {
        guard let user = context.user else { return .redirect("/") }
        if user.multiSigAddress.isEmpty { return .redirect("/address") }
        if wallets.isStopped { return .redirect("/error") }
        let info: StakePoolUserInfo
        let height: Int64
        do {
            info = try await tickets.stakePoolUserInfo(multisigAddress: user.multiSigAddress)
        } catch {
            logger.error("stakepooluserinfo failed: \(error)")
            return .response(.plainError(.internalServerError))
        }
        do {
            height = try await tickets.bestBlockHeight()
        } catch {
            logger.error("getbestblock failed: \(error)")
            return .response(.plainError(.internalServerError))
        }
        var data = TicketsView(info: info, bestHeight: height, maxVotedAge: configuration.maxVotedAge).templateData
        data["Network"] = .string(configuration.shortNetwork)
        data["IsTestnet"] = .bool(configuration.shortNetwork == "testnet")
        data["PoolFees"] = .string(Self.formatFloat(configuration.poolFees))
        data["ExplorerBase"] = .string("https://\(configuration.shortNetwork).decred.org/tx/")
        return .page(template: "tickets", title: "Decred Stake Pool - Tickets", flag: "IsTickets", data: data)
    }
}

/// The classification of spec §8 step 3, as template data.
struct TicketsView {
    var live: [StakePoolUserTicket] = []
    var voted: [StakePoolUserTicket] = []
    var missed: [StakePoolUserTicket] = []
    var expired: [StakePoolUserTicket] = []
    var votedCount = 0
    let invalid: [String]

    init(info: StakePoolUserInfo, bestHeight: Int64, maxVotedAge: Int64) {
        invalid = info.invalid
        let minVotedHeight = bestHeight - maxVotedAge
        for ticket in info.tickets {
            switch ticket.status {
            case "live": live.append(ticket)
            case "expired": expired.append(ticket)
            case "missed": missed.append(ticket)
            case "voted":
                votedCount += 1
                if Int64(ticket.spentByHeight) >= minVotedHeight { voted.append(ticket) }
            default: break
            }
        }
        missed.sort { $0.spentByHeight < $1.spentByHeight }
        voted.sort { $0.spentByHeight < $1.spentByHeight }
    }

    var templateData: [String: TemplateValue] {
        func rows(_ tickets: [StakePoolUserTicket], spentBy: Bool) -> TemplateValue {
            .list(tickets.map { ticket in
                var row: [String: TemplateValue] = ["Ticket": .string(ticket.ticket),
                                                    "TicketHeight": .int(Int64(ticket.ticketHeight)),
                                                    "SpentByHeight": .int(Int64(ticket.spentByHeight))]
                if spentBy { row["SpentBy"] = .string(ticket.spentBy) }
                return .dict(row)
            })
        }
        return [
            "TicketsLive": rows(live, spentBy: false),
            "TicketsVoted": rows(voted, spentBy: true),
            "TicketsMissed": rows(missed, spentBy: false),
            "TicketsExpired": rows(expired, spentBy: false),
            "TicketsInvalid": .list(invalid.map { ["Ticket": .string($0)] }),
            "TicketsVotedCount": .int(Int64(votedCount)),
            "TicketsVotedArchivedCount": .int(Int64(votedCount - voted.count)),
        ]
    }
}
