import PoolKernel

/// A deterministic simulated Decred simnet: one node and N voting wallets sharing one seed, like a real
/// stake pool. Thread-safe; every method is cheap and synchronous (the state sits behind one lock).
///
/// ```swift
/// let simnet = Simnet(configuration: .init(seed: 7, walletCount: 3), logger: logger)
/// let tickets = try simnet.buyTickets(ticketAddress: p2sh, feeAddress: simnet.feeAddress(index: 1), count: 5)
/// simnet.mine(200)
/// ```
///
/// Notifications (`blockconnected`, `spentandmissedtickets`, `newtickets`, `winningtickets`, in that order
/// per block) go to every subscriber after the block is connected, outside the state lock, in block order.
/// Votes for a block's winners are accepted only until the next block is mined: a late vote is rejected
/// and the ticket is missed.
public final class Simnet: Sendable {
    /// How to build the simulation.
    public struct Configuration: Sendable {
        /// Seed of everything random: keys, block and ticket hashes, lottery draws.
        public var seed: UInt64
        /// Number of voting wallets sharing the seed.
        public var walletCount: Int
        /// Consensus parameters (real simnet by default).
        public var parameters: SimnetParameters
        /// Ticket price (stake difficulty), atoms.
        public var ticketPrice: Int64
        /// The pool fee percent used to size and check pool-fee commitments.
        public var poolFeePercent: Double
        /// Missed and expired tickets are revoked one block later.
        public var autoRevoke: Bool
        /// How many cold-wallet children count as pool fee addresses (dcrstakepool: 10,000 users).
        public var feeAddressCount: Int

        public init(seed: UInt64 = 1, walletCount: Int = 3, parameters: SimnetParameters = .simnet,
                    ticketPrice: Int64 = 2_000_000_000, poolFeePercent: Double = 7.5, autoRevoke: Bool = true,
                    feeAddressCount: Int = 10_000) {
            self.seed = seed
            self.walletCount = walletCount
            self.parameters = parameters
            self.ticketPrice = ticketPrice
            self.poolFeePercent = poolFeePercent
            self.autoRevoke = autoRevoke
            self.feeAddressCount = feeAddressCount
        }
    }

    /// Chain-wide ticket counts (every ticket, whoever owns it).
    public struct Stats: Sendable, Equatable {
        public var height: Int
        public var immature: Int
        public var live: Int
        public var voted: Int
        public var missed: Int
        public var expired: Int
        public var revoked: Int
        public var mempool: Int
    }

    public let configuration: Configuration
    let world: LockedValue<SimnetWorld>
    private let subscribers = LockedValue<Subscribers>(Subscribers())
    /// Held while a block is connected and announced, so announcements leave in block order.
    private let announcing = LockedValue<Int>(0)
    private let logger: Logger

    private struct Subscribers: Sendable {
        var nextID = 0
        var handlers: [Int: @Sendable (ChainNotification) -> Void] = [:]
    }

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        world = LockedValue(SimnetWorld(configuration: configuration))
    }

    public var walletCount: Int { configuration.walletCount }

    // MARK: - Blocks and purchases

    /// Mines `count` blocks (announcing each) and returns the new tip.
    @discardableResult
    public func mine(_ count: Int = 1) -> BestBlock {
        announcing.withLock { _ in
            for _ in 0..<max(0, count) {
                let wanted = !subscribers.value.handlers.isEmpty
                let (event, drop) = world.withLock { world in
                    let event = world.chain.connectBlock()
                    world.castVspVotes()  // today's wallets vote their called tickets at once
                    return (event, world.dropsNotifications)
                }
                if wanted && !drop { announce(event) }
            }
        }
        return world.withLock { BestBlock(hash: $0.chain.tipHash.hex, height: Int64($0.chain.tipHeight)) }
    }

    /// Replaces the tip with a sibling block (a depth-1 chain reorganization, see `SimnetChainState.replaceTip`)
    /// and announces it as dcrd does: `reorganization [oldhash, oldheight, newhash, newheight]` first, then the
    /// new block's notifications. Returns what changed; nil at the genesis block.
    @discardableResult
    public func reorganize() -> Reorganization? {
        announcing.withLock { _ -> Reorganization? in
            let (replaced, drop) = world.withLock { world in
                let replaced = world.chain.replaceTip()
                world.castVspVotes()
                return (replaced, world.dropsNotifications)
            }
            guard let (oldHash, event) = replaced else { return nil }
            let height = Int64(event.height)
            let change = Reorganization(oldHash: oldHash.hex, oldHeight: height, newHash: event.hash.hex, newHeight: height)
            logger.info("simnet: reorganized the tip at height \(height) from \(change.oldHash) to \(change.newHash)")
            if !drop { announce(event, after: [.reorganization(change)]) }
            return change
        }
    }

    /// How a simulated purchase sizes its pool-fee commitment.
    public enum PoolFee: Sendable, Equatable {
        /// Exactly the fee the pool requires.
        case correct
        /// Half the required fee: wallets list the ticket as invalid and stakepoold skips it.
        case tooLow
        /// A given amount, atoms.
        case atoms(Int64)
    }

    /// Puts `count` ticket purchases paying `ticketAddress` (a P2SH address) into the mempool; blocks mine
    /// at most MaxFreshStakePerBlock (simnet 20) of them each. Returns their transaction hashes.
    public func buyTickets(ticketAddress: String, feeAddress: String, count: Int = 1,
                           poolFee: PoolFee = .correct) throws -> [String] {
        let choice: SimnetWorld.FeeChoice
        switch poolFee {
        case .correct: choice = .correct
        case .tooLow: choice = .tooLow
        case .atoms(let atoms): choice = .atoms(atoms)
        }
        return try world.withLock { try $0.buyTickets(ticketAddress: ticketAddress, feeAddress: feeAddress, count: count,
                                                      fee: choice) }.map(\.hex)
    }

    /// Chain-wide counts.
    public var stats: Stats {
        world.withLock { world in
            let counts = world.chain.counts
            return Stats(height: world.chain.tipHeight, immature: counts.immature, live: counts.live,
                         voted: counts.voted, missed: counts.missed, expired: counts.expired,
                         revoked: counts.revoked, mempool: world.chain.mempool.count)
        }
    }

    /// The tickets eligible to vote on the current tip (already announced), in order.
    public var currentWinners: [String] {
        world.withLock { world in world.chain.winners.map { world.chain.tickets[Int($0)].hash.hex } }
    }

    /// The tip's winners that some wallet could vote but whose vote has not reached the node yet: what
    /// `poolctl dev mine` waits for before the next block, so mining fast never makes the pool miss.
    public var awaitingVotes: Int {
        world.withLock { world in
            world.chain.winners.filter { id in
                world.chain.pendingVotes[id] == nil && world.wallets.indices.contains { world.walletCanVote($0, ticket: id) }
            }.count
        }
    }

    /// The ticket's chain status (`immature`, `live`, `voted`, `missed`, `expired`, `revoked`), nil if
    /// unknown or still in the mempool.
    public func ticketStatus(_ hash: String) -> String? {
        world.withLock { world in
            guard let parsed = SimHash(displayHex: hash), let id = world.chain.ticketIndex[parsed] else { return nil }
            let record = world.chain.tickets[Int(id)]
            if record.isRevoked { return "revoked" }
            switch record.status {
            case .immature: return "immature"
            case .live: return "live"
            case .voted: return "voted"
            case .missed: return "missed"
            case .expired: return "expired"
            }
        }
    }

    /// The bits and vote version of the vote the chain recorded for a ticket; nil when it was not voted.
    public func recordedVote(_ hash: String) -> (bits: UInt16, voteVersion: UInt32?)? {
        world.withLock { world in
            guard let parsed = SimHash(displayHex: hash), let id = world.chain.ticketIndex[parsed],
                  let vote = world.chain.votes[id] else { return nil }
            return (vote.bits, vote.version)
        }
    }

    /// The network the simulated chain runs on (simnet, or a fork's parameters).
    public var network: NetParams { configuration.parameters.network }

    /// Sets the simulated ticket price (stake difficulty) for later purchases, atoms.
    public func setTicketPrice(_ atoms: Int64) {
        world.withLock { $0.chain.ticketPrice = max(atoms, $0.chain.parameters.minimumStakeDiff) }
    }

    /// `ticketsforaddress` of wallet `index` (tickets paying `address` that the wallet may vote).
    public func ticketsForAddress(wallet index: Int, address: String) throws -> [String] {
        do {
            return try world.withLock { try $0.ticketsForAddress(index, address: address) }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// The node's `getrawtransaction [txid, 0]`: tickets, mined or in the mempool.
    public func nodeRawTransaction(txid: String) throws -> String {
        do {
            return try world.withLock { try $0.nodeRawTransaction(txid: txid) }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// A pool user as the simulation registered them.
    public struct User: Sendable, Equatable {
        /// The 1-of-2 multisig P2SH address tickets pay to (`Users.MultiSigAddress`).
        public var ticketAddress: String
        public var redeemScript: String
        /// The pool fee address of the user (cold wallet child `/0/uid`).
        public var feeAddress: String
    }

    /// Registers user `uid` the way the web app does, without RPC: 1-of-2 multisig of the pool's key
    /// `/0/uid` and a stand-in user key, imported into every wallet with a rescan from genesis.
    public func registerUser(_ uid: Int) throws -> User {
        do {
            return try world.withLock { world in
                guard uid >= 0, uid < 1_000_000 else { throw SimnetError.invalidParameter("uid out of range") }
                let pool = SimnetAddress(kind: .pubKey, payload: world.keyring.votingPublicKey(index: uid))
                let user = SimnetAddress(kind: .pubKey, payload: world.keyring.votingPublicKey(index: 1_000_000 + uid))
                let multisig = try world.createMultisig(0, nRequired: 1, keys: [world.addresses.encode(pool),
                                                                                world.addresses.encode(user)])
                for index in world.wallets.indices {
                    let faults = world.wallets[index].faults
                    world.wallets[index].faults = SimnetWalletFaults()
                    defer { world.wallets[index].faults = faults }
                    try world.importScript(index, scriptHex: multisig.redeemScript, rescan: true, scanFrom: 0)
                }
                return User(ticketAddress: multisig.address, redeemScript: multisig.redeemScript,
                            feeAddress: world.keyring.feeAddress(index: uid))
            }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// A benchmark's ticket history without mining (poolbench scale; `simfabricatetickets`): for every script wallet 0
    /// imported, `historicPerScript` voted tickets; `live` live tickets spread evenly over those scripts; and
    /// `extra` voted tickets for the ticket address `extraAddress` (a user with a long history). Returns the number
    /// of tickets added. Call it after mining past the ticket maturity.
    public func fabricateTickets(historicPerScript: Int, live: Int, extraAddress: String?, extra: Int) throws -> Int {
        do {
            return try world.withLock { world in
                guard (0...1_000).contains(historicPerScript), (0...10_000_000).contains(live), (0...1_000_000).contains(extra)
                else { throw SimnetError.invalidParameter("counts out of range") }
                let owners = world.wallets[0].importOrder
                var added = 0
                for owner in owners {
                    world.chain.fabricateTickets(owner: owner, count: historicPerScript, live: false)
                    added += historicPerScript
                }
                if !owners.isEmpty {
                    for k in 0..<live { world.chain.fabricateTickets(owner: owners[k * owners.count / live], count: 1, live: true) }
                    added += live
                }
                if let extraAddress, extra > 0 {
                    guard let decoded = world.addresses.decode(extraAddress),
                          let owner = world.chain.existingOwnerID(for: decoded) else {
                        throw SimnetError.invalidParameter("unknown ticket address \(extraAddress)")
                    }
                    world.chain.fabricateTickets(owner: owner, count: extra, live: false)
                    added += extra
                }
                return added
            }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// Wallet `wallet`'s `generatevote`, synchronously (for simulations driven in-process).
    public func generateVote(wallet: Int, blockHash: String, height: Int64, ticket: String, voteBits: UInt16 = 1,
                             voteBitsExtended: String = "06000000") throws -> String {
        do {
            return try world.withLock {
                try $0.generateVote(wallet, blockHash: blockHash, height: height, ticket: ticket, voteBits: voteBits,
                                    voteBitsExtended: voteBitsExtended)
            }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// The node's `sendrawtransaction`, synchronously.
    public func sendRawTransaction(_ hex: String) throws -> String {
        do {
            return try world.withLock { try $0.sendRawTransaction(hex) }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// Votes every current winner through `wallet` (as a perfectly fast stakepoold would); returns how
    /// many votes the node accepted.
    @discardableResult
    public func voteWinners(wallet: Int = 0, voteBits: UInt16 = 1) -> Int {
        world.withLock { world in
            let hash = world.chain.tipHash.hex
            let height = Int64(world.chain.tipHeight)
            var accepted = 0
            for id in world.chain.winners {
                let ticket = world.chain.tickets[Int(id)].hash.hex
                guard let vote = try? world.generateVote(wallet, blockHash: hash, height: height, ticket: ticket,
                                                         voteBits: voteBits, voteBitsExtended: "06000000"),
                      (try? world.sendRawTransaction(vote)) != nil else { continue }
                accepted += 1
            }
            return accepted
        }
    }

    // MARK: - Keys

    /// The pool's voting account extended public key (`votingwalletextpub`).
    public var votingExtendedPublicKey: String { world.withLock { $0.keyring.votingExtendedPublicKey } }
    /// The cold fee wallet's extended public key (`coldwalletextpub`).
    public var coldExtendedPublicKey: String { world.withLock { $0.keyring.coldExtendedPublicKey } }
    /// Fee address of user `index` (cold wallet child `/0/index`).
    public func feeAddress(index: Int) -> String { world.withLock { $0.keyring.feeAddress(index: index) } }
    /// Ticket address of user `index` (voting child `/0/index`).
    public func ticketAddress(index: Int) -> String { world.withLock { $0.keyring.ticketAddress(index: index) } }

    // MARK: - Faults

    /// The faults currently injected into wallet `index`.
    public func faults(wallet index: Int) -> SimnetWalletFaults {
        world.withLock { $0.wallets.indices.contains(index) ? $0.wallets[index].faults : SimnetWalletFaults() }
    }

    /// Replaces the faults of wallet `index` (out-of-range indexes are ignored).
    public func setFaults(_ faults: SimnetWalletFaults, wallet index: Int) {
        logger.info("simnet: wallet \(index) faults now \(faults)")
        world.withLock { if $0.wallets.indices.contains(index) { $0.wallets[index].faults = faults } }
    }

    /// How long wallet `index`'s `generatevote` waits before answering (zero: at once).
    public func voteDelay(wallet index: Int) -> Duration {
        world.withLock { $0.wallets.indices.contains(index) ? $0.wallets[index].voteDelay : .zero }
    }

    /// Makes wallet `index` answer `generatevote` only after `delay` (a wallet too slow to vote in time);
    /// `.zero` clears it. Calls already waiting keep their delay. Out-of-range indexes are ignored.
    public func setVoteDelay(_ delay: Duration, wallet index: Int) {
        logger.info("simnet: wallet \(index) answers generatevote after \(delay)")
        world.withLock { if $0.wallets.indices.contains(index) { $0.wallets[index].voteDelay = max(delay, .zero) } }
    }

    /// Wallet `index` restored from seed (disaster recovery): no imported scripts, no added tickets, the default
    /// address window; its faults and vote settings are kept. Out-of-range indexes are ignored.
    public func wipeWallet(_ index: Int) {
        logger.info("simnet: wallet \(index) wiped (restored from seed)")
        world.withLock { world in
            guard world.wallets.indices.contains(index) else { return }
            let old = world.wallets[index]
            var fresh = SimnetWalletState()
            fresh.faults = old.faults
            fresh.voteDelay = old.voteDelay
            fresh.voteVersion = old.voteVersion
            fresh.voteBits = old.voteBits
            fresh.voting = old.voting
            world.wallets[index] = fresh
        }
    }

    /// Node faults: `dropNotifications` loses every announcement while set (like a dropped websocket);
    /// `down` makes every node call fail as unavailable.
    public func setNodeFaults(dropNotifications: Bool, down: Bool = false) {
        logger.info("simnet: node dropNotifications=\(dropNotifications) down=\(down)")
        world.withLock {
            $0.dropsNotifications = dropNotifications
            $0.nodeDown = down
        }
    }

    /// Sets the vote version / default vote bits / `voting` flag a wallet reports in `walletinfo`.
    public func setVoteSettings(wallet index: Int, voteVersion: UInt32? = nil, voteBits: UInt16? = nil,
                                voting: Bool? = nil) {
        world.withLock { world in
            guard world.wallets.indices.contains(index) else { return }
            if let voteVersion { world.wallets[index].voteVersion = voteVersion }
            if let voteBits { world.wallets[index].voteBits = voteBits }
            if let voting { world.wallets[index].voting = voting }
        }
    }

    // MARK: - Notifications

    /// Registers `handler` for every later notification; returns a token for `unsubscribe`. The handler
    /// runs on the mining thread and must return quickly and never mine.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (ChainNotification) -> Void) -> Int {
        subscribers.withLock { subscribers in
            let id = subscribers.nextID
            subscribers.nextID += 1
            subscribers.handlers[id] = handler
            return id
        }
    }

    public func unsubscribe(_ token: Int) {
        subscribers.withLock { _ = $0.handlers.removeValue(forKey: token) }
    }

    /// Every later notification as an async sequence (unbounded buffer; ends when the consumer stops).
    public func notifications() -> AsyncStream<ChainNotification> {
        let (stream, continuation) = AsyncStream<ChainNotification>.makeStream()
        let token = subscribe { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(token) }
        return stream
    }

    private func announce(_ event: SimnetBlockEvent, after leading: [ChainNotification] = []) {
        let handlers = Array(subscribers.value.handlers.sorted { $0.key < $1.key }.map(\.value))
        guard !handlers.isEmpty else { return }
        let hash = event.hash.hex
        let height = Int64(event.height)
        var notifications = leading
        notifications.append(.blockConnected(BlockConnected(headerHex: HexCoding.encode(event.headerBytes))))
        if let spentAndMissed = event.spentAndMissed {
            notifications.append(.spentAndMissedTickets(SpentAndMissedTickets(
                blockHash: hash, blockHeight: height, stakeDifficulty: event.stakeDifficulty,
                tickets: spentAndMissed.map { ($0.ticket.hex, $0.spent) })))
        }
        if let newTickets = event.newTickets {
            notifications.append(.newTickets(NewTickets(blockHash: hash, blockHeight: height,
                                                        stakeDifficulty: event.stakeDifficulty,
                                                        tickets: newTickets.map(\.hex))))
        }
        if let winners = event.winners {
            notifications.append(.winningTickets(WinningTickets(blockHash: hash, blockHeight: height,
                                                                tickets: winners.map(\.hex))))
        }
        for notification in notifications {
            for handler in handlers { handler(notification) }
        }
    }
}
