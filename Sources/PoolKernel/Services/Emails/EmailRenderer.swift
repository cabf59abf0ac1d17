import Foundation

/// Renders a `PoolEmail` into a `MailMessage` from operator-editable text templates.
///
/// Templates are `<templateDirectory>/<name>.txt` (names in `PoolEmail.templateName`; the repository ships
/// them under `templates/email/`). A file may start with a `Subject: …` line and an empty line to override the
/// subject; the rest is the body. `{{Name}}` placeholders (`BaseURL`, `IP`, `Link`, `Token`, `OldEmail`,
/// `NewEmail`) are replaced in one pass — inserted values are never expanded again — and unknown placeholders
/// are left as they are. A missing, unreadable, over-long or non-UTF-8 file falls back to the built-in text
/// (dcrstakepool's exact wording), with a warning for anything but "missing".
/// Files are read on every render, so edits apply without a restart.
public struct EmailRenderer: Sendable {
    public struct Configuration: Sendable {
        /// `baseurl`: the origin of every link, no trailing slash (`http://127.0.0.1:8000`).
        public var baseURL: String
        /// `smtpfrom`: the From address (may be empty with the log backend).
        public var from: String
        /// Directory of the `*.txt` templates (option `emailtemplates`); `nil` uses only the built-in texts.
        public var templateDirectory: String?

        public init(baseURL: String = "http://127.0.0.1:8000", from: String = "", templateDirectory: String? = "templates/email") {
            self.baseURL = baseURL
            self.from = from
            self.templateDirectory = templateDirectory
        }
    }

    /// Template files larger than this are ignored (fallback to built-in).
    public static let maxTemplateBytes = 64 * 1024

    public let configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The message for `email` to `recipient`, with a fresh Message-ID and `date`.
    public func render(_ email: PoolEmail, to recipient: String, date: Date = Date()) -> MailMessage {
        let template = loadTemplate(named: email.templateName)
        let values = email.variables(baseURL: configuration.baseURL)
        return MailMessage(to: recipient, from: configuration.from,
                           subject: Self.substitute(template.subject, values),
                           body: Self.substitute(template.body, values),
                           messageID: MailMessage.makeMessageID(from: configuration.from), date: date,
                           extraHeaders: [MailHeader("Auto-Submitted", "auto-generated")])
    }

    // MARK: - Templates

    func loadTemplate(named name: String) -> BuiltInEmailTemplates.Template {
        // Every name in PoolEmail has a built-in; a missing one is a programmer error caught by tests.
        guard let builtIn = BuiltInEmailTemplates.template(named: name) else {
            preconditionFailure("no built-in email template \(name)")
        }
        guard let directory = configuration.templateDirectory else { return builtIn }
        let path = (directory as NSString).appendingPathComponent("\(name).txt")
        guard FileManager.default.fileExists(atPath: path) else { return builtIn }
        guard let data = FileManager.default.contents(atPath: path), data.count <= Self.maxTemplateBytes,
              let text = String(data: data, encoding: .utf8) else {
            logger.warn("email template \(path) is unreadable, not UTF-8 or larger than \(Self.maxTemplateBytes) bytes; using the built-in text")
            return builtIn
        }
        return Self.parseTemplate(text, fallbackSubject: builtIn.subject)
    }

    /// Splits an optional leading `Subject: …` line (followed by an empty line) from the body.
    static func parseTemplate(_ text: String, fallbackSubject: String) -> BuiltInEmailTemplates.Template {
        let prefix = "Subject:"
        guard text.hasPrefix(prefix), let lineEnd = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) else {
            return .init(subject: fallbackSubject, body: text)
        }
        let subject = text[text.index(text.startIndex, offsetBy: prefix.count)..<lineEnd]
            .trimmingCharacters(in: .whitespaces)
        var rest = text[text.index(after: lineEnd)...]
        if rest.first == "\n" || rest.first == "\r\n" { rest = rest.dropFirst() }
        return .init(subject: subject.isEmpty ? fallbackSubject : subject, body: String(rest))
    }

    /// Replaces `{{Name}}` with `values[Name]` in one left-to-right pass.
    static func substitute(_ template: String, _ values: [String: String]) -> String {
        var output = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let name = String(afterOpen[..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            if let value = values[name] {
                output += value
            } else {
                output += rest[open.lowerBound..<close.upperBound]
            }
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        return output
    }
}
