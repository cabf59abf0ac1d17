import PoolKernel

/// A decoded transaction with its inputs, for the JSON form of `decoderawtransaction`.
struct SimnetDecodedTransaction: Sendable {
    var decoded: DecodedTransaction
    var inputs: [SimnetTransaction.Input]
}

/// The dcrd methods of wallet-rpc.md §2 as the simulated node answers them.
extension SimnetWorld {
    /// `sendrawtransaction`: only votes are accepted (the pool never sends anything else).
    mutating func sendRawTransaction(_ hex: String) throws -> String {
        try checkNode()
        let transaction = try SimnetTransaction.deserialize(hex: hex)
        return try chain.acceptVote(transaction).hex
    }

    func decodeRawTransaction(_ hex: String) throws -> SimnetDecodedTransaction {
        try checkNode()
        let transaction = try SimnetTransaction.deserialize(hex: hex)
        var outputs = [DecodedOutput]()
        for (index, output) in transaction.outputs.enumerated() {
            let (type, paidTo, reqSigs) = SimnetScript.classify(output.script)
            let commitment = SimnetScript.parseCommitment(output.script)
            outputs.append(DecodedOutput(
                value: Self.dcr(output.value), n: UInt32(index), version: output.version,
                scriptAsm: SimnetScript.disassemble(output.script), scriptHex: HexCoding.encode(output.script),
                reqSigs: reqSigs, scriptType: type, addresses: paidTo.map(addresses.encode),
                commitAmount: commitment.map { Self.dcr($0.amount) }))
        }
        let decoded = DecodedTransaction(txid: transaction.txid.hex, version: Int32(transaction.version),
                                         lockTime: transaction.lockTime, expiry: transaction.expiry, outputs: outputs)
        return SimnetDecodedTransaction(decoded: decoded, inputs: transaction.inputs)
    }

    /// The height of a known block; -5 for an unknown one, -8 for a malformed hash.
    func blockHeight(hash: String) throws -> Int {
        try checkNode()
        guard let parsed = SimHash(displayHex: hash) else { throw SimnetError.invalidParameter("invalid block hash \(hash)") }
        guard let height = chain.blockIndex[parsed] else {
            throw SimnetError(.simnetNotFound, rpcCode: -5, "Block not found")
        }
        return Int(height)
    }

    /// `getblockheader [hash, false]`: the 180-byte header as hex.
    func blockHeaderHex(hash: String) throws -> String {
        let height = try blockHeight(hash: hash)
        return HexCoding.encode(chain.headers[height].serialized())
    }

    func nodeBestBlock() throws -> BestBlock {
        try checkNode()
        return BestBlock(hash: chain.tipHash.hex, height: Int64(chain.tipHeight))
    }

    func nodeVersion() throws -> [String: APIVersion] {
        try checkNode()
        return [APIVersion.nodeAPIName: Self.nodeAPI]
    }

    func currentNet() throws -> UInt32 {
        try checkNode()
        return chain.parameters.netMagic
    }

    /// `getrawtransaction [txid, 0]`: tickets (mined or in the mempool) are known; anything else is -5.
    func nodeRawTransaction(txid: String) throws -> String {
        try checkNode()
        guard let hash = SimHash(displayHex: txid) else {
            throw SimnetError(.simnetDeserialization, rpcCode: -22, "invalid transaction hash \(txid)")
        }
        if let id = chain.ticketIndex[hash] { return HexCoding.encode(chain.ticketTransaction(id: id).serialized()) }
        if let pending = chain.pendingTicket(hash) { return HexCoding.encode(chain.ticketTransaction(pending).serialized()) }
        throw SimnetError(.simnetNotFound, rpcCode: -5, "No information available about transaction \(txid)")
    }
}
