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

    /// The port's strings (what `SimnetWalletBackend.stakePoolUserInfo` returns).
    public var info: StakePoolUserInfo {
        StakePoolUserInfo(tickets: tickets.map { ticket in
            StakePoolUserTicket(status: ticket.status.rawValue, ticket: ticket.ticket.hex, ticketHeight: ticket.ticketHeight,
                                spentBy: ticket.spentBy.hex, spentByHeight: ticket.spentByHeight)
        }, invalid: invalid.map(\.hex))
    }
}

extension SimHash {
    /// Appends the display form (`hex`: bytes reversed, lower-case) to `out` without making a `String`.
    public func appendDisplayHex(to out: inout [UInt8]) {
        Self.appendHex(of: w3, to: &out)
        Self.appendHex(of: w2, to: &out)
        Self.appendHex(of: w1, to: &out)
        Self.appendHex(of: w0, to: &out)
    }

    /// A word's 8 bytes, most significant first (the words hold the internal order little-endian).
    private static func appendHex(of word: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            let byte = UInt8(truncatingIfNeeded: word >> UInt64(shift))
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
