/// A failure talking to a voting wallet or its node (dcrwallet / dcrd / a simulation of them).
///
/// Two families matter to callers (wallet-rpc.md §1.4):
/// - the server **answered with a failure**: code `wallet-rpc`, `rpcCode`/`rpcMessage` set, and `message`
///   rendered exactly like the Go client (`"<code>: <message>"`, e.g. `-5: No information for transaction`),
///   which stakepoold's prefix matching relies on;
/// - the wallet is **unavailable** (`isUnavailable`): disconnected, shut down, unreachable, timed out.
/// Everything else (bad reply, auth, TLS) is its own code. Messages never contain passwords.
public struct WalletError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    /// The JSON-RPC error code when the server answered with an error object.
    public let rpcCode: Int?
    /// The JSON-RPC error message when the server answered with an error object.
    public let rpcMessage: String?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.rpcCode = nil
        self.rpcMessage = nil
        self.file = file
        self.line = line
    }

    /// An error object returned by the server: `{"code": rpcCode, "message": rpcMessage}`.
    public static func rpc(code rpcCode: Int, message rpcMessage: String,
                           file: String = #fileID, line: Int = #line) -> WalletError {
        WalletError(rpcCode: rpcCode, rpcMessage: rpcMessage, file: file, line: line)
    }

    private init(rpcCode: Int, rpcMessage: String, file: String, line: Int) {
        self.code = .walletRPC
        self.message = "\(rpcCode): \(rpcMessage)"
        self.rpcCode = rpcCode
        self.rpcMessage = rpcMessage
        self.file = file
        self.line = line
    }

    public var codeName: String { code.rawValue }

    /// True when the wallet could not be reached or dropped the call (spec: `ErrClientDisconnect` /
    /// `ErrClientShutdown`): callers treat the wallet as absent for this operation, not as failing.
    public var isUnavailable: Bool {
        code == .walletDisconnected || code == .walletShutdown || code == .walletUnreachable
            || code == .walletTimeout
    }

    public static func == (lhs: WalletError, rhs: WalletError) -> Bool {
        lhs.code == rhs.code && lhs.rpcCode == rhs.rpcCode
    }
}

extension ErrorCode {
    /// The server answered with a JSON-RPC error object (see `WalletError.rpcCode`).
    public static let walletRPC: ErrorCode = "wallet-rpc"
    /// The connection dropped while the call was pending.
    public static let walletDisconnected: ErrorCode = "wallet-disconnected"
    /// The client was shut down (closed, or gave up reconnecting); no call can succeed any more.
    public static let walletShutdown: ErrorCode = "wallet-shutdown"
    /// The server could not be reached (connect refused, DNS, connect timeout).
    public static let walletUnreachable: ErrorCode = "wallet-unreachable"
    /// No reply within the call's timeout.
    public static let walletTimeout: ErrorCode = "wallet-timeout"
    /// The server rejected the credentials (HTTP 401/403 on the upgrade).
    public static let walletAuth: ErrorCode = "wallet-auth"
    /// TLS failed: certificate not trusted, host name mismatch, protocol error.
    public static let walletTLS: ErrorCode = "wallet-tls"
    /// The reply could not be understood (malformed JSON, missing or mistyped fields).
    public static let walletBadResponse: ErrorCode = "wallet-bad-response"
    /// The caller passed an argument the wallet port cannot send (e.g. a non-hex string).
    public static let walletBadArgument: ErrorCode = "wallet-bad-argument"
}

/// JSON-RPC error codes that appear on the wire (wallet-rpc.md §1.4).
public enum WalletRPCCode {
    public static let generic = -1
    public static let wallet = -4
    public static let noInformation = -5
    public static let invalidParameter = -8
    public static let unlockNeeded = -13
    public static let wrongPassphrase = -14
    public static let deserialization = -22
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    public static let parseError = -32700
}
