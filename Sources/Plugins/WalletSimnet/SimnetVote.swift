import PoolKernel

/// The vote (SSGen) transaction: building it (wallet `generatevote`) and reading it back (node
/// `sendrawtransaction`).
///
/// Layout: inputs [stakebase, ticket output 0 (stake tree)]; outputs [`OP_RETURN` block hash + height,
/// `OP_RETURN` vote bits + extended bits, one `OP_SSGEN` payment per ticket commitment].
struct SimnetVote: Sendable, Equatable {
    var blockHash: SimHash
    var blockHeight: Int
    var ticket: SimHash
    var voteBits: UInt16
    /// The vote version in the extended bits (their first four bytes, little-endian); nil when shorter.
    var voteVersion: UInt32?

    /// Builds the vote for a ticket. Deterministic: every wallet sharing the seed produces the same bytes
    /// (like RFC 6979 signatures), so a second copy is a duplicate at the node.
    static func build(ticket: SimnetTransaction, ticketHash: SimHash, blockHash: SimHash, blockHeight: Int,
                      voteBits: UInt16, extendedBits: [UInt8], subsidy: Int64) -> SimnetTransaction {
        let price = ticket.outputs.first?.value ?? 0
        let commitments = ticket.outputs.compactMap { SimnetScript.parseCommitment($0.script) }
        let committed = commitments.reduce(Int64(0)) { $0 + $1.amount }
        let payable = price + subsidy
        var outputs = [SimnetTransaction.Output]()
        outputs.append(.init(value: 0, script: StakeScript.voteBlockReference(
            hash: blockHash.bytes, height: UInt32(truncatingIfNeeded: blockHeight))))
        outputs.append(.init(value: 0, script: StakeScript.voteBits(voteBits, extended: extendedBits)))
        var paid: Int64 = 0
        for (index, commitment) in commitments.enumerated() {
            let share: Int64
            if index == commitments.count - 1 {
                share = payable - paid
            } else if committed > 0 {
                share = Int64((Double(commitment.amount) / Double(committed) * Double(payable)).rounded(.down))
            } else {
                share = 0
            }
            paid += share
            outputs.append(.init(value: share, script: SimnetScript.tagged(SimnetScript.opSSGen, commitment.address)))
        }
        // A stand-in signature, deterministic in (ticket, block).
        let signature = SimnetCrypto.blake256(ticketHash.bytes + blockHash.bytes)
        let inputs = [
            SimnetTransaction.Input(previousHash: .zero, previousIndex: 0xFFFF_FFFF, tree: 0, valueIn: subsidy,
                                    signatureScript: [0x00, 0x00]),
            SimnetTransaction.Input(previousHash: ticketHash, previousIndex: 0, tree: 1, valueIn: price,
                                    signatureScript: [0x47] + signature + signature.prefix(7) + [0x01]),
        ]
        return SimnetTransaction(inputs: inputs, outputs: outputs)
    }

    /// Reads a vote's references; nil if `transaction` is not shaped like a vote.
    static func parse(_ transaction: SimnetTransaction) -> SimnetVote? {
        guard transaction.inputs.count == 2, transaction.outputs.count >= 3,
              transaction.inputs[0].previousHash == .zero, transaction.inputs[0].previousIndex == 0xFFFF_FFFF,
              transaction.inputs[1].tree == 1, transaction.inputs[1].previousIndex == 0 else { return nil }
        guard let reference = StakeScript.parseVoteBlockReference(transaction.outputs[0].script),
              let blockHash = SimHash(bytes: reference.hash),
              let bits = StakeScript.parseVoteBits(transaction.outputs[1].script),
              transaction.outputs.dropFirst(2).allSatisfy({ $0.script.first == SimnetScript.opSSGen }) else { return nil }
        return SimnetVote(blockHash: blockHash, blockHeight: Int(reference.height), ticket: transaction.inputs[1].previousHash,
                          voteBits: bits.bits,
                          voteVersion: bits.extended.count >= 4 ? bits.extended.prefix(4).reversed().reduce(0) { $0 << 8 | UInt32($1) } : nil)
    }
}
