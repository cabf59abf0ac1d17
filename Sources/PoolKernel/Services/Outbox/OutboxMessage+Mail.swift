import Foundation

extension OutboxMessage {
    /// A queued outbox row for a rendered message (to enqueue in the transaction that caused it):
    /// ```swift
    /// let mail = renderer.render(.signupVerification(token: token, ip: ip), to: email)
    /// try await storage.write { tx in
    ///     _ = try tx.insertUser(user)
    ///     _ = try tx.enqueueMail(OutboxMessage(queuing: mail))
    /// }
    /// ```
    /// The Message-ID and the date (`createdAt`) are kept, so every delivery attempt sends the same message.
    /// The sender is not stored: the mail backend's configured `smtpfrom` is used when it is sent.
    public init(queuing mail: MailMessage) {
        let created = Int64(mail.date.timeIntervalSince1970.rounded(.down))
        self.init(to: mail.to, subject: mail.subject, body: mail.body, messageID: mail.messageID,
                  nextAttemptAt: created, createdAt: created)
    }

    /// The message a backend sends for this row: same Message-ID and date on every attempt; From left empty
    /// so the backend uses its configured sender.
    public var mailMessage: MailMessage {
        MailMessage(to: to, from: "", subject: subject, body: body, messageID: messageID,
                    date: Date(timeIntervalSince1970: TimeInterval(createdAt)),
                    extraHeaders: [MailHeader("Auto-Submitted", "auto-generated")])
    }
}
