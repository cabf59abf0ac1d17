/// The text forms of IP addresses, read and written without the C library (the kernel imports no Glibc):
/// dotted-decimal IPv4 and RFC 4291 §2.2 IPv6. What is accepted is exactly what glibc's `inet_pton` accepts.
enum IPAddressText {
    /// No accepted text is longer: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` (groups have at most 4 digits).
    static let maximumLength = 45

    /// The 32 bits of `a.b.c.d`: exactly four decimal parts 0-255 without leading zeros (`010` is octal to some
    /// parsers, so it is refused rather than guessed). One pass: client addresses go through here.
    static func ipv4(_ text: ArraySlice<UInt8>) -> UInt32? {
        var address: UInt32 = 0
        var completeParts = 0
        var part = 0
        var digits = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, completeParts < 3 else { return nil }
                address = address << 8 | UInt32(part)
                completeParts += 1
                part = 0
                digits = 0
                continue
            }
            guard isDecimalDigit(byte), digits < 3, digits == 0 || part != 0 else { return nil }
            part = part * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard part <= 255 else { return nil }
        }
        guard digits > 0, completeParts == 3 else { return nil }
        return address << 8 | UInt32(part)
    }

    /// The eight 16-bit groups of an IPv6 address: groups of 1-4 hex digits separated by `:`, at most one `::`
    /// standing for one or more zero groups, and optionally the last 32 bits as dotted IPv4 (`::ffff:192.0.2.1`).
    /// Zone ids (`fe80::1%eth0`), brackets and prefix lengths are refused.
    static func ipv6(_ text: ArraySlice<UInt8>) -> [UInt16]? {
        guard text.count <= maximumLength else { return nil }
        guard let gap = doubleColon(in: text) else {
            guard let words = groups(text, mayEndInIPv4: true), words.count == 8 else { return nil }
            return words
        }
        let tail = text[(gap + 2)...]
        guard doubleColon(in: tail) == nil,
              let before = groups(text[..<gap], mayEndInIPv4: false),
              let after = groups(tail, mayEndInIPv4: true),
              before.count + after.count <= 7 else { return nil }
        return before + Array(repeating: 0, count: 8 - before.count - after.count) + after
    }

    /// RFC 5952 text of eight groups, as glibc's `inet_ntop` writes it: lowercase hex without leading zeros, the
    /// longest run of two or more zero groups (the first of equal runs) as `::`, and an IPv4-compatible address
    /// (`::a.b.c.d`, the first 96 bits zero, the 7th group not) in dotted form.
    static func text(_ words: [UInt16]) -> String {
        var best = (start: 0, count: 0)
        var run = (start: 0, count: 0)
        for (index, word) in words.enumerated() {
            if word != 0 {
                run = (index + 1, 0)
                continue
            }
            run.count += 1
            if run.count > best.count { best = run }
        }
        if best.start == 0 && best.count == 6 {
            return "::\(words[6] >> 8).\(words[6] & 0xFF).\(words[7] >> 8).\(words[7] & 0xFF)"
        }
        let hex = { (range: Range<Int>) in words[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard best.count >= 2 else { return hex(0..<8) }
        return hex(0..<best.start) + "::" + hex(best.start + best.count..<8)
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The index of the first `::`.
    private static func doubleColon(in text: ArraySlice<UInt8>) -> Int? {
        text.indices.dropLast().first { text[$0] == UInt8(ascii: ":") && text[$0 + 1] == UInt8(ascii: ":") }
    }

    /// The groups of `text` (no `::` in it; empty text has none); the last may be dotted IPv4 (two groups).
    private static func groups(_ text: ArraySlice<UInt8>, mayEndInIPv4: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let fields = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var words: [UInt16] = []
        for (index, field) in fields.enumerated() {
            if mayEndInIPv4 && index == fields.count - 1 && field.contains(UInt8(ascii: ".")) {
                guard let v4 = ipv4(field) else { return nil }
                words += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                continue
            }
            guard (1...4).contains(field.count) else { return nil }
            var word: UInt16 = 0
            for byte in field {
                guard let digit = hexValue(byte) else { return nil }
                word = word << 4 | digit
            }
            words.append(word)
        }
        return words
    }
}
