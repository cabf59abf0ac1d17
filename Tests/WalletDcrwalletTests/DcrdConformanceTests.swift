import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
@testable import WalletDcrwallet
import WalletSimnet
import XCTest

/// The dcrd RPC client passes the node contract against the simulated node served over a TLS websocket
/// (every method name, param and result shape, and the notification subscription on the wire).
final class DcrdConformanceTests: NodeBackendConformanceTests {
    private var directory: URL!
    private var server: JSONRPCServer!
    private var simnet: Simnet!
    private var bridge: Int?
    private var endpoint: RPCEndpointConfiguration!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dcrd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("rpc.cert").path
        let key = directory.appendingPathComponent("rpc.key").path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: cert, privateKeyFile: key)
        simnet = Simnet(configuration: .init(seed: 12, walletCount: 1), logger: .disabled)
        _ = simnet.mine(20)
        server = try JSONRPCServer(configuration: .init(address: .init(host: "127.0.0.1", port: 0),
                                                       tls: .init(certificateFile: cert, privateKeyFile: key),
                                                       user: "u", password: "n0de-pass", name: "dcrd"), logger: .disabled)
        WalletRPCHandlers.install(WalletRPCHandlers.node(SimnetNodeBackend(simnet: simnet)), on: server, withNotifications: true)
        let address = try server.start()
        let server = server!
        bridge = simnet.subscribe { _ = WalletRPCHandlers.publish($0, on: server) }
        endpoint = RPCEndpointConfiguration(host: address.description, defaultPort: 19556, user: "u", password: "n0de-pass",
                                            certificatePath: cert, name: "dcrd")
    }

    override func tearDownWithError() throws {
        if let bridge { simnet.unsubscribe(bridge) }
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    override func makeNode() async throws -> (any NodeBackend)? {
        let node = try DcrdBackend(configuration: endpoint, logger: .disabled)
        try await node.connect()
        return node
    }

    override func produceBlock(on node: any NodeBackend) async throws -> Bool {
        _ = simnet.mine(1)
        return true
    }

    func testDcrd_conformanceOverTLSWebsocket() async throws { try await runNodeConformance() }
}
