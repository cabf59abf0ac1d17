import PoolKernel

/// One complete server reply: the three-digit code and the text of each line (without code and separator).
struct SMTPReply: Equatable, Sendable {
    var code: Int
    var lines: [String]

    /// 2xx.
    var isPositive: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (DATA content, AUTH continuation).
    var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx.
    var isTransientFailure: Bool { (400..<500).contains(code) }

    /// The text on one line, for error messages (bounded, printable ASCII only).
    var summary: String {
        let text = "\(code) " + lines.joined(separator: " ")
        let printable = text.unicodeScalars.map { (0x20..<0x7f).contains($0.value) ? Character($0) : "?" }
        return String(printable.prefix(300))
    }
}

/// Splits the bytes a server sends into replies, handling multi-line replies (`250-…` … `250 …`).
///
/// Input limits: a line longer than `maxLineLength` or a reply with more than `maxLines` lines is a
/// protocol error, so a hostile server cannot make us buffer without bound.
struct SMTPReplyParser {
    static let maxLineLength = 4096
    static let maxLines = 128

    private var buffer: [UInt8] = []
    /// Leading bytes of `buffer` known to hold no LF, so a line trickling in byte by byte is scanned once.
    private var scanned = 0
    private var pendingLines: [String] = []
    private var pendingCode: Int?

    /// Adds received bytes.
    mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// True when bytes that are not yet a complete reply are buffered.
    var hasPartialInput: Bool { !buffer.isEmpty || pendingCode != nil }

    /// The next complete reply, `nil` when more input is needed, or a protocol error.
    mutating func nextReply() throws(NotifyError) -> SMTPReply? {
        while let newline = buffer[scanned...].firstIndex(of: 0x0A) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            scanned = 0
            if line.last == 0x0D { line.removeLast() }
            guard line.count <= Self.maxLineLength else { throw Self.protocolError("reply line too long") }
            guard line.count >= 3, let code = Self.code(line) else {
                throw Self.protocolError("malformed reply line")
            }
            let separator = line.count > 3 ? line[3] : 0x20
            guard separator == 0x20 || separator == 0x2D else { throw Self.protocolError("malformed reply line") }
            if let pendingCode, pendingCode != code {
                throw Self.protocolError("reply code changed inside a multi-line reply")
            }
            pendingCode = code
            let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""
            pendingLines.append(text)
            guard pendingLines.count <= Self.maxLines else { throw Self.protocolError("reply has too many lines") }
            if separator == 0x20 {
                let reply = SMTPReply(code: code, lines: pendingLines)
                pendingLines = []
                self.pendingCode = nil
                return reply
            }
        }
        scanned = buffer.count
        guard buffer.count <= Self.maxLineLength else { throw Self.protocolError("reply line too long") }
        return nil
    }

    private static func code(_ line: [UInt8]) -> Int? {
        let digits = line.prefix(3)
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }), (0x32...0x35).contains(digits.first ?? 0) else {
            return nil
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    private static func protocolError(_ what: String) -> NotifyError {
        NotifyError(.mailTemporary, "SMTP protocol error: \(what)")
    }
}
