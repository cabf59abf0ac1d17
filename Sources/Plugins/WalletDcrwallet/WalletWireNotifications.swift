import PoolKernel
import PoolNet

extension WalletWire {
    /// The registration methods for the four notification kinds, in stakepoold's startup order.
    public static let registrationMethods = ["notifyblocks", "notifywinningtickets", "notifynewtickets",
                                             "notifyspentandmissedtickets"]

    /// Parses a notification as strictly as dcrrpcclient (§1.6): wrong param count or types → nil
    /// (the caller drops it with a warning). `blockdisconnected` and unknown methods → nil as well.
    /// A JSON `null` where a list or map belongs is empty, as Go's decoder reads it: dcrd v1.1.0 builds the
    /// `newtickets` list by appending to a nil slice, so a block where no ticket matured sends `null`.
    public static func notification(method: String, params: [JSONValue]) -> ChainNotification? {
        switch method {
        case "blockconnected":
            guard params.count == 2, let header = params[0].stringValue else { return nil }
            var transactions: [String] = []
            if case .array(let list) = params[1] {
                for entry in list {
                    guard let hex = entry.stringValue else { return nil }
                    transactions.append(hex)
                }
            } else if !params[1].isNull {
                return nil
            }
            return .blockConnected(BlockConnected(headerHex: header, transactions: transactions))
        case "winningtickets":
            guard params.count == 3, let hash = params[0].stringValue, let height = params[1].intValue,
                  let map = objectOrNull(params[2]) else { return nil }
            var indexed: [(Int, String)] = []
            for (key, value) in map.entries {
                guard let index = Int(key), let ticket = value.stringValue else { return nil }
                indexed.append((index, ticket))
            }
            let tickets = indexed.sorted { $0.0 < $1.0 }.map(\.1)
            return .winningTickets(WinningTickets(blockHash: hash, blockHeight: height, tickets: tickets))
        case "spentandmissedtickets":
            guard params.count == 4, let hash = params[0].stringValue, let height = params[1].intValue,
                  let difficulty = params[2].intValue, let map = objectOrNull(params[3]) else { return nil }
            var tickets: [(ticket: String, spent: Bool)] = []
            for (ticket, status) in map.entries {
                guard let text = status.stringValue else { return nil }
                tickets.append((ticket, text == "spent")) // anything else counts as missed, like the Go client
            }
            return .spentAndMissedTickets(SpentAndMissedTickets(blockHash: hash, blockHeight: height,
                                                                stakeDifficulty: difficulty, tickets: tickets))
        case "newtickets":
            guard params.count == 4, let hash = params[0].stringValue, let height = params[1].intValue,
                  let difficulty = params[2].intValue, let list = arrayOrNull(params[3]) else { return nil }
            var tickets: [String] = []
            for entry in list {
                guard let ticket = entry.stringValue else { return nil }
                tickets.append(ticket)
            }
            return .newTickets(NewTickets(blockHash: hash, blockHeight: height, stakeDifficulty: difficulty, tickets: tickets))
        case "reorganization":
            guard params.count == 4, let oldHash = params[0].stringValue, let oldHeight = params[1].intValue,
                  let newHash = params[2].stringValue, let newHeight = params[3].intValue else { return nil }
            return .reorganization(Reorganization(oldHash: oldHash, oldHeight: oldHeight, newHash: newHash, newHeight: newHeight))
        default:
            return nil
        }
    }

    private static func arrayOrNull(_ value: JSONValue) -> [JSONValue]? {
        if case .array(let list) = value { return list }
        return value.isNull ? [] : nil
    }

    private static func objectOrNull(_ value: JSONValue) -> JSONObject? {
        if case .object(let map) = value { return map }
        return value.isNull ? JSONObject([]) : nil
    }
}
