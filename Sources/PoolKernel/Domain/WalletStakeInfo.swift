/// The result of `getstakeinfo` (§2.7). `difficulty` and `totalSubsidy` are in DCR.
public struct StakeInfo: Sendable, Equatable {
    public var blockHeight: Int64
    public var poolSize: UInt32
    public var difficulty: Double
    public var allMempoolTix: UInt32
    public var ownMempoolTix: UInt32
    public var immature: UInt32
    public var live: UInt32
    public var proportionLive: Double
    public var voted: UInt32
    public var totalSubsidy: Double
    public var missed: UInt32
    public var proportionMissed: Double
    public var revoked: UInt32
    public var expired: UInt32

    public init(blockHeight: Int64 = 0, poolSize: UInt32 = 0, difficulty: Double = 0, allMempoolTix: UInt32 = 0,
                ownMempoolTix: UInt32 = 0, immature: UInt32 = 0, live: UInt32 = 0, proportionLive: Double = 0,
                voted: UInt32 = 0, totalSubsidy: Double = 0, missed: UInt32 = 0, proportionMissed: Double = 0,
                revoked: UInt32 = 0, expired: UInt32 = 0) {
        self.blockHeight = blockHeight
        self.poolSize = poolSize
        self.difficulty = difficulty
        self.allMempoolTix = allMempoolTix
        self.ownMempoolTix = ownMempoolTix
        self.immature = immature
        self.live = live
        self.proportionLive = proportionLive
        self.voted = voted
        self.totalSubsidy = totalSubsidy
        self.missed = missed
        self.proportionMissed = proportionMissed
        self.revoked = revoked
        self.expired = expired
    }
}

/// The result of `stakepooluserinfo` (§2.8) for one multisig address.
///
/// On the wire an empty `tickets` / `invalid` list is `null`; here both are plain (possibly empty) arrays. Hashes are
/// held as 32-byte values, not strings: a user with 10,000 tickets is 20,000 hashes per tickets page, and the page
/// writes their hex straight from these (the wallet's reply is checked to be hex when it is read).
public struct StakePoolUserInfo: Sendable, Equatable {
    public var tickets: [StakePoolUserTicket]
    /// Tickets paying this address that failed the wallet's pool-fee check.
    public var invalid: [TicketHash]
    public init(tickets: [StakePoolUserTicket] = [], invalid: [TicketHash] = []) {
        self.tickets = tickets
        self.invalid = invalid
    }
}

/// One ticket of `stakepooluserinfo`.
public struct StakePoolUserTicket: Sendable, Equatable {
    /// `"live"` (immature or live), `"voted"`, `"missed"`, `"expired"`, or `""`.
    public var status: String
    public var ticket: TicketHash
    public var ticketHeight: UInt32
    /// The all-zero hash when unspent.
    public var spentBy: TicketHash
    /// 0 when unspent.
    public var spentByHeight: UInt32

    /// The all-zero hash used for `spentby` when the ticket is unspent.
    public static let zeroHash = TicketHash.zero

    public init(status: String, ticket: TicketHash, ticketHeight: UInt32, spentBy: TicketHash = .zero,
                spentByHeight: UInt32 = 0) {
        self.status = status
        self.ticket = ticket
        self.ticketHeight = ticketHeight
        self.spentBy = spentBy
        self.spentByHeight = spentByHeight
    }
}
