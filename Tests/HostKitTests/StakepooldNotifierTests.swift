import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StakepooldControl
import XCTest

/// The web app's pushes to stakepoold's control API (issue 18 item 3) against a real control server over TLS:
/// a change made while the daemon is down stays pending (gauge) and is delivered once it listens; a wrong token
/// is logged on both sides with the reason and counted; and (issue 17 item 10) a client that connects and
/// sends nothing loses its slot at the header timeout.
final class StakepooldNotifierTests: XCTestCase {
    var tempDir: URL!

    override func setUpWithError() throws { tempDir = try TestEnvironment.makeTemporaryDirectory(prefix: "notifier") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tempDir) }

    private func server(port: UInt16, token: String?, logger: Logger, updates: LockedBox,
                        configure: (inout ControlServer.Configuration) -> Void = { _ in }) throws -> (ControlServer, PoolNet.HostPort) {
        var configuration = ControlServer.Configuration(
            listen: [PoolNet.HostPort(host: "127.0.0.1", port: port)], certificateFile: tempDir.appendingPathComponent("rpc.cert").path,
            privateKeyFile: tempDir.appendingPathComponent("rpc.key").path, authToken: token)
        configure(&configuration)
        let server = ControlServer(configuration: configuration, logger: logger) { updates.append($0) }
        let bound = try server.bind()
        return (server, try XCTUnwrap(bound.first))
    }

    private func waitFor(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<1_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("timed out waiting for \(what)")
        throw CancellationError()
    }

    func testNotifier_changeWhileStakepooldIsDownIsDeliveredWhenItComesUp() async throws {
        // A port held with nothing listening on it yet; the control server binds it later (SO_REUSEADDR).
        let held = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0), listening: false)
        defer { held.close() }
        let port = held.localAddress.port
        let host = "127.0.0.1:\(port)"
        let logs = CapturingSink()
        let client = ControlClient(address: PoolNet.HostPort(host: "127.0.0.1", port: port),
                                   certificateFile: tempDir.appendingPathComponent("rpc.cert").path, timeout: .seconds(2))
        let notifier = StakepooldNotifier(clients: [client], backoff: .init(base: .milliseconds(20), cap: .milliseconds(200)),
                                          logger: LogBackend(level: .debug, sinks: [logs]).logger("GRPC"))
        let registry = MetricsRegistry()
        notifier.export(to: registry)
        let running = Task { try await notifier.run() }
        defer { running.cancel() }

        notifier.notify(userId: 7)
        try await waitFor("a failed attempt") { logs.text.contains("Failed to update stakepoold voting cfg for user 7 on host \(host)") }
        XCTAssertEqual(notifier.pendingHosts, [host])
        XCTAssertTrue(registry.render().contains("pool_stakepoold_pending_notifications{host=\"\(host)\"} 1"), registry.render())
        notifier.notify(userId: 9)   // a second change for another user: one reload of everyone is pending

        let updates = LockedBox()
        let (control, _) = try server(port: port, token: nil, logger: .disabled, updates: updates)
        let serving = Task { try await control.run() }
        defer { serving.cancel() }
        try await waitFor("the delivery") {
            !updates.values.isEmpty && notifier.pendingHosts.isEmpty && logs.text.contains("accepted the pending voting-preference change")
        }
        XCTAssertEqual(updates.values, [0], "coalesced into one reload of every user")
        XCTAssertTrue(registry.render().contains("pool_stakepoold_pending_notifications{host=\"\(host)\"} 0"), registry.render())
        XCTAssertTrue(logs.text.contains("accepted the pending voting-preference change"), logs.text)
    }

    func testNotifier_wrongTokenIsLoggedOnBothSidesAndCounted() async throws {
        let serverLogs = CapturingSink()
        let updates = LockedBox()
        let (control, address) = try server(port: 0, token: "right-token-123",
                                            logger: LogBackend(level: .info, sinks: [serverLogs]).logger("GRPC"), updates: updates)
        let serving = Task { try await control.run() }
        defer { serving.cancel() }
        let clientLogs = CapturingSink()
        let client = ControlClient(address: address, certificateFile: tempDir.appendingPathComponent("rpc.cert").path,
                                   authToken: "wrong-token-456")
        let notifier = StakepooldNotifier(clients: [client], backoff: .init(base: .seconds(60), cap: .seconds(60)),
                                          logger: LogBackend(level: .info, sinks: [clientLogs]).logger("GRPC"))
        let registry = MetricsRegistry()
        notifier.export(to: registry)
        let running = Task { try await notifier.run() }
        defer { running.cancel() }
        notifier.notify(userId: 3)
        try await waitFor("the refusal") { notifier.authFailures(host: 0) == 1 }
        XCTAssertTrue(clientLogs.text.contains("stakepoold at \(address) refused the token: check stakepooldtoken = controltoken"),
                      clientLogs.text)
        XCTAssertTrue(registry.render().contains("pool_stakepoold_auth_failures_total{host=\"\(address)\"} 1"), registry.render())
        try await waitFor("the server's log line") { serverLogs.text.contains("refused") }
        let refusal = try XCTUnwrap(serverLogs.captured.first { $0.contains("refused") })
        XCTAssertTrue(refusal.contains("POST /v1/voting-prefs") && refusal.contains("from 127.0.0.1")
                      && refusal.contains("401") && refusal.contains("missing or wrong token"), refusal)
        XCTAssertFalse(serverLogs.text.contains("wrong-token-456") || serverLogs.text.contains("right-token-123"))
        XCTAssertFalse(clientLogs.text.contains("wrong-token-456"))
        XCTAssertTrue(updates.values.isEmpty)
        XCTAssertEqual(notifier.pendingHosts, [address.description], "still pending: retried until delivered")
    }

    func testNotifier_toolsDeliverOnceWithoutTheQueueRunning() async throws {
        let updates = LockedBox()
        let (control, address) = try server(port: 0, token: nil, logger: .disabled, updates: updates)
        let client = ControlClient(address: address, certificateFile: tempDir.appendingPathComponent("rpc.cert").path,
                                   timeout: .seconds(2))
        let notifier = StakepooldNotifier(clients: [client], logger: .disabled)
        notifier.notify(userId: 4)
        let stillPending = await notifier.deliverPendingOnce()
        XCTAssertEqual(stillPending, [address.description], "the server is bound but not serving yet: no answer")
        let serving = Task { try await control.run() }
        defer { serving.cancel() }
        let left = await notifier.deliverPendingOnce()
        XCTAssertEqual(left, [])
        XCTAssertEqual(updates.values, [4])
    }

    func testControlServer_silentClientsLoseTheirSlotsAtTheHeaderTimeout() async throws {
        let updates = LockedBox()
        let (control, address) = try server(port: 0, token: nil, logger: .disabled, updates: updates) {
            $0.maxConnections = 2
            $0.headerTimeout = .milliseconds(200)
            $0.connectionTimeout = .seconds(60)
        }
        let serving = Task { try await control.run() }
        defer { serving.cancel() }
        // Two raw TCP clients take every slot and send nothing.
        var silent: [NetConnection] = []
        for _ in 0..<2 { silent.append(try await NetConnection.connect(to: address, timeout: .seconds(2))) }
        defer { for connection in silent { connection.close() } }
        for connection in silent {
            let bytes = try await connection.perform { try $0.read(maxLength: 64, timeout: .seconds(10)) }
            XCTAssertEqual(bytes, [], "the server closed the silent connection long before the 60 s request timeout")
        }
        let client = ControlClient(address: address, certificateFile: tempDir.appendingPathComponent("rpc.cert").path)
        try await client.ping()
    }
}
