/// One message for the pool operator (`alertemail`): a wallet went down, lags, disagrees, or recovered.
public struct OperatorAlert: Sendable, Equatable {
    /// What happened (stable names, used in subjects and for rate limiting).
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let walletDown = Kind(rawValue: "wallet-down")
        public static let walletLagging = Kind(rawValue: "wallet-lagging")
        public static let walletLocked = Kind(rawValue: "wallet-locked")
        public static let walletNoDaemon = Kind(rawValue: "wallet-no-daemon")
        public static let walletRecovered = Kind(rawValue: "wallet-recovered")
        /// The pool stopped (fail closed) after a failed or inconsistent wallet result.
        public static let poolStopped = Kind(rawValue: "pool-stopped")
        /// The pool resumed after every wallet agreed again (`walletautorecover`).
        public static let poolRecovered = Kind(rawValue: "pool-recovered")
    }

    public var kind: Kind
    /// The wallet concerned, nil for pool-wide alerts.
    public var walletIndex: Int?
    public var subject: String
    public var body: String

    public init(kind: Kind, walletIndex: Int?, subject: String, body: String) {
        self.kind = kind
        self.walletIndex = walletIndex
        self.subject = subject
        self.body = body
    }

    /// Alerts about the same wallet (or about the pool) share one rate limit, so a flapping wallet sends at
    /// most one mail per window whatever the mix of down/up events.
    var rateKey: String { walletIndex.map { "wallet-\($0)" } ?? "pool" }
}
