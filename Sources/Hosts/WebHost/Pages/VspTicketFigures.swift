import PoolKernel

/// The vspd API tickets at a glance (issue 24 item 4), from `StorageReader.vspTicketCounts()`: how many are in each
/// fee status, and of the paid ones how many are voting (fee confirmed, no outcome yet), voted, missed or expired
/// (vspd's legacy `revoked` counts as expired, as vspinfo and `/metrics` count it).
struct VspTicketFigures: Equatable, Sendable {
    var byFeeStatus: [VspFeeTxStatus: Int] = [:]
    var voting = 0
    var voted = 0
    var missed = 0
    var expired = 0

    init(_ counts: [VspTicketState: Int]) {
        for (state, count) in counts {
            byFeeStatus[state.feeTxStatus, default: 0] += count
            switch state.outcome {
            case .none: if state.feeTxStatus == .confirmed { voting += count }
            case .voted: voted += count
            case .missed: missed += count
            case .expired, .revoked: expired += count
            }
        }
    }

    var total: Int { byFeeStatus.values.reduce(0, +) }

    /// The template's values, keys prefixed `Vsp` (one `VspFeeStatuses` row per fee status, zeros included).
    var templateData: [String: TemplateValue] {
        ["VspTotal": .int(Int64(total)), "VspVoting": .int(Int64(voting)), "VspVoted": .int(Int64(voted)),
         "VspMissed": .int(Int64(missed)), "VspExpired": .int(Int64(expired)),
         "VspFeeStatuses": .list(VspFeeTxStatus.allCases.map { status in
             ["Status": .string(status.rawValue), "Count": .int(Int64(byFeeStatus[status] ?? 0))]
         })]
    }
}

extension Pages {
    /// Missed vspd tickets listed on the dashboard beside the vote audit's misses.
    static let vspMissedListed = 50

    /// The vspd figures and the newest missed vspd tickets as rows of the dashboard's missed list (no owner: a vspd
    /// ticket has no account). Empty when the vspd front is off.
    func vspDashboardFigures() async throws -> (figures: [String: TemplateValue], missed: [TemplateValue]) {
        guard configuration.showsVspTickets else { return ([:], []) }
        let (counts, missed) = try await storage.read { reader in
            (try reader.vspTicketCounts(), try reader.vspTickets(outcome: .missed, limit: Self.vspMissedListed))
        }
        var figures = VspTicketFigures(counts).templateData
        figures["VspFront"] = true
        let rows: [TemplateValue] = missed.map { ticket in
            ["Ticket": .string(ticket.hash), "Height": .string(ticket.purchaseHeight == 0 ? "–" : String(ticket.purchaseHeight)),
             "Result": .string(VspTicketOutcome.missed.rawValue), "Owner": .string("vspd ticket"), "OwnerId": .string(""),
             "Reason": .string("the block handler saw it revoked, not voted (bought at the block shown)")]
        }
        return (figures, rows)
    }

    /// A search by hash that names a vspd ticket: its fee and voting state, never its voting key.
    func vspTicketSearch(_ hash: TicketHash) async throws -> [String: TemplateValue] {
        guard configuration.showsVspTickets,
              let ticket = try await storage.read({ try $0.vspTicket(hash: hash.hex) }) else { return [:] }
        let choices = { (map: [String: String]) -> TemplateValue in
            .list(map.sorted { $0.key < $1.key }.map { ["Key": .string($0.key), "Value": .string($0.value)] })
        }
        return ["SearchVsp": [
            "FeeStatus": .string(ticket.feeTxStatus.rawValue),
            "Confirmed": .string(ticket.confirmed ? "yes, bought at block \(ticket.purchaseHeight)" : "not yet"),
            "Outcome": .string(ticket.outcome == .none ? "none yet" : ticket.outcome.rawValue),
            "FeeAddress": .string(ticket.feeAddress), "FeeAmount": .string(Self.dcr(ticket.feeAmount)),
            "FeeTxHash": .string(ticket.feeTxHash.isEmpty ? "–" : ticket.feeTxHash),
            "CommitmentAddress": .string(ticket.commitmentAddress),
            "VotingKeyHeld": .string(ticket.votingWIF.isEmpty ? "no" : "yes"),
            "VoteChoices": choices(ticket.voteChoices), "TSpendPolicy": choices(ticket.tSpendPolicy),
            "TreasuryPolicy": choices(ticket.treasuryPolicy),
        ]]
    }
}
