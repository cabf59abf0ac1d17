import Foundation
import PoolKernel
import Synchronization

/// One vote daemon's parts, wired from built backends (used by `StakepooldMain`, `poolctl simulate` and the
/// tests): prefs cache, low-fee list, ticket tracker, vote loop, the voting service and the prefs reloader.
///
/// `start` follows stakepoold.md §3 from step 4: wallet defaults (`walletinfo`), user prefs from storage,
/// low-fee list, the race-free initial ticket map. Nothing runs until the host runs `services`.
public final class StakepooldEngine: Sendable {
    public struct Settings: Sendable {
        /// Where `lowfeetickets.json` and the disk cache (stakepoold.md §9) live; nil keeps everything in memory.
        public var dataDirectory: String?
        public var voteLoop = VoteLoop.Settings()
        /// Prefs reload timer (`norpclisten`: 240 s); nil: reload only on request.
        public var prefsReloadInterval: Duration?
        public var poolFeePercent: Double = 7.5
        public var subsidy: PoolTicketFee.SubsidyParams = .simnet
        /// Whether an address is a pool fee address; nil disables the fee check (logged).
        public var isFeeAddress: (@Sendable (String) -> Bool)?
        /// Retries while the database is unreachable (stakepoold votes on with its cached prefs meanwhile).
        public var databaseBackoff = StorageReconnector.Backoff()
        /// Who hears about missed or late votes (the operator's and owners' mails); nil: log and metrics only.
        public var missedVotes: MissedVoteNotifier.Settings?
        /// Operator alerts for database outages (mailed once the database answers again); nil: log only.
        public var alerter: OperatorAlerter?
        public init(dataDirectory: String? = nil) { self.dataDirectory = dataDirectory }
    }

    public let wallet: any WalletBackend
    public let node: any NodeBackend
    public let prefs: UserPrefsCache
    public let lowFee: LowFeeTickets
    public let tracker: TicketTracker
    public let loop: VoteLoop
    public let voting: VotingService
    public let reloader: PrefsReloadService
    public let metrics: VotingMetrics
    public let rules: VoteRules
    /// The disk cache in `Settings.dataDirectory` (nil without one).
    public let cache: VotingDiskCache?
    /// The database link (nil without storage): up/down state, retries, resync when it returns.
    public let database: StorageReconnector?
    /// Alerts and owner mails for missed or late votes.
    public let missedVotes: MissedVoteNotifier

    /// Builds and initialises the daemon's state. Throws on the fatal start-up failures (wallet defaults,
    /// best block).
    public static func start(wallet: any WalletBackend, node: any NodeBackend, storage: (any StorageBackend)?,
                             policy: any VotePolicy, agendas: @Sendable (UInt32) -> [Agenda],
                             settings: Settings, metrics: VotingMetrics = VotingMetrics(),
                             logger: Logger) async throws -> StakepooldEngine {
        let info = try await wallet.walletInfo()
        let rules = VoteRules(voteVersion: info.voteVersion, netAgendas: agendas(info.voteVersion),
                              defaultBits: info.voteBits, defaultBitsExtended: info.voteBitsExtended)
        logger.info("default voting config: VoteVersion \(info.voteVersion) VoteBits \(info.voteBits)")
        // The database may be down: start anyway (stakepoold votes through an outage with its disk cache).
        let resync = Mutex<(@Sendable () async -> Void)?>(nil)
        let database = storage.map { storage in
            StorageReconnector(storage: storage, backoff: settings.databaseBackoff, logger: logger,
                               onDown: { [alerter = settings.alerter] detail in
                                   Task { await alerter?.send(.databaseDown(detail, daemon: "stakepoold")) }
                               },
                               onReconnected: { await resync.withLock { $0 }?() })
        }
        let databaseUp = await database?.connectAtStart() ?? true
        let prefs = UserPrefsCache(storage: storage, logger: logger)
        if databaseUp {
            do {
                let count = try await prefs.reload()
                logger.info("loaded prefs for \(count) users from storage")
            } catch {
                logger.warn("could not obtain voting config from storage: \(error)")
                database?.markDown(error)
            }
        }
        // Disk cache (§3 steps 9–10): prune; without users from storage, vote with the cached prefs rather
        // than the wallet's defaults.
        let cache = settings.dataDirectory.map { VotingDiskCache(directory: $0, logger: logger) }
        cache?.prune()
        if prefs.count == 0, let cached = cache?.loadUsers() {
            prefs.replace(with: cached)
            logger.info("loaded prefs for \(prefs.count) users from the disk cache")
        }
        let lowFee = LowFeeTickets(directory: settings.dataDirectory, storage: storage, logger: logger)
        await lowFee.load()
        let feeCheck = settings.isFeeAddress.map {
            TicketFeeCheck(node: node, fee: PoolTicketFee(params: settings.subsidy),
                           poolFeePercent: settings.poolFeePercent, isFeeAddress: $0)
        }
        if feeCheck == nil { logger.warn("pool-fee check of new tickets is disabled (no fee addresses)") }
        let tracker = TicketTracker(wallet: wallet, prefs: prefs, feeCheck: feeCheck, lowFee: lowFee,
                                    metrics: metrics, logger: logger)
        try await tracker.buildInitial(node: node)
        let height = try await node.bestBlock().height
        let loop = VoteLoop(tracker: tracker, prefs: prefs, policy: policy, rules: rules, wallet: wallet, node: node,
                            storage: storage, metrics: metrics, logger: logger, settings: settings.voteLoop)
        let voting = VotingService(node: node, tracker: tracker, loop: loop, logger: logger, knownHeight: height)
        let reloader = PrefsReloadService(prefs: prefs, tracker: tracker, lowFee: lowFee,
                                          interval: settings.prefsReloadInterval, logger: logger)
        var quiet = MissedVoteNotifier.Settings(daemonName: "stakepoold")
        quiet.mailOwners = false
        let missedVotes = MissedVoteNotifier(storage: storage, settings: settings.missedVotes ?? quiet, logger: logger)
        if settings.missedVotes == nil { logger.info("missed votes are alerted in the log and metrics only") }
        loop.onMissedVotes { await missedVotes.blockProcessed($0) }
        if let database {
            reloader.onStorageFailure { database.markDown($0) }
            loop.onStorageFailure { database.markDown($0) }
            resync.withLock { $0 = { [alerter = settings.alerter] in
                await alerter?.send(.databaseRecovered(daemon: "stakepoold", outage: database.lastOutage))
                await reloader.reloadOnce()
                await missedVotes.retryPending()
            } }
        }
        return StakepooldEngine(wallet: wallet, node: node, prefs: prefs, lowFee: lowFee, tracker: tracker, loop: loop,
                                voting: voting, reloader: reloader, metrics: metrics, rules: rules, cache: cache,
                                database: database, missedVotes: missedVotes)
    }

    private init(wallet: any WalletBackend, node: any NodeBackend, prefs: UserPrefsCache, lowFee: LowFeeTickets,
                 tracker: TicketTracker, loop: VoteLoop, voting: VotingService, reloader: PrefsReloadService,
                 metrics: VotingMetrics, rules: VoteRules, cache: VotingDiskCache?, database: StorageReconnector?,
                 missedVotes: MissedVoteNotifier) {
        self.cache = cache
        self.missedVotes = missedVotes
        self.database = database
        self.wallet = wallet
        self.node = node
        self.prefs = prefs
        self.lowFee = lowFee
        self.tracker = tracker
        self.loop = loop
        self.voting = voting
        self.reloader = reloader
        self.metrics = metrics
        self.rules = rules
    }

    /// Saves the ticket map, the user prefs and the operator-added low-fee tickets to the disk cache
    /// (stakepoold.md §9; called on shutdown). Returns the files written.
    @discardableResult
    public func saveCache() -> [String] {
        guard let cache else { return [] }
        var live: [String: String] = [:]
        for entry in tracker.snapshot.entries { live[entry.ticket.hex] = entry.owner }
        var added: [String: String] = [:]
        for (hash, owner) in lowFee.addedDetected { added[hash.hex] = owner }
        return cache.save(liveTickets: live, users: Array(prefs.snapshot.values), manuallyAdded: added)
    }

    /// The services to run, in start order.
    public var services: [any EngineService] { [reloader, voting] + (database.map { [$0] } ?? []) }
}
