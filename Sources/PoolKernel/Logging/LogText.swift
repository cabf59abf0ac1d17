/// Makes text safe to put in a log line: whatever a client sends (an address, an email, a header, a path),
/// it can neither end the line and forge another entry nor steer a terminal.
///
/// Escaped: the C0 and C1 control characters and DEL (`\n`, `\r`, `\t` by name, others as `\x1b`), the Unicode
/// line and paragraph separators and the bidirectional overrides (as `\u{202E}`). A backslash is kept as it is
/// (paths and patterns stay readable), so a literal `\n` typed by a client reads the same as an escaped newline
/// but can never start a new line.
public enum LogText {
    public static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 >= 0xC2 }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out.append(contentsOf: "\\n".unicodeScalars)
            case 0x0D: out.append(contentsOf: "\\r".unicodeScalars)
            case 0x09: out.append(contentsOf: "\\t".unicodeScalars)
            case 0x00..<0x20, 0x7F..<0xA0:
                out.append(contentsOf: ("\\x" + hex(scalar.value, width: 2)).unicodeScalars)
            case 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                out.append(contentsOf: "\\u{\(hex(scalar.value, width: 4))}".unicodeScalars)
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// An email address for a log line without the person's name in it: `u***@example.com`.
    public static func redactedEmail(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), at > email.startIndex else { return "***" }
        return "\(email[email.startIndex])***\(email[at...])"
    }

    /// `text` with every email address in it redacted as by `redactedEmail` (an SMTP reply often repeats the
    /// recipient: `550 5.1.1 <user@example.com>: Recipient address rejected`).
    public static func redactingEmails(_ text: String) -> String {
        guard text.contains("@") else { return text }
        let local = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+-/=?^_`{|}~")
        let domain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
        var characters = Array(text)
        var index = 0
        while index < characters.count {
            guard characters[index] == "@" else { index += 1; continue }
            var start = index
            while start > 0 && local.contains(characters[start - 1]) { start -= 1 }
            var end = index + 1
            while end < characters.count && domain.contains(characters[end]) { end += 1 }
            guard start < index, end > index + 1 else { index += 1; continue }
            let replacement = Array("\(characters[start])***")
            characters.replaceSubrange(start..<index, with: replacement)
            index = start + replacement.count + 1
        }
        return String(characters)
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
