/// `getrawtransaction [txid, 1]` reduced to what the vspd front reads (vspd-api.md §4.1, §8.2).
public struct VspRawTransaction: Sendable, Equatable {
    public var hex: String
    /// 0 while the transaction is in the mempool.
    public var confirmations: Int64
    /// Empty while unmined.
    public var blockHash: String
    /// 0 while unmined.
    public var blockHeight: Int64

    public init(hex: String, confirmations: Int64 = 0, blockHash: String = "", blockHeight: Int64 = 0) {
        self.hex = hex
        self.confirmations = confirmations
        self.blockHash = blockHash
        self.blockHeight = blockHeight
    }
}

/// `getbestblockheader [true]` reduced to what fees and vspinfo read (vspd-api.md §5.1, §6.1).
public struct VspBlockHeader: Sendable, Equatable {
    public var hash: String
    public var height: Int64
    /// The ticket price (`sbits`), atoms.
    public var ticketPrice: Int64
    /// The live ticket pool's size (`poolsize`).
    public var poolSize: Int64

    public init(hash: String, height: Int64, ticketPrice: Int64, poolSize: Int64) {
        self.hash = hash
        self.height = height
        self.ticketPrice = ticketPrice
        self.poolSize = poolSize
    }
}

/// A stake transaction in a block that spends a ticket's output 0 (vspd-api.md §8.2 step 4).
public struct VspTicketSpend: Sendable, Equatable {
    public var ticketHash: String
    /// True for a vote (SSGen), false for a revocation (SSRtx).
    public var isVote: Bool

    public init(ticketHash: String, isVote: Bool) {
        self.ticketHash = ticketHash
        self.isVote = isVote
    }
}

/// One ticket of `ticketinfo` (vspd-api.md §8.2's consistency pass).
public struct VspWalletTicket: Sendable, Equatable {
    public var hash: String
    /// dcrwallet's status: `unmined`, `immature`, `live`, `voted`, `revoked`, `missed`, `expired`, `unspent`, …
    public var status: String
    /// Agenda → choice as set on this ticket.
    public var choices: [String: String]

    public init(hash: String, status: String, choices: [String: String] = [:]) {
        self.hash = hash
        self.status = status
        self.choices = choices
    }
}
