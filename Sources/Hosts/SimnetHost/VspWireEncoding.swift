import PoolKernel
import PoolNet
import WalletDcrwallet
import WalletSimnet

/// Encoders for today's dcrd (JSON-RPC API 8.x) and dcrwallet (API 11.x) results, field for field and in the order
/// of the Go structs, with their `omitempty` rules: dcrd `rpc/jsonrpc/types/chainsvrresults.go` (`TxRawResult`,
/// `Vin` and its custom marshalling, `Vout`, `ScriptPubKeyResult`, `GetBlockVerboseResult`,
/// `GetBlockHeaderVerboseResult`, `InfoChainResult`) and dcrwallet `rpc/jsonrpc/types/results.go`
/// (`WalletInfoResult`, `TicketInfoResult`, `VoteChoice`).
enum VspWire {
    static func json(_ tx: SimnetRawTransaction) -> JSONValue {
        var object = JSONObject([
            ("hex", .string(tx.hex)), ("txid", .string(tx.txid)), ("version", .int(Int64(tx.version))),
            ("locktime", .int(Int64(tx.lockTime))), ("expiry", .int(Int64(tx.expiry))),
            ("vin", .array(tx.inputs.map(json))), ("vout", .array(tx.outputs.map(json))),
        ])
        if !tx.blockHash.isEmpty { object.entries.append(("blockhash", .string(tx.blockHash))) }
        if tx.blockHeight != 0 { object.entries.append(("blockheight", .int(tx.blockHeight))) }
        if tx.blockIndex != 0 { object.entries.append(("blockindex", .int(Int64(tx.blockIndex)))) }
        if tx.confirmations != 0 { object.entries.append(("confirmations", .int(tx.confirmations))) }
        if tx.time != 0 {
            object.entries.append(("time", .int(tx.time)))
            object.entries.append(("blocktime", .int(tx.time)))
        }
        return .object(object)
    }

    /// dcrd's `Vin.MarshalJSON`: a coinbase or stakebase input shows its script as hex and no outpoint.
    static func json(_ input: SimnetRawTransaction.Input) -> JSONValue {
        let tail: [(String, JSONValue)] = [
            ("sequence", .int(Int64(input.sequence))), ("amountin", .double(input.amountIn)),
            ("blockheight", .int(Int64(input.blockHeight))), ("blockindex", .int(Int64(input.blockIndex))),
        ]
        switch input.kind {
        case .coinbase: return .object(JSONObject([("coinbase", .string(input.scriptSigHex))] + tail))
        case .stakebase: return .object(JSONObject([("stakebase", .string(input.scriptSigHex))] + tail))
        case .regular:
            return .object(JSONObject([("txid", .string(input.txid)), ("vout", .int(Int64(input.vout))),
                                       ("tree", .int(Int64(input.tree)))] + tail
                                      + [("scriptSig", .object(JSONObject([("asm", .string(input.scriptSigAsm)),
                                                                           ("hex", .string(input.scriptSigHex))])))]))
        }
    }

    static func json(_ output: DecodedOutput) -> JSONValue {
        var script = JSONObject([("asm", .string(output.scriptAsm))])
        if !output.scriptHex.isEmpty { script.entries.append(("hex", .string(output.scriptHex))) }
        if output.reqSigs != 0 { script.entries.append(("reqSigs", .int(Int64(output.reqSigs)))) }
        script.entries.append(("type", .string(output.scriptType)))
        if !output.addresses.isEmpty { script.entries.append(("addresses", .array(output.addresses.map(JSONValue.string)))) }
        if let commit = output.commitAmount { script.entries.append(("commitamt", .double(commit))) }
        script.entries.append(("version", .int(Int64(output.version))))
        return .object(JSONObject([("value", .double(output.value)), ("n", .int(Int64(output.n))),
                                   ("version", .int(Int64(output.version))), ("scriptPubKey", .object(script))]))
    }

    /// `getblock [hash, true, verboseTx]`: `rawtx`/`rawstx` with verbose transactions, else `tx`/`stx` hashes (both
    /// `omitempty`, so an empty tree has no key).
    static func json(block: SimnetBlockView, verboseTransactions: Bool) -> JSONValue {
        var object = JSONObject([
            ("hash", .string(block.hash)), ("powhash", .string(block.hash)), ("confirmations", .int(block.confirmations)),
            ("size", .int(Int64(block.size))), ("height", .int(block.height)), ("version", .int(Int64(block.version))),
            ("merkleroot", .string(block.merkleRoot)), ("stakeroot", .string(block.stakeRoot)),
        ])
        func trees(_ regular: String, _ stake: String, _ encode: (SimnetRawTransaction) -> JSONValue) {
            if !block.transactions.isEmpty { object.entries.append((regular, .array(block.transactions.map(encode)))) }
            if !block.stakeTransactions.isEmpty { object.entries.append((stake, .array(block.stakeTransactions.map(encode)))) }
        }
        if verboseTransactions {
            trees("rawtx", "rawstx", json)
        } else {
            trees("tx", "stx") { .string($0.txid) }
        }
        object.entries += [
            ("time", .int(block.time)), ("mediantime", .int(block.time)), ("nonce", .int(Int64(block.nonce))),
            ("votebits", .int(Int64(block.voteBits))), ("finalstate", .string(block.finalState)),
            ("voters", .int(Int64(block.voters))), ("freshstake", .int(Int64(block.freshStake))),
            ("revocations", .int(Int64(block.revocations))), ("poolsize", .int(Int64(block.poolSize))),
            ("bits", .string(block.bits)), ("sbits", .double(block.sbits)), ("extradata", .string(block.extraData)),
            ("stakeversion", .int(Int64(block.stakeVersion))), ("difficulty", .double(block.difficulty)),
            ("chainwork", .string(block.chainWork)), ("previousblockhash", .string(block.previousHash)),
        ]
        if !block.nextHash.isEmpty { object.entries.append(("nextblockhash", .string(block.nextHash))) }
        return .object(object)
    }

    /// `getblockheader [hash, true]` / `getbestblockheader [true]`.
    static func json(header block: SimnetBlockView) -> JSONValue {
        var object = JSONObject([
            ("hash", .string(block.hash)), ("powhash", .string(block.hash)), ("confirmations", .int(block.confirmations)),
            ("version", .int(Int64(block.version))), ("merkleroot", .string(block.merkleRoot)),
            ("stakeroot", .string(block.stakeRoot)), ("votebits", .int(Int64(block.voteBits))),
            ("finalstate", .string(block.finalState)), ("voters", .int(Int64(block.voters))),
            ("freshstake", .int(Int64(block.freshStake))), ("revocations", .int(Int64(block.revocations))),
            ("poolsize", .int(Int64(block.poolSize))), ("bits", .string(block.bits)), ("sbits", .double(block.sbits)),
            ("height", .int(block.height)), ("size", .int(Int64(block.size))), ("time", .int(block.time)),
            ("mediantime", .int(block.time)), ("nonce", .int(Int64(block.nonce))), ("extradata", .string(block.extraData)),
            ("stakeversion", .int(Int64(block.stakeVersion))), ("difficulty", .double(block.difficulty)),
            ("chainwork", .string(block.chainWork)),
        ])
        if !block.previousHash.isEmpty { object.entries.append(("previousblockhash", .string(block.previousHash))) }
        if !block.nextHash.isEmpty { object.entries.append(("nextblockhash", .string(block.nextHash))) }
        return .object(object)
    }

    /// `getinfo` of a dcrd 2.1.6 with `--txindex` (`version` is major·10⁶ + minor·10⁴ + patch·100).
    static func info(blocks: Int64) -> JSONValue {
        .object(JSONObject([
            ("version", .int(2_010_600)), ("protocolversion", .int(11)), ("blocks", .int(blocks)), ("timeoffset", .int(0)),
            ("connections", .int(8)), ("proxy", .string("")), ("difficulty", .double(1)), ("testnet", .bool(false)),
            ("relayfee", .double(0.0001)), ("errors", .string("")), ("txindex", .bool(true)),
        ]))
    }

    /// dcrwallet's `WalletInfoResult` (`cointype` omitted when 0). `manualtickets` true: vspd's voting wallets run with
    /// `--manualtickets` (they learn tickets only from vspd's `addtransaction`), and vspd logs an error for one without.
    static func json(walletInfo info: WalletInfo, coinType: UInt32) -> JSONValue {
        var object = JSONObject([("daemonconnected", .bool(info.daemonConnected)), ("unlocked", .bool(info.unlocked))])
        if coinType != 0 { object.entries.append(("cointype", .int(Int64(coinType)))) }
        object.entries += [
            ("txfee", .double(info.txFee)), ("votebits", .int(Int64(info.voteBits))),
            ("votebitsextended", .string(info.voteBitsExtended)), ("voteversion", .int(Int64(info.voteVersion))),
            ("voting", .bool(info.voting)), ("manualtickets", .bool(true)),
        ]
        return .object(object)
    }

    /// dcrwallet's `[]TicketInfoResult`: a nil slice (no tickets) marshals as `null`.
    static func json(tickets: [SimnetVspTicketInfo]) -> JSONValue {
        guard !tickets.isEmpty else { return .null }
        return .array(tickets.map { ticket in
            var object = JSONObject([("hash", .string(ticket.hash)), ("cost", .double(ticket.cost)),
                                     ("votingaddress", .string(ticket.votingAddress)), ("status", .string(ticket.status))])
            if !ticket.blockHash.isEmpty { object.entries.append(("blockhash", .string(ticket.blockHash))) }
            object.entries.append(("blockheight", .int(Int64(ticket.blockHeight))))
            if !ticket.vote.isEmpty { object.entries.append(("vote", .string(ticket.vote))) }
            if !ticket.revocation.isEmpty { object.entries.append(("revocation", .string(ticket.revocation))) }
            if !ticket.choices.isEmpty {
                object.entries.append(("choices", .array(ticket.choices.map {
                    .object(JSONObject([("agendaid", .string($0.agenda)), ("choiceid", .string($0.choice))]))
                })))
            }
            return .object(object)
        })
    }

    /// dcrd's `existslivetickets` answer: a bitset, bit i (byte i/8, bit i%8) for hash i, as hex.
    static func bitset(_ flags: [Bool]) -> String {
        var bytes = [UInt8](repeating: 0, count: (flags.count + 7) / 8)
        for (index, flag) in flags.enumerated() where flag { bytes[index / 8] |= 1 << UInt8(index % 8) }
        return Hex.encode(bytes)
    }
}
