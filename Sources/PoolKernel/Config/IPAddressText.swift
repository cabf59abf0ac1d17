/// The text forms of IP addresses, read and written without the C library (the kernel imports no Glibc):
/// dotted-decimal IPv4 and RFC 4291 §2.2 IPv6. What is accepted is exactly what glibc's `inet_pton` accepts.
enum IPAddressText {
    /// No accepted text is longer: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` (groups have at most 4 digits).
    static let maximumLength = 45

    /// The four bytes of `a.b.c.d`: exactly four decimal parts 0-255 without leading zeros (`010` is octal to some
    /// parsers, so it is refused rather than guessed).
    static func ipv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count <= maximumLength else { return nil }
        let parts = text.split(separator: UInt8(ascii: "."), maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(isDecimalDigit),
                  part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard value <= 255 else { return nil }
            bytes.append(UInt8(value))
        }
        return bytes
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
                guard let bytes = ipv4(field) else { return nil }
                words += [UInt16(bytes[0]) << 8 | UInt16(bytes[1]), UInt16(bytes[2]) << 8 | UInt16(bytes[3])]
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
