import Foundation

/// One rendered email, ready for a `NotificationBackend`: everything a transport needs, nothing it must invent.
///
/// The same value is stored in the outbox and handed to the backend on every delivery attempt, so
/// `messageID` and `date` stay stable across retries and restarts (receivers can drop duplicates).
public struct MailMessage: Sendable, Hashable, Codable {
    /// One recipient address (`user@example.com`, no display name).
    public var to: String
    /// The sender address (`smtpfrom`). Empty means "the backend's configured sender".
    public var from: String
    /// The subject as Unicode text; transports encode it (RFC 2047) when it is not ASCII.
    public var subject: String
    /// The body as Unicode text. Line breaks may be `\r\n` or `\n`; transports normalise them.
    public var body: String
    /// The Message-ID without angle brackets (`6f1c…@pool.example.com`).
    public var messageID: String
    /// When the message was created (the `Date:` header).
    public var date: Date
    /// Further headers in order (e.g. `Auto-Submitted: auto-generated`). Names and values must not contain
    /// CR or LF; transports reject messages that break that rule.
    public var extraHeaders: [MailHeader]

    public init(to: String, from: String, subject: String, body: String, messageID: String,
                date: Date = Date(), extraHeaders: [MailHeader] = []) {
        self.to = to
        self.from = from
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
    }

    /// A fresh Message-ID: 16 random bytes as hex, `@` and the domain of `from` (or `localhost`).
    public static func makeMessageID(from sender: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let domain = sender.split(separator: "@").last.map(String.init) ?? ""
        let cleanDomain = domain.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        return "\(random)@\(cleanDomain.isEmpty || !sender.contains("@") ? "localhost" : cleanDomain)"
    }
}

/// One header line of a `MailMessage` (name without the colon).
public struct MailHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
