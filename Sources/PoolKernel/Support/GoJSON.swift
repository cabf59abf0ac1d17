/// A JSON value whose object keys keep their order, for byte-exact wire formats (encoded by `GoJSON`).
public indirect enum GoJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([GoJSONValue])
    case object([(String, GoJSONValue)])

    public static func == (lhs: GoJSONValue, rhs: GoJSONValue) -> Bool { GoJSON.encode(lhs) == GoJSON.encode(rhs) }
}

/// Encodes JSON exactly as Go's `encoding/json` does: keys in the given order, `<`, `>`, `&`,
/// U+2028 and U+2029 escaped as `\u003c`…, floats in Go's shortest form (`7.5`, `0`, `1e-7`, `1e+21`).
public enum GoJSON {
    public static func encode(_ value: GoJSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    public static func append(_ value: GoJSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .number(let number): out.append(contentsOf: formatFloat(number).utf8)
        case .string(let text): appendString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (index, field) in fields.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(field.0, to: &out)
                out.append(UInt8(ascii: ":"))
                append(field.1, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func appendString(_ text: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: [92, 34])
            case 0x5C: out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x00..<0x20, 0x3C, 0x3E, 0x26, 0x2028, 0x2029:
                let v = scalar.value
                out.append(contentsOf: [92, UInt8(ascii: "u"), hex[Int(v >> 12 & 0xF)], hex[Int(v >> 8 & 0xF)],
                                        hex[Int(v >> 4 & 0xF)], hex[Int(v & 0xF)]])
            default:
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Go's `encoding/json` float64 format: shortest round-trip digits, `'f'` notation unless
    /// |x| < 1e-6 or |x| ≥ 1e21, where it is `'e'` with a two-digit-minimum exponent trimmed (`e-7`).
    public static func formatFloat(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (negative, digits, pointPosition) = shortestDigits(value)
        let magnitude = abs(value)
        var text = negative ? "-" : ""
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // d.ddde±XX
            let exponent = pointPosition - 1
            text += String(digits.first!)
            if digits.count > 1 { text += "." + digits.dropFirst() }
            text += exponent < 0 ? "e-" : "e+"
            let absExponent = abs(exponent)
            text += absExponent < 10 && exponent >= 0 ? "0\(absExponent)" : String(absExponent)
            return text
        }
        if pointPosition <= 0 {
            text += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            text += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            text += digits[..<split] + "." + digits[split...]
        }
        return text
    }

    /// Shortest round-trip decimal digits (no leading/trailing zeros) and the decimal point position
    /// (value = 0.d1d2… × 10^pointPosition), derived from Swift's shortest `description`.
    static func shortestDigits(_ value: Double) -> (Bool, String, Int) {
        var text = "\(value)"
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integerPart = text
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = integerPart + fraction
        var point = integerPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (negative, digits, point)
    }
}
