import Foundation
import PoolNet

/// A minimal Chrome DevTools Protocol client for tests: one target over a plain websocket on loopback
/// (PoolNet's handshake and frame codec), synchronous calls matched by id. Events that arrive meanwhile are
/// kept in order until `waitForEvent` or `clearEvents` takes them.
final class DevToolsClient {
    struct ProtocolError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private let connection: NetConnection
    private var parser = WebSocketFrameParser(role: .client, maxMessageSize: 64 << 20)
    private var nextID: Int64 = 0
    private var events: [(method: String, params: JSONValue)] = []

    /// Connects to a `ws://host:port/path` debugger URL and completes the websocket handshake.
    init(webSocketURL: String, timeout: Duration = .seconds(10)) throws {
        guard let url = URL(string: webSocketURL), url.scheme == "ws", let host = url.host, let port = url.port,
              let port16 = UInt16(exactly: port) else {
            throw ProtocolError("not a plain ws:// URL: \(webSocketURL)")
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        connection = try NetConnection.connect(to: HostPort(host: host, port: port16), timeout: timeout)
        do {
            let key = WebSocketHandshake.makeKey()
            try connection.write(WebSocketHandshake.clientRequest(host: "\(host):\(port)", path: url.path, key: key,
                                                                  authorization: nil), timeout: timeout)
            var received: [UInt8] = []
            while true {
                let chunk = try connection.read(timeout: Self.left(until: deadline))
                if chunk.isEmpty { throw ProtocolError("DevTools closed the connection during the handshake") }
                received += chunk
                if let (head, used) = try HTTPHead.parse(received) {
                    try WebSocketHandshake.validateServerResponse(head, key: key)
                    parser.append(Array(received[used...]))
                    break
                }
            }
        } catch {
            connection.close()
            throw error
        }
    }

    deinit { connection.close() }

    /// Sends `method` with `params` and waits for its answer: the `result` object, or a thrown error answer.
    @discardableResult
    func call(_ method: String, _ params: JSONObject = [:], timeout: Duration = .seconds(15)) throws -> JSONValue {
        nextID += 1
        let id = nextID
        let message: JSONValue = .object(["id": .int(id), "method": .string(method), "params": .object(params)])
        let frame = WebSocketFrameEncoder.frame(opcode: .text, payload: message.encoded(),
                                                maskKey: UInt32.random(in: 0...UInt32.max))
        try connection.write(frame, timeout: timeout)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let answer = try nextMessage(deadline: deadline, waitingFor: method)
            if answer["id"]?.intValue == id {
                if let error = answer["error"] { throw ProtocolError("\(method) failed: \(error)") }
                return answer["result"] ?? .null
            }
            keepIfEvent(answer)
        }
    }

    /// Forgets the events received so far (call before an action whose event you will wait for).
    func clearEvents() { events.removeAll() }

    /// The params of the first event named `method` received since the last `clearEvents`, waiting for it.
    @discardableResult
    func waitForEvent(_ method: String, timeout: Duration = .seconds(15)) throws -> JSONValue {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let index = events.firstIndex(where: { $0.method == method }) {
                let params = events[index].params
                events.removeSubrange(...index)
                return params
            }
            keepIfEvent(try nextMessage(deadline: deadline, waitingFor: method))
        }
    }

    /// Sends a close frame and closes the socket.
    func close() {
        if !connection.isClosed {
            let frame = WebSocketFrameEncoder.frame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: 1000, reason: ""),
                                                    maskKey: UInt32.random(in: 0...UInt32.max))
            try? connection.write(frame, timeout: .seconds(1))
        }
        connection.close()
    }

    private func keepIfEvent(_ message: JSONValue) {
        if let name = message["method"]?.stringValue { events.append((name, message["params"] ?? .null)) }
    }

    private func nextMessage(deadline: ContinuousClock.Instant, waitingFor what: String) throws -> JSONValue {
        while true {
            while let event = try parser.next() {
                switch event {
                case .text(let payload), .binary(let payload):
                    return try JSONValue.parse(payload)
                case .ping(let payload):
                    try connection.write(WebSocketFrameEncoder.frame(opcode: .pong, payload: payload,
                                                                     maskKey: UInt32.random(in: 0...UInt32.max)),
                                         timeout: .seconds(5))
                case .pong:
                    continue
                case .close(let code, let reason):
                    connection.close()
                    throw ProtocolError("DevTools closed the connection (\(code) \(reason)) while waiting for \(what)")
                }
            }
            let chunk: [UInt8]
            do {
                chunk = try connection.read(maxLength: 65_536, timeout: Self.left(until: deadline))
            } catch let error as NetError where error.code == .netTimeout {
                throw ProtocolError("timed out waiting for \(what)")
            }
            if chunk.isEmpty { throw ProtocolError("DevTools closed the connection while waiting for \(what)") }
            parser.append(chunk)
        }
    }

    private static func left(until deadline: ContinuousClock.Instant) -> Duration {
        max(.milliseconds(1), ContinuousClock.now.duration(to: deadline))
    }
}
