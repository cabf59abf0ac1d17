/// The vspd block handler's wallet consistency pass (vspd-api.md §8.2, every 30 minutes and at start-up): each
/// wallet's `ticketinfo` from the earliest watched purchase height; every watched ticket a wallet lacks is given
/// to it (key, transaction, preferences) and the wallet rescans; consensus choices that differ from the stored
/// ones are set again (tspend and treasury policies are not compared, as in vspd). A wallet that fails is logged
/// and left for the next pass; an unreachable node postpones the pass.
struct VspConsistencyPass: Sendable {
    let storage: any StorageBackend
    let node: any VspNodeBackend
    let steps: VspBlockSteps

    private var wallets: VspVotingWallets { steps.wallets }

    /// Returns how many tickets were added to wallets that lacked them.
    func run() async throws -> Int {
        let watched = try await storage.read { try $0.vspTicketsAwaitingOutcome() }
        guard let minHeight = watched.map(\.purchaseHeight).min() else { return 0 }
        var transactions: [String: VspRawTransaction] = [:]
        var added = 0
        for index in wallets.wallets.indices {
            let wallet = wallets.wallets[index]
            let held: [String: [String: String]]
            do {
                held = Dictionary(try await wallet.ticketInfo(startHeight: minHeight).map { ($0.hash, $0.choices) },
                                  uniquingKeysWith: { first, _ in first })
            } catch {
                wallets.failed(index, "ticketinfo", error)
                continue
            }
            var addedHere = 0
            var unknown: [String: Set<String>] = [:]
            for ticket in watched {
                guard let choices = held[ticket.hash] else {
                    guard let raw = try await transaction(of: ticket.hash, cache: &transactions) else { continue }
                    let result = await wallets.load(ticket, raw: raw, on: index)
                    if result.loaded { addedHere += 1 }
                    unknown[ticket.hash, default: []].formUnion(result.unknownAgendas)
                    continue
                }
                for (agenda, choice) in ticket.voteChoices.sorted(by: { $0.key < $1.key }) where choices[agenda] != choice {
                    do {
                        try await wallet.setVoteChoice(agenda: agenda, choice: choice, ticketHash: ticket.hash)
                    } catch {
                        if VspVotingWallets.isUnknownAgenda(error) { unknown[ticket.hash, default: []].insert(agenda) }
                        wallets.failed(index, "setvotechoice \(agenda)=\(choice) on ticket \(ticket.hash)", error)
                    }
                }
            }
            for (hash, agendas) in unknown where !agendas.isEmpty { await steps.forget(agendas: agendas, of: hash) }
            guard addedHere > 0 else { continue }
            added += addedHere
            wallets.metrics.walletRepairs.increment([wallets.labels[index]], by: Double(addedHere))
            wallets.logger.info("vsp wallet \(wallets.labels[index]) lacked \(addedHere) tickets: added, rescanning from \(minHeight)")
            do { try await wallet.rescan(from: minHeight) } catch { wallets.failed(index, "rescanwallet \(minHeight)", error) }
        }
        wallets.metrics.consistencyPasses.increment()
        return added
    }

    /// The ticket's transaction and block from the node, asked once per pass (nil, logged, if the node cannot say).
    private func transaction(of hash: String, cache: inout [String: VspRawTransaction]) async throws -> VspRawTransaction? {
        if let known = cache[hash] { return known }
        do {
            let raw = try await node.reachable { try await node.rawTransaction(txid: hash) }
            cache[hash] = raw
            return raw
        } catch let error where !(error is VspRunPostponed) {
            wallets.logger.warn("vsp ticket \(hash): getrawtransaction failed, not added to wallets this pass: \(error)")
            return nil
        }
    }
}
