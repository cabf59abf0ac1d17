import PoolKernel
import PoolNet
import WalletDcrwallet

/// Encoders: the exact result objects dcrwallet/dcrd send (field order and `omitempty` rules of the Go
/// structs), for servers that imitate them (the simulated simnet).
extension WalletWire {
    public static func json(_ info: WalletInfo) -> JSONValue {
        .object(JSONObject([
            ("daemonconnected", .bool(info.daemonConnected)), ("unlocked", .bool(info.unlocked)),
            ("txfee", .double(info.txFee)), ("ticketfee", .double(info.ticketFee)),
            ("ticketpurchasing", .bool(info.ticketPurchasing)), ("votebits", .int(Int64(info.voteBits))),
            ("votebitsextended", .string(info.voteBitsExtended)), ("voteversion", .int(Int64(info.voteVersion))),
            ("voting", .bool(info.voting)),
        ]))
    }

    public static func json(_ result: AddressValidation) -> JSONValue {
        var object = JSONObject([("isvalid", .bool(result.isValid))])
        func add(_ key: String, _ value: String) { if !value.isEmpty { object.entries.append((key, .string(value))) } }
        func add(_ key: String, _ value: Bool) { if value { object.entries.append((key, .bool(true))) } }
        add("address", result.address)
        add("ismine", result.isMine)
        add("iswatchonly", result.isWatchOnly)
        add("isscript", result.isScript)
        add("pubkeyaddr", result.pubKeyAddress)
        add("pubkey", result.pubKey)
        add("iscompressed", result.isCompressed)
        add("account", result.account)
        if !result.addresses.isEmpty { object.entries.append(("addresses", .array(result.addresses.map(JSONValue.string)))) }
        add("hex", result.hex)
        add("script", result.script)
        if result.sigsRequired != 0 { object.entries.append(("sigsrequired", .int(Int64(result.sigsRequired)))) }
        return .object(object)
    }

    public static func json(_ script: MultisigScript) -> JSONValue {
        .object(JSONObject([("address", .string(script.address)), ("redeemScript", .string(script.redeemScript))]))
    }

    public static func json(_ block: BestBlock) -> JSONValue {
        .object(JSONObject([("hash", .string(block.hash)), ("height", .int(block.height))]))
    }

    public static func json(_ info: StakeInfo) -> JSONValue {
        .object(JSONObject([
            ("blockheight", .int(info.blockHeight)), ("poolsize", .int(Int64(info.poolSize))),
            ("difficulty", .double(info.difficulty)), ("allmempooltix", .int(Int64(info.allMempoolTix))),
            ("ownmempooltix", .int(Int64(info.ownMempoolTix))), ("immature", .int(Int64(info.immature))),
            ("live", .int(Int64(info.live))), ("proportionlive", .double(info.proportionLive)),
            ("voted", .int(Int64(info.voted))), ("totalsubsidy", .double(info.totalSubsidy)),
            ("missed", .int(Int64(info.missed))), ("proportionmissed", .double(info.proportionMissed)),
            ("revoked", .int(Int64(info.revoked))), ("expired", .int(Int64(info.expired))),
        ]))
    }

    /// Empty lists encode as `null`, as the wallet does.
    public static func json(_ info: StakePoolUserInfo) -> JSONValue {
        let tickets: JSONValue = info.tickets.isEmpty ? .null : .array(info.tickets.map { ticket in
            .object(JSONObject([
                ("status", .string(ticket.status)), ("ticket", .string(ticket.ticket.hex)),
                ("ticketheight", .int(Int64(ticket.ticketHeight))), ("spentby", .string(ticket.spentBy.hex)),
                ("spentbyheight", .int(Int64(ticket.spentByHeight))),
            ]))
        })
        let invalid: JSONValue = info.invalid.isEmpty ? .null : .array(info.invalid.map { .string($0.hex) })
        return .object(JSONObject([("tickets", tickets), ("invalid", invalid)]))
    }

    public static func json(_ scripts: [ImportedScript]) -> JSONValue {
        .object(JSONObject([("scripts", .array(scripts.map { script in
            .object(JSONObject([("hash160", .string(script.hash160)), ("address", .string(script.address)),
                                ("redeemscript", .string(script.redeemScript))]))
        }))]))
    }

    public static func json(ticketHashes: [String]) -> JSONValue {
        .object(JSONObject([("hashes", .array(ticketHashes.map(JSONValue.string)))]))
    }

    public static func json(_ tx: WalletTransaction) -> JSONValue {
        var object = JSONObject([("amount", .double(tx.amount))])
        if tx.fee != 0 { object.entries.append(("fee", .double(tx.fee))) }
        object.entries += [
            ("confirmations", .int(tx.confirmations)), ("blockhash", .string(tx.blockHash)),
            ("blockindex", .int(tx.blockIndex)), ("blocktime", .int(tx.blockTime)), ("txid", .string(tx.txid)),
            ("walletconflicts", .array(tx.walletConflicts.map(JSONValue.string))), ("time", .int(tx.time)),
            ("timereceived", .int(tx.timeReceived)),
        ]
        object.entries.append(("details", .array(tx.details.map { detail in
            var entry = JSONObject([("account", .string(detail.account))])
            if !detail.address.isEmpty { entry.entries.append(("address", .string(detail.address))) }
            entry.entries += [("amount", .double(detail.amount)), ("category", .string(detail.category))]
            if detail.involvesWatchOnly { entry.entries.append(("involveswatchonly", .bool(true))) }
            if let fee = detail.fee { entry.entries.append(("fee", .double(fee))) }
            entry.entries.append(("vout", .int(Int64(detail.vout))))
            return .object(entry)
        })))
        object.entries.append(("hex", .string(tx.hex)))
        return .object(object)
    }

    public static func json(voteHex: String) -> JSONValue {
        .object(JSONObject([("hex", .string(voteHex))]))
    }

    /// Entries in the given order (a dictionary has none; pass them sorted or as the server lists them).
    public static func json(versions: [(name: String, version: APIVersion)]) -> JSONValue {
        .object(JSONObject(versions.map { entry in
            (entry.name, .object(JSONObject([
                ("versionstring", .string(entry.version.versionString)), ("major", .int(Int64(entry.version.major))),
                ("minor", .int(Int64(entry.version.minor))), ("patch", .int(Int64(entry.version.patch))),
                ("prerelease", .string(entry.version.prerelease)), ("buildmetadata", .string(entry.version.buildMetadata)),
            ])))
        }))
    }

    public static func json(_ tx: DecodedTransaction) -> JSONValue {
        .object(JSONObject([
            ("txid", .string(tx.txid)), ("version", .int(Int64(tx.version))), ("locktime", .int(Int64(tx.lockTime))),
            ("expiry", .int(Int64(tx.expiry))), ("vin", .array([])),
            ("vout", .array(tx.outputs.map { output in
                var script = JSONObject([("asm", .string(output.scriptAsm)), ("hex", .string(output.scriptHex))])
                if output.reqSigs != 0 { script.entries.append(("reqSigs", .int(Int64(output.reqSigs)))) }
                script.entries.append(("type", .string(output.scriptType)))
                if !output.addresses.isEmpty { script.entries.append(("addresses", .array(output.addresses.map(JSONValue.string)))) }
                if let commit = output.commitAmount { script.entries.append(("commitamt", .double(commit))) }
                return .object(JSONObject([("value", .double(output.value)), ("n", .int(Int64(output.n))),
                                           ("version", .int(Int64(output.version))), ("scriptPubKey", .object(script))]))
            })),
        ]))
    }
}
