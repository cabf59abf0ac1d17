import Foundation
import PoolKernel
import PoolNet
import PoolTestKit

/// A dcrd (JSON-RPC API 8.3) over a real TLS websocket, holding a small chain, answering the calls the vspd front
/// makes with the JSON dcrd writes: field names, order and `omitempty` as in dcrd
/// `rpc/jsonrpc/types/chainsvrresults.go` (`TxRawResult`, `Vin`, `Vout`, `ScriptPubKeyResult`,
/// `GetBlockHeaderVerboseResult`, `GetBlockVerboseResult`, `InfoChainResult`, `VersionResult`), and dcrd's error codes
/// (−5 `ErrRPCNoTxInfo`/`ErrRPCBlockNotFound`, −1 `ErrRPCOutOfRange`, −22 `ErrRPCDecodeHexString`, −40 `ErrRPCDuplicateTx`).
final class FakeDcrd: Sendable {
    struct Chain: Sendable {
        var blocks: [String] = (0..<10).map(FakeDcrd.blockHash)
        var stakeTrees: [String: [DecredTransaction]] = [:]
        /// txid → the transaction and its height (nil: mempool).
        var transactions: [String: (tx: DecredTransaction, height: Int?)] = [:]
        var live: Set<String> = []
        var net: UInt32 = 0x1214_1c16
        var txIndex = true
        var api = (major: 8, minor: 3, patch: 0)
        /// The `dcrd` program's version in `version`.
        var program = (major: 2, minor: 1, patch: 6)
        var ticketPrice = "1.23456789"
        var poolSize = 40960
    }

    let rpc: RecordingRPCServer
    let chain = LockedValue(Chain())

    init() throws {
        rpc = try RecordingRPCServer(name: "fakedcrd")
        install()
    }

    static func blockHash(_ height: Int) -> String { String(format: "%064x", 0xdc7d_0000 + height) }

    /// The 180-byte header dcrd would send in `blockconnected`, meaningful only in its height (bytes 128–131).
    static func headerHex(height: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: 180)
        withUnsafeBytes(of: UInt32(height).littleEndian) { bytes.replaceSubrange(128..<132, with: $0) }
        return Hex.encode(bytes)
    }

    /// Mines a block holding `stake` in its stake tree and the mempool, and announces it to `notifyblocks` sessions.
    @discardableResult
    func mine(stake: [DecredTransaction] = []) -> String {
        let (hash, height) = chain.withLock { chain -> (String, Int) in
            let height = chain.blocks.count
            let hash = Self.blockHash(height)
            chain.blocks.append(hash)
            chain.stakeTrees[hash] = stake
            for (txid, entry) in chain.transactions where entry.height == nil { chain.transactions[txid]?.height = height }
            for tx in stake { chain.transactions[tx.txid] = (tx, height) }
            return (hash, height)
        }
        rpc.server.notify("blockconnected", [.string(Self.headerHex(height: height)), .array([])])
        return hash
    }

    /// Puts `tx` in the chain `depth` blocks below the tip (0: mempool).
    func add(_ tx: DecredTransaction, depth: Int) {
        chain.withLock { chain in
            chain.transactions[tx.txid] = (tx, depth == 0 ? nil : chain.blocks.count - depth)
        }
    }

    private func install() {
        let chain = chain
        rpc.server.registerSubscription("notifyblocks", notifications: ["blockconnected"])
        rpc.handle("getrawtransaction") { params in
            let txid = params.first?.stringValue ?? ""
            return try chain.withLock { chain in
                guard let entry = chain.transactions[txid] else {
                    throw NetError.rpc(code: -5, message: "No information available about transaction \(txid)")
                }
                return Self.txRawResult(entry.tx, height: entry.height, chain: chain)
            }
        }
        rpc.handle("sendrawtransaction") { params in
            let hex = params.first?.stringValue ?? ""
            guard let tx = try? DecredTransaction(hex: hex) else {
                throw NetError.rpc(code: -22, message: "Argument must be hexadecimal string (not \"\(hex.prefix(16))\")")
            }
            return try chain.withLock { chain in
                if let known = chain.transactions[tx.txid] {
                    if known.height != nil {
                        throw NetError.rpc(code: -1, message: "rejected transaction \(tx.txid): transaction already exists")
                    }
                    throw NetError.rpc(code: -40, message: "rejected transaction \(tx.txid): already have transaction \(tx.txid)")
                }
                chain.transactions[tx.txid] = (tx, nil)
                return .string(tx.txid)
            }
        }
        rpc.handle("existslivetickets") { params in
            let hashes = (params.first?.arrayValue ?? []).compactMap(\.stringValue)
            var bytes = [UInt8](repeating: 0, count: (hashes.count + 7) / 8)
            let live = chain.value.live
            for (index, hash) in hashes.enumerated() where live.contains(hash) { bytes[index / 8] |= 1 << UInt8(index % 8) }
            return .string(Hex.encode(bytes))
        }
        rpc.handle("getbestblockhash") { _ in .string(chain.value.blocks.last!) }
        rpc.handle("getblockhash") { params in
            let height = params.first?.intValue ?? -1
            let blocks = chain.value.blocks
            guard height >= 0, height < blocks.count else {
                throw NetError.rpc(code: -1, message: "Block number out of range: \(height)")
            }
            return .string(blocks[Int(height)])
        }
        rpc.handle("getblockheader") { params in
            try Self.atBlock(params, chain, notFound: { "Block not found: \($0)" }, Self.headerResult)
        }
        rpc.handle("getblock") { params in
            try Self.atBlock(params, chain, notFound: { _ in "Block not found" }, Self.blockResult)
        }
        rpc.handle("getcurrentnet") { _ in .int(Int64(chain.value.net)) }
        rpc.handle("getinfo") { _ in
            let chain = chain.value
            return json(#"{"version":2010600,"protocolversion":10,"blocks":\#(chain.blocks.count - 1),"timeoffset":0,"connections":8,"proxy":"","difficulty":1.5,"testnet":false,"relayfee":0.0001,"errors":"","txindex":\#(chain.txIndex)}"#)
        }
        rpc.handle("version") { _ in
            let api = chain.value.api, program = chain.value.program
            return json(#"{"dcrd":{"versionstring":"\#(program.major).\#(program.minor).\#(program.patch)+release","major":\#(program.major),"minor":\#(program.minor),"patch":\#(program.patch),"prerelease":"","buildmetadata":"release"},"dcrdjsonrpcapi":{"versionstring":"\#(api.major).\#(api.minor).\#(api.patch)","major":\#(api.major),"minor":\#(api.minor),"patch":\#(api.patch),"prerelease":"","buildmetadata":""}}"#)
        }
    }

    /// `result` for the block whose hash is the first param; an unknown hash is dcrd's `ErrRPCBlockNotFound` (−5).
    private static func atBlock(_ params: [JSONValue], _ chain: LockedValue<Chain>, notFound: (String) -> String,
                                _ result: (Int, Chain) -> JSONValue) throws -> JSONValue {
        let hash = params.first?.stringValue ?? ""
        let chain = chain.value
        guard let height = chain.blocks.firstIndex(of: hash) else { throw NetError.rpc(code: -5, message: notFound(hash)) }
        return result(height, chain)
    }

    /// `TxRawResult`: block fields are `omitempty`, so a mempool transaction has none.
    static func txRawResult(_ tx: DecredTransaction, height: Int?, chain: Chain) -> JSONValue {
        var entries: [(key: String, value: JSONValue)] = [
            ("hex", .string(VspChainSamples.hex(tx))), ("txid", .string(tx.txid)), ("version", .int(Int64(tx.version))),
            ("locktime", .int(Int64(tx.lockTime))), ("expiry", .int(Int64(tx.expiry))),
            ("vin", .array(tx.inputs.map(vin))), ("vout", .array(tx.outputs.enumerated().map(vout))),
        ]
        if let height {
            entries += [("blockhash", .string(chain.blocks[height])), ("blockheight", .int(Int64(height))), ("blockindex", .int(1)),
                        ("confirmations", .int(Int64(chain.blocks.count - height))), ("time", .int(1_700_000_000)),
                        ("blocktime", .int(1_700_000_000))]
        }
        return .object(JSONObject(entries))
    }

    private static func vin(_ input: DecredTransaction.Input) -> JSONValue {
        let witness: [(key: String, value: JSONValue)] = [("sequence", .int(Int64(input.sequence))), ("amountin", .double(Double(input.valueIn) / 1e8)),
                                                          ("blockheight", .int(0)), ("blockindex", .int(4_294_967_295))]
        if input.previousOutPoint.isNull {
            return .object(JSONObject([("stakebase", "0000")] + witness))
        }
        return .object(JSONObject([("txid", .string(input.previousOutPoint.txid)), ("vout", .int(Int64(input.previousOutPoint.index))),
                                   ("tree", .int(Int64(input.previousOutPoint.tree)))] + witness
                                  + [("scriptSig", json(#"{"asm":"","hex":""}"#))]))
    }

    private static func vout(_ index: Int, _ output: DecredTransaction.Output) -> JSONValue {
        .object(JSONObject([("value", .double(Double(output.value) / 1e8)), ("n", .int(Int64(index))), ("version", .int(0)),
                            ("scriptPubKey", .object(JSONObject([("asm", "OP_UNKNOWN"), ("hex", .string(Hex.encode(output.script))),
                                                                 ("type", "nonstandard"), ("version", .int(0))])))]))
    }

    /// `GetBlockHeaderVerboseResult` (`nextblockhash` `omitempty`).
    static func headerResult(_ height: Int, _ chain: Chain) -> JSONValue {
        let next = height + 1 < chain.blocks.count ? #","nextblockhash":"\#(chain.blocks[height + 1])""# : ""
        let previous = height > 0 ? chain.blocks[height - 1] : String(repeating: "0", count: 64)
        return json(#"{"hash":"\#(chain.blocks[height])","powhash":"\#(String(repeating: "1", count: 64))","confirmations":\#(chain.blocks.count - height),"version":10,"merkleroot":"\#(String(repeating: "2", count: 64))","stakeroot":"\#(String(repeating: "3", count: 64))","votebits":1,"finalstate":"000000000000","voters":5,"freshstake":2,"revocations":0,"poolsize":\#(chain.poolSize),"bits":"1a0ffff0","sbits":\#(chain.ticketPrice),"height":\#(height),"size":3000,"time":1700000000,"mediantime":1699999000,"nonce":7,"extradata":"\#(String(repeating: "0", count: 64))","stakeversion":10,"difficulty":1.5,"chainwork":"\#(String(repeating: "0", count: 60))ffff","previousblockhash":"\#(previous)"\#(next)}"#)
    }

    /// `GetBlockVerboseResult` with `verboseTx`: `rawstx` (`omitempty`) instead of `stx`; this chain's blocks have no
    /// regular transactions, so `rawtx` is omitted too.
    static func blockResult(_ height: Int, _ chain: Chain) -> JSONValue {
        guard case .object(var block) = headerResult(height, chain) else { return .null }
        let stake = chain.stakeTrees[chain.blocks[height]] ?? []
        if !stake.isEmpty { block["rawstx"] = .array(stake.map { txRawResult($0, height: height, chain: chain) }) }
        return .object(block)
    }
}
