import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PoolKernel
import PoolNet

/// A vspd API v3 client written from `../shared/spec/vspd-api.md`, not from the server's code: what dcrwallet's
/// `vspd/client` does on the wire. Every POST body is signed with a ticket key (§2); every HTTP 200 answer must carry
/// a valid `VSP-Server-Signature` by the VSP's key (§3) and echo the exact request bytes (§3.3); an error body must be
/// exactly `{"code","message"}` (§1.4: the Go client decodes it with unknown fields disallowed).
package final class VspSpecClient: @unchecked Sendable {
    // @unchecked: `serverKey` is set once, before any concurrent use (by `vspInfo`), or given at init.
    package let baseURL: String
    /// The VSP's Ed25519 public key, configured out of band as dcrwallet does; nil: taken from the first vspinfo.
    package private(set) var serverKey: [UInt8]?
    private let session: URLSession

    package struct Reply: Sendable {
        package var status: Int
        /// The body bytes exactly as received.
        package var body: [UInt8]
        /// The decoded JSON object (success; keys in wire order) — empty for an error.
        package var object: JSONObject
        /// vspd's error (code, message) for a non-200 answer.
        package var error: (code: Int, message: String)?
    }

    package struct ProtocolViolation: Error, CustomStringConvertible {
        package var description: String
    }

    package init(baseURL: String, serverKey: [UInt8]? = nil) {
        self.baseURL = baseURL
        self.serverKey = serverKey
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    /// `GET /api/v3/vspinfo`, its signature checked (against the key it names when none was configured).
    package func vspInfo() async throws -> Reply {
        let (status, body, signature) = try await send("GET", "/api/v3/vspinfo", body: nil, clientSignature: nil)
        guard status == 200 else { return try errorReply(status, body) }
        let object = try decodeObject(body)
        if serverKey == nil {
            guard let text = object["pubkey"]?.stringValue, let key = Data(base64Encoded: text), key.count == 32 else {
                throw ProtocolViolation(description: "vspinfo has no 32-byte base64 pubkey")
            }
            serverKey = Array(key)
        }
        try checkServerSignature(body, signature)
        return Reply(status: status, body: body, object: object)
    }

    /// POST `path` with `fields` as the JSON body, signed with `signingKey` (the commitment or alternate key).
    /// `timestamp` is added unless nil (ticketstatus has none).
    package func post(_ path: String, _ fields: [String: Any], signingKey: [UInt8]?,
                      signatureOverride: String? = nil) async throws -> Reply {
        let body = Array(try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]))
        return try await postRaw(path, body: body, signingKey: signingKey, signatureOverride: signatureOverride)
    }

    /// POST exact body bytes (hostile-input tests send malformed ones).
    package func postRaw(_ path: String, body: [UInt8], signingKey: [UInt8]?,
                         signatureOverride: String? = nil) async throws -> Reply {
        let signature = try signatureOverride ?? signingKey.map { try SignedMessage.sign(body, privateKey: $0) }
        let (status, reply, serverSignature) = try await send("POST", path, body: body, clientSignature: signature)
        guard status == 200 else { return try errorReply(status, reply) }
        try checkServerSignature(reply, serverSignature)
        let object = try decodeObject(reply)
        guard let echo = object["request"]?.stringValue, Data(base64Encoded: echo) == Data(body) else {
            throw ProtocolViolation(description: "server response contains differing request")
        }
        return Reply(status: status, body: reply, object: object)
    }

    // MARK: - The endpoints as a wallet calls them

    package func feeAddress(ticketHash: String, ticketHex: String, parentHex: String, signingKey: [UInt8],
                            timestamp: Int64 = Int64(Date().timeIntervalSince1970)) async throws -> Reply {
        try await post("/api/v3/feeaddress", ["timestamp": timestamp, "tickethash": ticketHash, "tickethex": ticketHex,
                                              "parenthex": parentHex], signingKey: signingKey)
    }

    package func payFee(ticketHash: String, feeTx: String, votingWIF: String, voteChoices: [String: String],
                        signingKey: [UInt8], timestamp: Int64 = Int64(Date().timeIntervalSince1970)) async throws -> Reply {
        try await post("/api/v3/payfee", ["timestamp": timestamp, "tickethash": ticketHash, "feetx": feeTx,
                                          "votingkey": votingWIF, "votechoices": voteChoices, "tspendpolicy": [String: String](),
                                          "treasurypolicy": [String: String]()], signingKey: signingKey)
    }

    package func ticketStatus(ticketHash: String, signingKey: [UInt8]) async throws -> Reply {
        try await post("/api/v3/ticketstatus", ["tickethash": ticketHash], signingKey: signingKey)
    }

    package func setVoteChoices(ticketHash: String, voteChoices: [String: String], signingKey: [UInt8],
                                timestamp: Int64) async throws -> Reply {
        try await post("/api/v3/setvotechoices", ["timestamp": timestamp, "tickethash": ticketHash,
                                                  "votechoices": voteChoices, "tspendpolicy": [String: String](),
                                                  "treasurypolicy": [String: String]()], signingKey: signingKey)
    }

    package func setAltSignAddress(ticketHash: String, ticketHex: String, parentHex: String, address: String,
                                   signingKey: [UInt8], timestamp: Int64 = Int64(Date().timeIntervalSince1970)) async throws -> Reply {
        try await post("/api/v3/setaltsignaddr", ["timestamp": timestamp, "tickethash": ticketHash, "tickethex": ticketHex,
                                                  "parenthex": parentHex, "altsignaddress": address], signingKey: signingKey)
    }

    // MARK: - Wire

    private func send(_ method: String, _ path: String, body: [UInt8]?,
                      clientSignature: String?) async throws -> (Int, [UInt8], String?) {
        guard let url = URL(string: baseURL + path) else { throw ProtocolViolation(description: "bad URL \(baseURL + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body { request.httpBody = Data(body) }
        // The Go client sends no Content-Type (§1.2): the server must not need one.
        if let clientSignature { request.setValue(clientSignature, forHTTPHeaderField: "VSP-Client-Signature") }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw ProtocolViolation(description: "not an HTTP response") }
        return (http.statusCode, Array(data), http.value(forHTTPHeaderField: "VSP-Server-Signature"))
    }

    private func checkServerSignature(_ body: [UInt8], _ header: String?) throws {
        guard let key = serverKey else { throw ProtocolViolation(description: "no server key to check a response with") }
        guard let header, let signature = Data(base64Encoded: header), signature.count == 64 else {
            throw ProtocolViolation(description: "missing or malformed VSP-Server-Signature")
        }
        guard Ed25519.isValid(signature: Array(signature), message: body, publicKey: key) else {
            throw ProtocolViolation(description: "invalid VSP-Server-Signature")
        }
    }

    private func decodeObject(_ body: [UInt8]) throws -> JSONObject {
        guard let object = (try? JSONValue.parse(body))?.objectValue else {
            throw ProtocolViolation(description: "the body is not a JSON object: \(String(decoding: body, as: UTF8.self))")
        }
        return object
    }

    /// vspd's error body: exactly `code` (an integer) and `message`, nothing else.
    private func errorReply(_ status: Int, _ body: [UInt8]) throws -> Reply {
        guard let object = (try? JSONValue.parse(body))?.objectValue, object.keys.sorted() == ["code", "message"],
              case .int(let code)? = object["code"], let message = object["message"]?.stringValue else {
            throw ProtocolViolation(description: "HTTP \(status) with a body the Go client cannot decode: "
                                    + String(decoding: body.prefix(300), as: UTF8.self))
        }
        return Reply(status: status, body: body, object: JSONObject(), error: (Int(code), message))
    }
}
