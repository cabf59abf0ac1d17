/// A notification from the node (wallet-rpc.md §1.6), already parsed as strictly as the Go client does.
public enum ChainNotification: Sendable, Equatable {
    /// `blockconnected`: the serialized 180-byte header (hex) and the subscribed transactions (hex).
    case blockConnected(BlockConnected)
    /// `winningtickets`: the tickets eligible to vote on this block, ordered by their index.
    case winningTickets(WinningTickets)
    /// `spentandmissedtickets`: tickets that left the live pool in this block.
    case spentAndMissedTickets(SpentAndMissedTickets)
    /// `newtickets`: tickets that matured into the live pool in this block (dcrd sends the list as `null` when
    /// none matured: that is an empty list).
    case newTickets(NewTickets)
    /// `reorganization`: the node is switching its best chain (sent to `notifyblocks` subscribers before the
    /// blocks are disconnected and connected). What a client knew of the tip is stale: read it again.
    case reorganization(Reorganization)

    /// The notification's method name on the wire.
    public var method: String {
        switch self {
        case .blockConnected: "blockconnected"
        case .winningTickets: "winningtickets"
        case .spentAndMissedTickets: "spentandmissedtickets"
        case .newTickets: "newtickets"
        case .reorganization: "reorganization"
        }
    }
}

public struct BlockConnected: Sendable, Equatable {
    public var headerHex: String
    public var transactions: [String]
    public init(headerHex: String, transactions: [String] = []) {
        self.headerHex = headerHex
        self.transactions = transactions
    }

    /// The block height read from the serialized header (little-endian uint32 at byte 128), if well-formed.
    public var height: UInt32? { BlockHeaderBytes.height(fromHex: headerHex) }
}

public struct WinningTickets: Sendable, Equatable {
    public var blockHash: String
    public var blockHeight: Int64
    public var tickets: [String]
    public init(blockHash: String, blockHeight: Int64, tickets: [String]) {
        self.blockHash = blockHash
        self.blockHeight = blockHeight
        self.tickets = tickets
    }
}

public struct SpentAndMissedTickets: Sendable, Equatable {
    public var blockHash: String
    public var blockHeight: Int64
    /// Next stake difficulty, atoms.
    public var stakeDifficulty: Int64
    /// Ticket hash → true if spent (voted/revoked), false if missed, in wire order.
    public var tickets: [(ticket: String, spent: Bool)]

    public init(blockHash: String, blockHeight: Int64, stakeDifficulty: Int64, tickets: [(ticket: String, spent: Bool)]) {
        self.blockHash = blockHash
        self.blockHeight = blockHeight
        self.stakeDifficulty = stakeDifficulty
        self.tickets = tickets
    }

    public static func == (lhs: SpentAndMissedTickets, rhs: SpentAndMissedTickets) -> Bool {
        lhs.blockHash == rhs.blockHash && lhs.blockHeight == rhs.blockHeight
            && lhs.stakeDifficulty == rhs.stakeDifficulty
            && lhs.tickets.map(\.ticket) == rhs.tickets.map(\.ticket)
            && lhs.tickets.map(\.spent) == rhs.tickets.map(\.spent)
    }
}

public struct NewTickets: Sendable, Equatable {
    public var blockHash: String
    public var blockHeight: Int64
    /// Next stake difficulty, atoms.
    public var stakeDifficulty: Int64
    public var tickets: [String]
    public init(blockHash: String, blockHeight: Int64, stakeDifficulty: Int64, tickets: [String]) {
        self.blockHash = blockHash
        self.blockHeight = blockHeight
        self.stakeDifficulty = stakeDifficulty
        self.tickets = tickets
    }
}

/// dcrd's `reorganization` params, in wire order: `[oldhash, oldheight, newhash, newheight]`.
public struct Reorganization: Sendable, Equatable {
    public var oldHash: String
    public var oldHeight: Int64
    public var newHash: String
    public var newHeight: Int64
    public init(oldHash: String, oldHeight: Int64, newHash: String, newHeight: Int64) {
        self.oldHash = oldHash
        self.oldHeight = oldHeight
        self.newHash = newHash
        self.newHeight = newHeight
    }
}
