import PoolKernel

/// A failure of stakepoold's control API (server or client). Messages never contain the auth token.
public struct ControlError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: ControlError, rhs: ControlError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    /// A request or response broke the wire format or a size limit.
    public static let controlBadMessage: ErrorCode = "control-bad-message"
    /// The server answered with a non-2xx status.
    public static let controlStatus: ErrorCode = "control-status"
    /// The server refused the bearer token (401): `stakepooldtoken` differs from the daemon's `controltoken`.
    public static let controlUnauthorized: ErrorCode = "control-unauthorized"
    /// The server's API version is not compatible (major 3, ≥ 3.0.0).
    public static let controlIncompatible: ErrorCode = "control-incompatible"
    /// The server could not be reached, or the connection failed (wraps a `NetError`).
    public static let controlUnavailable: ErrorCode = "control-unavailable"
}
