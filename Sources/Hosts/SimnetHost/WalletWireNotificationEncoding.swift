import PoolKernel
import PoolNet
import WalletDcrwallet

/// The server side of the notifications: what the simulated dcrd sends (the client decodes them with
/// `WalletWire.notification(method:params:)` in the dcrwallet plugin).
extension WalletWire {
    /// Which notifications each registration enables.
    public static let notificationsByRegistration: [String: [String]] = [
        "notifyblocks": ["blockconnected", "blockdisconnected", "reorganization"],
        "notifywinningtickets": ["winningtickets"],
        "notifynewtickets": ["newtickets"],
        "notifyspentandmissedtickets": ["spentandmissedtickets"],
    ]

    /// The wire method and params of a notification, as dcrd v1.1.0 marshals them: an empty `newtickets` list
    /// and an empty `blockconnected` transaction list are `null` (nil Go slices); the ticket maps of
    /// `winningtickets` and `spentandmissedtickets` are made with `make` and stay `{}` when empty.
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
            let tickets: JSONValue = fresh.tickets.isEmpty ? .null : .array(fresh.tickets.map(JSONValue.string))
            return ("newtickets", [.string(fresh.blockHash), .int(fresh.blockHeight), .int(fresh.stakeDifficulty), tickets])
        case .reorganization(let change):
            return ("reorganization", [.string(change.oldHash), .int(change.oldHeight), .string(change.newHash),
                                       .int(change.newHeight)])
        }
    }
}
