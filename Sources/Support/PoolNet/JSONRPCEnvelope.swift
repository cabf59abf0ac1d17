/// The JSON-RPC envelopes read off the websocket, decoded apart from any socket so the rules can be
/// unit-tested and fuzzed (Fuzz/Targets/FuzzJSONRPC). The client and the server act on the results.

/// A request a client sent to `JSONRPCServer`.
struct JSONRPCRequestEnvelope: Equatable {
    var id: JSONValue
    var method: String
    var params: [JSONValue]

    /// Why a request was refused: the JSON-RPC error to answer with, echoing `id` (null when unknown).
    struct Rejection: Error, Equatable {
        var id: JSONValue
        var code: Int
        var message: String
    }

    /// A JSON object with a string `method` and `params` that is an array, null or absent.
    static func decode(_ payload: [UInt8]) -> Result<JSONRPCRequestEnvelope, Rejection> {
        guard case .object(let request)? = try? JSONValue.parse(payload) else {
            return .failure(Rejection(id: .null, code: -32700, message: "Parse error"))
        }
        let id = request["id"] ?? .null
        guard case .string(let method)? = request["method"] else {
            return .failure(Rejection(id: id, code: -32600, message: "Invalid request: missing method"))
        }
        switch request["params"] {
        case .array(let values)?: return .success(JSONRPCRequestEnvelope(id: id, method: method, params: values))
        case nil, .null?: return .success(JSONRPCRequestEnvelope(id: id, method: method, params: []))
        default: return .failure(Rejection(id: id, code: -32600, message: "Invalid request: params must be an array"))
        }
    }
}

/// A message the server sent to `JSONRPCClient`.
enum JSONRPCServerMessage: Equatable {
    /// Not a JSON object: the connection is dropped.
    case malformed
    /// Dropped with a warning (the text says why); the connection stays.
    case ignored(String)
    case notification(method: String, params: [JSONValue])
    case reply(id: UInt64, Outcome)

    enum Outcome: Equatable {
        case result(JSONValue)
        case error(code: Int, message: String)
        /// The `error` member is neither null nor an object.
        case badErrorMember
    }

    static func decode(_ payload: [UInt8]) -> JSONRPCServerMessage {
        guard case .object(let message)? = try? JSONValue.parse(payload) else { return .malformed }
        let id = message["id"]
        if id == nil || id == .null {
            guard case .string(let method)? = message["method"], !method.isEmpty,
                  case .array(let params)? = message["params"] else {
                return .ignored("dropping a malformed notification")
            }
            return .notification(method: method, params: params)
        }
        guard let number = id?.intValue, number >= 0 else { return .ignored("dropping a reply with a bad id") }
        switch message["error"] {
        case nil, .null?:
            return .reply(id: UInt64(number), .result(message["result"] ?? .null))
        case .object(let error)?:
            let code = error["code"]?.intValue.map { Int(clamping: $0) } ?? 0
            return .reply(id: UInt64(number), .error(code: code, message: error["message"]?.stringValue ?? ""))
        default:
            return .reply(id: UInt64(number), .badErrorMember)
        }
    }
}

extension JSONRPCServerMessage {
    /// A reply's id, error member and the byte range of its `result`, read without building the result (for
    /// `JSONRPCClient.callRaw`). Nil for anything else (a notification, a reply without a usable id, bad JSON).
    static func scanReply(_ payload: [UInt8]) -> (id: UInt64, error: JSONValue?, result: Range<Int>?)? {
        try? RawJSON(bytes: payload, range: 0..<payload.count).read { reader -> (UInt64, JSONValue?, Range<Int>?)? in
            try reader.beginObject()
            var id: UInt64?, error: JSONValue?, result: Range<Int>?
            while let key = try reader.nextKey() {
                switch key {
                case "id":
                    guard let number = try reader.value().intValue, number >= 0 else { return nil }
                    id = UInt64(number)
                case "error": error = try reader.value()
                case "result":
                    let start = reader.parser.index
                    try reader.skip()
                    result = start..<reader.parser.index
                default: try reader.skip()
                }
            }
            return id.map { ($0, error, result) }
        } ?? nil
    }
}
