/// The outcome of an account operation as the pages show it: error and success flash texts, in order
/// (dcrstakepool's exact wording, webapp spec §3).
public struct AccountMessages: Sendable, Equatable {
    public var errors: [String]
    public var successes: [String]

    public init(errors: [String] = [], successes: [String] = []) {
        self.errors = errors
        self.successes = successes
    }

    public static func error(_ text: String) -> AccountMessages { AccountMessages(errors: [text]) }
    public static func success(_ text: String) -> AccountMessages { AccountMessages(successes: [text]) }
    public var succeeded: Bool { errors.isEmpty && !successes.isEmpty }
}

/// How sign-in ended.
public enum SignInResult: Sendable, Equatable {
    /// Credentials good and email verified: start a (new) session for this user.
    case signedIn(User)
    /// Refused with the flash text (`Invalid Email or Password`, `You must validate your email address`).
    case refused(String)
    /// Too many failed attempts from this IP, or for this account from this IP; the flash text says so.
    case rateLimited(String)
}
