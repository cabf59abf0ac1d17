/// How one wallet of the pool looked at the last probe or operation.
public struct WalletCondition: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Not probed yet.
    public static let unknown = WalletCondition(rawValue: "unknown")
    /// Answering, connected to its node, unlocked and synced.
    public static let up = WalletCondition(rawValue: "up")
    /// Unreachable, disconnected, or answering with failures.
    public static let down = WalletCondition(rawValue: "down")
    /// Answering, but its best block is too far behind the others or the chain tip.
    public static let lagging = WalletCondition(rawValue: "lagging")
    /// Answering, but locked.
    public static let locked = WalletCondition(rawValue: "locked")
    /// Answering, but not connected to its node (dcrd).
    public static let noDaemon = WalletCondition(rawValue: "no-daemon")
    /// Answering again after being down: its scripts and tickets are being verified; not usable until they are.
    public static let checking = WalletCondition(rawValue: "checking")
    /// Answering, but missing redeem scripts or tickets the database or the other wallets have: it cannot vote
    /// every user's tickets (future missed votes).
    public static let inconsistent = WalletCondition(rawValue: "inconsistent")

    /// Whether the wallet can take part in operations.
    public var isUsable: Bool { self == .up }
    /// Whether the wallet answered at all (dcrstakepool's `Connected`).
    public var isConnected: Bool {
        self == .up || self == .lagging || self == .locked || self == .noDaemon || self == .checking || self == .inconsistent
    }
}
