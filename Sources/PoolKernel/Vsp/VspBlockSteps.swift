/// Steps 1–3 of the vspd block handler (vspd-api.md §8.2): tickets confirmed or forgotten, pending fees
/// broadcast, broadcast fees confirmed and the voting key handed to every wallet. Every storage change is guarded
/// by the state it expects, so two hosts running this on one database never apply a step twice — in particular
/// a fee is claimed (`received → broadcast`) before it is sent, and only the claimer sends it.
struct VspBlockSteps: Sendable {
    /// vspd's confirmation depth for tickets and fees.
    static let requiredConfirmations: Int64 = 6

    let storage: any StorageBackend
    let node: any VspNodeBackend
    let wallets: VspVotingWallets
    let tickets: NetParams.TicketParams
    let logger: Logger
    let metrics: VspBlockHandlerMetrics

    /// Step 1: every unconfirmed ticket. Unknown to the node (−5): deleted with its records. 6 confirmations:
    /// confirmed at its block's height. Other node errors are logged; the next run asks again.
    func confirmTickets(_ report: inout VspBlockRunReport) async throws {
        for ticket in try await storage.read({ try $0.vspTickets(confirmed: false) }) {
            let raw: VspRawTransaction
            do {
                raw = try await node.reachable { try await node.rawTransaction(txid: ticket.hash) }
            } catch let error where error.isNoInformation {
                if try await storage.write({ try $0.deleteUnconfirmedVspTicket(hash: ticket.hash) }) {
                    report.ticketsDeleted += 1
                    metrics.ticketsDeleted.increment()
                    logger.info("vsp ticket \(ticket.hash) was never mined: deleted with its vote changes and alternate signing address")
                }
                continue
            } catch let error where !(error is VspRunPostponed) {
                logger.warn("vsp ticket \(ticket.hash): getrawtransaction failed: \(error)")
                continue
            }
            guard raw.confirmations >= Self.requiredConfirmations else { continue }
            if try await storage.write({ try $0.confirmVspTicket(hash: ticket.hash, purchaseHeight: raw.blockHeight) }) {
                report.ticketsConfirmed += 1
                metrics.ticketsConfirmed.increment()
                logger.info("vsp ticket \(ticket.hash) confirmed at height \(raw.blockHeight)")
            }
        }
    }

    /// Step 2: fees payfee accepted for confirmed tickets. The host that moves `received → broadcast` sends the
    /// fee; a rejection moves it on to `error` (warning: the client must pay again); an unreachable node puts it
    /// back to `received` and postpones the run.
    func broadcastFees(_ report: inout VspBlockRunReport) async throws {
        let pending = try await storage.read { try $0.vspTickets(feeTxStatus: .received) }.filter(\.confirmed)
        for ticket in pending {
            guard try await move(ticket, from: .received, to: .broadcast) else { continue }
            do {
                let txid = try await node.reachable { try await node.sendRawTransaction(ticket.feeTxHex) }
                report.feesBroadcast += 1
                metrics.feeBroadcasts.increment(["sent"])
                logger.info("vsp fee \(txid) for ticket \(ticket.hash) broadcast")
            } catch let postponed as VspRunPostponed {
                _ = try await move(ticket, from: .broadcast, to: .received)
                throw postponed
            } catch {
                _ = try await move(ticket, from: .broadcast, to: .error)
                report.feeBroadcastsFailed += 1
                metrics.feeBroadcasts.increment(["failed"])
                logger.warn("vsp fee broadcast for ticket \(ticket.hash) failed (fee status error; the client pays again): \(error)")
            }
        }
    }

    /// Step 3: broadcast fees. Gone from the node: `error`. 6 confirmations: `confirmed` (the hex is dropped),
    /// then the ticket with its voting key and preferences goes to every wallet, and the outcome scan is moved
    /// back if this ticket could have been spent in blocks it already covered.
    func confirmFees(_ report: inout VspBlockRunReport) async throws {
        for ticket in try await storage.read({ try $0.vspTickets(feeTxStatus: .broadcast) }) {
            let raw: VspRawTransaction
            do {
                raw = try await node.reachable { try await node.rawTransaction(txid: ticket.feeTxHash) }
            } catch let error where !(error is VspRunPostponed) {
                if error.isNoInformation, try await sendAgain(ticket) { continue }
                if try await move(ticket, from: .broadcast, to: .error) {
                    report.feesLost += 1
                    metrics.feesLost.increment()
                    logger.warn("vsp fee \(ticket.feeTxHash) for ticket \(ticket.hash) not found (fee status error): \(error)")
                }
                continue
            }
            guard raw.confirmations >= Self.requiredConfirmations, try await move(ticket, from: .broadcast, to: .confirmed) else {
                continue
            }
            report.feesConfirmed += 1
            metrics.feesConfirmed.increment()
            try await watchOutcome(of: ticket)
            let ticketRaw = try await node.reachable { try await node.rawTransaction(txid: ticket.hash) }
            let loaded = await handToWallets(ticket, raw: ticketRaw)
            logger.info("vsp fee for ticket \(ticket.hash) confirmed; voting key on \(loaded) of \(wallets.wallets.count) wallets")
        }
    }

    /// A broadcast fee the node does not know (another host claimed it and is still sending it, this host was
    /// killed between claiming and sending, or the mempool dropped it) is sent again from the kept hex before it is
    /// given up as `error` (vspd gives up at once). One the mempool already holds (−40) counts as sent.
    private func sendAgain(_ ticket: VspTicket) async throws -> Bool {
        guard !ticket.feeTxHex.isEmpty else { return false }
        do {
            _ = try await node.reachable { try await node.sendRawTransaction(ticket.feeTxHex) }
        } catch let error where !(error is VspRunPostponed) {
            logger.warn("vsp fee \(ticket.feeTxHash) for ticket \(ticket.hash) was not on the node and sending it again failed: \(error)")
            return false
        }
        metrics.feeRebroadcasts.increment()
        logger.info("vsp fee \(ticket.feeTxHash) for ticket \(ticket.hash) was not on the node: sent again")
        return true
    }

    /// The ticket on every wallet, with its preferences; agendas a wallet does not know are dropped from the
    /// stored map (as vspd does). Returns on how many wallets it arrived.
    func handToWallets(_ ticket: VspTicket, raw: VspRawTransaction) async -> Int {
        var loaded = 0
        var unknown = Set<String>()
        for index in wallets.wallets.indices {
            let result = await wallets.load(ticket, raw: raw, on: index)
            if result.loaded { loaded += 1 }
            unknown.formUnion(result.unknownAgendas)
        }
        if !unknown.isEmpty { await forget(agendas: unknown, of: ticket.hash) }
        return loaded
    }

    /// Drops agendas from the ticket's stored vote choices (a storage failure is logged: the next load retries).
    func forget(agendas: Set<String>, of hash: String) async {
        do {
            try await storage.write { tx in
                guard var preferences = try tx.vspTicket(hash: hash)?.preferences else { return }
                for agenda in agendas { preferences.voteChoices[agenda] = nil }
                try tx.setVspVotePreferences(ticketHash: hash, preferences)
            }
            logger.info("vsp ticket \(hash): dropped vote choices for agendas the wallets do not know: \(agendas.sorted().joined(separator: ", "))")
        } catch {
            logger.warn("vsp ticket \(hash): dropping unknown agendas failed: \(error)")
        }
    }

    /// A newly watched ticket may have been spent in blocks the outcome scan already passed: move the scan back
    /// below the first block that could spend it (compare and set; a concurrent move is retried).
    func watchOutcome(of ticket: VspTicket) async throws {
        let firstSpendable = ticket.purchaseHeight + Int64(tickets.maturity)
        for _ in 0..<8 {
            let current = try await storage.read { try $0.vspOutcomeScanHeight() }
            guard current >= firstSpendable else { return }
            if try await storage.write({ try $0.setVspOutcomeScanHeight(firstSpendable - 1, ifCurrentIs: current) }) { return }
        }
    }

    private func move(_ ticket: VspTicket, from: VspFeeTxStatus, to: VspFeeTxStatus) async throws -> Bool {
        try await storage.write { try $0.moveVspFeeTxStatus(ticketHash: ticket.hash, from: from, to: to) }
    }
}
