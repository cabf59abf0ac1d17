import Synchronization

/// Every active user's voting preferences, keyed by multisig address (stakepoold.md §5 `userVotingConfig`).
///
/// Reads are lock-protected O(1) look-ups; `reload` replaces the whole map at once (never a partial view).
/// On a storage failure the previous map is kept, as dcrstakepool does.
public final class UserPrefsCache: Sendable {
    private let users = Mutex<[String: VotingUser]>([:])
    private let storage: (any StorageBackend)?
    private let logger: Logger

    /// - Parameter storage: where `reload()` reads from (`StorageReader.votingUsers()`); nil for a fixed cache.
    public init(storage: (any StorageBackend)?, logger: Logger) {
        self.storage = storage
        self.logger = logger
    }

    /// The user owning `multiSigAddress`, or nil.
    public func user(multiSigAddress: String) -> VotingUser? { users.withLock { $0[multiSigAddress] } }

    public var count: Int { users.withLock { $0.count } }

    /// Whether `address` is a known user's multisig address.
    public func isKnown(_ address: String) -> Bool { users.withLock { $0[address] != nil } }

    /// A copy of the whole map (for the disk cache).
    public var snapshot: [String: VotingUser] { users.withLock { $0 } }

    /// Replaces every entry.
    public func replace(with list: [VotingUser]) {
        var map: [String: VotingUser] = [:]
        map.reserveCapacity(list.count)
        for user in list where !user.multiSigAddress.isEmpty { map[user.multiSigAddress] = user }
        users.withLock { $0 = map }
    }

    /// Reloads every user from storage. Returns the number of users, or throws (the old map stays).
    @discardableResult
    public func reload() async throws -> Int {
        guard let storage else { return count }
        let clock = ContinuousClock()
        let start = clock.now
        let list = try await storage.read { try $0.votingUsers() }
        replace(with: list)
        logger.debug("FetchUserVotingConfig: \(clock.now - start), \(list.count) users")
        return list.count
    }
}
