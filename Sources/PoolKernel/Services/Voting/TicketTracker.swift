import Foundation
import Synchronization

/// Keeps the live-ticket map current (stakepoold.md §6.1–6.3): built from the wallet on start, updated from
/// `newtickets` (owner attribution + pool-fee check) and `spentandmissedtickets`, and resynced from the
/// wallet when notifications may have been lost (reconnect, a gap in block heights).
///
/// Notifications out of order, duplicated or for unknown tickets are handled by `TicketMap`'s rules and
/// logged at debug level; none of them is an error.
public final class TicketTracker: Sendable {
    /// What a `spentandmissedtickets` notification changed.
    public struct Removal: Sendable, Equatable {
        public var spent = 0
        public var missed = 0
        public var unknown = 0
    }

    private let map: Mutex<TicketMap>
    let wallet: any WalletBackend
    let prefs: UserPrefsCache
    let feeCheck: TicketFeeCheck?
    let lowFee: LowFeeTickets
    let metrics: VotingMetrics
    let logger: Logger
    /// Wallet calls in flight at once while building or resyncing.
    let concurrency: Int

    public init(wallet: any WalletBackend, prefs: UserPrefsCache, feeCheck: TicketFeeCheck?, lowFee: LowFeeTickets,
                metrics: VotingMetrics, logger: Logger, concurrency: Int = 32) {
        self.map = Mutex(TicketMap())
        self.wallet = wallet
        self.prefs = prefs
        self.feeCheck = feeCheck
        self.lowFee = lowFee
        self.metrics = metrics
        self.logger = logger
        self.concurrency = max(1, concurrency)
    }

    /// The owner's multisig address of a live ticket we vote, or nil. O(1).
    public func owner(of ticket: TicketHash) -> String? { map.withLock { $0.owner(of: ticket) } }

    public var count: Int { map.withLock { $0.count } }

    /// A copy of the map (tests, disk cache).
    public var snapshot: TicketMap { map.withLock { $0 } }

    /// Adds a ticket directly (tests, simulations, operator-added low-fee tickets).
    @discardableResult
    public func add(_ ticket: TicketHash, owner: String) -> TicketMap.AddOutcome {
        let outcome = map.withLock { $0.add(ticket, owner: owner) }
        publishSize()
        return outcome
    }

    // MARK: - Start-up and resync

    /// The race-free initial build (§3 step 11): best block, build, best block again; repeat while a block
    /// came in meanwhile. Node failures are thrown (fatal at start-up).
    public func buildInitial(node: any NodeBackend) async throws {
        while true {
            let before = try await node.bestBlock()
            logger.info("current block height \(before.height) hash \(before.hash)")
            let built = await buildFromWallet()
            let after = try await node.bestBlock()
            if before == after {
                map.withLock { $0 = built }
                publishSize()
                logger.info("\(built.count) live tickets ready for voting")
                return
            }
            logger.info("block \(after.height) came in during GetTickets, refreshing...")
        }
    }

    private func buildFromWallet() async -> TicketMap {
        var built = TicketMap()
        let clock = ContinuousClock()
        let start = clock.now
        logger.info("Running GetTickets, this may take awhile...")
        let hashes: [String]
        do {
            hashes = try await wallet.tickets(includeImmature: false)
        } catch {
            logger.warn("GetTickets failed: \(error)")
            return built
        }
        logger.info("GetTickets: took \(clock.now - start)")
        built.reserveCapacity(hashes.count)
        let owners = await attribute(hashes)
        for (hash, owner) in owners where !lowFee.isExcluded(hash) { built.add(hash, owner: owner) }
        for (hash, owner) in lowFee.addedDetected { built.add(hash, owner: owner) }
        return built
    }

    /// Brings the map in line with the wallet's live tickets without rebuilding it: tickets the wallet has and
    /// we lack are attributed (and fee-checked) and added; tickets we have and the wallet no longer lists are
    /// dropped. Returns (added, dropped).
    @discardableResult
    public func resync() async -> (added: Int, dropped: Int) {
        let hashes: [String]
        do {
            hashes = try await wallet.tickets(includeImmature: false)
        } catch {
            logger.warn("ticket resync: GetTickets failed: \(error)")
            return (0, 0)
        }
        let live = Set(hashes.compactMap { TicketHash(hex: $0) })
        let current = map.withLock { $0.ticketHashes }
        let missing = live.subtracting(current).filter { !lowFee.isExcluded($0) }
        let stale = current.subtracting(live)
        let owners = await attribute(missing.map(\.hex), checkFees: true)
        let added = map.withLock { map -> Int in
            for ticket in stale { map.forget(ticket) }
            var added = 0
            for (hash, owner) in owners where map.add(hash, owner: owner) == .added { added += 1 }
            return added
        }
        publishSize()
        logger.info("ticket resync: \(added) added, \(stale.count) dropped, \(count) live tickets")
        return (added, stale.count)
    }

    /// Adds detected low-fee tickets the operator has since added (called after each prefs reload).
    public func adoptAddedLowFeeTickets() {
        for (hash, owner) in lowFee.addedDetected where add(hash, owner: owner) == .added {
            logger.info("added low-fee ticket \(hash) msa \(owner) (operator added it)")
        }
    }

    // MARK: - Notifications

    /// `newtickets` (§6.2): attribute each ticket to a user, check its pool fee, add the valid ones.
    public func handleNewTickets(_ notification: NewTickets) async {
        let clock = ContinuousClock()
        let start = clock.now
        let before = count
        let owners = await attribute(notification.tickets, checkFees: true)
        var added: [(TicketHash, String)] = []
        map.withLock { map in
            for (hash, owner) in owners {
                switch map.add(hash, owner: owner) {
                case .added: added.append((hash, owner))
                case .duplicate: logger.debug("duplicate new ticket \(hash)")
                case .alreadyRemoved: logger.debug("new ticket \(hash) arrived after its removal; ignored")
                }
            }
        }
        publishSize()
        for (hash, owner) in added { logger.debug("added new ticket \(hash) msa \(owner)") }
        logger.info("processNewTickets: height \(notification.blockHeight) block \(notification.blockHash) "
                    + "duration \(clock.now - start) newtickets \(added.count) ticketCountOld \(before) "
                    + "ticketCountNew \(count)")
    }

    /// `spentandmissedtickets` (§6.3): drop the tickets (O(1) each; no wallet calls needed).
    @discardableResult
    public func handleSpentAndMissed(_ notification: SpentAndMissedTickets) -> Removal {
        var removal = Removal()
        let before = count
        var invalid = 0
        map.withLock { map in
            for entry in notification.tickets {
                guard let hash = TicketHash(hex: entry.ticket) else { invalid += 1; continue }
                switch map.remove(hash, height: notification.blockHeight) {
                case .removed:
                    if entry.spent { removal.spent += 1 } else { removal.missed += 1 }
                case .unknown:
                    removal.unknown += 1
                }
            }
        }
        publishSize()
        if invalid > 0 { logger.warn("spentandmissedtickets: \(invalid) malformed ticket hashes ignored") }
        if removal.missed > 0 {
            metrics.recordChainMissed(removal.missed)
            logger.warn("\(removal.missed) managed tickets missed at height \(notification.blockHeight)")
        }
        logger.info("processSpentMissedTickets: height \(notification.blockHeight) block \(notification.blockHash) "
                    + "spenttickets \(removal.spent) missedtickets \(removal.missed) "
                    + "ticketCountOld \(before) ticketCountNew \(count)")
        return removal
    }

    // MARK: - Owner attribution

    /// `gettransaction` per ticket (bounded concurrency); the owner is the first `details[].address` that is a
    /// known user's multisig address. With `checkFees`, tickets failing the pool-fee check are recorded in
    /// `lowFee` and left out unless the operator added them.
    func attribute(_ tickets: [String], checkFees: Bool = false) async -> [(TicketHash, String)] {
        var results: [(TicketHash, String)] = []
        results.reserveCapacity(tickets.count)
        await withTaskGroup(of: (TicketHash, String)?.self) { group in
            var iterator = tickets.makeIterator()
            func addNext() -> Bool {
                guard let ticket = iterator.next() else { return false }
                group.addTask { [self] in await attributeOne(ticket, checkFees: checkFees) }
                return true
            }
            for _ in 0..<concurrency where !addNext() { break }
            while let result = await group.next() {
                if let result { results.append(result) }
                _ = addNext()
            }
        }
        return results
    }

    private func attributeOne(_ ticket: String, checkFees: Bool) async -> (TicketHash, String)? {
        guard let hash = TicketHash(hex: ticket) else {
            logger.warn("ignoring malformed ticket hash \(ticket.prefix(80))")
            return nil
        }
        let tx: WalletTransaction
        do {
            tx = try await wallet.transaction(txid: ticket)
        } catch {
            let text = VoteCaster.describe(error)
            if !text.hasPrefix("-5: No information for transaction") {
                logger.warn("unexpected GetTransaction error: '\(text)' for \(ticket)")
            }
            return nil
        }
        guard let owner = tx.details.first(where: { !$0.address.isEmpty && prefs.isKnown($0.address) })?.address
        else {
            logger.debug("could not map ticket \(ticket) to a user")
            return nil
        }
        guard checkFees, let feeCheck, !lowFee.isAdded(hash) else { return (hash, owner) }
        do {
            let verdict = try await feeCheck.check(ticketHex: tx.hex, blockHash: tx.blockHash)
            if verdict.isValid { return (hash, owner) }
            logger.warn("ignoring ticket \(ticket) for msa \(owner): \(verdict.problem)")
            lowFee.record(LowFeeTickets.Entry(ticket: hash.hex, multiSigAddress: owner, height: verdict.height,
                                              requiredAtoms: verdict.required, committedAtoms: verdict.committed,
                                              detectedAt: Int64(Date().timeIntervalSince1970)))
        } catch {
            logger.warn("ignoring ticket \(ticket) for msa \(owner): fee check failed: \(VoteCaster.describe(error))")
        }
        return nil
    }

    private func publishSize() { metrics.setTicketMapSize(count) }
}
