/// What one run of the vspd block handler did (vspd-api.md §8.2): for logs and tests.
public struct VspBlockRunReport: Sendable, Equatable {
    public var ticketsConfirmed = 0
    public var ticketsDeleted = 0
    public var feesBroadcast = 0
    public var feeBroadcastsFailed = 0
    public var feesConfirmed = 0
    /// Broadcast fees the node no longer knew (moved to `error`).
    public var feesLost = 0
    public var outcomes: [String: VspTicketOutcome] = [:]
    /// Tickets the consistency pass added to a wallet that lacked them (all wallets together); nil when the pass
    /// did not run.
    public var walletRepairs: Int?
    /// The node was unreachable: the run stopped there and is tried again.
    public var postponed = false

    public init() {}

    /// The line the handler logs after a run that changed something (nil when nothing happened).
    var summary: String? {
        let parts = [("confirmed", ticketsConfirmed), ("deleted", ticketsDeleted), ("fees broadcast", feesBroadcast),
                     ("broadcasts failed", feeBroadcastsFailed), ("fees confirmed", feesConfirmed), ("fees lost", feesLost),
                     ("outcomes", outcomes.count), ("wallet repairs", walletRepairs ?? 0)]
            .filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// The node could not be reached: the run stops where it is and is tried again later (vspd-api.md §8.2).
struct VspRunPostponed: Error {
    let cause: any Error
}

extension VspNodeBackend {
    /// Runs a node call, turning "unreachable" into `VspRunPostponed` so the run stops instead of marking
    /// tickets or fees failed.
    func reachable<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as WalletError where error.isUnavailable {
            throw VspRunPostponed(cause: error)
        }
    }
}

extension Error {
    /// dcrd's −5: no such transaction (or block).
    var isNoInformation: Bool { (self as? WalletError)?.rpcCode == WalletRPCCode.noInformation }
}
