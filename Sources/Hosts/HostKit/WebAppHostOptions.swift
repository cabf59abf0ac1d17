import PoolKernel

/// The web host's own options in `dcrstakepool.conf` (beside the engine's `WebAppOptions` and the plugins'):
/// reCAPTCHA, and the sender address every mail plugin and operator alert uses.
public enum WebAppHostOptions {
    public static let all: [OptionSpec] = [
        OptionSpec("recaptchasecret", .string, default: "", secret: true, help: "reCAPTCHA v2 secret; when set with recaptchasitekey, reCAPTCHA replaces the built-in captcha"),
        OptionSpec("recaptchasitekey", .string, default: "", help: "reCAPTCHA v2 site key"),
        OptionSpec("smtpfrom", .string, default: "", help: "From address for emails"),
    ]

    /// Every option `dcrstakepool.conf` accepts with `plugins` (`--help`, `poolctl config sample`, the loader).
    public static func options(plugins: PoolPlugins) -> [OptionSpec] {
        PoolConfig.options(plugins: plugins, hostOptions: all)
    }
}

extension PoolConfig {
    /// `smtpfrom`: the sender of emails and operator alerts.
    public var mailFrom: String { values.string("smtpfrom") }
}
