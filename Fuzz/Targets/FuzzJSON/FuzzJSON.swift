// libFuzzer target: the JSON decoder and encoder (PoolNet/JSONCoding.swift, JSONValue.swift).
// (The kernel's GoJSON only encodes; it has no parser to fuzz.)
// Checks: errors are NetError; a parsed value re-encodes to JSON that parses to an equal value (numbers
// compared by value: 1.0 is written `1`, as Go does, and reads back as an integer), and encoding is stable
// (encode(parse(encode(v))) == encode(v)).
import PoolNet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let value: JSONValue
    do {
        value = try JSONValue.parse(input)
    } catch {
        precondition(error is NetError, "parse threw \(type(of: error))")
        return 0
    }
    let encoded = value.encoded()
    let reparsed: JSONValue
    do {
        reparsed = try JSONValue.parse(encoded)
    } catch {
        preconditionFailure("re-encoded JSON does not parse: \(String(decoding: encoded, as: UTF8.self))")
    }
    precondition(sameJSON(reparsed, value), "round trip changed the value: \(value) -> \(reparsed)")
    precondition(reparsed.encoded() == encoded, "encoding is not stable")
    return 0
}

/// Structural equality where an integer and a double holding the same number are equal.
private func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
    case (.array(let xs), .array(let ys)): return xs.count == ys.count && zip(xs, ys).allSatisfy(sameJSON)
    case (.object(let xs), .object(let ys)):
        return xs.count == ys.count
            && zip(xs.entries, ys.entries).allSatisfy { $0.key == $1.key && sameJSON($0.value, $1.value) }
    default: return a == b
    }
}
