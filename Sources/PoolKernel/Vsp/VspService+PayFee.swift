import Foundation

/// `POST /api/v3/payfee` (spec §5.4): the fee transaction and the voting key for a quoted ticket, checked as vspd
/// checks them; sent at once when the ticket is already confirmed (else the block handler sends it later).
extension VspService {
    func payFee(_ auth: VspAuthenticatedRequest) async throws -> VspReply {
        try await requireReachableNode()
        guard var ticket = auth.ticket else { throw VspAPIError(.unknownTicket) }
        let request = try VspRequest.decode(auth.body, as: .payFee)
        guard VspFeeTxStatus.awaitingPayment.contains(ticket.feeTxStatus) else { throw VspAPIError(.feeAlreadyReceived) }
        let raw = try await rawTransaction(ticket.hash)
        try await requireCanVote(raw, hash: ticket.hash)
        if Double(ticket.feeExpiration) < clock() { throw VspAPIError(.feeExpired) }
        let network = configuration.network
        guard let wif = try? WIF.decode(request.votingKey, network: network) else { throw VspAPIError(.invalidPrivKey) }

        // Invalid preferences do not fail payfee: each map replaces the stored one only when all of it is valid. An
        // absent map has no invalid entry, so it replaces the stored one with {} (vspd stores the nil map it got).
        var preferences = ticket.preferences
        let (choices, tSpend, treasury) = (request.voteChoices ?? [:], request.tSpendPolicy ?? [:], request.treasuryPolicy ?? [:])
        if (try? rules.checkVoteChoices(choices)) != nil { preferences.voteChoices = choices }
        if (try? rules.checkTSpendPolicy(tSpend)) != nil { preferences.tSpendPolicy = tSpend }
        if (try? rules.checkTreasuryPolicy(treasury)) != nil { preferences.treasuryPolicy = treasury }

        let feeTx: DecredTransaction
        do {
            feeTx = try DecredTransaction(hex: request.feeTx)
            try feeTx.checkSanity(maximumSize: configuration.maxTransactionSize)
        } catch {
            throw VspAPIError(.invalidFeeTx)
        }
        guard let feeAddress = try? Address.decode(ticket.feeAddress, network: network) else {
            logger.error("vspd: the stored fee address of \(ticket.hash) does not decode")
            throw VspAPIError(.internalError)
        }
        guard let paid = feeTx.firstPayment(to: feeAddress), paid != 0 else {
            throw VspAPIError(.invalidFeeTx, "feetx did not include any payments for fee address \(ticket.feeAddress)")
        }
        if paid < ticket.feeAmount { throw VspAPIError(.feeTooSmall) }
        guard try isVotingKey(wif, ofTicketHex: raw.hex) else {
            throw VspAPIError(.invalidPrivKey, "voting address does not match provided private key")
        }

        ticket.votingWIF = wif.encoded
        ticket.feeTxHex = request.feeTx
        ticket.feeTxHash = feeTx.txid
        ticket.feeTxStatus = .received
        ticket.preferences = preferences
        let (hash, state, chosen) = (ticket.hash, ticket.fee, preferences)
        // An unconfirmed ticket's answer cannot change any more (its fee is sent later, by the block handler), so its
        // vote-change record goes into the same transaction: one storage round trip instead of two. As when it is
        // stored on its own, a record over the storage limits is left out and does not fail the call.
        let reply = success([], echo: auth.body)
        var change: VspVoteChange?
        if !ticket.confirmed {
            change = voteChange(auth, timestamp: request.timestamp, reply: reply)
            if (try? StorageLimits.check(change!)) == nil {
                logger.error("vspd: the vote change of \(hash) is over the storage limits and is not kept")
                change = nil
            }
        }
        let keptChange = change
        let saved = try await store("saving the fee of \(hash)") { writer -> Bool in
            guard try writer.updateVspFee(ticketHash: hash, state, ifStatusIn: VspFeeTxStatus.awaitingPayment) else { return false }
            try writer.setVspVotePreferences(ticketHash: hash, chosen)
            if let keptChange { _ = try writer.appendVspVoteChange(keptChange, requireNewerTimestamp: false) }
            return true
        }
        // A parallel payfee saved first.
        if !saved { throw VspAPIError(.feeAlreadyReceived) }
        if !ticket.confirmed { return reply }
        try await broadcastFee(&ticket)
        await record(auth, timestamp: request.timestamp, reply: reply, requireNewerTimestamp: false)
        return reply
    }

    /// Output 0 of the ticket dcrd returned is `OP_SSTX` P2PKH of the key's hash160, script version 0 (§5.4 step 12).
    private func isVotingKey(_ wif: WIF, ofTicketHex hex: String) throws -> Bool {
        guard let ticketTx = try? DecredTransaction(hex: hex), let output = ticketTx.outputs.first else {
            throw VspAPIError(.internalError)
        }
        guard let publicKey = try? wif.publicKey() else { return false }
        let destination = ScriptDestination(isScriptHash: false, hash160: Hash160.hash(publicKey))
        return output.scriptVersion == 0 && output.script == StakeScript.tagged(StakeScript.opSStx, destination)
    }

    /// §5.4 step 14: the ticket is already confirmed, so the fee goes out now: `broadcast`, or `error` with
    /// `E(16)` (orphan) / `E(15)`.
    private func broadcastFee(_ ticket: inout VspTicket) async throws {
        let hash = ticket.hash
        do {
            _ = try await node.sendRawTransaction(ticket.feeTxHex)
        } catch {
            logger.warn("vspd: fee of \(hash) could not be broadcast: \(error)")
            ticket.feeTxStatus = .error
            let state = ticket.fee
            _ = try? await storage.write { try $0.updateVspFee(ticketHash: hash, state, ifStatusIn: [.received]) }
            throw VspAPIError(Self.isOrphanRejection(error) ? .cannotBroadcastFeeUnknownOutputs : .cannotBroadcastFee)
        }
        ticket.feeTxStatus = .broadcast
        let state = ticket.fee
        _ = try await store("marking the fee of \(hash) broadcast") { try $0.updateVspFee(ticketHash: hash, state, ifStatusIn: [.received]) }
    }

    /// Stores the accepted call as a vote-change record (§9). With the replay rule (setvotechoices) it is refused
    /// unless its timestamp is newer than every retained record's: false then.
    @discardableResult
    func record(_ auth: VspAuthenticatedRequest, timestamp: Int64, reply: VspReply, requireNewerTimestamp: Bool) async -> Bool {
        let change = voteChange(auth, timestamp: timestamp, reply: reply)
        do {
            return try await storage.write { try $0.appendVspVoteChange(change, requireNewerTimestamp: requireNewerTimestamp) } != nil
        } catch {
            logger.error("vspd: storing the vote change of \(auth.ticketHash) failed: \(error)")
            return false
        }
    }

    func voteChange(_ auth: VspAuthenticatedRequest, timestamp: Int64, reply: VspReply) -> VspVoteChange {
        VspVoteChange(ticketHash: auth.ticketHash, timestamp: timestamp, request: Data(auth.body),
                      requestSignature: auth.signature, response: Data(reply.body), responseSignature: reply.signature ?? "")
    }
}
