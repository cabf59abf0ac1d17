import Foundation

// MARK: - Encoding

extension JSONValue {
    /// Compact JSON (no spaces), strings escaped like Go's encoding/json.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        encode(into: &out)
        return out
    }

    /// Appends the compact JSON of this value to `out` (no intermediate copies).
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: JSONBytes.null)
        case .bool(let value): out.append(contentsOf: value ? JSONBytes.true : JSONBytes.false)
        case .int(let value): JSONNumberFormat.appendInteger(value, to: &out)
        case .double(let value): JSONNumberFormat.appendDouble(value, to: &out)
        case .string(let value): JSONStringFormat.append(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.encode(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (index, entry) in object.entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringFormat.append(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.encode(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// Appends `string` quoted and escaped exactly as `JSONValue.string(string).encode(into:)` does, for writers
    /// that emit JSON bytes without building a tree (`JSONRPCRawHandler`).
    public static func appendString(_ string: String, to out: inout [UInt8]) {
        JSONStringFormat.append(string, to: &out)
    }
}

enum JSONBytes {
    static let null = Array("null".utf8)
    static let `true` = Array("true".utf8)
    static let `false` = Array("false".utf8)
}

enum JSONStringFormat {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Quotes and escapes like Go: `\"`, `\\`, `\n`, `\r`, `\t`, other controls and `<`, `>`, `&`
    /// as `\u00XX`, U+2028/U+2029 as `\u2028`/`\u2029`.
    static func append(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var index = 0
            var runStart = 0
            func flush(_ end: Int) {
                if end > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<end])) }
            }
            while index < bytes.count {
                let byte = bytes[index]
                // Most bytes need no escape (hex, addresses): step over them without the switch below.
                if byte >= 0x20, byte != 0x22, byte != 0x5C, byte != 0x3C, byte != 0x3E, byte != 0x26, byte != 0xE2 {
                    index += 1
                    continue
                }
                var escape: [UInt8]?
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): escape = [92, 34]
                case UInt8(ascii: "\\"): escape = [92, 92]
                case UInt8(ascii: "\n"): escape = [92, UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): escape = [92, UInt8(ascii: "r")]
                case UInt8(ascii: "\t"): escape = [92, UInt8(ascii: "t")]
                case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                    escape = [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    escape = Array("\\u202".utf8) + [bytes[index + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")]
                    width = 3
                default: break
                }
                if let escape {
                    flush(index)
                    out.append(contentsOf: escape)
                    index += width
                    runStart = index
                } else {
                    index += 1
                }
            }
            flush(bytes.count)
        }
        out.append(UInt8(ascii: "\""))
    }
}

enum JSONNumberFormat {
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        while magnitude > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: digits.reversed())
    }

    /// Go's float64 encoding: shortest round-trip digits, plain decimal when 1e-6 <= |x| < 1e21,
    /// else exponent form with at least two exponent digits trimmed (`1e-07` → `1e-7`).
    /// NaN and infinities are not JSON; they encode as `null`.
    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else { out.append(contentsOf: JSONBytes.null); return }
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        // Swift's description is the shortest round-trip form; take its digits and exponent.
        let (digits, exponent) = decompose(value.magnitude)
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude >= 1e-6 && magnitude < 1e21 {
            // decimal point after `exponent + 1` digits
            let pointPosition = exponent + 1
            if pointPosition <= 0 {
                out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
                out.append(contentsOf: digits)
            } else if pointPosition >= digits.count {
                out.append(contentsOf: digits)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digits.count))
            } else {
                out.append(contentsOf: digits[..<pointPosition])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[pointPosition...])
            }
        } else {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let absExponent = abs(exponent)
            if absExponent < 10 && exponent >= 0 { out.append(UInt8(ascii: "0")) }
            appendInteger(Int64(absExponent), to: &out)
        }
    }

    /// Significant digits (no leading/trailing zeros) and the decimal exponent of the first digit.
    static func decompose(_ magnitude: Double) -> (digits: [UInt8], exponent: Int) {
        let text = Array(magnitude.description.utf8)
        var mantissa: [UInt8] = []
        var exponent = 0
        var pointIndex: Int?
        var index = 0
        while index < text.count {
            let c = text[index]
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(index + 1)...], as: UTF8.self)) ?? 0
                break
            }
            if c == UInt8(ascii: ".") { pointIndex = mantissa.count } else { mantissa.append(c) }
            index += 1
        }
        let integerDigits = pointIndex ?? mantissa.count
        // Strip leading zeros (adjusting the exponent) and trailing zeros.
        var leading = 0
        while leading < mantissa.count - 1 && mantissa[leading] == UInt8(ascii: "0") { leading += 1 }
        var digits = Array(mantissa[leading...])
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, exponent + integerDigits - leading - 1)
    }
}

// MARK: - Parsing

extension JSONValue {
    /// Parses one JSON document (surrounding whitespace allowed). Throws `netProtocol` with the
    /// offset on bad input; nesting deeper than `maxDepth` is rejected.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws -> JSONValue {
        if let contiguous = try bytes.withContiguousStorageIfAvailable({ try parse(buffer: $0, maxDepth: maxDepth) }) {
            return contiguous
        }
        return try Array(bytes).withUnsafeBufferPointer { try parse(buffer: $0, maxDepth: maxDepth) }
    }

    /// Parses JSON text.
    public static func parse(_ text: String, maxDepth: Int = 64) throws -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws -> JSONValue {
        var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
        parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.index == buffer.count else { throw parser.error("trailing characters") }
        return value
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ why: String) -> NetError {
        NetError(.netProtocol, "malformed JSON at offset \(index): \(why)")
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func expect(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end") }
        let matches = word.withUTF8Buffer { literal in
            (0..<count).allSatisfy { bytes[index + $0] == literal[$0] }
        }
        guard matches else { throw error("invalid literal") }
        index += count
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting too deep") }
        index += 1
        var object = JSONObject()
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipSpace()
            let value = try parseValue(depth: depth)
            object.entries.append((key, value))
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting too deep") }
        index += 1
        var values: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
        while true {
            skipSpace()
            values.append(try parseValue(depth: depth))
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseString() throws -> String {
        index += 1 // opening quote
        let start = index
        // Fast path: no escapes.
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // ASCII is valid UTF-8 as it is: skip the (unspecialized, metadata-looking-up) validating initializer
                // for keys and hex, most of what a wallet's reply holds.
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else { throw error("invalid UTF-8") }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("unpaired surrogate")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw error("invalid escape")
                }
            default:
                if byte < 0x20 { throw error("control character in string") }
                out.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw error("invalid number")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { throw error("invalid number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw error("number out of range") }
        return .double(value)
    }
}
