/// `POST /api/v3/ticketstatus` (spec §5.5): what the VSP knows of a registered ticket. Works while closed.
extension VspService {
    func ticketStatus(_ auth: VspAuthenticatedRequest) async throws -> VspReply {
        guard let ticket = auth.ticket else { throw VspAPIError(.unknownTicket) }
        _ = try VspRequest.decode(auth.body, as: .ticketStatus)
        let hash = ticket.hash
        let alternate = try await authenticator.alternateAddress(of: hash, failure: .internalError)
        return success([("ticketconfirmed", .bool(ticket.confirmed)), ("feetxstatus", .string(ticket.feeTxStatus.rawValue)),
                        ("feetxhash", .string(ticket.feeTxHash)), ("altsignaddress", .string(alternate?.address ?? "")),
                        ("votechoices", .map(ticket.voteChoices)), ("tspendpolicy", .map(ticket.tSpendPolicy)),
                        ("treasurypolicy", .map(ticket.treasuryPolicy))], echo: auth.body)
    }
}
