import PoolKernel
import PoolNet

extension WalletWire {
    /// The registration methods for the four notification kinds, in stakepoold's startup order.
    public static let registrationMethods = ["notifyblocks", "notifywinningtickets", "notifynewtickets",
                                             "notifyspentandmissedtickets"]

    /// Which notifications each registration enables (for servers).
    public static let notificationsByRegistration: [String: [String]] = [
        "notifyblocks": ["blockconnected", "blockdisconnected"],
        "notifywinningtickets": ["winningtickets"],
        "notifynewtickets": ["newtickets"],
        "notifyspentandmissedtickets": ["spentandmissedtickets"],
    ]

    /// Parses a notification as strictly as dcrrpcclient (§1.6): wrong param count or types → nil
    /// (the caller drops it with a warning). `blockdisconnected` and unknown methods → nil as well.
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
                  case .object(let map) = params[2] else { return nil }
            var indexed: [(Int, String)] = []
            for (key, value) in map.entries {
                guard let index = Int(key), let ticket = value.stringValue else { return nil }
                indexed.append((index, ticket))
            }
            let tickets = indexed.sorted { $0.0 < $1.0 }.map(\.1)
            return .winningTickets(WinningTickets(blockHash: hash, blockHeight: height, tickets: tickets))
        case "spentandmissedtickets":
            guard params.count == 4, let hash = params[0].stringValue, let height = params[1].intValue,
                  let difficulty = params[2].intValue, case .object(let map) = params[3] else { return nil }
            var tickets: [(ticket: String, spent: Bool)] = []
            for (ticket, status) in map.entries {
                guard let text = status.stringValue else { return nil }
                tickets.append((ticket, text == "spent")) // anything else counts as missed, like the Go client
            }
            return .spentAndMissedTickets(SpentAndMissedTickets(blockHash: hash, blockHeight: height,
                                                                stakeDifficulty: difficulty, tickets: tickets))
        case "newtickets":
            guard params.count == 4, let hash = params[0].stringValue, let height = params[1].intValue,
                  let difficulty = params[2].intValue, case .array(let list) = params[3] else { return nil }
            var tickets: [String] = []
            for entry in list {
                guard let ticket = entry.stringValue else { return nil }
                tickets.append(ticket)
            }
            return .newTickets(NewTickets(blockHash: hash, blockHeight: height, stakeDifficulty: difficulty, tickets: tickets))
        default:
            return nil
        }
    }

    /// The wire method and params of a notification (what dcrd sends).
    public static func params(of notification: ChainNotification) -> (method: String, params: [JSONValue]) {
        switch notification {
        case .blockConnected(let block):
            let transactions: JSONValue = block.transactions.isEmpty ? .null : .array(block.transactions.map(JSONValue.string))
            return ("blockconnected", [.string(block.headerHex), transactions])
        case .winningTickets(let winners):
            let map = JSONObject(winners.tickets.enumerated().map { (String($0.offset), JSONValue.string($0.element)) })
            return ("winningtickets", [.string(winners.blockHash), .int(winners.blockHeight), .object(map)])
        case .spentAndMissedTickets(let spent):
            let map = JSONObject(spent.tickets.map { ($0.ticket, JSONValue.string($0.spent ? "spent" : "missed")) })
            return ("spentandmissedtickets", [.string(spent.blockHash), .int(spent.blockHeight),
                                              .int(spent.stakeDifficulty), .object(map)])
        case .newTickets(let fresh):
            return ("newtickets", [.string(fresh.blockHash), .int(fresh.blockHeight), .int(fresh.stakeDifficulty),
                                   .array(fresh.tickets.map(JSONValue.string))])
        }
    }
}
