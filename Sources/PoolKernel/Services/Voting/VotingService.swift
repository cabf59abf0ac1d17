import Synchronization

/// The vote daemon's event loop as an `EngineService`: subscribes to the node's notifications and hands each
/// one to its own task (blocks and notification kinds overlap, as in stakepoold §6): `winningtickets` → the
/// vote loop, `newtickets` / `spentandmissedtickets` → the ticket tracker, `reorganization` → the tip is read
/// again from the node and the tracker resynced from the wallet.
///
/// Lost notifications (a reconnect, or a subscription made after the map was built) show up as a gap in block
/// heights; the tracker is then resynced from the wallet (one resync at a time, coalesced).
public final class VotingService: EngineService {
    public var name: String { "voting" }

    let node: any NodeBackend
    let tracker: TicketTracker
    let loop: VoteLoop
    let logger: Logger
    private struct Progress {
        var lastHeight: Int64?
        var resyncRunning = false
        var resyncPending = false
    }
    private let progress: Mutex<Progress>
    /// `newtickets` still being attributed: a winner that matured in this very block may need them.
    private let pendingNewTickets = Mutex<[Task<Void, Never>]>([])
    /// How long a winning-tickets notification waits for pending `newtickets` when a winner is unknown.
    public let newTicketsWait: Duration

    /// - Parameter knownHeight: the height the ticket map was built at (gap detection starts there).
    public init(node: any NodeBackend, tracker: TicketTracker, loop: VoteLoop, logger: Logger, knownHeight: Int64? = nil,
                newTicketsWait: Duration = .milliseconds(800)) {
        self.newTicketsWait = newTicketsWait
        self.node = node
        self.tracker = tracker
        self.loop = loop
        self.logger = logger
        self.progress = Mutex(Progress(lastHeight: knownHeight))
    }

    /// Whether `run()` has subscribed to the node's notifications (tests and simulations wait for it).
    public var isSubscribed: Bool { subscribed.load(ordering: .acquiring) }
    private let subscribed = Atomic<Bool>(false)

    public func run() async throws {
        let stream = try await node.notificationStream()
        subscribed.store(true, ordering: .releasing)
        defer { subscribed.store(false, ordering: .releasing) }
        logger.info("subscribed to notifications from dcrd")
        await withDiscardingTaskGroup { group in
            for await notification in stream {
                if Task.isCancelled { break }
                let receivedAt = ContinuousClock.now
                switch notification {
                case .winningTickets(let winners):
                    group.addTask { [self] in
                        await waitForNewTicketsIfNeeded(winners, receivedAt: receivedAt)
                        await loop.process(winners, receivedAt: receivedAt)
                    }
                    noteHeight(winners.blockHeight, group: &group)
                case .newTickets(let tickets):
                    let task = Task { [tracker] in await tracker.handleNewTickets(tickets) }
                    pendingNewTickets.withLock { pending in
                        pending.removeAll { $0.isCancelled }
                        pending.append(task)
                        if pending.count > 8 { pending.removeFirst(pending.count - 8) }
                    }
                    group.addTask { [self] in
                        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
                        pendingNewTickets.withLock { pending in pending.removeAll { $0 == task } }
                    }
                    noteHeight(tickets.blockHeight, group: &group)
                case .spentAndMissedTickets(let removed):
                    tracker.handleSpentAndMissed(removed)
                    noteHeight(removed.blockHeight, group: &group)
                case .reorganization(let change):
                    group.addTask { [self] in await reorganized(change) }
                case .blockConnected(let block):
                    // Every block counts toward gap detection: on a young chain blocks come without winning or
                    // new tickets, and the first such notification is no jump.
                    if let height = block.height { noteHeight(Int64(height), group: &group) }
                }
            }
            group.cancelAll()
        }
    }

    /// Feeds one notification synchronously (tests and simulations drive the daemon without a stream).
    public func handle(_ notification: ChainNotification,
                       receivedAt: ContinuousClock.Instant = ContinuousClock.now) async {
        switch notification {
        case .winningTickets(let winners): await loop.process(winners, receivedAt: receivedAt)
        case .newTickets(let tickets): await tracker.handleNewTickets(tickets)
        case .spentAndMissedTickets(let removed): tracker.handleSpentAndMissed(removed)
        case .reorganization(let change): await reorganized(change)
        case .blockConnected: break
        }
    }

    /// The node switched chains: the tip we knew is stale and tickets bought, matured or spent in the
    /// disconnected blocks may stand differently on the new chain. Read the tip again (gap detection restarts
    /// from it) and resync the ticket map from the wallet (coalesced with any resync already running).
    func reorganized(_ change: Reorganization) async {
        logger.info("chain reorganization from \(change.oldHash) (height \(change.oldHeight)) to \(change.newHash) (height \(change.newHeight)); re-reading the tip")
        do {
            let tip = try await node.bestBlock()
            progress.withLock { $0.lastHeight = tip.height }
            logger.info("tip after the reorganization: height \(tip.height) hash \(tip.hash)")
        } catch {
            logger.warn("could not re-read the tip after a chain reorganization: \(error)")
        }
        let start = progress.withLock { progress -> Bool in
            if progress.resyncRunning { progress.resyncPending = true; return false }
            progress.resyncRunning = true
            return true
        }
        if start { await resyncUntilSettled() }
    }

    /// A winner unknown to the map may be a ticket that matured in this block whose `newtickets` is still
    /// being attributed: wait for those (bounded), then vote.
    private func waitForNewTicketsIfNeeded(_ winners: WinningTickets, receivedAt: ContinuousClock.Instant) async {
        let pending = pendingNewTickets.withLock { $0 }
        guard !pending.isEmpty else { return }
        let unknown = winners.tickets.contains { TicketHash(hex: $0).map { tracker.owner(of: $0) == nil } ?? false }
        guard unknown else { return }
        _ = await DeadlineRace.run(until: receivedAt + newTicketsWait) {
            for task in pending { await task.value }
        }
    }

    /// Whether a height skipped blocks since the last notification (then a resync is started).
    private func noteHeight(_ height: Int64, group: inout DiscardingTaskGroup) {
        let startResync = progress.withLock { progress -> Bool in
            defer { progress.lastHeight = max(progress.lastHeight ?? height, height) }
            guard let last = progress.lastHeight, height > last + 1 else { return false }
            logger.warn("notifications jumped from height \(last) to \(height); resyncing tickets from the wallet")
            if progress.resyncRunning { progress.resyncPending = true; return false }
            progress.resyncRunning = true
            return true
        }
        if startResync { group.addTask { [self] in await resyncUntilSettled() } }
    }

    private func resyncUntilSettled() async {
        while true {
            await tracker.resync()
            let again = progress.withLock { progress -> Bool in
                if progress.resyncPending { progress.resyncPending = false; return true }
                progress.resyncRunning = false
                return false
            }
            if !again || Task.isCancelled { return }
        }
    }
}
