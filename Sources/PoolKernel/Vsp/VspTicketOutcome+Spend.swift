extension VspTicketOutcome {
    /// How a ticket ended, from the stake transaction that spent it and that block's height (vspd-api.md §8.2
    /// step 4): a vote is `voted`; a revocation with `expiry = purchaseHeight + maturity + expiry` is `expired` at
    /// `expiry` or `expiry + 1` (the blocks where an expired ticket is revoked) and `missed` otherwise (before:
    /// the ticket was chosen and its vote did not make it; later: revoked long after it was missed).
    public static func of(spendIsVote isVote: Bool, spentAt height: Int64, purchaseHeight: Int64,
                          tickets: NetParams.TicketParams) -> VspTicketOutcome {
        if isVote { return .voted }
        let expiry = purchaseHeight + Int64(tickets.maturity) + Int64(tickets.expiry)
        return height == expiry || height == expiry + 1 ? .expired : .missed
    }
}
