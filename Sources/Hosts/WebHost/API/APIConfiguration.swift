/// The pool facts the API and stats show.
public struct APIConfiguration: Sendable {
    /// Chain params name shown as `Network`: `mainnet`, `testnet2`, `simnet`.
    public var network: String
    /// `poolemail`.
    public var poolEmail: String
    /// `poolfees` (percent).
    public var poolFees: Double
    /// `closepool`: stats say `Closed`; sign-up is refused (address submission is not).
    public var closePool: Bool
    /// The app version shown as `Version`.
    public var version: String

    public init(network: String = "mainnet", poolEmail: String = "admin@example.com", poolFees: Double = 7.5,
                closePool: Bool = false, version: String = "1.1.1") {
        self.network = network
        self.poolEmail = poolEmail
        self.poolFees = poolFees
        self.closePool = closePool
        self.version = version
    }
}
