import Foundation
import PoolKernel

/// Turns a `MailMessage` into the RFC 5322 / MIME bytes sent after DATA.
///
/// - Headers: Date, From, To, Subject, Message-ID, MIME-Version, Content-Type (text/plain; UTF-8),
///   Content-Transfer-Encoding (quoted-printable), then the message's extra headers, each line folded to
///   at most 78 characters where it has room to fold.
/// - A subject (or extra header value) that is not plain ASCII becomes RFC 2047 encoded words (`=?UTF-8?B?…?=`).
/// - The body is quoted-printable, so every transmitted line is at most 76 characters (long lines are
///   wrapped with soft line breaks and come out intact after decoding) and only 7-bit bytes travel.
/// - All line breaks are CRLF. Dot-stuffing is not done here; `dataPayload` does it.
/// - CR, LF or NUL in any header, an address that is not a plain `local@domain`, or a bad header name
///   throws `.mailInvalidMessage`: header injection is refused, never repaired.
enum MessageEncoder {
    /// The message as RFC 5322 text with CRLF line breaks (not dot-stuffed, no terminating dot).
    /// `sender` is the From address actually used (the message's, or the configured `smtpfrom`).
    static func encode(_ message: MailMessage, from sender: String) throws(NotifyError) -> [UInt8] {
        try message.validate()
        try MailMessage.validateAddress(sender, role: "sender")

        var lines: [String] = []
        lines.append(contentsOf: header("Date", rfc5322Date(message.date)))
        lines.append(contentsOf: header("From", sender))
        lines.append(contentsOf: header("To", message.to))
        lines.append(contentsOf: header("Subject", message.subject))
        lines.append("Message-ID: <\(message.messageID)>")
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=UTF-8")
        lines.append("Content-Transfer-Encoding: quoted-printable")
        for extra in message.extraHeaders {
            lines.append(contentsOf: header(extra.name, extra.value))
        }
        var text = lines.joined(separator: "\r\n") + "\r\n\r\n"
        text += quotedPrintable(message.body)
        return Array(text.utf8)
    }

    /// The bytes to write after the server's 354: `message` dot-stuffed (a line starting with `.` gets
    /// another `.`), ending with CRLF, then the terminating `.` line.
    static func dataPayload(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + 64)
        var atLineStart = true
        for byte in message {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            atLineStart = byte == 0x0A
        }
        if !(out.suffix(2) == [0x0D, 0x0A]) { out.append(contentsOf: [0x0D, 0x0A]) }
        out.append(contentsOf: Array(".\r\n".utf8))
        return out
    }

    // MARK: - Headers

    /// `Name: value` as folded lines; non-ASCII values become encoded words.
    static func header(_ name: String, _ value: String) -> [String] {
        let needsEncoding = value.unicodeScalars.contains { !(0x20..<0x7f).contains($0.value) && $0 != "\t" }
        if needsEncoding { return encodedWordHeader(name, value) }
        let first = "\(name): \(value)"
        if first.utf8.count <= 78 { return [first] }
        // Fold at spaces: each continuation line starts with the space it was broken at.
        var lines: [String] = []
        var current = "\(name):"
        var isFirstWord = true
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            let piece = " " + word
            if !isFirstWord && !word.isEmpty && current.utf8.count + piece.utf8.count > 78 {
                lines.append(current)
                current = piece
            } else {
                current += piece
            }
            isFirstWord = false
        }
        lines.append(current)
        // A word longer than a line cannot fold; if that still breaks the 998 limit, fall back to encoded words.
        if lines.contains(where: { $0.utf8.count > 998 }) { return encodedWordHeader(name, value) }
        return lines
    }

    /// RFC 2047 `B` encoded words of at most 75 characters, split only between whole characters.
    static func encodedWordHeader(_ name: String, _ value: String) -> [String] {
        let prefix = "=?UTF-8?B?", suffix = "?="
        // 75 - 12 framing characters leaves 63 base64 characters → 45 bytes (multiple of 3 keeps it tight).
        let maxBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxBytes {
                words.append(prefix + Data(chunk).base64EncodedString() + suffix)
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(prefix + Data(chunk).base64EncodedString() + suffix) }
        var lines = ["\(name): \(words[0])"]
        for word in words.dropFirst() { lines.append(" " + word) }
        return lines
    }

    /// `Wed, 25 Nov 2026 12:07:23 +0000`, always UTC, independent of the locale.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d +0000",
                      days[Int(parts.tm_wday)], Int(parts.tm_mday), months[Int(parts.tm_mon)],
                      Int(parts.tm_year) + 1900, Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    // MARK: - Body

    /// Quoted-printable (RFC 2045) of the UTF-8 body. Any of CRLF, LF or a lone CR is a line break and becomes
    /// CRLF; lines are wrapped with `=` soft breaks at 76 characters; the result ends with CRLF.
    static func quotedPrintable(_ body: String) -> String {
        let maxLine = 76
        var output = ""
        let bytes = Array(body.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0, index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D || bytes[index] == 0x0A {
                lines.append(bytes[start..<index])
                if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }

        for line in lines {
            var current = ""
            let count = line.count
            for (offset, byte) in line.enumerated() {
                let isLast = offset == count - 1
                let token: String
                switch byte {
                case 0x21...0x3C, 0x3E...0x7E: token = String(UnicodeScalar(byte))
                case 0x20, 0x09: token = isLast ? hex(byte) : String(UnicodeScalar(byte))
                default: token = hex(byte)
                }
                // Room for the token plus a trailing "=" soft break unless this is the line's last token.
                let limit = isLast ? maxLine : maxLine - 1
                if current.utf8.count + token.utf8.count > limit {
                    output += current + "=\r\n"
                    current = ""
                }
                current += token
            }
            output += current + "\r\n"
        }
        return output
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
