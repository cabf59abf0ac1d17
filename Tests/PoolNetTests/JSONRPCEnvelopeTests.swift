@testable import PoolNet
import XCTest

/// The envelope rules JSONRPCServer and JSONRPCClient act on (JSON-RPC 1.0 as dcrwallet speaks it), decoded
/// without sockets. Fuzzed by Fuzz/Targets/FuzzJSONRPC.
final class JSONRPCEnvelopeTests: XCTestCase {
    private func request(_ text: String) -> Result<JSONRPCRequestEnvelope, JSONRPCRequestEnvelope.Rejection> {
        JSONRPCRequestEnvelope.decode(Array(text.utf8))
    }

    private func message(_ text: String) -> JSONRPCServerMessage { JSONRPCServerMessage.decode(Array(text.utf8)) }

    func testRequest_methodAndParams() {
        XCTAssertEqual(request(#"{"id":7,"method":"getbalance","params":["default",1]}"#),
                       .success(JSONRPCRequestEnvelope(id: .int(7), method: "getbalance", params: [.string("default"), .int(1)])))
        XCTAssertEqual(request(#"{"id":"a","method":"ping","params":null}"#),
                       .success(JSONRPCRequestEnvelope(id: .string("a"), method: "ping", params: [])))
        XCTAssertEqual(request(#"{"method":"ping"}"#), .success(JSONRPCRequestEnvelope(id: .null, method: "ping", params: [])))
    }

    func testRequest_refusalsCarryTheCodeAndTheId() {
        XCTAssertEqual(request("[1]"), .failure(.init(id: .null, code: -32700, message: "Parse error")))
        XCTAssertEqual(request("{"), .failure(.init(id: .null, code: -32700, message: "Parse error")))
        XCTAssertEqual(request(#"{"id":3,"method":5}"#),
                       .failure(.init(id: .int(3), code: -32600, message: "Invalid request: missing method")))
        XCTAssertEqual(request(#"{"id":4,"method":"x","params":{"a":1}}"#),
                       .failure(.init(id: .int(4), code: -32600, message: "Invalid request: params must be an array")))
    }

    func testServerMessage_kinds() {
        XCTAssertEqual(message("nope"), .malformed)
        XCTAssertEqual(message(#"{"method":"blockconnected","params":["00"],"id":null}"#),
                       .notification(method: "blockconnected", params: [.string("00")]))
        XCTAssertEqual(message(#"{"method":"","params":[]}"#), .ignored("dropping a malformed notification"))
        XCTAssertEqual(message(#"{"id":-1,"result":1}"#), .ignored("dropping a reply with a bad id"))
        XCTAssertEqual(message(#"{"id":"7","result":1}"#), .ignored("dropping a reply with a bad id"))
        XCTAssertEqual(message(#"{"id":7,"result":{"a":true},"error":null}"#), .reply(id: 7, .result(.object(["a": true]))))
        XCTAssertEqual(message(#"{"id":7}"#), .reply(id: 7, .result(.null)))
        XCTAssertEqual(message(#"{"id":8,"result":null,"error":{"code":-4,"message":"Insufficient funds"}}"#),
                       .reply(id: 8, .error(code: -4, message: "Insufficient funds")))
        XCTAssertEqual(message(#"{"id":9,"error":"x"}"#), .reply(id: 9, .badErrorMember))
    }
}
