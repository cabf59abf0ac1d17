/// What every module's error type offers: a stable machine-readable code and a one-sentence message.
///
/// Each module has exactly one error struct (`ConfigError`, `ChainError`, `StorageError`, …) with a
/// nested `Code` of `static let` values, so new codes never break callers. Equality compares codes.
/// `description` never contains secrets: messages are written to be shown to operators.
public protocol CodedError: Error, CustomStringConvertible, Sendable {
    /// The stable code, e.g. `unknown-option`.
    var codeName: String { get }
    /// One sentence for humans.
    var message: String { get }
}

extension CodedError {
    public var description: String { message }
}

/// A code: a string wrapper so that modules can add codes without breaking anyone.
public struct ErrorCode: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
}
