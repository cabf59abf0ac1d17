import PoolKernel
import XCTest

final class GoJSONTests: XCTestCase {
    func testGoJSON_floatsLikeGo() {
        let cases: [(Double, String)] = [
            (7.5, "7.5"), (0, "0"), (12.34, "12.34"), (1, "1"), (100, "100"), (0.1, "0.1"), (1e20, "100000000000000000000"),
            (1e21, "1e+21"), (1.5e300, "1.5e+300"), (0.000001, "0.000001"), (1e-7, "1e-7"), (1.2345e-9, "1.2345e-9"),
            (-2.5, "-2.5"), (12345678.9, "12345678.9"), (1e-10, "1e-10"), (123456789012345680, "123456789012345680"),
            (0.008, "0.008"), (Double.leastNonzeroMagnitude, "5e-324"),
        ]
        for (value, expected) in cases { XCTAssertEqual(GoJSON.formatFloat(value), expected, "\(value)") }
    }

    func testGoJSON_escapesLikeGoAndKeepsKeyOrder() {
        let value = GoJSONValue.object([("b", .string("<a href=\"x\">&\u{2028}\n\u{01}é")), ("a", .array([.int(-3), .null, .bool(true)]))])
        XCTAssertEqual(String(decoding: GoJSON.encode(value), as: UTF8.self),
                       #"{"b":"\u003ca href=\"x\"\u003e\u0026\u2028\n\u0001é","a":[-3,null,true]}"#)
    }
}
