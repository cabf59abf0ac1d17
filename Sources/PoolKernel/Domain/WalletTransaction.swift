/// The result of wallet `gettransaction` (§2.14). Amounts in DCR.
public struct WalletTransaction: Sendable, Equatable {
    public var amount: Double
    /// 0 when the wallet omits it.
    public var fee: Double
    public var confirmations: Int64
    /// `""` when unmined.
    public var blockHash: String
    public var blockIndex: Int64
    public var blockTime: Int64
    public var txid: String
    public var walletConflicts: [String]
    public var time: Int64
    public var timeReceived: Int64
    public var details: [WalletTransactionDetail]
    /// The serialized transaction (hex).
    public var hex: String

    public init(amount: Double = 0, fee: Double = 0, confirmations: Int64 = 0, blockHash: String = "",
                blockIndex: Int64 = 0, blockTime: Int64 = 0, txid: String, walletConflicts: [String] = [],
                time: Int64 = 0, timeReceived: Int64 = 0, details: [WalletTransactionDetail] = [], hex: String) {
        self.amount = amount
        self.fee = fee
        self.confirmations = confirmations
        self.blockHash = blockHash
        self.blockIndex = blockIndex
        self.blockTime = blockTime
        self.txid = txid
        self.walletConflicts = walletConflicts
        self.time = time
        self.timeReceived = timeReceived
        self.details = details
        self.hex = hex
    }
}

/// One `details[]` entry of `gettransaction`. stakepoold finds a ticket's owner as the first `address`
/// that is a known multisig address.
public struct WalletTransactionDetail: Sendable, Equatable {
    public var account: String
    /// `""` when the wallet omits it.
    public var address: String
    public var amount: Double
    /// `send`, `receive`, `immature`, `generate`, …
    public var category: String
    public var involvesWatchOnly: Bool
    /// nil when the wallet omits it.
    public var fee: Double?
    public var vout: UInt32

    public init(account: String = "", address: String = "", amount: Double, category: String,
                involvesWatchOnly: Bool = false, fee: Double? = nil, vout: UInt32) {
        self.account = account
        self.address = address
        self.amount = amount
        self.category = category
        self.involvesWatchOnly = involvesWatchOnly
        self.fee = fee
        self.vout = vout
    }
}

/// The part of dcrd's `decoderawtransaction` (§2.17) the pool reads.
public struct DecodedTransaction: Sendable, Equatable {
    public var txid: String
    public var version: Int32
    public var lockTime: UInt32
    public var expiry: UInt32
    public var outputs: [DecodedOutput]

    public init(txid: String, version: Int32 = 1, lockTime: UInt32 = 0, expiry: UInt32 = 0,
                outputs: [DecodedOutput]) {
        self.txid = txid
        self.version = version
        self.lockTime = lockTime
        self.expiry = expiry
        self.outputs = outputs
    }
}

/// One `vout[]` entry of `decoderawtransaction`. `value` and `commitAmount` are in DCR.
public struct DecodedOutput: Sendable, Equatable {
    public var value: Double
    public var n: UInt32
    public var version: UInt16
    public var scriptAsm: String
    public var scriptHex: String
    public var reqSigs: Int32
    /// `stakesubmission`, `sstxcommitment`, `sstxchange`, `pubkeyhash`, …
    public var scriptType: String
    public var addresses: [String]
    /// Present only for ticket commitment outputs.
    public var commitAmount: Double?

    public init(value: Double, n: UInt32, version: UInt16 = 0, scriptAsm: String = "", scriptHex: String = "",
                reqSigs: Int32 = 0, scriptType: String, addresses: [String] = [], commitAmount: Double? = nil) {
        self.value = value
        self.n = n
        self.version = version
        self.scriptAsm = scriptAsm
        self.scriptHex = scriptHex
        self.reqSigs = reqSigs
        self.scriptType = scriptType
        self.addresses = addresses
        self.commitAmount = commitAmount
    }
}
