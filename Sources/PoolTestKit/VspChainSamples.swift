import PoolKernel

/// Well-formed Decred transactions for the vsp port suites and their backends' tests: a plain payment, a vote and a
/// revocation spending a given ticket, and a ticket-shaped transaction (built here, so no fixture is hand-typed hex).
public enum VspChainSamples {
    /// A P2PKH script to a hash160 made of `byte`.
    public static func payToPubKeyHash(_ byte: UInt8) -> [UInt8] {
        [0x76, 0xa9, 0x14] + [UInt8](repeating: byte, count: 20) + [0x88, 0xac]
    }

    /// A one-input, one-output payment whose txid depends on `seed`.
    public static func payment(seed: UInt8, value: Int64 = 100_000) -> DecredTransaction {
        let previous = DecredTransaction.OutPoint(hash: [UInt8](repeating: seed, count: 32), index: 1, tree: 0)
        return DecredTransaction(inputs: [.init(previousOutPoint: previous, valueIn: value + 10_000)],
                                 outputs: [.init(value: value, script: payToPubKeyHash(seed))])
    }

    /// A ticket (output 0 `OP_SSTX` P2PKH, a commitment, a change output), its txid depending on `seed`.
    public static func ticket(seed: UInt8, price: Int64 = 100_000_000) -> DecredTransaction {
        let previous = DecredTransaction.OutPoint(hash: [UInt8](repeating: seed, count: 32), index: 0, tree: 0)
        let commitment: [UInt8] = [0x6a, 0x1e] + [UInt8](repeating: seed, count: 20)
            + withUnsafeBytes(of: (price + 10_000).littleEndian, Array.init) + [0x00, 0x58]
        let change: [UInt8] = [0xbd] + payToPubKeyHash(seed)
        return DecredTransaction(inputs: [.init(previousOutPoint: previous, valueIn: price + 10_000)],
                                 outputs: [.init(value: price, script: [0xba] + payToPubKeyHash(seed)),
                                           .init(value: 0, script: commitment), .init(value: 0, script: change)])
    }

    /// A vote (SSGen) spending `ticketHash`'s output 0: a stakebase input, the block reference and vote bits, and
    /// one `OP_SSGEN` payout.
    public static func vote(spending ticketHash: String) -> DecredTransaction {
        let stakebase = DecredTransaction.OutPoint(hash: [UInt8](repeating: 0, count: 32), index: .max, tree: 0)
        return DecredTransaction(inputs: [.init(previousOutPoint: stakebase), .init(previousOutPoint: outPoint(ticketHash))],
                                 outputs: [.init(value: 0, script: [0x6a, 0x24] + [UInt8](repeating: 1, count: 36)),
                                           .init(value: 0, script: [0x6a, 0x06, 0x01, 0x00, 0x0b, 0x00, 0x00, 0x00]),
                                           .init(value: 100_000_000, script: [0xbb] + payToPubKeyHash(7))])
    }

    /// A revocation (SSRtx) spending `ticketHash`'s output 0 to one `OP_SSRTX` output.
    public static func revocation(spending ticketHash: String) -> DecredTransaction {
        DecredTransaction(version: 2, inputs: [.init(previousOutPoint: outPoint(ticketHash))],
                          outputs: [.init(value: 100_000_000, script: [0xbc] + payToPubKeyHash(8))])
    }

    /// Output 0 of the transaction whose display hash is `txid`, in the stake tree.
    public static func outPoint(_ txid: String) -> DecredTransaction.OutPoint {
        DecredTransaction.OutPoint(hash: ((try? Hex.decode(txid)) ?? []).reversed(), index: 0, tree: 1)
    }

    /// The hex of a transaction (full serialization).
    public static func hex(_ transaction: DecredTransaction) -> String { Hex.encode(transaction.serialized()) }
}
