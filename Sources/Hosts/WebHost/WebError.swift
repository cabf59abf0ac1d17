import PoolKernel

/// The web host's error: binding, configuration of the HTTP server, API token problems.
public struct WebError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: WebError, rhs: WebError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    /// `listen` is neither `host:port` nor a Unix socket path.
    public static let badListenAddress: ErrorCode = "bad-listen-address"
    /// socket/bind/listen failed.
    public static let bindFailed: ErrorCode = "bind-failed"
    /// The server was started twice or used after it stopped.
    public static let serverState: ErrorCode = "server-state"
}
