import PoolKernel

/// What the state of every in-memory wallet and node has: whether it was closed, and an injected failure.
public protocol InMemoryBackendState: Sendable {
    var isClosed: Bool { get }
    var failure: WalletError? { get }
}

extension LockedValue where Value: InMemoryBackendState {
    /// Runs one call against the state as the real backends fail: closed first (`walletShutdown`, as a client after
    /// `close()`), then the injected failure, else `body` under the lock.
    func call<T: Sendable>(_ body: (inout Value) throws -> T) throws -> T {
        try withLock { state in
            if state.isClosed { throw WalletError(.walletShutdown, "the client has been shutdown") }
            if let failure = state.failure { throw failure }
            return try body(&state)
        }
    }
}
