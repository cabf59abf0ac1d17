/// Why a `NotificationBackend` could not deliver a message. Equality compares codes.
///
/// The code decides what happens next (see `isTemporary`); `replyCode` carries the SMTP server's
/// three-digit reply code when there was one. Messages never contain passwords.
public struct NotifyError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    /// The server's reply code (e.g. 451, 550, 535), if the failure came from a reply.
    public let replyCode: Int?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, replyCode: Int? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
        self.file = file
        self.line = line
    }

    /// True when trying again later may succeed (`.mailTemporary`); everything else is permanent.
    public var isTemporary: Bool { code == .mailTemporary }

    public var codeName: String { code.rawValue }
    public static func == (lhs: NotifyError, rhs: NotifyError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    /// Delivery may succeed later: network error, timeout, 4xx reply.
    public static let mailTemporary: ErrorCode = "mail-temporary"
    /// Delivery will not succeed by retrying: 5xx reply, authentication refused, TLS required but unavailable.
    public static let mailPermanent: ErrorCode = "mail-permanent"
    /// The message itself is unusable: CR/LF in a header, malformed address.
    public static let mailInvalidMessage: ErrorCode = "mail-invalid-message"
}
