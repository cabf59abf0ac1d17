import Synchronization

/// bcrypt for the account service, on a `BoundedWorkQueue` of its own so hashing never starves the server.
///
/// Every sign-in runs exactly one bcrypt verification at the configured cost, also when the email has no
/// account (`verifyOrDummy` checks against a fixed dummy hash), so the answer's timing does not tell whether
/// an account exists. `verifications` counts them (tests check the sign-in path does the same work either way).
public final class PasswordHasher: Sendable {
    public let cost: Int
    private let work: BoundedWorkQueue
    /// Made on first use (on the queue), so that building a service costs no bcrypt.
    private let dummy = Mutex<String?>(nil)
    private let counter = Atomic<Int>(0)

    /// - Parameter width: most hashes computed at once (`BoundedWorkQueue.defaultWidth`).
    public init(cost: Int = BCrypt.defaultCost, width: Int = BoundedWorkQueue.defaultWidth) {
        let cost = BCrypt.costRange.contains(cost) ? cost : BCrypt.defaultCost
        self.cost = cost
        work = BoundedWorkQueue(width: width, label: "hxstakepool.bcrypt")
    }

    /// bcrypt verifications run so far (test hook; counts dummy ones too).
    public var verifications: Int { counter.load(ordering: .relaxed) }
    /// The most hashes or verifications allowed at once.
    public var width: Int { work.width }

    /// A new hash of `password` at `cost`.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await work.run { try BCrypt.hash(password: password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash (no such account) or a malformed one, a verification
    /// against the dummy hash runs instead and the answer is false. Empty passwords never match.
    public func verifyOrDummy(_ password: String, hash: String?) async -> Bool {
        let stored = hash.flatMap { BCrypt.cost(of: $0) != nil ? $0 : nil }
        let matches = await work.run { [self] in
            self.counter.add(1, ordering: .relaxed)
            return BCrypt.verify(password: password, hash: stored ?? self.dummyHash())
        }
        return matches && stored != nil && !password.isEmpty
    }

    /// A hash at `cost` that no password a user types matches. A fixed salt: it only has to cost the same as a
    /// real verification.
    private func dummyHash() -> String {
        dummy.withLock { made in
            if let made { return made }
            let hash = (try? BCrypt.hash(password: "hxstakepool dummy \u{0}", cost: cost,
                                         salt: Array(repeating: 0x5a, count: 16))) ?? ""
            made = hash
            return hash
        }
    }
}
