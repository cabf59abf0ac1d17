import PoolKernel

/// What the in-process ports over the simulation share (`SimnetWalletBackend`, `SimnetNodeBackend` and their vsp
/// counterparts): calls into the world under its lock with `SimnetError`s turned into the port's `WalletError`s,
/// refused with `walletShutdown` once closed, and one notification subscription, replaced by a new one and dropped
/// on close.
final class SimnetPortSession: Sendable {
    let simnet: Simnet
    /// "wallet" or "node", for the shutdown message.
    private let client: String
    private let state = LockedValue(State())

    private struct State: Sendable {
        var closed = false
        var subscription: Int?
    }

    init(simnet: Simnet, client: String) {
        self.simnet = simnet
        self.client = client
    }

    func call<T: Sendable>(_ body: (inout SimnetWorld) throws -> T) throws -> T {
        if state.value.closed { throw WalletError(.walletShutdown, "the simulated \(client) client has been shut down") }
        do {
            return try simnet.world.withLock { try body(&$0) }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    /// Delivers every later notification to `handler` (replacing an earlier subscription), once the node answers.
    func subscribe(_ handler: @escaping @Sendable (ChainNotification) -> Void) throws {
        try call { try $0.checkNode() }
        let token = simnet.subscribe(handler)
        let previous = state.withLock { state -> Int? in
            defer { state.subscription = token }
            return state.subscription
        }
        if let previous { simnet.unsubscribe(previous) }
    }

    func close() {
        let token = state.withLock { state -> Int? in
            state.closed = true
            defer { state.subscription = nil }
            return state.subscription
        }
        if let token { simnet.unsubscribe(token) }
    }
}
