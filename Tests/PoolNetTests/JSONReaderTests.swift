@testable import PoolNet
import XCTest

/// `RawJSON`/`JSONReader`: large replies walked without a tree, with the same strictness as
/// `JSONValue.parse`, and the reply scan `JSONRPCClient.callRaw` relies on.
final class JSONReaderTests: XCTestCase {
    private func raw(_ text: String) -> RawJSON {
        let bytes = Array(text.utf8)
        return RawJSON(bytes: bytes, range: 0..<bytes.count)
    }

    func testReader_walksMembersSkipsTheRestAndDecodesEscapes() throws {
        let text = #" {"skip":{"a":[1,2.5e3,{"b":null}],"c":"x\"y"},"list":["one","t\u00e9\n",true],"last":"end"} "#
        let (list, last) = try raw(text).read { reader -> ([String], String) in
            try reader.beginObject()
            var list: [String] = [], last = ""
            while let key = try reader.nextKey() {
                switch key {
                case "list":
                    try reader.beginArray()
                    while try reader.nextElement() {
                        if case .string(let item) = try reader.value() { list.append(item) }
                    }
                case "last": last = try reader.string()
                default: try reader.skip()
                }
            }
            return (list, last)
        }
        XCTAssertEqual(list, ["one", "té\n"])
        XCTAssertEqual(last, "end")
        XCTAssertEqual(try raw(#"{"a":[1,{"b":"c"}]}"#).value(), try JSONValue.parse(#"{"a":[1,{"b":"c"}]}"#))
    }

    /// Strings are scanned eight bytes at a time: a quote, backslash, control or non-ASCII byte at any offset of a
    /// long string (in and around each 8-byte word) reads the same as the tree parser reads it, or fails as it fails.
    func testReader_stringsScannedByWordsReadAsTheTreeParserReadsThem() throws {
        let specials: [[UInt8]] = [[0x22], [0x5C, 0x6E], [0x5C, 0x22], [0x1F], [0x00], [0x7F], [0xC3, 0xA9], [0xC3], [0x21], [0x23],
                                   [0x5B], [0x5D], [0x20], [0xFF]]
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 23] {
            for position in 0...length {
                for special in specials {
                    var body = Array(repeating: UInt8(ascii: "a"), count: length)
                    body.insert(contentsOf: special, at: position)
                    let text: [UInt8] = [UInt8(ascii: "[")] + [0x22] + body + [0x22, UInt8(ascii: "]")]
                    let tree = try? JSONValue.parse(text)
                    let read = try? RawJSON(bytes: text, range: text.indices).read { reader -> [String] in
                        try reader.beginArray()
                        var strings: [String] = []
                        while try reader.nextElement() {
                            strings.append(try reader.stringBytes { String(validating: $0, as: UTF8.self) ?? "<invalid>" })
                        }
                        return strings
                    }
                    let skipped = (try? RawJSON(bytes: text, range: text.indices).read { try $0.skip() }) != nil
                    let label = "\(special) at \(position) of \(length)"
                    XCTAssertEqual(skipped, tree != nil, label)
                    if case .array(let values)? = tree {
                        let strings = values.compactMap { value -> String? in if case .string(let s) = value { return s }; return nil }
                        if read != nil, !(read ?? []).contains("<invalid>") { XCTAssertEqual(read, strings, label) }
                    }
                    XCTAssertEqual(body.withUnsafeBufferPointer { JSONParser.isASCII($0) }, !body.contains { $0 >= 0x80 }, label)
                }
            }
        }
    }

    func testReader_malformedInputIsAnErrorNeverACrash() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        for text in ["", "{", #"{"a""#, #"{"a":}"#, "[1,]", #"{"a":1,,"b":2}"#, #"{"a":1}x"#, #"{"a" 1}"#, "[1 2]",
                     #"{"a":"\x"}"#, #"{"a":tru}"#, "{1:2}", deep] {
            XCTAssertThrowsError(try raw(text).read { reader in
                try reader.beginObject()
                while try reader.nextKey() != nil { try reader.skip() }
            }, text) { error in
                XCTAssertEqual((error as? NetError)?.code, .netProtocol, text)
            }
        }
        XCTAssertThrowsError(try raw("[1]").read { try $0.beginObject() })
        XCTAssertThrowsError(try raw(#"{"a":1}"#).read { try $0.beginObject() }, "an object left open")
    }

    func testScanReply_findsIdErrorAndTheResultsBytes() throws {
        let text = #"{"result":{"scripts":[{"redeemscript":"51ae"}]},"error":null,"id":7}"#
        let scanned = try XCTUnwrap(JSONRPCServerMessage.scanReply(Array(text.utf8)))
        XCTAssertEqual(scanned.id, 7)
        XCTAssertEqual(scanned.error, .null)
        let result = try XCTUnwrap(scanned.result)
        XCTAssertEqual(String(decoding: Array(text.utf8)[result], as: UTF8.self), #"{"scripts":[{"redeemscript":"51ae"}]}"#)
        let failed = try XCTUnwrap(JSONRPCServerMessage.scanReply(Array(#"{"result":null,"error":{"code":-4,"message":"m"},"id":2}"#.utf8)))
        XCTAssertEqual(failed.error?["code"], .int(-4))
        XCTAssertNil(JSONRPCServerMessage.scanReply(Array(#"{"method":"blockconnected","params":[],"id":null}"#.utf8)))
        XCTAssertNil(JSONRPCServerMessage.scanReply(Array(#"{"result":[1,"id":3}"#.utf8)))
    }
}
