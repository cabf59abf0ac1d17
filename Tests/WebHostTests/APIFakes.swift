import Foundation
import PoolKernel
import PoolTestKit
@testable import WebHost

/// A wallet pool whose state the test sets.
final class FakeWalletPool: WalletPoolReporting {
    struct State {
        var stopped = false
        var stakeInfo: StakeInfo? = StakeInfo()
        var slots: [WalletSlotStatus] = []
        var stakeInfoCalls = 0
        /// What `lastProbedWalletStatuses()` answers (a monitor's last probe round).
        var probed: ProbedWalletStatuses? = nil
        /// `walletStatuses()` calls (each a probe round on a real pool).
        var probeCalls = 0
    }
    let state = LockedValue(State())
    var isStopped: Bool { state.value.stopped }

    func stakeInfo() async throws -> StakeInfo {
        let info = state.withLock { state -> StakeInfo? in
            state.stakeInfoCalls += 1
            return state.stakeInfo
        }
        guard let info else { throw WalletPoolError(.walletUnavailable, "no stake info scripted") }
        return info
    }

    func walletStatuses() async -> [WalletSlotStatus] {
        state.withLock { state in
            state.probeCalls += 1
            return state.slots
        }
    }

    func lastProbedWalletStatuses() -> ProbedWalletStatuses? { state.value.probed }
}

/// A registrar that records calls and either fails with a scripted error or stores fixed results.
final class FakeRegistrar: AddressRegistering {
    let storage: InMemoryStorage
    let failure = LockedValue<(any Error & Sendable)?>(nil)
    let calls = LockedValue<[(UserId, String)]>([])

    init(storage: InMemoryStorage) { self.storage = storage }

    func register(userID: UserId, pubKeyAddress: String) async throws -> User {
        calls.withLock { $0.append((userID, pubKeyAddress)) }
        if let failure = failure.value { throw failure }
        return try await storage.updateUser(id: userID) { user in
            user.userPubKeyAddr = pubKeyAddress
            user.multiSigAddress = "Tcbvn2hiEAXBDwUPDLDG2SxF9iANMKhdVev"
        }
    }
}

/// Reads go to the wrapped store; writes fail while `failWrites` is set.
final class WriteFailingStorage: StorageBackend {
    let inner: InMemoryStorage
    let failWrites = LockedValue(false)
    var engineName: String { inner.engineName }

    init(_ inner: InMemoryStorage) { self.inner = inner }
    func migrate() async throws { try await inner.migrate() }
    func schemaStatus() async throws -> SchemaStatus { try await inner.schemaStatus() }
    func read<T: Sendable>(_ body: @escaping @Sendable (any StorageReader) throws -> T) async throws -> T {
        try await inner.read(body)
    }
    func write<T: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> T) async throws -> T {
        if failWrites.value { throw StorageError(.unavailable, "injected write failure") }
        return try await inner.write(body)
    }
    func shutdown() async { await inner.shutdown() }
}
