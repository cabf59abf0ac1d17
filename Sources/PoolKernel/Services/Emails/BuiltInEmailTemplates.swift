/// The texts dcrstakepool v1.1.1 sends (spec §5), byte for byte including its mix of `\r\n` and `\n`,
/// used when the operator's template file is missing or unreadable.
enum BuiltInEmailTemplates {
    struct Template: Sendable {
        var subject: String
        var body: String
    }

    static func template(named name: String) -> Template? {
        switch name {
        case "signup-verification":
            Template(subject: "Stake pool email verification", body:
                "A request for an account for {{BaseURL}}\r\n" +
                "was made from {{IP}} for this email address.\r\n\n" +
                "If you made this request, follow the link below:\r\n\n" +
                "{{Link}}\r\n\n" +
                "to verify your email address and finalize registration.\r\n\n")
        case "password-reset":
            Template(subject: "Stake pool password reset", body:
                "A request to reset your password was made from IP address: {{IP}}\r\n\n" +
                "If you made this request, follow the link below:\r\n\n" +
                "{{Link}}\r\n\n" +
                "The above link expires an hour after this email was sent.\r\n\n" +
                "If you did not make this request, you may safely ignore this email.\r\n" +
                "However, you may want to look into how this happened.\r\n")
        case "email-change-new":
            Template(subject: "Stake pool email change", body:
                "A request was made to change the email address\r\n" +
                "for a stake pool account at {{BaseURL}}\r\n" +
                "from {{OldEmail}} to {{NewEmail}}\r\n\n" +
                "The request was made from IP address {{IP}}\r\n\n" +
                "If you made this request, follow the link below:\r\n\n" +
                "{{Link}}\r\n\n" +
                "The above link expires an hour after this email was sent.\r\n\n" +
                "If you did not make this request, you may safely ignore this email.\r\n" +
                "However, you may want to look into how this happened.\r\n")
        case "email-change-old":
            Template(subject: "Stake pool email change", body:
                "A request was made to change the email address\r\n" +
                "for your stake pool account at {{BaseURL}}\r\n" +
                "from {{OldEmail}} to {{NewEmail}}\r\n\n" +
                "The request was made from IP address {{IP}}\r\n\n" +
                "If you did not make this request, please contact the \r\n" +
                "stake pool administrator immediately.\r\n")
        case "password-changed":
            Template(subject: "Stake pool password change", body:
                "Your stake pool password for {{BaseURL}}\r\n" +
                "was just changed by IP Address {{IP}}\r\n\n" +
                "If you did not make this request, please contact the \r\n" +
                "stake pool administrator immediately.\r\n")
        case "account-exists":
            // Ours (v1.1.1 sent nothing): someone signed up again with an address that has an account.
            Template(subject: "Stake pool sign-up: you already have an account", body:
                "Someone, probably you, asked from IP address {{IP}} to sign up at {{BaseURL}}\n" +
                "with this email address. You already have an account there, so no new one was made.\n\n" +
                "Sign in:\n\n{{SignInLink}}\n\n" +
                "Forgot your password? Ask for a reset link:\n\n{{ResetLink}}\n\n" +
                "If you did not make this request, you may safely ignore this email.\n")
        case "signup-repeated":
            // Ours: a second sign-up for an address still waiting for verification. The password typed the second
            // time is not taken, or a stranger could set the password of an account its owner is about to verify.
            Template(subject: "Stake pool email verification", body:
                "Someone, probably you, asked from IP address {{IP}} to sign up at {{BaseURL}}\n" +
                "again with this email address. Your account is waiting for this address to be verified:\n\n" +
                "{{Link}}\n\n" +
                "Its password is the one chosen at the first sign-up, not one typed since.\n" +
                "If you no longer know it, verify with the link above, then ask for a reset link:\n\n" +
                "{{ResetLink}}\n\n" +
                "If you did not make this request, you may safely ignore this email.\n")
        case "account-closed":
            // Ours: the confirmation of closing an account from Settings.
            Template(subject: "Stake pool account closed", body:
                "Your stake pool account at {{BaseURL}} was closed from IP address {{IP}}.\n\n" +
                "You can no longer sign in, and your API token no longer works. Tickets of yours that can\n" +
                "still vote are voted by the pool with your last voting preferences; once none can, your\n" +
                "email address is erased.\n\n" +
                "If you did not do this, please contact the stake pool administrator immediately.\n")
        default:
            nil
        }
    }
}
