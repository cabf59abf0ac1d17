import PoolKernel

/// One transaction output: its transaction and index.
struct SimnetOutPoint: Hashable, Sendable {
    var hash: SimHash
    var index: UInt32
}

/// Where a mined transaction sits: its block and its index in that block's tree.
struct SimnetMinedLocation: Sendable, Equatable {
    var height: Int32
    var index: UInt32
}

/// The transactions that reach the node from outside the simulation's own purchases and votes — what vspd's clients
/// and vspd send to dcrd (vspd-api.md §4.2, §5.4): fee payments, solo tickets and their parents. It knows which
/// outputs exist unspent (funding outputs the control methods create, as if from old coinbases, and the outputs of
/// accepted transactions), so an input it does not know makes an orphan, as in dcrd; and it remembers which block
/// mined each transaction and which tickets each block's votes and revocations spent (`getblock`'s stake tree).
struct SimnetLedger: Sendable {
    /// Unspent outputs and their values, atoms.
    private(set) var unspent: [SimnetOutPoint: Int64] = [:]
    /// Regular transactions waiting for the next block, in arrival order.
    private(set) var mempool: [SimnetTransaction] = []
    private var mempoolHashes: Set<SimHash> = []
    /// Mined regular transactions.
    private(set) var mined: [SimHash: (transaction: SimnetTransaction, location: SimnetMinedLocation)] = [:]
    /// The regular transactions of each block (after its coinbase), in order.
    private(set) var regularTree: [Int32: [SimHash]] = [:]
    /// Tickets built outside the simulation (solo tickets): their transaction, mined or not.
    var externalTickets: [SimHash: SimnetTransaction] = [:]
    /// Ticket ids whose vote / revocation each block carries.
    var votedAt: [Int32: [Int32]] = [:]
    var revokedAt: [Int32: [Int32]] = [:]
    private var fundingCounter: UInt64 = 0

    /// A new spendable output of `value` atoms paying `script`, as if from a coinbase long matured: what the control
    /// methods fund a purchase or a fee payment from. Returns the outpoint.
    mutating func fund(value: Int64, seed: UInt64) -> SimnetOutPoint {
        fundingCounter += 1
        var generator = SimnetRandom(seed: seed ^ fundingCounter &* 0xA24B_AED4_963E_E407)
        let hash = SimHash(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
        let outPoint = SimnetOutPoint(hash: hash, index: 0)
        unspent[outPoint] = value
        return outPoint
    }

    /// Whether the node has the transaction (mempool or mined).
    func contains(_ hash: SimHash) -> Bool { mempoolHashes.contains(hash) || mined[hash] != nil }

    /// The first input whose output is unknown or already spent (dcrd: an orphan), nil when all are spendable.
    func firstMissingInput(of transaction: SimnetTransaction) -> SimnetOutPoint? {
        for input in transaction.inputs {
            let outPoint = SimnetOutPoint(hash: input.previousHash, index: input.previousIndex)
            if unspent[outPoint] == nil { return outPoint }
        }
        return nil
    }

    /// Spends the inputs of an accepted transaction; a regular one also joins the mempool and its outputs become
    /// spendable (dcrd accepts chains of unconfirmed transactions).
    mutating func accept(_ transaction: SimnetTransaction, regular: Bool) {
        for input in transaction.inputs {
            unspent[SimnetOutPoint(hash: input.previousHash, index: input.previousIndex)] = nil
        }
        guard regular else { return }
        let hash = transaction.txid
        for (index, output) in transaction.outputs.enumerated() {
            unspent[SimnetOutPoint(hash: hash, index: UInt32(index))] = output.value
        }
        mempool.append(transaction)
        mempoolHashes.insert(hash)
    }

    /// Mines every waiting regular transaction into the block at `height`.
    mutating func mine(height: Int) {
        guard !mempool.isEmpty else { return }
        var hashes: [SimHash] = []
        for (index, transaction) in mempool.enumerated() {
            let hash = transaction.txid
            // Index 0 of the regular tree is the coinbase.
            mined[hash] = (transaction, SimnetMinedLocation(height: Int32(height), index: UInt32(index + 1)))
            hashes.append(hash)
        }
        regularTree[Int32(height)] = hashes
        mempool.removeAll(keepingCapacity: true)
        mempoolHashes.removeAll(keepingCapacity: true)
    }

    /// A waiting regular transaction.
    func pending(_ hash: SimHash) -> SimnetTransaction? {
        mempoolHashes.contains(hash) ? mempool.first { $0.txid == hash } : nil
    }
}
