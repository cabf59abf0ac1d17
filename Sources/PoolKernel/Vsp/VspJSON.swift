/// A vspd response body as Go's `encoding/json` writes it (spec §1.4): compact, object keys in the order given
/// (struct field order), map objects with sorted keys, `<`, `>`, `&`, U+2028 and U+2029 escaped, floats in the
/// shortest form without exponent (`3`, `0.048478414`).
public indirect enum VspJSON: Sendable, Equatable {
    case int(Int64)
    case bool(Bool)
    case string(String)
    /// A float64 (`feepercentage`).
    case double(Double)
    /// A float32 (`estimatednetworkproportion`).
    case float(Float)
    case array([VspJSON])
    /// A struct: keys in this order.
    case object([(String, VspJSON)])
    /// A Go map: keys sorted on output.
    case map([String: String])

    public static func == (lhs: VspJSON, rhs: VspJSON) -> Bool { lhs.encoded() == rhs.encoded() }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .string(let value): Self.writeString(value, into: &out)
        case .double(let value): out += Array(Self.goFloat(value.description).utf8)
        case .float(let value): out += Array(Self.goFloat(value.description).utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .map(let map):
            // Go sorts map keys by their bytes.
            let keys = map.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            VspJSON.object(keys.map { ($0, .string(map[$0]!)) }).write(into: &out)
        }
    }

    /// Byte by byte over the UTF-8 (always valid in a Swift string): runs of bytes that need no escape are copied
    /// at once, so the long base64 `request` echo costs one append.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
                let isLineSeparator = byte == 0xE2 && index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C || byte == 0x3E || byte == 0x26
                    || isLineSeparator else {
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                let scalar: UInt32 = isLineSeparator ? (bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029) : UInt32(byte)
                appendEscape(scalar, into: &out)
                index += isLineSeparator ? 3 : 1
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ scalar: UInt32, into out: inout [UInt8]) {
        switch scalar {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        default:
            let hex = Array("0123456789abcdef".utf8)
            out += [0x5C, UInt8(ascii: "u"), hex[Int(scalar >> 12 & 0xF)], hex[Int(scalar >> 8 & 0xF)],
                    hex[Int(scalar >> 4 & 0xF)], hex[Int(scalar & 0xF)]]
        }
    }

    /// Swift's shortest round-trip text (`3.0`, `2.4414062e-05`) in Go's JSON form (`3`, `0.000024414062`): no
    /// trailing `.0`, no exponent in the range a VSP's values take (Go writes an exponent below 1e-6 or from 1e21).
    static func goFloat(_ swift: String) -> String {
        guard !swift.contains("nan"), !swift.contains("inf") else { return "0" }  // Go refuses these; vspd never has them
        var text = swift
        var negative = false
        if text.hasPrefix("-") { negative = true; text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = Array(whole + fraction)
        var point = whole.count + exponent  // digits before the decimal point
        while point <= 0 { digits.insert("0", at: 0); point += 1 }
        while digits.count < point { digits.append("0") }
        var integer = String(digits[..<point]).drop { $0 == "0" }
        if integer.isEmpty { integer = "0" }
        var decimals = String(digits[point...])
        while decimals.hasSuffix("0") { decimals.removeLast() }
        let body = decimals.isEmpty ? String(integer) : "\(integer).\(decimals)"
        return negative && body != "0" ? "-" + body : body
    }
}
