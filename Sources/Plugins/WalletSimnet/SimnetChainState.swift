/// What connecting one block produced: the data of the four dcrd notifications (wallet-rpc.md §1.6).
struct SimnetBlockEvent: Sendable {
    var height: Int
    var hash: SimHash
    var headerBytes: [UInt8]
    /// Next stake difficulty, atoms.
    var stakeDifficulty: Int64
    /// Winners of the previous block, resolved: true = voted (spent), false = missed. Nil below
    /// StakeEnabledHeight (dcrd sends nothing then).
    var spentAndMissed: [(ticket: SimHash, spent: Bool)]?
    /// Tickets that matured into the live pool in this block; nil below StakeEnabledHeight.
    var newTickets: [SimHash]?
    /// Tickets eligible to vote on this block; nil below StakeValidationHeight - 1.
    var winners: [SimHash]?
}

/// The simulated node's chain: blocks, tickets and the live pool, as a plain state machine.
///
/// Life-cycle (dcrd's rules with the configured parameters): a ticket mined at height h is immature
/// until h + TicketMaturity, when it joins the live pool (reported in `newtickets`). From height
/// StakeValidationHeight - 1 on, each block draws TicketsPerBlock winners from the live pool (announced in
/// `winningtickets`); their votes must reach the node before the next block, which marks each winner
/// voted or missed (`spentandmissedtickets`). A ticket still live at h + TicketMaturity + TicketExpiry
/// expires (not announced, like dcrd). Missed and expired tickets are revoked one block later when
/// auto-revocation is on. Cost per block is O(tickets touched), never O(pool).
struct SimnetChainState: Sendable {
    let parameters: SimnetParameters
    var random: SimnetRandom
    /// Ticket price, atoms (the simulated stake difficulty; constant unless changed by a control call).
    var ticketPrice: Int64
    /// Pool fee percent the wallets and the fee check apply.
    var poolFeePercent: Double
    var autoRevoke: Bool
    let startTime: UInt32

    private(set) var headers: [SimnetBlockHeader] = []
    private(set) var hashes: [SimHash] = []
    /// First ticket id mined in each block (ids are assigned in mining order).
    private(set) var firstTicket: [Int32] = []
    private(set) var blockIndex: [SimHash: Int32] = [:]

    private(set) var tickets: [SimnetTicketRecord] = []
    private(set) var ticketIndex: [SimHash: Int32] = [:]
    private(set) var mempool: [SimnetPendingTicket] = []
    private(set) var livePool: [Int32] = []
    /// Winners of the tip block, in announcement order.
    private(set) var winners: [Int32] = []
    /// Votes accepted for the tip's winners: ticket id → the vote.
    private(set) var pendingVotes: [Int32: SimnetCastVote] = [:]
    /// The vote of every voted ticket (spent-by, and its bits for `simvote`).
    private(set) var votes: [Int32: SimnetCastVote] = [:]
    private var toRevoke: [Int32] = []
    /// What connecting the tip announced (a reorganization announces it again under the replacement's hash).
    private(set) var tipEvent: SimnetBlockEvent?

    private(set) var owners: [SimnetOwner] = []
    private var ownerIndex: [SimnetAddress: Int32] = [:]
    private(set) var feeAddresses: [SimnetAddress] = []
    private var feeAddressIndex: [SimnetAddress: Int32] = [:]
    /// Addresses that count as the pool's fee addresses (the cold wallet's children).
    var poolFeeAddresses: Set<SimnetAddress> = []

    private(set) var counts = Counts()
    /// Transactions from outside the simulation (vspd's clients): fee payments, solo tickets, their parents.
    var ledger = SimnetLedger()

    struct Counts: Sendable, Equatable {
        var immature = 0, live = 0, voted = 0, missed = 0, expired = 0, revoked = 0
    }

    init(parameters: SimnetParameters, seed: UInt64, ticketPrice: Int64, poolFeePercent: Double,
         autoRevoke: Bool = true, startTime: UInt32 = 1_506_038_400) {
        self.parameters = parameters
        self.random = SimnetRandom(seed: seed)
        self.ticketPrice = max(ticketPrice, parameters.minimumStakeDiff)
        self.poolFeePercent = poolFeePercent
        self.autoRevoke = autoRevoke
        self.startTime = startTime
        let genesis = SimnetBlockHeader(
            version: 1, previousHash: .zero, merkleRoot: .zero, stakeRoot: .zero, voters: 0, freshStake: 0,
            revocations: 0, poolSize: 0, stakeDifficulty: parameters.minimumStakeDiff, height: 0, size: 0,
            timestamp: startTime, nonce: 0, stakeVersion: 0)
        let genesisHash = SimHash(displayHex: parameters.genesisHash) ?? genesis.hash
        headers.append(genesis)
        hashes.append(genesisHash)
        firstTicket.append(0)
        blockIndex[genesisHash] = 0
    }

    var tipHeight: Int { hashes.count - 1 }
    var tipHash: SimHash { hashes[tipHeight] }

    // MARK: - Owners and fee addresses

    /// The id of a ticket (P2SH) address, registering it on first use.
    mutating func ownerID(for address: SimnetAddress) -> Int32 {
        if let id = ownerIndex[address] { return id }
        let id = Int32(owners.count)
        // A deterministic user reward address per ticket address.
        let reward = SimnetAddress(kind: .pubKeyHash, payload: SimnetCrypto.hash160(address.payload + [0x72]))
        owners.append(SimnetOwner(address: address, encoded: parameters.addresses.encode(address), rewardAddress: reward))
        ownerIndex[address] = id
        return id
    }

    func existingOwnerID(for address: SimnetAddress) -> Int32? { ownerIndex[address] }

    mutating func feeAddressID(for address: SimnetAddress) -> Int32 {
        if let id = feeAddressIndex[address] { return id }
        let id = Int32(feeAddresses.count)
        feeAddresses.append(address)
        feeAddressIndex[address] = id
        return id
    }

    // MARK: - Purchases

    /// Puts a ticket purchase into the mempool; it is mined by the next block with room for it.
    /// - Parameters:
    ///   - poolFee: the amount committed to `feeAddress`, atoms.
    /// - Returns: the ticket's transaction hash.
    mutating func purchase(owner: Int32, feeAddress: Int32, poolFee: Int64, txFee: Int32) -> SimHash {
        let nonce = random.next()
        var pending = SimnetPendingTicket(hash: .zero, nonce: nonce, price: ticketPrice, poolFee: poolFee, txFee: txFee,
                                          owner: owner, feeAddress: feeAddress)
        pending.hash = ticketTransaction(pending).txid
        mempool.append(pending)
        return pending.hash
    }

    /// Puts a ticket built outside the simulation (a solo ticket vspd relays: its voting output pays `owner`, its
    /// one commitment `commitment`) into the mempool, with its own transaction; mined like any purchase.
    mutating func purchaseExternal(_ transaction: SimnetTransaction, owner: Int32, commitment: Int32) -> SimHash {
        let hash = transaction.txid
        ledger.externalTickets[hash] = transaction
        ledger.accept(transaction, regular: false)
        mempool.append(SimnetPendingTicket(hash: hash, nonce: 0, price: transaction.outputs.first?.value ?? 0, poolFee: 0,
                                           txFee: 0, owner: owner, feeAddress: commitment))
        return hash
    }

    /// The pool fee a ticket bought now must commit (using the next block's height).
    func requiredPoolFee(txFee: Int32) -> Int64 {
        parameters.stakePoolTicketFee(ticketValue: ticketPrice, relayFee: Int64(txFee), height: Int64(tipHeight + 1),
                                      poolFeePercent: poolFeePercent)
    }

    // MARK: - Fabricated history (benchmarks)

    /// Adds `count` tickets of `owner` as if mined at height 1, without blocks (poolbench scale's history of
    /// millions of tickets): `.live` ones join the live pool, the others are `.voted` at the tip. Fee valid.
    mutating func fabricateTickets(owner: Int32, count: Int, live: Bool) {
        let tip = Int32(tipHeight)
        for _ in 0..<count {
            let hash = SimHash(bytes: random.bytes32()) ?? .zero
            var record = SimnetTicketRecord(hash: hash, nonce: random.next(), price: ticketPrice, poolFee: 0, txFee: 0,
                                            purchaseHeight: 1, owner: owner, feeAddress: 0)
            record.flags = SimnetTicketRecord.feeValidFlag
            let id = Int32(tickets.count)
            if live {
                record.status = .live
                record.livePosition = Int32(livePool.count)
                livePool.append(id)
                counts.live += 1
            } else {
                record.status = .voted
                record.spentHeight = tip
                counts.voted += 1
            }
            tickets.append(record)
            ticketIndex[hash] = id
            owners[Int(owner)].tickets.append(id)
        }
    }

    // MARK: - Blocks

    /// Connects the next block and returns what dcrd would announce for it.
    mutating func connectBlock() -> SimnetBlockEvent {
        let height = tipHeight + 1
        let stakeActive = height >= parameters.stakeEnabledHeight

        // 1. The previous block's winners: voted if their vote arrived in time, otherwise missed.
        var spentAndMissed: [(ticket: SimHash, spent: Bool)] = []
        var voters = 0
        for id in winners {
            tickets[Int(id)].flags &= ~SimnetTicketRecord.selectedFlag
            tickets[Int(id)].spentHeight = Int32(height)
            counts.live -= 1
            if let vote = pendingVotes[id] {
                tickets[Int(id)].status = .voted
                votes[id] = vote
                counts.voted += 1
                voters += 1
                ledger.votedAt[Int32(height), default: []].append(id)
                spentAndMissed.append((tickets[Int(id)].hash, true))
            } else {
                tickets[Int(id)].status = .missed
                counts.missed += 1
                toRevoke.append(id)
                spentAndMissed.append((tickets[Int(id)].hash, false))
            }
        }
        winners.removeAll(keepingCapacity: true)
        pendingVotes.removeAll(keepingCapacity: true)

        // 2. Revocations of tickets missed or expired in earlier blocks.
        var revocations = 0
        if autoRevoke {
            var remaining: [Int32] = []
            for id in toRevoke {
                if Int(tickets[Int(id)].spentHeight) < height, revocations < 255 {
                    tickets[Int(id)].flags |= SimnetTicketRecord.revokedFlag
                    counts.revoked += 1
                    revocations += 1
                    ledger.revokedAt[Int32(height), default: []].append(id)
                } else {
                    remaining.append(id)
                }
            }
            toRevoke = remaining
        }

        // 3. Regular transactions (fee payments, ticket parents) first: a ticket may spend one of them.
        ledger.mine(height: height)

        // 4. Fresh stake from the mempool (at most MaxFreshStakePerBlock; none before the first height
        //    whose tickets can mature at StakeEnabledHeight, when coinbases first become spendable).
        let first = Int32(tickets.count)
        firstTicket.append(first)
        let purchasesAllowed = height >= parameters.stakeEnabledHeight - parameters.ticketMaturity
        let fresh = purchasesAllowed ? min(mempool.count, parameters.maxFreshStakePerBlock) : 0
        for pending in mempool.prefix(fresh) {
            let id = Int32(tickets.count)
            var record = SimnetTicketRecord(
                hash: pending.hash, nonce: pending.nonce, price: pending.price, poolFee: pending.poolFee,
                txFee: pending.txFee, purchaseHeight: Int32(height), owner: pending.owner, feeAddress: pending.feeAddress)
            if isFeeValid(pending, height: height) { record.flags |= SimnetTicketRecord.feeValidFlag }
            tickets.append(record)
            ticketIndex[pending.hash] = id
            owners[Int(pending.owner)].tickets.append(id)
            counts.immature += 1
        }
        mempool.removeFirst(fresh)

        // 5. Maturity: the tickets mined TicketMaturity blocks ago join the live pool.
        var matured: [SimHash] = []
        let matureHeight = height - parameters.ticketMaturity
        if matureHeight >= 1 {
            for id in ticketRange(minedAt: matureHeight) where tickets[Int(id)].status == .immature {
                tickets[Int(id)].status = .live
                tickets[Int(id)].livePosition = Int32(livePool.count)
                livePool.append(id)
                counts.immature -= 1
                counts.live += 1
                matured.append(tickets[Int(id)].hash)
            }
        }

        // 6. Expiry: tickets still in the pool TicketExpiry blocks after maturing.
        let expireHeight = matureHeight - parameters.ticketExpiry
        if expireHeight >= 1 {
            for id in ticketRange(minedAt: expireHeight) where tickets[Int(id)].status == .live {
                removeFromPool(id)
                tickets[Int(id)].status = .expired
                tickets[Int(id)].spentHeight = Int32(height)
                counts.live -= 1
                counts.expired += 1
                toRevoke.append(id)
            }
        }

        // 7. The lottery for this block.
        var announced: [SimHash]?
        if height >= parameters.firstLotteryHeight {
            let draw = min(parameters.ticketsPerBlock, livePool.count)
            var drawn: [SimHash] = []
            for _ in 0..<draw {
                let id = livePool[random.below(livePool.count)]
                removeFromPool(id)
                tickets[Int(id)].flags |= SimnetTicketRecord.selectedFlag
                winners.append(id)
                drawn.append(tickets[Int(id)].hash)
            }
            announced = drawn
        }

        // 8. The header and its hash.
        var merkle = WireWriter(capacity: 16)
        merkle.u64(random.next()); merkle.u32(UInt32(height))
        let header = SimnetBlockHeader(
            version: parameters.blockVersion, previousHash: tipHash, merkleRoot: SimnetCrypto.hash(merkle.bytes),
            stakeRoot: SimnetCrypto.hash(merkle.bytes + [1]), voters: UInt16(voters), freshStake: UInt8(fresh),
            revocations: UInt8(revocations), poolSize: UInt32(counts.live), stakeDifficulty: ticketPrice,
            height: UInt32(height), size: UInt32(300 + 300 * (fresh + voters + revocations)),
            timestamp: startTime &+ UInt32(height * parameters.targetTimePerBlock),
            nonce: UInt32(truncatingIfNeeded: random.next()), stakeVersion: parameters.voteVersion)
        let hash = header.hash
        headers.append(header)
        hashes.append(hash)
        blockIndex[hash] = Int32(height)

        let event = SimnetBlockEvent(
            height: height, hash: hash, headerBytes: header.serialized(), stakeDifficulty: ticketPrice,
            spentAndMissed: stakeActive ? spentAndMissed : nil, newTickets: stakeActive ? matured : nil,
            winners: announced)
        tipEvent = event
        return event
    }

    /// A depth-1 reorganization: the tip block is replaced by a sibling at the same height with the same
    /// transactions (another miner's block winning the race), so only its header and hash change. Votes sent
    /// for the old tip are void (they name a block no longer in the chain). Returns the old hash and the new
    /// block's event; nil at the genesis block.
    mutating func replaceTip() -> (oldHash: SimHash, event: SimnetBlockEvent)? {
        guard tipHeight >= 1, var event = tipEvent else { return nil }
        let oldHash = tipHash
        var header = headers[tipHeight]
        header.nonce = UInt32(truncatingIfNeeded: random.next())
        let hash = header.hash
        headers[tipHeight] = header
        hashes[tipHeight] = hash
        blockIndex[oldHash] = nil
        blockIndex[hash] = Int32(tipHeight)
        pendingVotes.removeAll(keepingCapacity: true)
        event.hash = hash
        event.headerBytes = header.serialized()
        tipEvent = event
        return (oldHash, event)
    }

    /// Ticket ids mined in the block at `height`.
    func ticketRange(minedAt height: Int) -> Range<Int32> {
        guard height >= 1, height < firstTicket.count else { return 0..<0 }
        let start = firstTicket[height]
        let end = height + 1 < firstTicket.count ? firstTicket[height + 1] : Int32(tickets.count)
        return start..<end
    }

    private mutating func removeFromPool(_ id: Int32) {
        let position = Int(tickets[Int(id)].livePosition)
        let last = livePool.removeLast()
        if last != id {
            livePool[position] = last
            tickets[Int(last)].livePosition = Int32(position)
        }
        tickets[Int(id)].livePosition = -1
    }

    private func isFeeValid(_ pending: SimnetPendingTicket, height: Int) -> Bool {
        guard poolFeeAddresses.contains(feeAddresses[Int(pending.feeAddress)]) else { return false }
        let needed = parameters.stakePoolTicketFee(ticketValue: pending.price, relayFee: Int64(pending.txFee),
                                                   height: Int64(height), poolFeePercent: poolFeePercent)
        return pending.poolFee >= needed
    }

    // MARK: - Votes

    /// Accepts a vote (SSGen) into the mempool, with dcrd's rejections: malformed, not a winner of the
    /// tip, too late (the block it votes on is no longer the tip), duplicate, or a conflicting vote.
    mutating func acceptVote(_ transaction: SimnetTransaction) throws -> SimHash {
        let txid = transaction.txid
        guard let vote = SimnetVote.parse(transaction) else {
            throw SimnetError.rejected(txid, "transaction is not a valid vote")
        }
        guard let ticket = ticketIndex[vote.ticket] else {
            throw SimnetError.rejected(txid, "vote spends unknown ticket \(vote.ticket)")
        }
        if let existing = pendingVotes[ticket] {
            if existing.hash == txid { throw SimnetError.rejected(txid, "already have transaction \(txid)") }
            throw SimnetError.rejected(txid, "output \(vote.ticket):0 already spent by transaction \(existing.hash) in the memory pool")
        }
        guard vote.blockHash == tipHash, vote.blockHeight == tipHeight else {
            if let votedOn = blockIndex[vote.blockHash], Int(votedOn) < tipHeight {
                throw SimnetError.rejected(txid, "vote on block \(vote.blockHash) (height \(votedOn)) arrived after the next block; ticket \(vote.ticket) is no longer eligible")
            }
            throw SimnetError.rejected(txid, "vote on unknown block \(vote.blockHash) at height \(vote.blockHeight)")
        }
        guard tickets[Int(ticket)].isSelected else {
            throw SimnetError.rejected(txid, "ticket \(vote.ticket) is not eligible to vote on block \(vote.blockHash)")
        }
        pendingVotes[ticket] = SimnetCastVote(hash: txid, bits: vote.voteBits, version: vote.voteVersion)
        return txid
    }

    // MARK: - Transactions

    /// The serialized ticket (SStx) of a mined ticket.
    func ticketTransaction(id: Int32) -> SimnetTransaction {
        let record = tickets[Int(id)]
        return ticketTransaction(SimnetPendingTicket(hash: record.hash, nonce: record.nonce, price: record.price,
                                                     poolFee: record.poolFee, txFee: record.txFee, owner: record.owner,
                                                     feeAddress: record.feeAddress))
    }

    /// A pool ticket: [submission to the P2SH, pool-fee commitment, change, user commitment, change].
    func ticketTransaction(_ ticket: SimnetPendingTicket) -> SimnetTransaction {
        if let external = ledger.externalTickets[ticket.hash] { return external }
        let owner = owners[Int(ticket.owner)]
        let feeAddress = feeAddresses[Int(ticket.feeAddress)]
        let userCommitment = ticket.price + Int64(ticket.txFee) - ticket.poolFee
        let zeroChange = SimnetAddress(kind: .pubKeyHash, payload: [UInt8](repeating: 0, count: 20))
        let inputs = [
            SimnetTransaction.Input(previousHash: Self.syntheticOutpoint(ticket.nonce, 0), previousIndex: 0, tree: 0,
                                    valueIn: ticket.poolFee, signatureScript: [0x00]),
            SimnetTransaction.Input(previousHash: Self.syntheticOutpoint(ticket.nonce, 1), previousIndex: 1, tree: 0,
                                    valueIn: userCommitment, signatureScript: [0x00]),
        ]
        let outputs = [
            SimnetTransaction.Output(value: ticket.price, script: SimnetScript.tagged(SimnetScript.opSStx, owner.address)),
            SimnetTransaction.Output(value: 0, script: SimnetScript.commitment(feeAddress, amount: ticket.poolFee)),
            SimnetTransaction.Output(value: 0, script: SimnetScript.tagged(SimnetScript.opSStxChange, zeroChange)),
            SimnetTransaction.Output(value: 0, script: SimnetScript.commitment(owner.rewardAddress, amount: userCommitment)),
            SimnetTransaction.Output(value: 0, script: SimnetScript.tagged(SimnetScript.opSStxChange, zeroChange)),
        ]
        return SimnetTransaction(inputs: inputs, outputs: outputs)
    }

    private static func syntheticOutpoint(_ nonce: UInt64, _ index: UInt64) -> SimHash {
        var generator = SimnetRandom(seed: nonce &+ index &* 0x9E37_79B9_7F4A_7C15)
        return SimHash(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
    }

    /// A mempool ticket with this hash, if any.
    func pendingTicket(_ hash: SimHash) -> SimnetPendingTicket? { mempool.first { $0.hash == hash } }
}

/// A vote the node accepted: its txid, vote bits and the vote version of its extended bits.
struct SimnetCastVote: Sendable, Equatable {
    var hash: SimHash
    var bits: UInt16
    var version: UInt32?
}
