/// Go's `encoding/json` `Decoder.Decode` into one of vspd's request structs (spec §1.3), with Go's error texts
/// (clients read only the code, so the texts are close, not byte-exact): the first JSON value is scanned whole
/// (nothing after it is read), then a top-level object's members fill the struct's fields — keys matched without
/// regard to case, the last duplicate winning (a map field given twice is merged, as Go reuses the map), unknown
/// keys ignored, `null` leaving a field as it is (a map field: nil). A type mismatch does not stop decoding; the
/// first one is the error. Iterative and bounded: nesting deeper than Go's 10,000 levels is refused.
struct GoJSONDecoder {
    struct Failure: Error { let text: String }

    private let bytes: [UInt8]
    private var index = 0
    private static let maxDepth = 10_000

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func decode(_ shape: VspRequest.Shape) throws -> VspRequest {
        skipSpace()
        guard index < bytes.count else { throw Failure(text: "EOF") }
        let start = index
        _ = try Self.scanValue(bytes, from: start)
        var request = VspRequest()
        var typeError: String?
        let typeName = shape.name.map { "types.\($0)" } ?? "struct"
        switch bytes[start] {
        case UInt8(ascii: "{"):
            index = start + 1
            skipSpace()
            if bytes[index] == UInt8(ascii: "}") { break }
            while true {
                skipSpace()
                let key = readString()
                skipSpace()
                index += 1  // ':'
                skipSpace()
                if let rule = Self.match(key, shape) {
                    if let error = decodeField(rule.field, into: &request, structName: shape.name), typeError == nil {
                        typeError = error
                    }
                } else {
                    index = try Self.scanValue(bytes, from: index)
                }
                skipSpace()
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                break  // '}'
            }
        case UInt8(ascii: "n"): break  // null: nothing set
        default:
            throw Failure(text: "json: cannot unmarshal \(kindName(bytes[start])) into Go value of type \(typeName)")
        }
        if let typeError { throw Failure(text: typeError) }
        return request
    }

    /// The field a key names: an exact match first, else one equal without regard to case.
    private static func match(_ key: String, _ shape: VspRequest.Shape) -> VspRequest.Shape.Rule? {
        if let exact = shape.rules.first(where: { $0.field.jsonKey == key }) { return exact }
        let folded = fold(key)
        return shape.rules.first { $0.field.jsonKey == folded }
    }

    /// ASCII lowercase plus Go's two special folds onto ASCII (KELVIN SIGN → k, LONG S → s).
    private static func fold(_ key: String) -> String {
        String(String.UnicodeScalarView(key.unicodeScalars.map { scalar -> Unicode.Scalar in
            switch scalar.value {
            case 0x212A: "k"
            case 0x017F: "s"
            case 0x41...0x5A: Unicode.Scalar(scalar.value + 32)!
            default: scalar
            }
        }))
    }

    /// Decodes one value into `field`; returns a type error's text (decoding goes on), advancing past the value.
    private mutating func decodeField(_ field: VspRequest.Field, into request: inout VspRequest, structName: String?) -> String? {
        let path = structName.map { "\($0).\(field.jsonKey)" } ?? field.goName
        let first = bytes[index]
        func mismatch(_ kind: String, _ goType: String) -> String {
            "json: cannot unmarshal \(kind) into Go struct field \(path) of type \(goType)"
        }
        if first == UInt8(ascii: "n") {  // null
            index += 4
            if field.kind == .map { request.set(field, map: nil) }
            return nil
        }
        switch field.kind {
        case .int64:
            guard first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                return skipping(mismatch(kindName(first), "int64"))
            }
            let end = (try? Self.scanValue(bytes, from: index)) ?? bytes.count
            let literal = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end
            guard let value = Int64(literal) else { return mismatch("number \(literal)", "int64") }
            request.timestamp = value
            return nil
        case .string:
            guard first == UInt8(ascii: "\"") else { return skipping(mismatch(kindName(first), "string")) }
            request.set(field, string: readString())
            return nil
        case .map:
            guard first == UInt8(ascii: "{") else { return skipping(mismatch(kindName(first), "map[string]string")) }
            var map = request.map(field) ?? [:]
            var error: String?
            index += 1
            skipSpace()
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipSpace()
                    let key = readString()
                    skipSpace()
                    index += 1
                    skipSpace()
                    switch bytes[index] {
                    case UInt8(ascii: "\""): map[key] = readString()
                    case UInt8(ascii: "n"): map[key] = ""; index += 4
                    default:
                        let kind = kindName(bytes[index])
                        index = (try? Self.scanValue(bytes, from: index)) ?? bytes.count
                        map[key] = ""
                        if error == nil { error = mismatch(kind, "string") }
                    }
                    skipSpace()
                    let separator = bytes[index]
                    index += 1
                    if separator != UInt8(ascii: ",") { break }
                }
            }
            request.set(field, map: map)
            return error
        }
    }

    private mutating func skipping(_ error: String) -> String {
        index = (try? Self.scanValue(bytes, from: index)) ?? bytes.count
        return error
    }

    private func kindName(_ first: UInt8) -> String {
        switch first {
        case UInt8(ascii: "{"): "object"
        case UInt8(ascii: "["): "array"
        case UInt8(ascii: "\""): "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "bool"
        default: "number"
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// Reads a string the scanner already validated; escapes decoded, invalid UTF-8 and lone surrogates as U+FFFD.
    private mutating func readString() -> String {
        index += 1
        var out: [UInt8] = []
        var pendingHigh: UInt32?
        func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
            out += Array(String(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}").utf8)
        }
        while bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") {
                let escape = bytes[index + 1]
                index += 2
                if escape == UInt8(ascii: "u") {
                    let hex = String(decoding: bytes[index..<index + 4], as: UTF8.self)
                    index += 4
                    let unit = UInt32(hex, radix: 16) ?? 0xFFFD
                    if (0xD800..<0xDC00).contains(unit) {
                        if pendingHigh != nil { appendScalar(0xFFFD, to: &out) }
                        pendingHigh = unit
                        continue
                    }
                    if (0xDC00..<0xE000).contains(unit), let high = pendingHigh {
                        appendScalar(0x10000 + (high - 0xD800) << 10 + (unit - 0xDC00), to: &out)
                        pendingHigh = nil
                        continue
                    }
                    if pendingHigh != nil { appendScalar(0xFFFD, to: &out); pendingHigh = nil }
                    appendScalar((0xDC00..<0xE000).contains(unit) ? 0xFFFD : unit, to: &out)
                    continue
                }
                if pendingHigh != nil { appendScalar(0xFFFD, to: &out); pendingHigh = nil }
                switch escape {
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(escape)  // " \ /
                }
                continue
            }
            if pendingHigh != nil { appendScalar(0xFFFD, to: &out); pendingHigh = nil }
            out.append(bytes[index])
            index += 1
        }
        if pendingHigh != nil { appendScalar(0xFFFD, to: &out) }
        index += 1
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Scanning (validation of one whole value, Go's scanner rules and messages)

    /// The index just past the JSON value starting at `start` (after leading whitespace); throws Go's syntax
    /// error texts ("unexpected EOF" when the bytes end inside the value).
    static func scanValue(_ bytes: [UInt8], from start: Int) throws -> Int {
        var index = start
        var stack: [UInt8] = []
        func character(_ byte: UInt8) -> String {
            switch byte {
            case UInt8(ascii: "'"): return "'\\''"
            case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
            default: return "'\\x\(String(byte, radix: 16))'"
            }
        }
        func invalid(_ byte: UInt8, _ context: String) -> Failure { Failure(text: "invalid character \(character(byte)) \(context)") }
        let eof = Failure(text: "unexpected EOF")
        func skipSpace() { while index < bytes.count, isSpace(bytes[index]) { index += 1 } }
        func scanString() throws {
            index += 1
            while true {
                guard index < bytes.count else { throw eof }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { index += 1; return }
                if byte < 0x20 { throw invalid(byte, "in string literal") }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else { throw eof }
                    let escape = bytes[index]
                    if escape == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            index += 1
                            guard index < bytes.count else { throw eof }
                            guard isHexDigit(bytes[index]) else { throw invalid(bytes[index], "in \\u hexadecimal character escape") }
                        }
                    } else if !Array("\"\\/bfnrt".utf8).contains(escape) {
                        throw invalid(escape, "in string escape code")
                    }
                }
                index += 1
            }
        }
        func scanNumber() throws {
            if bytes[index] == UInt8(ascii: "-") {
                index += 1
                guard index < bytes.count else { throw eof }
                guard isDigit(bytes[index]) else { throw invalid(bytes[index], "in numeric literal") }
            }
            if bytes[index] == UInt8(ascii: "0") { index += 1 } else { while index < bytes.count, isDigit(bytes[index]) { index += 1 } }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count else { throw eof }
                guard isDigit(bytes[index]) else { throw invalid(bytes[index], "after decimal point in numeric literal") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count else { throw eof }
                guard isDigit(bytes[index]) else { throw invalid(bytes[index], "in exponent of numeric literal") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
        }
        func scanLiteral(_ word: String) throws {
            for expected in word.utf8 {
                guard index < bytes.count else { throw eof }
                guard bytes[index] == expected else {
                    throw invalid(bytes[index], "in literal \(word) (expecting '\(Character(Unicode.Scalar(expected)))')")
                }
                index += 1
            }
        }
        /// An object key and its colon; the value follows.
        func scanKey() throws {
            guard bytes[index] == UInt8(ascii: "\"") else { throw invalid(bytes[index], "looking for beginning of object key string") }
            try scanString()
            skipSpace()
            guard index < bytes.count else { throw eof }
            guard bytes[index] == UInt8(ascii: ":") else { throw invalid(bytes[index], "after object key") }
            index += 1
        }
        while true {
            // A value is expected here.
            skipSpace()
            guard index < bytes.count else { throw eof }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let open = bytes[index]
                guard stack.count < maxDepth else { throw Failure(text: "exceeded max depth") }
                index += 1
                skipSpace()
                guard index < bytes.count else { throw eof }
                if bytes[index] == (open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                } else {
                    stack.append(open)
                    if open == UInt8(ascii: "{") { try scanKey() }
                    continue
                }
            case UInt8(ascii: "\""): try scanString()
            case UInt8(ascii: "t"): try scanLiteral("true")
            case UInt8(ascii: "f"): try scanLiteral("false")
            case UInt8(ascii: "n"): try scanLiteral("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
            default: throw invalid(bytes[index], "looking for beginning of value")
            }
            // After a value: close containers or go on to the next element.
            while true {
                guard let top = stack.last else { return index }
                skipSpace()
                guard index < bytes.count else { throw eof }
                let byte = bytes[index]
                if top == UInt8(ascii: "{") {
                    if byte == UInt8(ascii: "}") { stack.removeLast(); index += 1; continue }
                    guard byte == UInt8(ascii: ",") else { throw invalid(byte, "after object key:value pair") }
                    index += 1
                    skipSpace()
                    guard index < bytes.count else { throw eof }
                    try scanKey()
                    break
                } else {
                    if byte == UInt8(ascii: "]") { stack.removeLast(); index += 1; continue }
                    guard byte == UInt8(ascii: ",") else { throw invalid(byte, "after array element") }
                    index += 1
                    break
                }
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
