/// `POST /api/v3/feeaddress` (spec §5.3): a fee quote for the ticket — a new ticket gets a fresh fee address and
/// is registered; a known one keeps its address and gets a new amount once its quote expired.
extension VspService {
    func feeAddress(_ auth: VspAuthenticatedRequest) async throws -> VspReply {
        _ = try VspRequest.decode(auth.body, as: .feeAddress)
        if let ticket = auth.ticket, !VspFeeTxStatus.awaitingPayment.contains(ticket.feeTxStatus) {
            throw VspAPIError(.feeAlreadyReceived)
        }
        let raw: VspRawTransaction
        if let fetched = auth.nodeTicket { raw = fetched } else { raw = try await rawTransaction(auth.ticketHash) }
        try await requireCanVote(raw, hash: auth.ticketHash)
        let quoted: VspTicket
        if var ticket = auth.ticket {
            if Double(ticket.feeExpiration) < clock() {
                ticket.feeAmount = try await currentFee()
                ticket.feeExpiration = nowSeconds + VspTicket.quoteLifetimeSeconds
                let (hash, state) = (ticket.hash, ticket.fee)
                let written = try await store("refreshing the quote of \(hash)") {
                    try $0.updateVspFee(ticketHash: hash, state, ifStatusIn: VspFeeTxStatus.awaitingPayment)
                }
                if !written { throw VspAPIError(.feeAlreadyReceived) }
            }
            quoted = ticket
        } else {
            let amount = try await currentFee()
            let address: VspFeeAddress
            do {
                address = try await feeAddresses.next()
            } catch {
                logger.error("vspd: no fee address for \(auth.ticketHash): \(error)")
                throw VspAPIError(.internalError)
            }
            let confirmed = raw.confirmations >= Self.requiredConfirmations
            let ticket = VspTicket(hash: auth.ticketHash, purchaseHeight: confirmed ? raw.blockHeight : 0,
                                   commitmentAddress: auth.commitmentAddress, feeAddressXPubID: address.xpubID,
                                   feeAddressIndex: address.index, feeAddress: address.address, feeAmount: amount,
                                   feeExpiration: nowSeconds + VspTicket.quoteLifetimeSeconds, confirmed: confirmed)
            // A parallel first request for the same ticket inserts first: this one fails (its index stays used).
            try await store("registering ticket \(ticket.hash)") { try $0.insertVspTicket(ticket) }
            quoted = ticket
        }
        return success([("feeaddress", .string(quoted.feeAddress)), ("feeamount", .int(quoted.feeAmount)),
                        ("expiration", .int(quoted.feeExpiration))], echo: auth.body)
    }
}
