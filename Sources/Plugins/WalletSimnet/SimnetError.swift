import PoolKernel

/// A failure reported by the simulated node or wallets, shaped like the JSON-RPC error the real
/// dcrd/dcrwallet would answer with (`rpcCode`, `rpcMessage`; wallet-rpc.md §1.4), or a transport-level
/// condition (`walletDown`) that a client sees as "unavailable".
public struct SimnetError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    /// The JSON-RPC error code the real server would send (0 for transport-level conditions).
    public let rpcCode: Int
    /// The JSON-RPC error message the real server would send.
    public let rpcMessage: String
    public let file: String
    public let line: Int

    public init(_ code: Code, rpcCode: Int, _ rpcMessage: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.rpcCode = rpcCode
        self.rpcMessage = rpcMessage
        self.file = file
        self.line = line
    }

    /// Rendered like the Go client renders RPC errors: `"<code>: <message>"`.
    public var message: String { rpcCode == 0 ? rpcMessage : "\(rpcCode): \(rpcMessage)" }
    public var codeName: String { code.rawValue }
    public static func == (lhs: SimnetError, rhs: SimnetError) -> Bool { lhs.code == rhs.code }

    static func deserialization(_ detail: String) -> SimnetError {
        SimnetError(.simnetDeserialization, rpcCode: -22, "Failed to deserialize transaction: \(detail)")
    }
    static func noInformation() -> SimnetError {
        SimnetError(.simnetNotFound, rpcCode: -5, "No information for transaction")
    }
    static func walletFailure(_ text: String) -> SimnetError { SimnetError(.simnetWalletFailure, rpcCode: -4, text) }
    static func chainInactive() -> SimnetError { SimnetError(.simnetChainInactive, rpcCode: -1, "Chain RPC is inactive") }
    static func rejected(_ txid: SimHash, _ reason: String) -> SimnetError {
        SimnetError(.simnetRejected, rpcCode: -1, "Rejected transaction \(txid): \(reason)")
    }
    static func invalidParameter(_ text: String) -> SimnetError {
        SimnetError(.simnetInvalidParameter, rpcCode: -8, text)
    }
    static func down(_ wallet: Int) -> SimnetError {
        SimnetError(.simnetWalletDown, rpcCode: 0, "simulated wallet \(wallet) is down")
    }
}

extension ErrorCode {
    /// Bad hex or a transaction that does not deserialize (RPC -22).
    public static let simnetDeserialization: ErrorCode = "simnet-deserialization"
    /// Unknown transaction or block (RPC -5).
    public static let simnetNotFound: ErrorCode = "simnet-not-found"
    /// A wallet-side failure (RPC -4): locked, unknown ticket, empty script…
    public static let simnetWalletFailure: ErrorCode = "simnet-wallet-failure"
    /// The wallet has no node connection (RPC -1 `Chain RPC is inactive`).
    public static let simnetChainInactive: ErrorCode = "simnet-chain-inactive"
    /// The node refused a transaction (RPC -1 `Rejected transaction <txid>: <reason>`).
    public static let simnetRejected: ErrorCode = "simnet-rejected"
    /// A parameter is out of range (RPC -8).
    public static let simnetInvalidParameter: ErrorCode = "simnet-invalid-parameter"
    /// The simulated wallet is down: callers must treat it as unreachable, not as failing.
    public static let simnetWalletDown: ErrorCode = "simnet-wallet-down"
}
