import Foundation
import PoolKernel

/// The `log` mail plugin: writes each whole message (headers and body, links intact) to the logger at
/// warning level instead of sending it — dcrstakepool's behaviour when `smtphost` is empty, so developers can
/// follow verification links from the log. A message counts as delivered once it is logged.
///
/// It applies the same checks as real transports (`MailMessage.validate()`), so a message that SMTP would
/// refuse is refused here too.
public struct LogNotifier: NotificationBackend {
    public struct Configuration: Sendable {
        /// Used when a message has no From (`smtpfrom`, often empty in development).
        public var from: String

        public init(from: String = "") { self.from = from }
    }

    public let name = "log"
    public let configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration = .init(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws {
        try message.validate()
        let rendered = Self.render(message, defaultFrom: configuration.from).split(separator: "\n", omittingEmptySubsequences: false)
        logger.log(.warn, lines: ["no mail server configured -- skipping sending:"] + rendered.map(String.init))
    }

    /// The message as it would be sent, with `\n` line breaks (a `\r` in a log file only confuses terminals).
    static func render(_ message: MailMessage, defaultFrom: String) -> String {
        var lines = [
            "To: \(message.to)",
            "From: \(message.from.isEmpty ? defaultFrom : message.from)",
            "Subject: \(message.subject)",
            "Message-ID: <\(message.messageID)>",
        ]
        lines += message.extraHeaders.map { "\($0.name): \($0.value)" }
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return lines.joined(separator: "\n") + "\n\n" + body
    }
}


extension LogNotifier {
    /// The name selected by the `mail` option; also the mail plugin when no other claims an empty `mail`.
    public static let pluginName = "log"

    /// Registers `log` (no options of its own; the sender is the web app's `smtpfrom`).
    public static func register(into registry: inout PluginRegistry<any NotificationBackend, PluginContext>) {
        registry.register(pluginName) { context in
            LogNotifier(configuration: .init(from: context.values.string("smtpfrom")), logger: context.logs.logger("MAIL"))
        }
    }
}
