// libFuzzer target: the JSON-RPC envelopes (PoolNet/JSONRPCEnvelope.swift), read by JSONRPCServer (requests)
// and JSONRPCClient (replies and notifications).
// Checks: any payload decodes to a request or a JSON-RPC error (server side) and to one of the message
// kinds (client side); a decoded envelope, written out again as JSON, decodes to the same envelope
// (compared by its JSON text, so 1.0 and 1 are the same number).
@testable import PoolNet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: size))

    switch JSONRPCRequestEnvelope.decode(payload) {
    case .success(let request):
        let again = rewrite(request).encoded()
        guard case .success(let decoded) = JSONRPCRequestEnvelope.decode(again) else { preconditionFailure("rewritten request refused") }
        precondition(rewrite(decoded).encoded() == again, "request round trip differs")
    case .failure(let rejection):
        precondition([-32700, -32600].contains(rejection.code), "unexpected error code \(rejection.code)")
        if rejection.code == -32700 { precondition(rejection.id == .null) }
    }

    if let rewritten = rewrite(JSONRPCServerMessage.decode(payload))?.encoded() {
        let again = rewrite(JSONRPCServerMessage.decode(rewritten))?.encoded()
        precondition(again == rewritten, "message round trip differs")
    }
    return 0
}

private func rewrite(_ request: JSONRPCRequestEnvelope) -> JSONValue {
    .object(["id": request.id, "method": .string(request.method), "params": .array(request.params)])
}

/// The message as a server would write it; nil for the kinds that carry nothing.
private func rewrite(_ message: JSONRPCServerMessage) -> JSONValue? {
    let rewritten: JSONValue?
    switch message {
    case .malformed, .ignored:
        rewritten = nil
    case .notification(let method, let params):
        rewritten = .object(["id": .null, "method": .string(method), "params": .array(params)])
    case .reply(let id, .result(let result)):
        rewritten = .object(["id": .int(Int64(id)), "result": result, "error": .null])
    case .reply(let id, .error(let code, let text)):
        rewritten = .object(["id": .int(Int64(id)), "result": .null,
                             "error": .object(["code": .int(Int64(code)), "message": .string(text)])])
    case .reply(let id, .badErrorMember):
        rewritten = .object(["id": .int(Int64(id)), "error": .array([])])
    }
    return rewritten
}
