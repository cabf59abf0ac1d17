import Foundation

/// The last result of talking to each peer daemon (the web app's stakepoold control clients): written by the
/// code that calls them, read by `/health` and `/metrics`. No I/O of its own.
public final class PeerReachability: Sendable {
    public struct Peer: Sendable, Equatable {
        public var name: String
        /// nil before the first call.
        public var reachable: Bool?
        /// The last call was refused for its credentials (HTTP 401/403: a wrong `stakepooldtoken`).
        public var authFailed: Bool
        public var authFailures: Int
        public var failures: Int
        public var lastError: String
        public var lastAttempt: Date?
    }

    private let peers: LockedValue<[Peer]>
    let clock: @Sendable () -> Date

    public init(names: [String], clock: @escaping @Sendable () -> Date = { Date() }) {
        peers = LockedValue(names.map { Peer(name: $0, reachable: nil, authFailed: false, authFailures: 0, failures: 0,
                                             lastError: "", lastAttempt: nil) })
        self.clock = clock
    }

    public var snapshot: [Peer] { peers.value }

    /// Records a call to peer `index`: nil error is success; `authRefused` marks a credentials refusal.
    public func record(_ index: Int, error: String?, authRefused: Bool = false) {
        let now = clock()
        peers.withLock { peers in
            guard peers.indices.contains(index) else { return }
            peers[index].lastAttempt = now
            peers[index].reachable = error == nil || authRefused
            peers[index].authFailed = authRefused
            peers[index].lastError = error ?? ""
            if error != nil { peers[index].failures += 1 }
            if authRefused { peers[index].authFailures += 1 }
        }
    }
}
