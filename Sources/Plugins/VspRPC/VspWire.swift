import PoolKernel
import PoolNet

/// The JSON shapes of dcrd API 8.x and dcrwallet API 11.x results the vspd front reads, decoded strictly where
/// the field is required and leniently where Go omits it (`omitempty`). Sources: dcrd
/// `rpc/jsonrpc/types/chainsvrresults.go` (`TxRawResult`, `GetBlockHeaderVerboseResult`, `GetBlockVerboseResult`,
/// `InfoChainResult`, `GetBestBlockResult`, `VersionResult`) and dcrwallet `rpc/jsonrpc/types/results.go`
/// (`WalletInfoResult`, `TicketInfoResult`, `VoteChoice`).
public enum VspWire {
    /// `getrawtransaction [txid, 1]` (`TxRawResult`): `hex` always; `confirmations`, `blockhash`, `blockheight`
    /// are `omitempty`, so absent in the mempool.
    public static func rawTransaction(from value: JSONValue) throws -> VspRawTransaction {
        let f = try RPCReplyFields(value, "getrawtransaction")
        return VspRawTransaction(hex: try f.string("hex"), confirmations: try f.optionalInt("confirmations"),
                                 blockHash: try f.optionalString("blockhash"), blockHeight: try f.optionalInt("blockheight"))
    }

    /// `existslivetickets`: a hex bitset (jrick/bitset: bit i is bit i%8 of byte i/8), one bit per hash asked.
    public static func liveTickets(from value: JSONValue, count: Int) throws -> [Bool] {
        let text = try RPCReplyFields.string(from: value, "existslivetickets")
        guard let bytes = try? Hex.decode(text), bytes.count * 8 >= count else {
            throw RPCReplyFields.bad("existslivetickets", "\"\(text.prefix(64))\" is not a hex bitset of \(count) bits")
        }
        return (0..<count).map { bytes[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
    }

    /// `getblockheader [hash, true]` (`GetBlockHeaderVerboseResult`): `sbits` is DCR, read back to atoms.
    public static func blockHeader(from value: JSONValue) throws -> VspBlockHeader {
        let f = try RPCReplyFields(value, "getblockheader")
        let sbits = try f.double("sbits")
        guard sbits >= 0, sbits < 21e6 else { throw RPCReplyFields.bad("getblockheader", "sbits \(sbits) is out of range") }
        return VspBlockHeader(hash: try f.string("hash"), height: Int64(try f.int("height", as: UInt32.self)),
                              ticketPrice: Int64((sbits * 1e8).rounded()), poolSize: Int64(try f.int("poolsize", as: UInt32.self)))
    }

    /// `getblock [hash, true, true]` (`GetBlockVerboseResult`): each `rawstx` entry's `hex` read as a transaction,
    /// keeping the votes and revocations (the tickets they spend). `rawstx` is `omitempty`.
    public static func ticketSpends(from value: JSONValue) throws -> [VspTicketSpend] {
        let f = try RPCReplyFields(value, "getblock")
        return try f.objects("rawstx").compactMap { entry in
            let hex = try RPCReplyFields(entry, "getblock rawstx").string("hex")
            guard let transaction = try? DecredTransaction(hex: hex) else {
                throw RPCReplyFields.bad("getblock rawstx", "a stake transaction's hex does not decode")
            }
            return ticketSpend(of: transaction)
        }
    }

    /// The ticket a stake transaction spends, when it is a vote or a revocation (dcrd `stake.IsSSGen`/`IsSSRtx` in
    /// outline): a vote's input 0 is the stakebase and input 1 the ticket's output 0, its outputs from index 2 are
    /// `OP_SSGEN`-tagged; a revocation's one input spends the ticket's output 0 and every output is `OP_SSRTX`-tagged.
    static func ticketSpend(of transaction: DecredTransaction) -> VspTicketSpend? {
        let opSSGen: UInt8 = 0xbb, opSSRtx: UInt8 = 0xbc
        let inputs = transaction.inputs, outputs = transaction.outputs
        if inputs.count == 2, inputs[0].previousOutPoint.isNull, inputs[1].previousOutPoint.index == 0,
           outputs.count > 2, outputs[2...].allSatisfy({ $0.script.first == opSSGen }) {
            return VspTicketSpend(ticketHash: inputs[1].previousOutPoint.txid, isVote: true)
        }
        if inputs.count == 1, !inputs[0].previousOutPoint.isNull, inputs[0].previousOutPoint.index == 0,
           !outputs.isEmpty, outputs.allSatisfy({ $0.script.first == opSSRtx }) {
            return VspTicketSpend(ticketHash: inputs[0].previousOutPoint.txid, isVote: false)
        }
        return nil
    }

    /// `getinfo` (`InfoChainResult`): whether dcrd runs with `--txindex`.
    public static func txIndex(from value: JSONValue) throws -> Bool {
        try RPCReplyFields(value, "getinfo").bool("txindex")
    }

    /// `blockconnected` (dcrd `chainsvrwsntfns.go`): `[header hex, subscribed transactions]`; nil for anything else.
    public static func blockConnected(method: String, params: [JSONValue]) -> BlockConnected? {
        guard method == "blockconnected", let header = params.first?.stringValue else { return nil }
        let transactions = params.count > 1 ? (params[1].arrayValue ?? []).compactMap(\.stringValue) : []
        return BlockConnected(headerHex: header, transactions: transactions)
    }

    /// dcrwallet `walletinfo` (`WalletInfoResult`). Today's wallet has no `ticketfee`/`ticketpurchasing`
    /// (left 0/false); `txfee` is DCR per kB.
    public static func walletInfo(from value: JSONValue) throws -> WalletInfo {
        let f = try RPCReplyFields(value, "walletinfo")
        return WalletInfo(daemonConnected: try f.bool("daemonconnected"), unlocked: try f.bool("unlocked"),
                          txFee: try f.optionalDouble("txfee") ?? 0, ticketFee: 0, ticketPurchasing: false,
                          voteBits: try f.optionalInt("votebits"), voteBitsExtended: try f.optionalString("votebitsextended"),
                          voteVersion: try f.int("voteversion"), voting: try f.bool("voting"))
    }

    /// dcrwallet `ticketinfo [startHeight]`: an array of `TicketInfoResult`; `choices` (`omitempty`) lists
    /// `{agendaid, choiceid}` pairs.
    public static func tickets(from value: JSONValue) throws -> [VspWalletTicket] {
        guard let entries = value.arrayValue else { throw RPCReplyFields.bad("ticketinfo", "result is not an array") }
        return try entries.map { entry in
            let t = try RPCReplyFields(entry, "ticketinfo ticket")
            var choices: [String: String] = [:]
            for choice in try t.objects("choices") {
                let c = try RPCReplyFields(choice, "ticketinfo choice")
                choices[try c.string("agendaid")] = try c.string("choiceid")
            }
            return VspWalletTicket(hash: try t.string("hash"), status: try t.string("status"), choices: choices)
        }
    }

    /// `getbestblock` (`GetBestBlockResult`).
    public static func bestBlock(from value: JSONValue) throws -> BestBlock {
        let f = try RPCReplyFields(value, "getbestblock")
        return BestBlock(hash: try f.string("hash"), height: try f.int("height"))
    }
}
