/// The emails the pool sends (dcrstakepool v1.1.1, spec §5), each with what its text needs.
///
/// IP addresses and email addresses are inserted as given; the caller has validated them.
public enum PoolEmail: Sendable, Hashable {
    /// After sign-up, to the new user: `<baseurl>/emailverify?t=<token>`. The token never expires.
    case signupVerification(token: String, ip: String)
    /// To the account's address: `<baseurl>/passwordupdate?t=<token>`, valid `tokenLifetime`.
    case passwordReset(token: String, ip: String)
    /// To the NEW address: `<baseurl>/emailupdate?t=<token>`, valid `tokenLifetime`.
    case emailChangeVerification(oldEmail: String, newEmail: String, token: String, ip: String)
    /// To the OLD address: a notice, no link.
    case emailChangeNotice(oldEmail: String, newEmail: String, ip: String)
    /// To the account's address after a password change from Settings: a notice, no link.
    case passwordChanged(ip: String)
    /// To an address that already has a verified account when someone signs up with it again: the page
    /// answers as for a new sign-up (no enumeration); the owner learns to sign in or reset the password.
    case accountExists(ip: String)
    /// To an address whose account still waits for verification when someone signs up with it again: the first
    /// sign-up's link once more, and why the password just typed was not taken (a stranger must not set it).
    case signupRepeated(token: String, ip: String)
    /// To the account's address when it was closed from Settings: what stays (voting of live tickets) and what ends.
    case accountClosed(ip: String)

    /// Lifetime of password-reset and email-change tokens: one hour ("The above link expires an hour after
    /// this email was sent").
    public static let tokenLifetime: Duration = .seconds(3600)

    /// The template file name under the email template directory (`templates/email/<name>.txt`).
    public var templateName: String {
        switch self {
        case .signupVerification: "signup-verification"
        case .passwordReset: "password-reset"
        case .emailChangeVerification: "email-change-new"
        case .emailChangeNotice: "email-change-old"
        case .passwordChanged: "password-changed"
        case .accountExists: "account-exists"
        case .signupRepeated: "signup-repeated"
        case .accountClosed: "account-closed"
        }
    }

    /// Every template name, for tooling and tests.
    public static let allTemplateNames = ["signup-verification", "password-reset", "email-change-new",
                                          "email-change-old", "password-changed", "account-exists",
                                          "signup-repeated", "account-closed"]

    /// The values `{{Name}}` placeholders are replaced with. `Link` is the full URL (empty for notices).
    func variables(baseURL: String) -> [String: String] {
        var values = ["BaseURL": baseURL]
        switch self {
        case let .signupVerification(token, ip):
            values["IP"] = ip
            values["Token"] = token
            values["Link"] = "\(baseURL)/emailverify?t=\(token)"
        case let .passwordReset(token, ip):
            values["IP"] = ip
            values["Token"] = token
            values["Link"] = "\(baseURL)/passwordupdate?t=\(token)"
        case let .emailChangeVerification(oldEmail, newEmail, token, ip):
            values["IP"] = ip
            values["Token"] = token
            values["OldEmail"] = oldEmail
            values["NewEmail"] = newEmail
            values["Link"] = "\(baseURL)/emailupdate?t=\(token)"
        case let .emailChangeNotice(oldEmail, newEmail, ip):
            values["IP"] = ip
            values["OldEmail"] = oldEmail
            values["NewEmail"] = newEmail
        case let .passwordChanged(ip):
            values["IP"] = ip
        case let .accountExists(ip):
            values["IP"] = ip
            values["SignInLink"] = "\(baseURL)/signin"
            values["ResetLink"] = "\(baseURL)/passwordreset"
        case let .signupRepeated(token, ip):
            values["IP"] = ip
            values["Token"] = token
            values["Link"] = "\(baseURL)/emailverify?t=\(token)"
            values["ResetLink"] = "\(baseURL)/passwordreset"
        case let .accountClosed(ip):
            values["IP"] = ip
        }
        return values
    }
}
