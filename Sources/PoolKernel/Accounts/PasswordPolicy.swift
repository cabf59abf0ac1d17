import Foundation

/// What a new password must be (OWASP ASVS 4.0.3 V2.1): at least `minimumLength` characters, at most
/// `maximumBytes` bytes, and not one of the 10,000 most common passwords (`Resources/passwords`, compared in
/// lower case). Checked wherever a password is set: sign-up, settings and the reset link.
public struct PasswordPolicy: Sendable, Equatable {
    /// ASVS V2.1.1 asks for at least 12 characters.
    public static let defaultMinimumLength = 12
    /// `minpasswordlength` above this would refuse every password bcrypt can tell apart (72 bytes).
    public static let maximumMinimumLength = 64
    /// Longer passwords are refused before bcrypt (which reads 72 bytes anyway).
    public static let maximumBytes = 1024

    public var minimumLength: Int

    public init(minimumLength: Int = defaultMinimumLength) {
        self.minimumLength = max(1, minimumLength)
    }

    /// The user-facing reason `password` may not be set, or nil when it may.
    public func problem(with password: String) -> String? {
        if password.isEmpty { return "Password cannot be empty" }
        if password.count < minimumLength { return "Password must be at least \(minimumLength) characters long" }
        if password.utf8.count > Self.maximumBytes { return "Password is too long" }
        if Self.isCommon(password) { return "This password is one of the most common ones; please choose another" }
        return nil
    }

    /// Whether `password` is on the shipped common-password list (case-insensitive).
    public static func isCommon(_ password: String) -> Bool {
        commonPasswords.contains(password.lowercased())
    }

    /// Loaded once; a build without the resource refuses nothing extra rather than failing every sign-up.
    static let commonPasswords: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt", subdirectory: "passwords"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }()
}
