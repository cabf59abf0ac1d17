import PoolKernel

/// `stakepooluserinfo` as the simulated wallet holds it: hashes inline, no `String` per field. A user with 10,000
/// tickets made 20,000 hex strings and a `JSONValue` tree before the reply's first byte; writers that need bytes
/// (simwallet's JSON-RPC reply) read this instead, and `StakePoolUserInfo` is built from it.
public struct SimnetUserTickets: Sendable {
    /// One ticket, in the wallet's order (the address's tickets in purchase order).
    public struct Ticket: Sendable {
        /// dcrwallet's status word: immature tickets are `live` too.
        public enum Status: String, Sendable { case live, voted, missed, expired }
        public var status: Status
        public var ticket: SimHash
        public var ticketHeight: UInt32
        /// The vote's hash for a voted ticket, otherwise the zero hash (as dcrwallet sends it).
        public var spentBy: SimHash
        /// 0 while unspent.
        public var spentByHeight: UInt32
    }

    public var tickets: [Ticket] = []
    /// Tickets paying the address that failed the wallet's pool-fee check.
    public var invalid: [SimHash] = []

    public init() {}

    /// The port's answer (what `SimnetWalletBackend.stakePoolUserInfo` returns).
    public var info: StakePoolUserInfo {
        StakePoolUserInfo(tickets: tickets.map { ticket in
            StakePoolUserTicket(status: ticket.status.rawValue, ticket: ticket.ticket.ticketHash, ticketHeight: ticket.ticketHeight,
                                spentBy: ticket.spentBy.ticketHash, spentByHeight: ticket.spentByHeight)
        }, invalid: invalid.map(\.ticketHash))
    }
}

extension SimHash {
    /// The same hash as the kernel's value: its words hold the display order, so they are these reversed
    /// (`appendDisplayHex` starts at w3's top byte, `TicketHash.hex` at w0's).
    public var ticketHash: TicketHash { TicketHash(w0: w3, w1: w2, w2: w1, w3: w0) }

    /// Appends the display form (`hex`: bytes reversed, lower-case) to `out` without making a `String`.
    public func appendDisplayHex(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            // The words hold the internal order little-endian; the display form starts at w3's top byte.
            Self.fillHex(w3, buffer, at: 0)
            Self.fillHex(w2, buffer, at: 16)
            Self.fillHex(w1, buffer, at: 32)
            Self.fillHex(w0, buffer, at: 48)
            out.append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }

    /// A word's 8 bytes as 16 hex digits, most significant first, at `buffer[start..<start + 16]`.
    private static func fillHex(_ word: UInt64, _ buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = word
        var index = start + 15
        while index > start {
            let byte = UInt8(truncatingIfNeeded: rest)
            buffer[index] = hexDigit(byte & 0x0F)
            buffer[index - 1] = hexDigit(byte >> 4)
            index -= 2
            rest >>= 8
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
}
