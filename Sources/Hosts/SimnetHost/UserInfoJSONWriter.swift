import PoolKernel
import PoolNet
import WalletSimnet

/// Writes `stakepooluserinfo`'s result (`{"tickets":[{"status","ticket","ticketheight","spentby","spentbyheight"},…],
/// "invalid":[…]}`, an empty list as `null`) straight into bytes, the same bytes as
/// `WalletWire.json(_: StakePoolUserInfo).encoded()`: a user with 10,000 tickets made simwallet build 20,000 hex
/// strings and a tree of 10,000 objects per call, most of the tickets page's time.
public enum UserInfoJSONWriter {
    /// The simulated wallet's tickets, hashes written as hex from their bytes.
    public static func result(_ user: SimnetUserTickets) -> RawJSON {
        var out = Output(capacity: 32 + user.tickets.count * 200 + user.invalid.count * 70)
        out.append(#"{"tickets":"#)
        out.list(user.tickets) { out, ticket in
            out.append(#"{"status":""#)
            out.append(ticket.status.rawValue)
            out.append(#"","ticket":""#)
            ticket.ticket.appendDisplayHex(to: &out.bytes)
            out.append(#"","ticketheight":"#)
            out.decimal(ticket.ticketHeight)
            out.append(#","spentby":""#)
            ticket.spentBy.appendDisplayHex(to: &out.bytes)
            out.append(#"","spentbyheight":"#)
            out.decimal(ticket.spentByHeight)
            out.append("}")
        }
        out.append(#","invalid":"#)
        out.list(user.invalid) { out, hash in
            out.append("\"")
            hash.appendDisplayHex(to: &out.bytes)
            out.append("\"")
        }
        out.append("}")
        return out.finish()
    }

    /// Any wallet's answer as the port gives it (the status quoted and escaped like the tree, hashes as hex).
    public static func result(_ info: StakePoolUserInfo) -> RawJSON {
        var out = Output(capacity: 32 + info.tickets.count * 200 + info.invalid.count * 70)
        out.append(#"{"tickets":"#)
        out.list(info.tickets) { out, ticket in
            out.append(#"{"status":"#)
            JSONValue.appendString(ticket.status, to: &out.bytes)
            out.append(#","ticket":""#)
            ticket.ticket.appendHex(to: &out.bytes)
            out.append("\"")
            out.append(#","ticketheight":"#)
            out.decimal(ticket.ticketHeight)
            out.append(#","spentby":""#)
            ticket.spentBy.appendHex(to: &out.bytes)
            out.append("\"")
            out.append(#","spentbyheight":"#)
            out.decimal(ticket.spentByHeight)
            out.append("}")
        }
        out.append(#","invalid":"#)
        out.list(info.invalid) { out, hash in
            out.append("\"")
            hash.appendHex(to: &out.bytes)
            out.append("\"")
        }
        out.append("}")
        return out.finish()
    }

    private struct Output {
        var bytes: [UInt8] = []

        init(capacity: Int) { bytes.reserveCapacity(capacity) }

        /// Text that needs no escaping (keys, punctuation, status words).
        mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

        mutating func decimal(_ value: UInt32) {
            guard value >= 10 else { bytes.append(UInt8(ascii: "0") + UInt8(value)); return }
            decimal(value / 10)
            bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
        }

        /// `null` for no items (dcrwallet's nil slice), else `[item,…]`.
        mutating func list<Item>(_ items: [Item], _ body: (inout Output, Item) -> Void) {
            guard !items.isEmpty else { append("null"); return }
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                body(&self, item)
            }
            bytes.append(UInt8(ascii: "]"))
        }

        consuming func finish() -> RawJSON { RawJSON(bytes: bytes, range: bytes.indices) }
    }
}
