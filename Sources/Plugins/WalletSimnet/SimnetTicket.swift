/// Where a ticket is in its life-cycle (chain view). Revocation is a flag on top of missed/expired.
enum SimnetTicketStatus: UInt8, Sendable {
    case immature, live, voted, missed, expired
}

/// One mined ticket, kept small (about 90 bytes) so that 100,000+ tickets stay cheap; the serialized
/// transaction is rebuilt on demand from these fields.
struct SimnetTicketRecord: Sendable {
    var hash: SimHash
    /// Seed for the synthetic input outpoints (makes every ticket transaction unique).
    var nonce: UInt64
    /// Ticket price (value of output 0), atoms.
    var price: Int64
    /// Amount committed to the pool fee address, atoms.
    var poolFee: Int64
    /// Transaction fee (commitments minus outputs), atoms.
    var txFee: Int32
    var purchaseHeight: Int32
    /// Height of the block that voted / missed / expired it (0 while unspent).
    var spentHeight: Int32 = 0
    var owner: Int32
    var feeAddress: Int32
    /// Index in the live pool array, -1 when not in the pool.
    var livePosition: Int32 = -1
    var status: SimnetTicketStatus = .immature
    var flags: UInt8 = 0

    static let feeValidFlag: UInt8 = 1
    static let revokedFlag: UInt8 = 2
    static let selectedFlag: UInt8 = 4

    var isFeeValid: Bool { flags & Self.feeValidFlag != 0 }
    var isRevoked: Bool { flags & Self.revokedFlag != 0 }
    var isSelected: Bool { flags & Self.selectedFlag != 0 }

    /// The status as a wallet synced to `height` sees it; nil if the ticket is not mined by then.
    func status(asOf height: Int, maturity: Int) -> SimnetTicketStatus? {
        guard Int(purchaseHeight) <= height else { return nil }
        if status == .voted || status == .missed || status == .expired, Int(spentHeight) <= height { return status }
        return height - Int(purchaseHeight) >= maturity ? .live : .immature
    }
}

/// A purchase waiting in the mempool for the next block (subject to the fresh-stake limit).
struct SimnetPendingTicket: Sendable {
    var hash: SimHash
    var nonce: UInt64
    var price: Int64
    var poolFee: Int64
    var txFee: Int32
    var owner: Int32
    var feeAddress: Int32
}

/// A P2SH ticket address that tickets pay to, with the tickets paying it in purchase order.
struct SimnetOwner: Sendable {
    var address: SimnetAddress
    var encoded: String
    /// The user's reward commitment address (P2PKH), derived from the P2SH hash.
    var rewardAddress: SimnetAddress
    var tickets: [Int32] = []
}
