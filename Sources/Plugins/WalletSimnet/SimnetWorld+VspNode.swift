import PoolKernel

/// The dcrd JSON-RPC API 8.x methods the vspd front calls (vspd-api.md §4, §8.2), as the simulated node answers
/// them: the same chain as the v1.1-era methods, seen by today's dcrd (run with `--txindex`).
extension SimnetWorld {
    /// `version` of today's dcrd: the node and its JSON-RPC API (vspd needs API ≥ 8.3, same major).
    static let vspNodeVersions: [String: APIVersion] = [
        "dcrd": APIVersion(major: 2, minor: 1, patch: 6, buildMetadata: "release", versionString: "2.1.6+release"),
        APIVersion.nodeAPIName: APIVersion(major: 8, minor: 3, patch: 0),
    ]

    /// `sendrawtransaction [hex, false]`: a vote as before; a ticket built outside the simulation (a solo ticket,
    /// exactly one input and one commitment) or a regular transaction (fee payment, ticket parent) whose inputs are
    /// all spendable joins the mempool and is mined by the next block. Refusals as dcrd's: bad hex −22, a
    /// transaction waiting in the mempool −40 (`already have transaction`), one already mined −1 (`transaction
    /// already exists`), an unknown or spent input an orphan (−1, dcrd's text, which vspd
    /// matches), anything else −1 `rejected transaction <txid>: <reason>`.
    mutating func vspSendRawTransaction(_ hex: String) throws -> String {
        try checkNode()
        let transaction = try SimnetTransaction.deserialize(hex: hex)
        let txid = transaction.txid
        if chain.ledger.pending(txid) != nil || chain.pendingTicket(txid) != nil
            || chain.pendingVotes.values.contains(where: { $0.hash == txid }) {
            throw SimnetError(.simnetRejected, rpcCode: -40, "rejected transaction \(txid): already have transaction \(txid)")
        }
        // Mined already: dcrd's mempool finds it among the unspent outputs, a plain rule error (−1), not −40.
        if chain.ledger.contains(txid) || chain.ticketIndex[txid] != nil {
            throw Self.vspRejected(txid, "transaction already exists")
        }
        if SimnetVote.parse(transaction) != nil { return try chain.acceptVote(transaction).hex }
        do {
            try transaction.wire.checkSanity(maximumSize: SimnetTransaction.maximumSize)
        } catch {
            throw Self.vspRejected(txid, (error as? ChainError)?.message ?? "\(error)")
        }
        if let missing = chain.ledger.firstMissingInput(of: transaction) {
            throw Self.vspRejected(txid, "orphan transaction \(txid) references output \(missing.hash):\(missing.index) of unknown or fully-spent transaction")
        }
        guard transaction.outputs.first?.script.first == SimnetScript.opSStx else {
            chain.ledger.accept(transaction, regular: true)
            return txid.hex
        }
        let ticket: DecredTicket
        do {
            ticket = try DecredTicket(transaction.wire)
        } catch {
            throw Self.vspRejected(txid, (error as? ChainError)?.message ?? "\(error)")
        }
        guard ticket.price == chain.ticketPrice else {
            throw Self.vspRejected(txid, "ticket price \(ticket.price) is not the current stake difficulty \(chain.ticketPrice)")
        }
        let owner = chain.ownerID(for: SimnetAddress(ticket.votingDestination))
        let commitment = chain.feeAddressID(for: SimnetAddress(ticket.commitment.destination))
        return chain.purchaseExternal(transaction, owner: owner, commitment: commitment).hex
    }

    static func paddedHex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    static func vspRejected(_ txid: SimHash, _ reason: String) -> SimnetError {
        SimnetError(.simnetRejected, rpcCode: -1, "rejected transaction \(txid): \(reason)")
    }

    /// `getrawtransaction [txid, 1]`: any transaction the node knows (tickets, fee payments, parents; mined or in the
    /// mempool). Unknown → −5, a malformed hash → −22.
    func vspRawTransaction(txid: String) throws -> SimnetRawTransaction {
        let found = try vspTransaction(txid: txid)
        return rawView(found.transaction, height: found.height, index: found.index)
    }

    /// Where `getrawtransaction` finds `txid`: the transaction, its block height and index (nil while unmined) and
    /// the tip height. The in-process node backend needs only this (hex and confirmations), so it skips the
    /// verbose view's script disassembly and address encoding, which would otherwise run under the world's lock.
    func vspTransaction(txid: String) throws -> SimnetFoundTransaction {
        try checkNode()
        guard let hash = SimHash(displayHex: txid) else {
            throw SimnetError(.simnetDeserialization, rpcCode: -22, "Argument must be hexadecimal string (not \"\(txid)\")")
        }
        let tip = chain.tipHeight
        if let id = chain.ticketIndex[hash] {
            let height = Int(chain.tickets[Int(id)].purchaseHeight)
            let votes = chain.ledger.votedAt[Int32(height)]?.count ?? 0
            let index = votes + Int(id - chain.ticketRange(minedAt: height).lowerBound)
            return SimnetFoundTransaction(transaction: chain.ticketTransaction(id: id), height: height, index: UInt32(index),
                                          blockHash: chain.hashes[height].hex, tipHeight: tip)
        }
        if let pending = chain.pendingTicket(hash) {
            return SimnetFoundTransaction(transaction: chain.ticketTransaction(pending), height: nil, index: 0, blockHash: "", tipHeight: tip)
        }
        if let mined = chain.ledger.mined[hash] {
            let height = Int(mined.location.height)
            return SimnetFoundTransaction(transaction: mined.transaction, height: height, index: mined.location.index,
                                          blockHash: chain.hashes[height].hex, tipHeight: tip)
        }
        if let pending = chain.ledger.pending(hash) {
            return SimnetFoundTransaction(transaction: pending, height: nil, index: 0, blockHash: "", tipHeight: tip)
        }
        throw SimnetError(.simnetNotFound, rpcCode: -5, "No information available about transaction \(txid)")
    }

    /// `existslivetickets [[hash, …]]`: whether each is in the live ticket pool (a winner of the tip still is).
    func vspExistsLiveTickets(_ hashes: [String]) throws -> [Bool] {
        try checkNode()
        return try hashes.map { text in
            guard let hash = SimHash(displayHex: text) else {
                throw SimnetError(.simnetDeserialization, rpcCode: -22, "Argument must be hexadecimal string (not \"\(text)\")")
            }
            guard let id = chain.ticketIndex[hash] else { return false }
            return chain.tickets[Int(id)].status == .live
        }
    }

    /// `getblockhash [height]`: out of the main chain → −1 `Block number out of range: <height>` (dcrd
    /// `ErrRPCOutOfRange`).
    func vspBlockHash(height: Int64) throws -> String {
        try checkNode()
        guard height >= 0, height <= Int64(chain.tipHeight) else {
            throw SimnetError(.simnetInvalidParameter, rpcCode: -1, "Block number out of range: \(height)")
        }
        return chain.hashes[Int(height)].hex
    }

    /// `getblock [hash, …]` / `getbestblockheader`: the block with its transactions (`withTransactions`), else only
    /// its header fields. Unknown hash → −5.
    func vspBlock(hash: String?, withTransactions: Bool) throws -> SimnetBlockView {
        let height = try hash.map { try blockHeight(hash: $0) } ?? chain.tipHeight
        try checkNode()
        let header = chain.headers[height]
        let regular = withTransactions ? chain.regularTree(height: height) : []
        let stake = withTransactions ? chain.stakeTree(height: height) : []
        var block = WireWriter(capacity: 512)
        block.raw(header.serialized())
        block.varInt(regular.count)
        for transaction in regular { block.raw(transaction.serialized()) }
        block.varInt(stake.count)
        for transaction in stake { block.raw(transaction.serialized()) }
        var finalState = ""
        for index in 0..<6 { finalState += HexCoding.encode([UInt8(truncatingIfNeeded: header.finalState >> UInt64(8 * index))]) }
        return SimnetBlockView(
            hash: chain.hashes[height].hex, confirmations: Int64(chain.tipHeight - height + 1),
            size: Int32(withTransactions ? block.bytes.count : Int(header.size)), height: Int64(height),
            version: Int32(bitPattern: header.version), merkleRoot: header.merkleRoot.hex, stakeRoot: header.stakeRoot.hex,
            transactions: regular.enumerated().map { rawView($1, height: height, index: UInt32($0)) },
            stakeTransactions: stake.enumerated().map { rawView($1, height: height, index: UInt32($0)) },
            time: Int64(header.timestamp), nonce: header.nonce, voteBits: header.voteBits, finalState: finalState,
            voters: header.voters, freshStake: header.freshStake, revocations: header.revocations, poolSize: header.poolSize,
            bits: Self.paddedHex(UInt64(header.bits), digits: 8), sbits: Self.dcr(header.stakeDifficulty),
            extraData: String(repeating: "0", count: 64), stakeVersion: header.stakeVersion, difficulty: 1,
            chainWork: Self.paddedHex(UInt64(height + 1), digits: 64),
            previousHash: height == 0 ? "" : chain.hashes[height - 1].hex,
            nextHash: height < chain.tipHeight ? chain.hashes[height + 1].hex : "", hex: HexCoding.encode(block.bytes))
    }

    /// The verbose view of `transaction`, mined at `height` (nil: in the mempool) as the `index`th of its tree.
    func rawView(_ transaction: SimnetTransaction, height: Int?, index: UInt32) -> SimnetRawTransaction {
        let isVote = SimnetVote.parse(transaction) != nil
        let inputs = transaction.inputs.map { input -> SimnetRawTransaction.Input in
            let isBase = input.previousHash == .zero && input.previousIndex == 0xFFFF_FFFF
            let kind: SimnetRawTransaction.Input.Kind = isBase ? (isVote ? .stakebase : .coinbase) : .regular
            return SimnetRawTransaction.Input(
                kind: kind, txid: isBase ? "" : input.previousHash.hex, vout: input.previousIndex,
                tree: Int8(bitPattern: input.tree), sequence: input.sequence, amountIn: Self.dcr(input.valueIn),
                blockHeight: input.blockHeight, blockIndex: input.blockIndex,
                scriptSigAsm: SimnetScript.disassemble(input.signatureScript),
                scriptSigHex: HexCoding.encode(input.signatureScript))
        }
        var view = SimnetRawTransaction(
            hex: HexCoding.encode(transaction.serialized()), txid: transaction.txid.hex, version: Int32(transaction.version),
            lockTime: transaction.lockTime, expiry: transaction.expiry, inputs: inputs,
            outputs: decodedOutputs(transaction))
        if let height {
            view.blockHash = chain.hashes[height].hex
            view.blockHeight = Int64(height)
            view.blockIndex = index
            view.confirmations = Int64(chain.tipHeight - height + 1)
            view.time = Int64(chain.headers[height].timestamp)
        }
        return view
    }

    /// The outputs as dcrd decodes them (script class, addresses, commitment amount).
    func decodedOutputs(_ transaction: SimnetTransaction) -> [DecodedOutput] {
        transaction.outputs.enumerated().map { index, output in
            let (type, paidTo, reqSigs) = SimnetScript.classify(output.script)
            return DecodedOutput(
                value: Self.dcr(output.value), n: UInt32(index), version: output.version,
                scriptAsm: SimnetScript.disassemble(output.script), scriptHex: HexCoding.encode(output.script),
                reqSigs: reqSigs, scriptType: type, addresses: paidTo.map(addresses.encode),
                commitAmount: SimnetScript.parseCommitment(output.script).map { Self.dcr($0.amount) })
        }
    }
}

/// A transaction the simulated node knows, with where it was mined (`height` nil while in the mempool).
struct SimnetFoundTransaction: Sendable {
    var transaction: SimnetTransaction
    var height: Int?
    var index: UInt32
    /// Empty while unmined.
    var blockHash: String
    var tipHeight: Int

    /// dcrd's count: 1 in the tip block, 0 while unmined.
    var confirmations: Int64 { height.map { Int64(tipHeight - $0 + 1) } ?? 0 }
}
