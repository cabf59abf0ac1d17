/// A JSON value kept as its bytes (a slice of the message it came in), for replies too large to turn into a
/// `JSONValue` tree: `listscripts` of a million users is ~260 MB of JSON, and its tree would cost twice that again.
/// Read it with `read`, walking it with a `JSONReader`.
public struct RawJSON: Sendable {
    /// The whole message; the value is `bytes[range]` (kept whole so handing it over copies nothing).
    public let bytes: [UInt8]
    public let range: Range<Int>

    public init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.range = range
    }

    /// Runs `body` over a reader positioned at the value; what follows the value must be nothing but space.
    public func read<T>(maxDepth: Int = 64, _ body: (inout JSONReader) throws -> T) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(parser: JSONParser(bytes: UnsafeBufferPointer(rebasing: buffer[range]), maxDepth: maxDepth))
            let result = try body(&reader)
            try reader.finish()
            return result
        }
    }

    /// The value as a tree (small values: an error object, a test's comparison).
    public func value() throws -> JSONValue { try read { try $0.value() } }
}

/// Walks JSON without building it: objects member by member, arrays element by element, strings as they come;
/// what the caller does not want is skipped (its syntax still checked). Malformed input throws `netProtocol` naming
/// the offset, like `JSONValue.parse`.
///
/// ```swift
/// try reader.beginObject()
/// while let key = try reader.nextKey() { key == "name" ? print(try reader.string()) : try reader.skip() }
/// ```
public struct JSONReader {
    var parser: JSONParser
    /// One flag per open object/array: no member read yet (no comma expected).
    private var first: [Bool] = []

    init(parser: JSONParser) { self.parser = parser }

    /// Enters an object (the next value must be one).
    public mutating func beginObject() throws { try open(UInt8(ascii: "{"), "an object") }

    /// The next member's key (the reader is then at its value, which must be read or skipped), or nil after the
    /// object's last member (the object is then left).
    public mutating func nextKey() throws -> String? {
        try nextKey { String(decoding: $0, as: UTF8.self) } // checked as UTF-8 there
    }

    /// Like `nextKey()`, the key handed to `body` as its bytes (escapes decoded, checked as UTF-8) rather than made
    /// a `String`: a reply of 10,000 objects has 50,000 keys.
    public mutating func nextKey<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T? {
        guard try nextItem(closing: UInt8(ascii: "}")) else { return nil }
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
            throw parser.error("expected a key")
        }
        let start = parser.index
        let read = try stringBytes { bytes -> T? in
            guard JSONParser.isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil else { return nil }
            return try body(bytes)
        }
        guard let key = read else {
            parser.index = start
            throw parser.error("invalid UTF-8")
        }
        parser.skipSpace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: ":") else {
            throw parser.error("expected ':'")
        }
        parser.index += 1
        parser.skipSpace()
        return key
    }

    /// Enters an array (the next value must be one).
    public mutating func beginArray() throws { try open(UInt8(ascii: "["), "an array") }

    /// True when the array has another element (the reader is then at it), false after its last (the array is left).
    public mutating func nextElement() throws -> Bool { try nextItem(closing: UInt8(ascii: "]")) }

    /// What the next value is, without reading it.
    public mutating func peekIsObject() throws -> Bool { try peek() == UInt8(ascii: "{") }
    public mutating func peekIsArray() throws -> Bool { try peek() == UInt8(ascii: "[") }
    public mutating func peekIsNull() throws -> Bool { try peek() == UInt8(ascii: "n") }
    public mutating func peekIsString() throws -> Bool { try peek() == UInt8(ascii: "\"") }

    private mutating func peek() throws -> UInt8 {
        parser.skipSpace()
        guard parser.index < parser.bytes.count else { throw parser.error("unexpected end") }
        return parser.bytes[parser.index]
    }

    /// The next value, which must be a string.
    public mutating func string() throws -> String {
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\""),
              case .string(let text) = try parser.parseValue(depth: first.count) else {
            throw parser.error("expected a string")
        }
        return text
    }

    /// Runs `body` over the next value's text, which must be a string, without making a `String` of it (a million
    /// hex scripts): the message's own bytes when the string has no escapes (not checked as UTF-8: `body` checks
    /// what it accepts), its decoded UTF-8 otherwise.
    public mutating func stringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
            throw parser.error("expected a string")
        }
        if let plain = parser.plainString() { return try body(UnsafeBufferPointer(rebasing: parser.bytes[plain])) }
        var text = try string()
        return try text.withUTF8(body)
    }

    /// The next value as a tree.
    public mutating func value() throws -> JSONValue { try parser.parseValue(depth: first.count) }

    /// Skips the next value, checking its syntax.
    public mutating func skip() throws { try parser.skipValue(depth: first.count) }

    /// Only space may follow the value read.
    mutating func finish() throws {
        guard first.isEmpty else { throw parser.error("unexpected end") }
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing characters") }
    }

    private mutating func open(_ byte: UInt8, _ what: String) throws {
        parser.skipSpace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == byte else { throw parser.error("expected \(what)") }
        guard first.count < parser.maxDepth else { throw parser.error("nesting too deep") }
        parser.index += 1
        first.append(true)
    }

    /// Moves past the comma before the next item, or past `closing` (returning false).
    private mutating func nextItem(closing: UInt8) throws -> Bool {
        guard let isFirst = first.last else { throw parser.error("not inside an object or array") }
        parser.skipSpace()
        guard parser.index < parser.bytes.count else { throw parser.error("unexpected end") }
        if parser.bytes[parser.index] == closing {
            parser.index += 1
            first.removeLast()
            return false
        }
        if !isFirst {
            guard parser.bytes[parser.index] == UInt8(ascii: ",") else { throw parser.error("expected ',' or a closing bracket") }
            parser.index += 1
            parser.skipSpace()
        }
        first[first.count - 1] = false
        return true
    }
}

extension JSONParser {
    /// Checks one value's syntax and moves past it, building nothing larger than one key or string at a time.
    mutating func skipValue(depth: Int) throws {
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let closing = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = closing == UInt8(ascii: "}")
            guard depth + 1 <= maxDepth else { throw error("nesting too deep") }
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == closing { index += 1; return }
            while true {
                skipSpace()
                if isObject {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
                    try skipValue(depth: depth + 1) // a string: checked, not built
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    index += 1
                    skipSpace()
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == closing { index += 1; return }
                throw error("expected ',' or a closing bracket")
            }
        case UInt8(ascii: "\""):
            // Without building it (a million skipped fields); still checked as UTF-8, as `parseValue` would.
            guard let plain = plainString() else { _ = try parseValue(depth: depth); return }
            let text = UnsafeBufferPointer(rebasing: bytes[plain])
            if !Self.isASCII(text), String(validating: text, as: UTF8.self) == nil {
                index = plain.lowerBound - 1
                throw error("invalid UTF-8")
            }
        default:
            _ = try parseValue(depth: depth)
        }
    }

    /// Moves past a string without escapes and returns its text's range; nil (not moved) when it has an escape or
    /// does not end. The index is at its opening quote. Eight bytes at a time up to the first byte that may end
    /// the run (a `stakepooluserinfo` reply is ~2 MB of mostly hex, read twice per tickets page).
    mutating func plainString() -> Range<Int>? {
        var end = index + 1
        if let base = bytes.baseAddress {
            while end + 8 <= bytes.count,
                  !Self.mayStopString(UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)) {
                end += 8
            }
        }
        while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "\""):
                defer { index = end + 1 }
                return (index + 1)..<end
            case UInt8(ascii: "\\"), 0..<0x20: return nil
            default: end += 1
            }
        }
        return nil
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether a byte of `word` may be a quote, a backslash or a control character (never false when one is:
    /// the zero-byte test of each, which may also flag a byte next to one; the byte loop then decides).
    static func mayStopString(_ word: UInt64) -> Bool {
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = hasZero(word ^ (ones &* UInt64(UInt8(ascii: "\""))))
        let backslash = hasZero(word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control != 0
    }

    /// True when every byte is below 0x80, eight at a time.
    static func isASCII(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return true }
        var offset = 0, high: UInt64 = 0
        while offset + 8 <= text.count {
            high |= UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            offset += 8
        }
        while offset < text.count {
            high |= UInt64(text[offset])
            offset += 1
        }
        return high & highs == 0
    }
}
