import Foundation
import PoolKernel
@testable import PoolNet
import XCTest

/// A hand-driven websocket server for tests: every byte it reads is asserted by the test script,
/// every byte it writes is chosen by it (including fragmented frames, pings, garbage and drops).
final class ScriptedServer: @unchecked Sendable {
    // @unchecked: the listener is Sendable; `tls` is immutable after init. Used by one script thread.
    let listener: TCPListener
    let tls: TLSContext?
    let certificateFile: String

    init(directory: URL, tls useTLS: Bool = true) throws {
        certificateFile = directory.appendingPathComponent("rpc.cert").path
        let key = directory.appendingPathComponent("rpc.key").path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: certificateFile, privateKeyFile: key)
        tls = useTLS ? try TLSContext(server: .init(certificateFile: certificateFile, privateKeyFile: key)) : nil
        listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
    }

    var address: String { listener.localAddress.description }

    func accept() throws -> ScriptedPeer {
        guard let connection = try listener.accept(timeout: .seconds(10)) else {
            throw NetError(.netTimeout, "no client connected")
        }
        if let tls { try connection.acceptTLS(tls, timeout: .seconds(10)) }
        return ScriptedPeer(connection)
    }

    /// Runs `script` on a background thread; the returned expectation is fulfilled when it ends, and
    /// any error it throws fails the test.
    func run(_ test: XCTestCase, _ script: @escaping @Sendable (ScriptedServer) throws -> Void) -> XCTestExpectation {
        let done = test.expectation(description: "server script")
        DispatchQueue.global().async {
            do { try script(self) } catch { XCTFail("server script failed: \(error)") }
            done.fulfill()
        }
        return done
    }
}

/// The server side of one scripted connection.
final class ScriptedPeer: @unchecked Sendable {
    // @unchecked: used from the single script thread only.
    let connection: NetConnection
    private var parser = WebSocketFrameParser(role: .server) // rejects unmasked client frames
    private var buffered: [UInt8] = []

    init(_ connection: NetConnection) { self.connection = connection }

    func readHead() throws -> HTTPHead {
        while true {
            if let (head, consumed) = try HTTPHead.parse(buffered) {
                parser.append(Array(buffered[consumed...]))
                buffered = []
                return head
            }
            let chunk = try connection.read(timeout: .seconds(10))
            guard !chunk.isEmpty else { throw NetError(.netClosed, "client closed before the upgrade") }
            buffered += chunk
        }
    }

    /// Reads the upgrade request and accepts it; returns the request head for assertions.
    @discardableResult
    func acceptUpgrade() throws -> HTTPHead {
        let head = try readHead()
        let request = try WebSocketHandshake.validateClientRequest(head)
        try send(WebSocketHandshake.switchingProtocols(key: request.key))
        return head
    }

    func readEvent() throws -> WebSocketEvent {
        while true {
            if let event = try parser.next() { return event }
            let chunk = try connection.read(timeout: .seconds(10))
            guard !chunk.isEmpty else { throw NetError(.netClosed, "client closed") }
            parser.append(chunk)
        }
    }

    /// The next text message (skipping pongs).
    func readText() throws -> String {
        while true {
            switch try readEvent() {
            case .text(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .pong: continue
            case let other: throw NetError(.netProtocol, "expected text, got \(other)")
            }
        }
    }

    func send(_ bytes: [UInt8]) throws { try connection.write(bytes, timeout: .seconds(10)) }

    func sendText(_ text: String) throws {
        try send(WebSocketFrameEncoder.frame(opcode: .text, payload: Array(text.utf8), maskKey: nil))
    }

    /// Sends `{"result":result,"error":null,"id":id}`.
    func reply(id: Int, result: JSONValue) throws {
        try sendText(#"{"result":\#(result.description),"error":null,"id":\#(id)}"#)
    }
}
