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

/// Reads fields of a serialized Decred block header (180 bytes; wallet-rpc.md §2.18).
public enum BlockHeaderBytes {
    public static let size = 180
    public static let heightOffset = 128

    /// The height (little-endian uint32 at offset 128) of a header given as hex; nil if not 180 bytes of hex.
    public static func height(fromHex hex: String) -> UInt32? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == size * 2 else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 {
            let position = (heightOffset + index) * 2
            guard let high = nibble(utf8[position]), let low = nibble(utf8[position + 1]) else { return nil }
            value |= UInt32(high << 4 | low) << (8 * UInt32(index))
        }
        // The rest must be hex too, or the header is malformed.
        guard utf8.allSatisfy({ nibble($0) != nil }) else { return nil }
        return value
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
