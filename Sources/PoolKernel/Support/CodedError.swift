/// What every error type offers: a stable machine-readable code and a one-sentence message.
///
/// There is one error type per concern, not per module (`ConfigError`, `ChainError`, `StorageError`,
/// `WalletPoolError`, `RegistrationError`, …), each with `static let` codes (`ErrorCode` extensions or a nested
/// `Code`), so new codes never break callers. Equality compares codes. An error carries its code and its
/// user-facing message once: the API, the pages and the CLI render `message` (and a refusal's own API fields,
/// as `RegistrationError` has them where the spec words the API differently), never a restated text.
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
