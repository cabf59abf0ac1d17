import PoolKernel

/// The transactions of a simulated block, rebuilt on demand from the chain's records (blocks keep no bytes): the
/// coinbase, the regular transactions from outside (`SimnetLedger`), and the stake tree — votes, tickets,
/// revocations — as dcrd's `getblock` lists them.
extension SimnetChainState {
    /// A stand-in coinbase: the work subsidy paid to a zero-hash P2PKH, the height in its `OP_RETURN`.
    func coinbase(height: Int) -> SimnetTransaction {
        let total = parameters.workRewardProportion + parameters.stakeRewardProportion + parameters.blockTaxProportion
        let work = total == 0 ? 0 : parameters.blockSubsidy(height: Int64(height)) * parameters.workRewardProportion / total
        var heightBytes = WireWriter(capacity: 12)
        heightBytes.u32(UInt32(truncatingIfNeeded: height))
        heightBytes.u64(0)
        let zero = ScriptDestination(isScriptHash: false, hash160: [UInt8](repeating: 0, count: 20))
        return SimnetTransaction(
            inputs: [SimnetTransaction.Input(previousHash: .zero, previousIndex: 0xFFFF_FFFF, tree: 0, valueIn: work,
                                             signatureScript: [0x00, 0x00])],
            outputs: [SimnetTransaction.Output(value: 0, script: StakeScript.nullData(heightBytes.bytes)),
                      SimnetTransaction.Output(value: work, script: StakeScript.payTo(zero))])
    }

    /// The vote the chain recorded for ticket `id`, rebuilt: the same bytes a simulated wallet signed when its
    /// extended vote bits were the 4-byte vote version (as every simulated voter sends).
    func voteTransaction(ticket id: Int32) -> SimnetTransaction? {
        guard let cast = votes[id] else { return nil }
        let record = tickets[Int(id)]
        let votedOn = Int(record.spentHeight) - 1
        guard votedOn >= 0, votedOn < hashes.count else { return nil }
        var extended = WireWriter(capacity: 4)
        if let version = cast.version { extended.u32(version) }
        return SimnetVote.build(ticket: ticketTransaction(id: id), ticketHash: record.hash, blockHash: hashes[votedOn],
                                blockHeight: votedOn, voteBits: cast.bits, extendedBits: extended.bytes,
                                subsidy: parameters.voteSubsidy(height: Int64(votedOn + 1)))
    }

    /// The revocation (SSRtx) of a missed or expired ticket: output 0 of the ticket back to its commitments.
    func revocationTransaction(ticket id: Int32) -> SimnetTransaction {
        let record = tickets[Int(id)]
        let ticket = ticketTransaction(id: id)
        let commitments = ticket.outputs.compactMap { SimnetScript.parseCommitment($0.script) }
        let committed = commitments.reduce(Int64(0)) { $0 + $1.amount }
        var paid: Int64 = 0
        var outputs: [SimnetTransaction.Output] = []
        for (index, commitment) in commitments.enumerated() {
            let share = index == commitments.count - 1 ? record.price - paid
                : (committed > 0 ? Int64(Double(commitment.amount) / Double(committed) * Double(record.price)) : 0)
            paid += share
            outputs.append(.init(value: share, script: SimnetScript.tagged(SimnetScript.opSSRtx, commitment.address)))
        }
        return SimnetTransaction(inputs: [SimnetTransaction.Input(previousHash: record.hash, previousIndex: 0, tree: 1,
                                                                  valueIn: record.price, signatureScript: [])],
                                 outputs: outputs)
    }

    /// The stake tree of the block at `height`: its votes, the tickets it mined, its revocations.
    func stakeTree(height: Int) -> [SimnetTransaction] {
        let key = Int32(height)
        var result = (ledger.votedAt[key] ?? []).compactMap { voteTransaction(ticket: $0) }
        result += ticketRange(minedAt: height).map { ticketTransaction(id: $0) }
        result += (ledger.revokedAt[key] ?? []).map { revocationTransaction(ticket: $0) }
        return result
    }

    /// The regular tree of the block at `height`: the coinbase, then the transactions from outside.
    func regularTree(height: Int) -> [SimnetTransaction] {
        guard height >= 1 else { return [] }
        return [coinbase(height: height)] + (ledger.regularTree[Int32(height)] ?? []).compactMap { ledger.mined[$0]?.transaction }
    }
}
