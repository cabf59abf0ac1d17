import PoolKernel
import PoolNet

/// The JSON shapes of dcrwallet's and dcrd's results (wallet-rpc.md §2), both directions: the RPC
/// backends decode with it, and simulated servers encode with it so both sides agree byte for byte.
/// Decoding is strict about required fields and types (→ `walletBadResponse`), lenient about omitted
/// `omitempty` fields.
public enum WalletWire {}

/// Typed access to one result object (shared with the vspd plugins, in PoolNet).
typealias WireFields = RPCReplyFields

extension WalletWire {
    public static func walletInfo(from value: JSONValue) throws -> WalletInfo {
        let f = try WireFields(value, "walletinfo")
        return WalletInfo(daemonConnected: try f.bool("daemonconnected"), unlocked: try f.bool("unlocked"),
                          txFee: try f.double("txfee"), ticketFee: try f.double("ticketfee"),
                          ticketPurchasing: try f.bool("ticketpurchasing"), voteBits: try f.int("votebits"),
                          voteBitsExtended: try f.string("votebitsextended"), voteVersion: try f.int("voteversion"),
                          voting: try f.bool("voting"))
    }

    public static func addressValidation(from value: JSONValue) throws -> AddressValidation {
        let f = try WireFields(value, "validateaddress")
        return AddressValidation(isValid: try f.bool("isvalid"), address: try f.optionalString("address"),
                                 isMine: try f.optionalBool("ismine"), isWatchOnly: try f.optionalBool("iswatchonly"),
                                 isScript: try f.optionalBool("isscript"), pubKeyAddress: try f.optionalString("pubkeyaddr"),
                                 pubKey: try f.optionalString("pubkey"), isCompressed: try f.optionalBool("iscompressed"),
                                 account: try f.optionalString("account"), addresses: try f.strings("addresses"),
                                 hex: try f.optionalString("hex"), script: try f.optionalString("script"),
                                 sigsRequired: try f.optionalInt("sigsrequired"))
    }

    public static func multisigScript(from value: JSONValue) throws -> MultisigScript {
        let f = try WireFields(value, "createmultisig")
        return MultisigScript(address: try f.string("address"), redeemScript: try f.string("redeemScript"))
    }

    public static func bestBlock(from value: JSONValue) throws -> BestBlock {
        let f = try WireFields(value, "getbestblock")
        return BestBlock(hash: try f.string("hash"), height: try f.int("height"))
    }

    public static func stakeInfo(from value: JSONValue) throws -> StakeInfo {
        let f = try WireFields(value, "getstakeinfo")
        return StakeInfo(blockHeight: try f.int("blockheight"), poolSize: try f.int("poolsize"),
                         difficulty: try f.double("difficulty"), allMempoolTix: try f.int("allmempooltix"),
                         ownMempoolTix: try f.int("ownmempooltix"), immature: try f.int("immature"),
                         live: try f.int("live"), proportionLive: try f.double("proportionlive"),
                         voted: try f.int("voted"), totalSubsidy: try f.double("totalsubsidy"),
                         missed: try f.int("missed"), proportionMissed: try f.double("proportionmissed"),
                         revoked: try f.int("revoked"), expired: try f.int("expired"))
    }

    public static func stakePoolUserInfo(from value: JSONValue) throws -> StakePoolUserInfo {
        let f = try WireFields(value, "stakepooluserinfo")
        func hash(_ text: String, _ context: String, _ key: String) throws -> TicketHash {
            guard let hash = TicketHash(hex: text) else { throw WireFields.bad(context, "\(key) is not a 64-character hex hash") }
            return hash
        }
        let tickets = try f.objects("tickets").map { entry -> StakePoolUserTicket in
            let context = "stakepooluserinfo ticket"
            let t = try WireFields(entry, context)
            return StakePoolUserTicket(status: try t.string("status"), ticket: try hash(t.string("ticket"), context, "ticket"),
                                       ticketHeight: try t.int("ticketheight"),
                                       spentBy: try hash(t.string("spentby"), context, "spentby"),
                                       spentByHeight: try t.int("spentbyheight"))
        }
        return StakePoolUserInfo(tickets: tickets, invalid: try f.strings("invalid").map { try hash($0, "stakepooluserinfo", "invalid") })
    }

    public static func scripts(from value: JSONValue) throws -> [ImportedScript] {
        let f = try WireFields(value, "listscripts")
        return try f.objects("scripts").map { entry in
            let s = try WireFields(entry, "listscripts entry")
            return ImportedScript(hash160: try s.optionalString("hash160"), address: try s.optionalString("address"),
                                  redeemScript: try s.string("redeemscript"))
        }
    }

    public static func ticketHashes(from value: JSONValue) throws -> [String] {
        try WireFields(value, "gettickets").strings("hashes")
    }

    public static func transaction(from value: JSONValue) throws -> WalletTransaction {
        let f = try WireFields(value, "gettransaction")
        let details = try f.objects("details").map { entry -> WalletTransactionDetail in
            let d = try WireFields(entry, "gettransaction detail")
            return WalletTransactionDetail(account: try d.optionalString("account"), address: try d.optionalString("address"),
                                           amount: try d.double("amount"), category: try d.string("category"),
                                           involvesWatchOnly: try d.optionalBool("involveswatchonly"),
                                           fee: try d.optionalDouble("fee"), vout: try d.int("vout"))
        }
        return WalletTransaction(amount: try f.double("amount"), fee: try f.optionalDouble("fee") ?? 0,
                                 confirmations: try f.int("confirmations"), blockHash: try f.optionalString("blockhash"),
                                 blockIndex: try f.optionalInt("blockindex"), blockTime: try f.optionalInt("blocktime"),
                                 txid: try f.string("txid"), walletConflicts: try f.strings("walletconflicts"),
                                 time: try f.optionalInt("time"), timeReceived: try f.optionalInt("timereceived"),
                                 details: details, hex: try f.string("hex"))
    }

    public static func voteHex(from value: JSONValue) throws -> String {
        try WireFields(value, "generatevote").string("hex")
    }

    public static func versions(from value: JSONValue) throws -> [String: APIVersion] {
        try RPCReplyFields.versions(from: value)
    }

    public static func decodedTransaction(from value: JSONValue) throws -> DecodedTransaction {
        let f = try WireFields(value, "decoderawtransaction")
        let outputs = try f.objects("vout").map { entry -> DecodedOutput in
            let o = try WireFields(entry, "decoderawtransaction vout")
            guard let scriptValue = o.object["scriptPubKey"] else {
                throw WireFields.bad("decoderawtransaction vout", "missing field scriptPubKey")
            }
            let s = try WireFields(scriptValue, "decoderawtransaction scriptPubKey")
            return DecodedOutput(value: try o.double("value"), n: try o.int("n"), version: try o.optionalInt("version"),
                                 scriptAsm: try s.optionalString("asm"), scriptHex: try s.optionalString("hex"),
                                 reqSigs: try s.optionalInt("reqSigs"), scriptType: try s.string("type"),
                                 addresses: try s.strings("addresses"), commitAmount: try s.optionalDouble("commitamt"))
        }
        return DecodedTransaction(txid: try f.string("txid"), version: try f.optionalInt("version"),
                                  lockTime: try f.optionalInt("locktime"), expiry: try f.optionalInt("expiry"),
                                  outputs: outputs)
    }

    static func string(from value: JSONValue, _ context: String) throws -> String {
        try RPCReplyFields.string(from: value, context)
    }

    static func number<T: FixedWidthInteger>(from value: JSONValue, _ context: String, as type: T.Type = T.self) throws -> T {
        try RPCReplyFields.number(from: value, context)
    }
}
