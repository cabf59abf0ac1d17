/// A wallet-pool failure: the wallets could not be asked, did not agree, or the pool is stopped.
///
/// Messages follow dcrstakepool's wording where it has one (wallet-rpc.md §3.2, webapp.md §6.5, §10.1), so
/// logs read the same; `walletIndex` names the wallet when one is to blame. Never contains secrets.
public struct WalletPoolError: CodedError, Equatable {
    /// Wallet-pool error codes (nested so other modules' codes never clash).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The pool shut down after a failed or inconsistent result and stays down (dcrstakepool's "RPC stop").
        public static let stopped = Code(rawValue: "wallet-pool-stopped")
        /// Fewer wallets answered than `minservers`.
        public static let belowMinServers = Code(rawValue: "below-min-servers")
        /// Wallets answered differently (pubkey, redeem script, live count, error, vote version, script set).
        public static let inconsistent = Code(rawValue: "wallets-inconsistent")
        /// A wallet answered with a failure (not unavailability); `underlying` holds it.
        public static let walletFailed = Code(rawValue: "wallet-failed")
        /// A wallet is unreachable or disconnected while the operation needs every wallet.
        public static let walletUnavailable = Code(rawValue: "wallet-unavailable")
        /// A wallet reports that its node (dcrd) is not connected.
        public static let notConnectedToDaemon = Code(rawValue: "wallet-no-daemon")
        /// A wallet is locked.
        public static let locked = Code(rawValue: "wallet-locked")
        /// A wallet's best block is too far behind the others or the chain tip.
        public static let lagging = Code(rawValue: "wallet-lagging")
        /// No wallet answered `getbestblock`.
        public static let noBestBlock = Code(rawValue: "no-best-block")
        /// A ticket transaction could not be fetched from any wallet during a sync.
        public static let transactionNotFound = Code(rawValue: "transaction-not-found")
    }

    public let code: Code
    public let message: String
    /// The wallet (index in `wallethosts`) the error is about, when there is one.
    public let walletIndex: Int?
    /// The wallet's own error, when the pool passes one on.
    public let underlying: WalletError?

    public init(_ code: Code, _ message: String, walletIndex: Int? = nil, underlying: WalletError? = nil) {
        self.code = code
        self.message = message
        self.walletIndex = walletIndex
        self.underlying = underlying
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: WalletPoolError, rhs: WalletPoolError) -> Bool { lhs.code == rhs.code }

    static func belowMin(available: Int, minimum: Int) -> WalletPoolError {
        WalletPoolError(.belowMinServers,
                        "not processing command; \(available) servers avail is below min of \(minimum)")
    }
}
