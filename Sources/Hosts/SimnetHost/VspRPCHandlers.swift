import PoolKernel
import PoolNet
import WalletDcrwallet
import WalletSimnet

/// The JSON-RPC method tables of the simulated simnet as today's dcrd (API 8.x) and dcrwallet (API 11.x): what the
/// vspd front drives (vspd-api.md §4, §8.2). Served on their own endpoints (`SimnetRPCHost`'s vsp node and vsp
/// wallets), beside the v1.1-era ones: the two generations answer `version` differently. Same chain, same wallets.
/// Params are checked like the Go servers do; bad params answer −32602 (node) / −32600 (wallet).
public enum VspRPCHandlers {
    /// dcrd's methods (`notifyblocks` is the server's subscription business: install with notifications).
    public static func node(_ simnet: Simnet) -> [String: JSONRPCHandler] {
        let bad = WalletRPCCode.invalidParams
        return [
            "getrawtransaction": { params in
                let p = try Params(params, "getrawtransaction", min: 1, max: 2, code: bad)
                let transaction = try simnet.vspRawTransaction(txid: try p.string(0))
                return try p.optionalInt(1) ?? 0 == 0 ? .string(transaction.hex) : VspWire.json(transaction)
            },
            "sendrawtransaction": { params in
                let p = try Params(params, "sendrawtransaction", min: 1, max: 2, code: bad)
                _ = try p.optionalBool(1)
                return .string(try simnet.vspSendRawTransaction(try p.string(0)))
            },
            "existslivetickets": { params in
                let p = try Params(params, "existslivetickets", max: 1, code: bad)
                return .string(VspWire.bitset(try simnet.vspExistsLiveTickets(try p.strings(0))))
            },
            "getbestblockheader": { params in
                let p = try Params(params, "getbestblockheader", min: 0, max: 1, code: bad)
                let block = try simnet.vspBlock(hash: nil, withTransactions: false)
                return try p.optionalBool(0) ?? true ? VspWire.json(header: block) : .string(String(block.hex.prefix(360)))
            },
            "getbestblockhash": { params in
                try Params(params, "getbestblockhash", max: 0, code: bad).done()
                return .string(try simnet.vspBlock(hash: nil, withTransactions: false).hash)
            },
            "getblockheader": { params in
                let p = try Params(params, "getblockheader", min: 1, max: 2, code: bad)
                let block = try simnet.vspBlock(hash: try p.string(0), withTransactions: false)
                return try p.optionalBool(1) ?? true ? VspWire.json(header: block) : .string(String(block.hex.prefix(360)))
            },
            "getblockhash": { params in
                let p = try Params(params, "getblockhash", max: 1, code: bad)
                return .string(try simnet.vspBlockHash(height: try p.int(0)))
            },
            "getblock": { params in
                let p = try Params(params, "getblock", min: 1, max: 3, code: bad)
                let block = try simnet.vspBlock(hash: try p.string(0), withTransactions: true)
                guard try p.optionalBool(1) ?? true else { return .string(block.hex) }
                return VspWire.json(block: block, verboseTransactions: try p.optionalBool(2) ?? false)
            },
            "getbestblock": { params in
                try Params(params, "getbestblock", max: 0, code: bad).done()
                let block = try simnet.vspBlock(hash: nil, withTransactions: false)
                return WalletWire.json(BestBlock(hash: block.hash, height: block.height))
            },
            "getinfo": { params in
                try Params(params, "getinfo", max: 0, code: bad).done()
                return VspWire.info(blocks: try simnet.vspBlock(hash: nil, withTransactions: false).height)
            },
            "getcurrentnet": { params in
                try Params(params, "getcurrentnet", max: 0, code: bad).done()
                try simnet.vspCheckNode()
                return .int(Int64(simnet.configuration.parameters.netMagic))
            },
            "version": { params in
                try Params(params, "version", max: 0, code: bad).done()
                try simnet.vspCheckNode()
                return WalletWire.json(versions: simnet.vspNodeVersions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            },
        ]
    }

    /// dcrwallet's methods over simulated wallet `index`.
    public static func wallet(_ simnet: Simnet, index: Int) -> [String: JSONRPCHandler] {
        let bad = WalletRPCCode.invalidRequest
        /// `settspendpolicy` / `settreasurypolicy [key, policy, ticketHash?]`.
        func policy(_ method: String, _ set: @escaping @Sendable (Int, String, String, String?) throws -> Void) -> JSONRPCHandler {
            { params in
                let p = try Params(params, method, min: 2, max: 3, code: bad)
                try set(index, try p.string(0), try p.string(1), try p.optionalString(2))
                return .null
            }
        }
        return [
            "walletinfo": { params in
                try Params(params, "walletinfo", max: 0, code: bad).done()
                return VspWire.json(walletInfo: try simnet.vspWalletInfo(wallet: index),
                                    coinType: simnet.network.slip44CoinType)
            },
            "importprivkey": { params in
                let p = try Params(params, "importprivkey", min: 1, max: 4, code: bad)
                _ = try p.optionalBool(2)
                _ = try p.optionalInt(3)
                try simnet.vspImportPrivateKey(wallet: index, wif: try p.string(0), account: try p.optionalString(1) ?? "imported")
                return .null
            },
            "addtransaction": { params in
                let p = try Params(params, "addtransaction", max: 2, code: bad)
                try simnet.vspAddTransaction(wallet: index, blockHash: try p.string(0), transactionHex: try p.string(1))
                return .null
            },
            "setvotechoice": { params in
                let p = try Params(params, "setvotechoice", min: 2, max: 3, code: bad)
                try simnet.vspSetVoteChoice(wallet: index, agenda: try p.string(0), choice: try p.string(1),
                                            ticket: try p.optionalString(2))
                return .null
            },
            "settspendpolicy": policy("settspendpolicy", simnet.vspSetTSpendPolicy),
            "settreasurypolicy": policy("settreasurypolicy", simnet.vspSetTreasuryPolicy),
            "ticketinfo": { params in
                let p = try Params(params, "ticketinfo", min: 0, max: 1, code: bad)
                return VspWire.json(tickets: try simnet.vspTicketInfo(wallet: index, startHeight: try p.optionalInt(0) ?? 0))
            },
            "rescanwallet": { params in
                let p = try Params(params, "rescanwallet", min: 0, max: 1, code: bad)
                try simnet.vspRescan(wallet: index, from: try p.optionalInt(0) ?? 0)
                return .null
            },
            "getbestblock": { params in
                try Params(params, "getbestblock", max: 0, code: bad).done()
                return WalletWire.json(try simnet.vspWalletBestBlock(wallet: index))
            },
            "getblockcount": { params in
                try Params(params, "getblockcount", max: 0, code: bad).done()
                return .int(try simnet.vspWalletBestBlock(wallet: index).height)
            },
            "getcurrentnet": { params in
                try Params(params, "getcurrentnet", max: 0, code: bad).done()
                return .int(Int64(try simnet.vspWalletCurrentNet(wallet: index)))
            },
            "version": { params in
                try Params(params, "version", max: 0, code: bad).done()
                let versions = try simnet.vspWalletVersion(wallet: index)
                return WalletWire.json(versions: versions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            },
        ]
    }
}
