import PoolKernel

/// The API's JSON envelope (webapp spec §4.1): `status`, `code`, `message`, then `data` for the
/// GET commands (`null` on error) and no `data` key for the POST commands; a trailing newline.
enum APIEnvelope {
    enum DataField {
        case omitted
        case null
        case value(GoJSONValue)
    }

    /// gRPC status codes the API uses.
    enum Code: Int64 {
        case ok = 0
        case invalidArgument = 3
        case alreadyExists = 6
        case resourceExhausted = 8
        case failedPrecondition = 9
        case `internal` = 13
        case unavailable = 14
        case unauthenticated = 16
    }

    static func success(_ message: String, data: DataField = .omitted) -> HTTPResponse {
        response(status: "success", code: .ok, message: message, data: data)
    }

    static func error(_ code: Code, _ message: String, data: DataField = .omitted) -> HTTPResponse {
        response(status: "error", code: code, message: message, data: data)
    }

    /// A registration refusal, answered with the code and message the error itself carries (webapp.md §4.6).
    static func refusal(_ error: RegistrationError) -> HTTPResponse {
        .json(body(status: "error", rawCode: Int64(error.apiCode), message: error.apiMessage, data: .omitted))
    }

    static func response(status: String, code: Code, message: String, data: DataField,
                         httpStatus: HTTPStatus = .ok) -> HTTPResponse {
        .json(body(status: status, code: code, message: message, data: data), status: httpStatus)
    }

    static func body(status: String, code: Code, message: String, data: DataField) -> [UInt8] {
        body(status: status, rawCode: code.rawValue, message: message, data: data)
    }

    static func body(status: String, rawCode: Int64, message: String, data: DataField) -> [UInt8] {
        var fields: [(String, GoJSONValue)] = [("status", .string(status)), ("code", .int(rawCode)),
                                             ("message", .string(message))]
        switch data {
        case .omitted: break
        case .null: fields.append(("data", .null))
        case .value(let value): fields.append(("data", value))
        }
        var bytes = GoJSON.encode(.object(fields))
        bytes.append(10)
        return bytes
    }

    /// HTTP 404 `{"status":"error","code":3,"message":"invalid API command or version"}`.
    static let invalidCommand: HTTPResponse = response(status: "error", code: .invalidArgument,
                                                       message: "invalid API command or version", data: .omitted,
                                                       httpStatus: .notFound)
}
