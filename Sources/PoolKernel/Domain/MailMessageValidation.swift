/// Checks every backend applies before sending, so that a message that would inject headers or SMTP
/// commands is refused the same way by every plugin (`.mailInvalidMessage`), never repaired.
extension MailMessage {
    public static let maxAddressLength = 254
    public static let maxSubjectBytes = 998

    /// Throws `.mailInvalidMessage` when `to`, `from` (if not empty), the subject, the Message-ID or an extra
    /// header is unusable: CR, LF or NUL anywhere in a header, an address that is not a bare `local@domain`.
    public func validate() throws(NotifyError) {
        try Self.validateAddress(to, role: "recipient")
        if !from.isEmpty { try Self.validateAddress(from, role: "sender") }
        try Self.validateHeaderValue(subject, name: "Subject")
        guard subject.utf8.count <= Self.maxSubjectBytes else {
            throw NotifyError(.mailInvalidMessage, "subject is longer than \(Self.maxSubjectBytes) bytes")
        }
        try Self.validateMessageID(messageID)
        for header in extraHeaders {
            try Self.validateHeaderName(header.name)
            try Self.validateHeaderValue(header.value, name: header.name)
        }
    }

    /// A bare `local@domain`: printable ASCII without spaces, brackets, quotes or separators.
    public static func validateAddress(_ address: String, role: String) throws(NotifyError) {
        let forbidden = Set("<>()[],;:\\\"".unicodeScalars.map(\.value))
        guard !address.isEmpty, address.utf8.count <= maxAddressLength,
              address.unicodeScalars.allSatisfy({ (0x21..<0x7f).contains($0.value) && !forbidden.contains($0.value) }) else {
            throw NotifyError(.mailInvalidMessage, "invalid \(role) address (control, space or special character)")
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw NotifyError(.mailInvalidMessage, "invalid \(role) address (expected local@domain)")
        }
    }

    static func validateHeaderValue(_ value: String, name: String) throws(NotifyError) {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw NotifyError(.mailInvalidMessage, "header \(name) contains CR, LF or NUL (header injection refused)")
        }
    }

    /// Extra header names: printable ASCII without `:`; never one the transport writes itself.
    static func validateHeaderName(_ name: String) throws(NotifyError) {
        let ok = !name.isEmpty && name.utf8.count <= 76
            && name.unicodeScalars.allSatisfy { (0x21..<0x7f).contains($0.value) && $0 != ":" }
        if !ok { throw NotifyError(.mailInvalidMessage, "invalid header name") }
        let reserved: Set = ["date", "from", "to", "subject", "message-id", "mime-version", "content-type",
                             "content-transfer-encoding", "cc", "bcc", "sender", "reply-to"]
        if reserved.contains(name.lowercased()) {
            throw NotifyError(.mailInvalidMessage, "extra header \(name) would duplicate a header the transport writes")
        }
    }

    static func validateMessageID(_ id: String) throws(NotifyError) {
        let forbidden = Set("<>\\\"()[],;: ".unicodeScalars.map(\.value))
        let parts = id.split(separator: "@", omittingEmptySubsequences: false)
        let ok = id.utf8.count <= 250 && parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && id.unicodeScalars.allSatisfy { (0x21..<0x7f).contains($0.value) && !forbidden.contains($0.value) }
        if !ok { throw NotifyError(.mailInvalidMessage, "invalid Message-ID") }
    }
}
