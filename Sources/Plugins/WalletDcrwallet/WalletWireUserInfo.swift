import Foundation
import PoolKernel
import PoolNet

/// `stakepooluserinfo` read straight from the reply's bytes: the tickets page of a user with 10,000 tickets asks for
/// ~1.9 MB of JSON, and its `JSONValue` tree (10,000 objects of five members) cost more than the page itself. Same
/// rules as `stakePoolUserInfo(from: JSONValue)`: `tickets`/`invalid` absent or null are empty, every ticket field is
/// required with its type, the first of a repeated member counts; anything else is `walletBadResponse`. Hashes are
/// read from the bytes into `TicketHash` values (no `String` per hash), so one that is not 64 hex characters is
/// refused here too.
extension WalletWire {
    public static func stakePoolUserInfo(from raw: RawJSON) throws -> StakePoolUserInfo {
        let context = "stakepooluserinfo"
        do {
            return try raw.read { reader in
                guard try reader.peekIsObject() else { throw WireFields.bad(context, "result is not an object") }
                try reader.beginObject()
                var tickets: [StakePoolUserTicket]?, invalid: [TicketHash]?
                while let key = try reader.nextKey() {
                    switch key {
                    case "tickets" where tickets == nil:
                        tickets = try list(&reader, key) { try userTicket(&$0) }
                    case "invalid" where invalid == nil:
                        invalid = try list(&reader, key) { reader in
                            guard try reader.peekIsString() else { throw WireFields.bad(context, "invalid holds a non-string") }
                            return try hash(&reader, context, key)
                        }
                    default: try reader.skip()
                    }
                }
                return StakePoolUserInfo(tickets: tickets ?? [], invalid: invalid ?? [])
            }
        } catch let error as NetError {
            throw WireFields.bad(context, error.message)
        }
    }

    /// An array member read element by element; null is empty.
    private static func list<T>(_ reader: inout JSONReader, _ key: String, _ element: (inout JSONReader) throws -> T) throws -> [T] {
        if try reader.peekIsNull() { try reader.skip(); return [] }
        guard try reader.peekIsArray() else { throw WireFields.bad("stakepooluserinfo", "\(key) is not an array") }
        var items: [T] = []
        try reader.beginArray()
        while try reader.nextElement() { items.append(try element(&reader)) }
        return items
    }

    /// A hash member: exactly 64 hex characters.
    private static func hash(_ reader: inout JSONReader, _ context: String, _ key: String) throws -> TicketHash {
        guard try reader.peekIsString(), let hash = try reader.stringBytes({ TicketHash(hexBytes: $0) }) else {
            throw WireFields.bad(context, "\(key) is not a 64-character hex hash")
        }
        return hash
    }

    private static func userTicket(_ reader: inout JSONReader) throws -> StakePoolUserTicket {
        let context = "stakepooluserinfo ticket"
        guard try reader.peekIsObject() else { throw WireFields.bad(context, "result is not an object") }
        try reader.beginObject()
        var status: String?, ticket: TicketHash?, spentBy: TicketHash?, ticketHeight: UInt32?, spentByHeight: UInt32?
        func text(_ reader: inout JSONReader, _ key: String) throws -> String {
            guard try reader.peekIsString() else { throw WireFields.bad(context, "\(key) is not a string") }
            // The four statuses dcrwallet sends are shared constants; anything else is read as it comes.
            let value = try reader.stringBytes { bytes -> String? in
                for known in knownStatuses where equal(bytes, known.bytes) { return known.text }
                return String(validating: bytes, as: UTF8.self)
            }
            guard let value else { throw WireFields.bad(context, "\(key) is not valid UTF-8") }
            return value
        }
        func height(_ reader: inout JSONReader, _ key: String) throws -> UInt32 {
            guard let value = try reader.value().intValue, let typed = UInt32(exactly: value) else {
                throw WireFields.bad(context, "\(key) is not a UInt32")
            }
            return typed
        }
        // Keys matched as bytes (no `String` per key); -1 for any other.
        while let key = try reader.nextKey({ bytes in ticketKeys.firstIndex { Self.equal(bytes, $0) } ?? -1 }) {
            switch key {
            case 0 where status == nil: status = try text(&reader, "status")
            case 1 where ticket == nil: ticket = try hash(&reader, context, "ticket")
            case 2 where ticketHeight == nil: ticketHeight = try height(&reader, "ticketheight")
            case 3 where spentBy == nil: spentBy = try hash(&reader, context, "spentby")
            case 4 where spentByHeight == nil: spentByHeight = try height(&reader, "spentbyheight")
            default: try reader.skip()
            }
        }
        func required<T>(_ value: T?, _ key: String) throws -> T {
            guard let value else { throw WireFields.bad(context, "missing field \(key)") }
            return value
        }
        return StakePoolUserTicket(status: try required(status, "status"), ticket: try required(ticket, "ticket"),
                                   ticketHeight: try required(ticketHeight, "ticketheight"),
                                   spentBy: try required(spentBy, "spentby"),
                                   spentByHeight: try required(spentByHeight, "spentbyheight"))
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ known: [UInt8]) -> Bool {
        bytes.count == known.count && (bytes.isEmpty || memcmp(bytes.baseAddress!, known, bytes.count) == 0)
    }

    /// The members of a ticket object, in the order `userTicket` numbers them.
    private static let ticketKeys = ["status", "ticket", "ticketheight", "spentby", "spentbyheight"].map { Array($0.utf8) }

    private static let knownStatuses: [(text: String, bytes: [UInt8])] = ["live", "voted", "missed", "expired"].map { ($0, Array($0.utf8)) }
}
