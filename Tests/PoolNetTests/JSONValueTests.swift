@testable import PoolNet
import XCTest

final class JSONValueTests: XCTestCase {
    func testJSONValue_keepsObjectKeyOrderOnRoundTrip() throws {
        let text = #"{"result":{"daemonconnected":true,"unlocked":true,"txfee":0.001,"votebits":1,"votebitsextended":"05000000"},"error":null,"id":1}"#
        let value = try JSONValue.parse(text)
        XCTAssertEqual(value.description, text)
        XCTAssertEqual(value["result"]?["txfee"], .double(0.001))
        XCTAssertEqual(value["id"], .int(1))
        XCTAssertEqual(value["result"]?.objectValue?.keys.first, "daemonconnected")
    }

    func testJSONValue_encodesRequestsExactly() {
        let request: JSONValue = ["jsonrpc": "1.0", "method": "importscript", "params": ["5121ab", true, 178000], "id": 9]
        XCTAssertEqual(request.description, #"{"jsonrpc":"1.0","method":"importscript","params":["5121ab",true,178000],"id":9}"#)
    }

    func testJSONValue_formatsDoublesLikeGo() {
        let cases: [(Double, String)] = [
            (0.001, "0.001"), (1, "1"), (0.5, "0.5"), (1e-5, "0.00001"), (1e-7, "1e-7"), (1.5e-10, "1.5e-10"),
            (1234.5678, "1234.5678"), (1e21, "1e+21"), (123456789012, "123456789012"), (-2.5, "-2.5"),
            (89.35467890, "89.3546789"), (0, "0"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(JSONValue.double(value).description, expected, "\(value)")
        }
    }

    func testJSONValue_escapesStringsLikeGo() throws {
        XCTAssertEqual(JSONValue.string("a\"b\\c\n<&>\u{1}\u{2028}é").description, #""a\"b\\c\n\u003c\u0026\u003e\u0001\u2028é""#)
        XCTAssertEqual(try JSONValue.parse(#""\ud83d\ude00 \u00e9\/""#), .string("😀 é/"))
    }

    func testJSONValue_parsesNumbersAndLiterals() throws {
        XCTAssertEqual(try JSONValue.parse("[0,-1,2.5,1e3,9223372036854775807,18446744073709551616,true,false,null]"),
                       [0, -1, 2.5, .double(1000), .int(Int64.max), .double(18446744073709551616), true, false, nil])
        XCTAssertEqual(JSONValue.double(5).intValue, 5)
        XCTAssertNil(JSONValue.double(5.5).intValue)
    }

    func testJSONValue_rejectsMalformedInput() {
        let bad = ["", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "\"\u{1}\"", "[1] 2",
                   "\"\\ud800\"", "nul", "{1:2}", "\"abc", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)]
        for text in bad {
            XCTAssertThrowsError(try JSONValue.parse(text), text) { error in
                XCTAssertEqual((error as? NetError)?.code, .netProtocol, text)
            }
        }
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xff, 0x22] as [UInt8]))
    }

    func testJSONObject_subscriptSetReplacesInPlaceAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = 3
        object["c"] = 4
        object["b"] = nil
        XCTAssertEqual(object.keys, ["a", "c"])
        XCTAssertEqual(object["a"], 3)
    }
}
