/// `POST /api/v3/setvotechoices` (spec §5.6, §9): new vote preferences for a paid ticket, merged into the stored
/// ones; refused when its timestamp is not newer than every retained change's. Works while closed.
extension VspService {
    func setVoteChoices(_ auth: VspAuthenticatedRequest, onlineWallets online: [any VspWalletBackend]) async throws -> VspReply {
        if online.isEmpty { throw VspAPIError(.internalError) }
        guard let ticket = auth.ticket else { throw VspAPIError(.unknownTicket) }
        if ticket.feeTxStatus == .none { throw VspAPIError(.feeNotReceived) }
        if ticket.outcome != .none {
            throw VspAPIError(.ticketCannotVote, "ticket not eligible to vote (status=\(ticket.outcome.rawValue))")
        }
        let request = try VspRequest.decode(auth.body, as: .setVoteChoices)
        let hash = ticket.hash
        let changes: [VspVoteChange]
        do {
            changes = try await storage.read { try $0.vspVoteChanges(ticketHash: hash) }
        } catch {
            logger.error("vspd: loading the vote changes of \(hash) failed: \(error)")
            throw VspAPIError(.internalError)
        }
        if changes.contains(where: { $0.timestamp >= request.timestamp }) { throw VspAPIError(.invalidTimestamp) }
        let submitted = VspVotePreferences(voteChoices: request.voteChoices ?? [:], tSpendPolicy: request.tSpendPolicy ?? [:],
                                           treasuryPolicy: request.treasuryPolicy ?? [:])
        try rules.check(submitted)
        let merged = ticket.preferences.merging(submitted)

        let reply = success([], echo: auth.body)
        // The record goes first under the ticket's lock, with the replay rule: of two updates racing with one
        // timestamp, exactly one is kept and saves its preferences.
        let change = voteChange(auth, timestamp: request.timestamp, reply: reply)
        let accepted = try await store("saving the vote choices of \(hash)") { writer -> Bool in
            guard try writer.appendVspVoteChange(change, requireNewerTimestamp: true) != nil else { return false }
            try writer.setVspVotePreferences(ticketHash: hash, merged)
            return true
        }
        if !accepted { throw VspAPIError(.invalidTimestamp) }
        if ticket.feeTxStatus == .confirmed { await push(merged, ticket: hash, to: online) }
        return reply
    }

    /// Every stored preference of the ticket onto every online wallet (§5.6 step 9); failures are only logged.
    func push(_ preferences: VspVotePreferences, ticket hash: String, to wallets: [any VspWalletBackend]) async {
        await withTaskGroup(of: Void.self) { group in
            for wallet in wallets {
                group.addTask { [logger] in
                    for (agenda, choice) in preferences.voteChoices.sorted(by: { $0.key < $1.key }) {
                        do { try await wallet.setVoteChoice(agenda: agenda, choice: choice, ticketHash: hash) } catch {
                            logger.warn("vspd: setvotechoice \(agenda) for \(hash) failed: \(error)")
                        }
                    }
                    for (tspend, policy) in preferences.tSpendPolicy.sorted(by: { $0.key < $1.key }) {
                        do { try await wallet.setTSpendPolicy(tspendHash: tspend, policy: policy, ticketHash: hash) } catch {
                            logger.warn("vspd: settspendpolicy \(tspend) for \(hash) failed: \(error)")
                        }
                    }
                    for (key, policy) in preferences.treasuryPolicy.sorted(by: { $0.key < $1.key }) {
                        do { try await wallet.setTreasuryPolicy(key: key, policy: policy, ticketHash: hash) } catch {
                            logger.warn("vspd: settreasurypolicy \(key) for \(hash) failed: \(error)")
                        }
                    }
                }
            }
        }
    }
}
