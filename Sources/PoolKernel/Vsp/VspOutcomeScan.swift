/// Step 4 of the vspd block handler (vspd-api.md §8.2): finds how watched tickets (fee confirmed, no outcome)
/// ended by reading the ticket spends of every main-chain block from the earliest watched purchase height +
/// ticket maturity — or past the last height already scanned — to the tip. The scanned height is stored (compare
/// and set), so each block is read once across runs, restarts and hosts; progress made before the node went away
/// is kept.
struct VspOutcomeScan: Sendable {
    let storage: any StorageBackend
    let node: any VspNodeBackend
    let tickets: NetParams.TicketParams
    let logger: Logger
    let metrics: VspBlockHandlerMetrics

    func scan(_ report: inout VspBlockRunReport) async throws {
        var watched = Dictionary(uniqueKeysWithValues: try await storage.read { try $0.vspTicketsAwaitingOutcome() }.map { ($0.hash, $0) })
        guard let earliest = watched.values.map(\.purchaseHeight).min() else { return }
        let scanned = try await storage.read { try $0.vspOutcomeScanHeight() }
        let tip = try await node.reachable { try await node.bestBlockHeader() }.height
        var height = max(earliest + Int64(tickets.maturity), scanned + 1)
        var reached = scanned
        defer { metrics.scanHeight.set(Double(reached)) }
        do {
            while height <= tip, !watched.isEmpty {
                let hash = try await node.reachable { try await node.blockHash(height: height) }
                for spend in try await node.reachable({ try await node.ticketSpends(blockHash: hash) }) {
                    guard let ticket = watched.removeValue(forKey: spend.ticketHash) else { continue }
                    let outcome = VspTicketOutcome.of(spendIsVote: spend.isVote, spentAt: height,
                                                      purchaseHeight: ticket.purchaseHeight, tickets: tickets)
                    try await storage.write { try $0.setVspTicketOutcome(hash: ticket.hash, outcome) }
                    report.outcomes[ticket.hash] = outcome
                    metrics.outcomes.increment([outcome.rawValue])
                    logger.info("vsp ticket \(ticket.hash) \(outcome.rawValue) (spent at height \(height))")
                }
                reached = height
                height += 1
            }
        } catch {
            try await record(reached, over: scanned)
            throw error
        }
        try await record(reached, over: scanned)
    }

    /// Stores the height reached unless another host moved it meanwhile (then the next run starts from theirs).
    private func record(_ reached: Int64, over scanned: Int64) async throws {
        guard reached != scanned else { return }
        if !(try await storage.write { try $0.setVspOutcomeScanHeight(reached, ifCurrentIs: scanned) }) {
            logger.debug("vsp outcome scan height moved by another host; the next run scans from there")
        }
    }
}
