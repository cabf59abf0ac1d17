import PoolKernel

/// A network or TLS failure in PoolNet. Messages name the peer (host:port) but never credentials.
public struct NetError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    /// The JSON-RPC error code when `code == .netRPC`.
    public let rpcCode: Int?
    /// The JSON-RPC error message when `code == .netRPC`.
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

    /// A JSON-RPC error object from the server, rendered `"<code>: <message>"` like the Go client.
    public static func rpc(code: Int, message: String, file: String = #fileID, line: Int = #line) -> NetError {
        NetError(rpcCode: code, rpcMessage: message, file: file, line: line)
    }

    private init(rpcCode: Int, rpcMessage: String, file: String, line: Int) {
        self.code = .netRPC
        self.message = "\(rpcCode): \(rpcMessage)"
        self.rpcCode = rpcCode
        self.rpcMessage = rpcMessage
        self.file = file
        self.line = line
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: NetError, rhs: NetError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    /// A host:port string could not be parsed.
    public static let netBadAddress: ErrorCode = "net-bad-address"
    /// The host name did not resolve.
    public static let netResolve: ErrorCode = "net-resolve"
    /// Connecting failed (refused, unreachable).
    public static let netConnect: ErrorCode = "net-connect"
    /// A connect, read, write or handshake did not finish before its deadline.
    public static let netTimeout: ErrorCode = "net-timeout"
    /// The connection is closed (by us, or the peer reset it).
    public static let netClosed: ErrorCode = "net-closed"
    /// Another socket error (message has the errno text).
    public static let netIO: ErrorCode = "net-io"
    /// Binding or listening failed.
    public static let netListen: ErrorCode = "net-listen"
    /// The peer's certificate is not trusted by the configured CA / certificate file.
    public static let netTLSUntrusted: ErrorCode = "net-tls-untrusted"
    /// The peer's certificate does not name the host we connected to.
    public static let netTLSHostMismatch: ErrorCode = "net-tls-host-mismatch"
    /// Any other TLS failure (protocol version, handshake, bad record).
    public static let netTLS: ErrorCode = "net-tls"
    /// A certificate or key file could not be read, parsed or written.
    public static let netCertificate: ErrorCode = "net-certificate"
    /// The peer broke the protocol spoken over the connection (HTTP, websocket, JSON-RPC).
    public static let netProtocol: ErrorCode = "net-protocol"
    /// The server rejected our credentials (HTTP 401/403 on the websocket upgrade).
    public static let netAuth: ErrorCode = "net-auth"
    /// The server answered a JSON-RPC call with an error object (`NetError.rpcCode`/`rpcMessage`).
    public static let netRPC: ErrorCode = "net-rpc"
    /// The connection dropped while a call was pending.
    public static let netDisconnected: ErrorCode = "net-disconnected"
    /// The client was shut down (closed, or it does not reconnect); calls fail immediately.
    public static let netShutdown: ErrorCode = "net-shutdown"
    /// A peer message exceeded a configured size limit.
    public static let netTooLarge: ErrorCode = "net-too-large"
}
