import Foundation
import PoolKernel
import PoolNet
import XCTest

/// A TLS JSON-RPC websocket server (PoolNet's, as simwallet uses) with Basic auth on a loopback port 0, recording
/// every request as it arrived on the wire so tests can assert the method and the exact params.
final class RecordingRPCServer: Sendable {
    let server: JSONRPCServer
    let directory: URL
    let certificateFile: String
    let requests = LockedValue<[(method: String, params: String)]>([])
    static let user = "vspuser"
    static let password = "vsp-rpc-pass-0123"

    /// `port` 0 binds a free one at `start`.
    init(name: String, port: UInt16 = 0) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificateFile = directory.appendingPathComponent("rpc.cert").path
        let key = directory.appendingPathComponent("rpc.key").path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: certificateFile, privateKeyFile: key)
        var configuration = JSONRPCServerConfiguration(address: HostPort(host: "127.0.0.1", port: port),
                                                       tls: TLSServerConfiguration(certificateFile: certificateFile, privateKeyFile: key),
                                                       user: Self.user, password: Self.password, name: name)
        let requests = requests
        configuration.onRequest = { method, params in
            requests.withLock { $0.append((method, JSONValue.array(params).description)) }
        }
        server = try JSONRPCServer(configuration: configuration, logger: .disabled)
    }

    /// Starts listening; the client settings that reach it (its certificate as the only trust anchor).
    func start(name: String, reconnect: ReconnectPolicy? = nil) throws -> JSONRPCClientConfiguration {
        client(at: try server.start(), name: name, reconnect: reconnect)
    }

    /// Client settings for this server at `address` (before it listens there, for a server that starts late).
    func client(at address: PoolNet.HostPort, name: String, reconnect: ReconnectPolicy? = nil) -> JSONRPCClientConfiguration {
        JSONRPCClientConfiguration(address: address, tls: TLSClientConfiguration(trust: .certificateFile(certificateFile)),
                                   user: Self.user, password: Self.password, connectTimeout: .seconds(5),
                                   callTimeout: .seconds(10), reconnect: reconnect, name: name)
    }

    /// Answers `method` with `reply(params)`; a thrown `NetError.rpc` becomes the error object.
    func handle(_ method: String, _ reply: @escaping @Sendable ([JSONValue]) throws -> JSONValue) {
        server.register(method) { try reply($0) }
    }

    /// Answers `method` with the JSON text `json` (as the daemon writes it).
    func answer(_ method: String, json: String) {
        let value = try! JSONValue.parse(json)
        server.register(method) { _ in value }
    }

    /// The params of every `method` request, as JSON text, in arrival order.
    func params(of method: String) -> [String] { requests.value.filter { $0.method == method }.map(\.params) }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Parses daemon JSON text written in a test.
func json(_ text: String) -> JSONValue { try! JSONValue.parse(text) }
