// libFuzzer target: the JSON decoder and encoder (PoolNet/JSONCoding.swift, JSONValue.swift).
// (The kernel's GoJSON only encodes; it has no parser to fuzz.)
// Checks: errors are NetError; a parsed value re-encodes to JSON that parses to an equal value, and
// encoding is stable (encode(parse(encode(v))) == encode(v)).
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
    precondition(reparsed == value, "round trip changed the value: \(value) -> \(reparsed)")
    precondition(reparsed.encoded() == encoded, "encoding is not stable")
    return 0
}
