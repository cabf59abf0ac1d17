import PoolKernel

extension SMTPNotifier {
    /// The name selected by the `mail` option.
    public static let pluginName = "smtp"

    /// The plugin's options (the sender, `smtpfrom`, is the web app's: every mail plugin uses it).
    public static let options: [OptionSpec] = [
        OptionSpec("smtphost", .string, default: "", help: "SMTP server host:port; empty means emails are written to the log"),
        OptionSpec("smtpusername", .string, default: "", help: "SMTP user name"),
        OptionSpec("smtppassword", .string, default: "", secret: true, help: "SMTP password"),
        OptionSpec("smtptls", .string, default: "starttls", help: "SMTP transport security: starttls (required: no STARTTLS, no mail), opportunistic (STARTTLS when offered, else plain), implicit (port 465) or none"),
        OptionSpec("smtpcafile", .string, default: "", help: "CA file that signs the SMTP server's certificate (default: system store)"),
        OptionSpec("smtpskipverify", .bool, default: "false", help: "Do not verify the SMTP server's certificate (testing only)"),
    ]

    /// Registers `smtp`: chosen when `mail` is empty and `smtphost` is set (dcrstakepool's rule).
    public static func register(into registry: inout PluginRegistry<any NotificationBackend, PluginContext>) {
        registry.register(pluginName, options: options, check: { context, isSelected in
            try check(context.values, isSelected: isSelected)
        }, claimsDefault: { !$0.string("smtphost").isEmpty }) { context in
            try SMTPNotifier(configuration: .init(values: context.values), logger: context.logs.logger("MAIL"))
        }
    }

    /// Each mistake names its option and line; `smtphost` is demanded only when `mail=smtp`.
    static func check(_ v: OptionValues, isSelected: Bool) throws {
        let fail = { (option: String, text: String) in ConfigError(.badValue, OptionChecks.prefix(v.source(option)) + text) }
        let tls = v.string("smtptls").lowercased()
        guard SMTPTLSMode(rawValue: tls) != nil else {
            throw fail("smtptls", "smtptls must be starttls, opportunistic, implicit or none, not \"\(tls)\"")
        }
        let host = v.string("smtphost")
        if isSelected && host.isEmpty { throw ConfigError(.missingOption, "smtphost is not set in config (mail=smtp)") }
        if !host.isEmpty && !OptionChecks.isHostPort(host) { throw fail("smtphost", "smtphost must be host:port, not \"\(host)\"") }
    }
}
