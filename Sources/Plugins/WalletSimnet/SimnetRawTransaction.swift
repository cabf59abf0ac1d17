import PoolKernel

/// A transaction as dcrd (JSON-RPC API 8.x) shows it in verbose `getrawtransaction` and `getblock` replies (dcrd
/// `rpc/jsonrpc/types/chainsvrresults.go`, `TxRawResult`, `Vin`, `Vout`); the host encodes it field for field.
public struct SimnetRawTransaction: Sendable, Equatable {
    /// One input (`Vin`): a coinbase or stakebase input shows its signature script as hex instead of an outpoint.
    public struct Input: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case coinbase, stakebase, regular }
        public var kind: Kind
        /// The spent transaction (empty for coinbase and stakebase).
        public var txid: String
        public var vout: UInt32
        public var tree: Int8
        public var sequence: UInt32
        /// DCR.
        public var amountIn: Double
        public var blockHeight: UInt32
        public var blockIndex: UInt32
        public var scriptSigAsm: String
        public var scriptSigHex: String
    }

    public var hex: String
    public var txid: String
    public var version: Int32
    public var lockTime: UInt32
    public var expiry: UInt32
    public var inputs: [Input]
    public var outputs: [DecodedOutput]
    /// Empty while unmined (then the block fields are all zero).
    public var blockHash: String = ""
    public var blockHeight: Int64 = 0
    public var blockIndex: UInt32 = 0
    public var confirmations: Int64 = 0
    /// The block's timestamp (0 while unmined).
    public var time: Int64 = 0
}

/// A block (or only its header) as dcrd's verbose `getblock` / `getblockheader` show it (dcrd
/// `GetBlockVerboseResult`, `GetBlockHeaderVerboseResult`).
public struct SimnetBlockView: Sendable, Equatable {
    public var hash: String
    public var confirmations: Int64
    public var size: Int32
    public var height: Int64
    public var version: Int32
    public var merkleRoot: String
    public var stakeRoot: String
    /// The regular tree (coinbase first) and the stake tree (votes, tickets, revocations).
    public var transactions: [SimnetRawTransaction]
    public var stakeTransactions: [SimnetRawTransaction]
    public var time: Int64
    public var nonce: UInt32
    public var voteBits: UInt16
    /// 6 bytes as 12 hex digits.
    public var finalState: String
    public var voters: UInt16
    public var freshStake: UInt8
    public var revocations: UInt8
    public var poolSize: UInt32
    /// Compact difficulty as 8 hex digits.
    public var bits: String
    /// The ticket price, DCR.
    public var sbits: Double
    public var extraData: String
    public var stakeVersion: UInt32
    public var difficulty: Double
    public var chainWork: String
    /// Empty for the genesis block.
    public var previousHash: String
    /// Empty at the tip.
    public var nextHash: String
    /// The whole block serialized (`getblock [hash, false]`).
    public var hex: String
}
