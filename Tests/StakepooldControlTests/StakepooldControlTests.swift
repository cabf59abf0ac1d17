import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StakepooldControl
import XCTest

/// The control API over real TLS on loopback: version, ping, update prefs, auth token, bad requests.
final class StakepooldControlTests: XCTestCase {
    var tempDir: URL!

    override func setUpWithError() throws {
        tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tempDir) }

    func withServer(token: String? = nil, configure: (inout ControlServer.Configuration) -> Void = { _ in },
                    _ body: (PoolNet.HostPort, String, LockedBox) async throws -> Void) async throws {
        let updates = LockedBox()
        let cert = tempDir.appendingPathComponent("rpc.cert").path
        var configuration = ControlServer.Configuration(
            listen: [PoolNet.HostPort(host: "127.0.0.1", port: 0)], certificateFile: cert,
            privateKeyFile: tempDir.appendingPathComponent("rpc.key").path, authToken: token)
        configuration.connectionTimeout = .seconds(3)
        configure(&configuration)
        let server = ControlServer(configuration: configuration, logger: .disabled) { id in updates.append(id) }
        let address = try XCTUnwrap(try server.bind().first)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        try await body(address, cert, updates)
    }

    func testControlAPI_versionPingAndUpdate() async throws {
        try await withServer { address, cert, updates in
            let client = ControlClient(address: address, certificateFile: cert)
            let version = try await client.version()
            XCTAssertEqual(version, APIVersion(major: 3, minor: 0, patch: 0))
            try await client.checkVersion()
            try await client.ping()
            try await client.updateVotingPrefs(userId: 42)
            try await client.updateVotingPrefs(userId: 0)
            XCTAssertEqual(updates.values, [42, 0])
        }
    }

    func testControlAPI_tokenIsRequiredWhenConfigured() async throws {
        try await withServer(token: "s3cret-token") { address, cert, updates in
            let anonymous = ControlClient(address: address, certificateFile: cert)
            await assertControlError(.controlUnauthorized, messageContains: "check stakepooldtoken = controltoken",
                                     messageLacks: "s3cret") {
                try await anonymous.updateVotingPrefs(userId: 1)
            }
            let wrong = ControlClient(address: address, certificateFile: cert, authToken: "s3cret-tokex")
            await assertControlError(.controlUnauthorized, messageContains: "refused the token") { try await wrong.ping() }
            let right = ControlClient(address: address, certificateFile: cert, authToken: "s3cret-token")
            try await right.updateVotingPrefs(userId: 5)
            XCTAssertEqual(updates.values, [5])
        }
    }

    func testControlAPI_untrustedCertificateFails() async throws {
        try await withServer { address, _, _ in
            let other = SelfSignedCertificate.loadOrCreate
            let otherCert = tempDir.appendingPathComponent("other.cert").path
            _ = try other(otherCert, tempDir.appendingPathComponent("other.key").path, SelfSignedCertificate.loopbackHosts)
            let client = ControlClient(address: address, certificateFile: otherCert, timeout: .seconds(3))
            do {
                try await client.ping()
                XCTFail("expected a TLS failure")
            } catch let error as ControlError {
                XCTAssertEqual(error.code, .controlUnavailable)
            }
        }
    }

    /// Issue 17 item 10: the connection slots have timeouts. Clients that connect and send nothing (not even a TLS
    /// hello) hold every slot only until the header timeout: the server closes them long before their own wait
    /// ends, and a real client is served again.
    func testControlAPI_silentClientsLoseTheirSlotsAtTheHeaderTimeout() async throws {
        try await withServer(configure: { $0.maxConnections = 2; $0.headerTimeout = .milliseconds(300) }) { address, cert, _ in
            let silent = try (0..<2).map { _ in try NetConnection.connect(to: address, timeout: .seconds(5)) }
            defer { for connection in silent { connection.close() } }
            for (index, connection) in silent.enumerated() {
                // End of stream (or a reset) is the server closing; a timeout means it still holds the slot.
                let closed: Bool
                do {
                    closed = try connection.read(timeout: .seconds(10)).isEmpty
                } catch let error as NetError {
                    closed = error.code != .netTimeout
                }
                XCTAssertTrue(closed, "silent client \(index) still held its slot after 10 s")
            }
            try await ControlClient(address: address, certificateFile: cert).ping()
        }
    }

    /// Nothing listens on 127.0.0.1:1; the certificate is real, so the failure can only come from connecting.
    func testControlAPI_unreachableDaemonFailsOnConnect() async throws {
        let cert = tempDir.appendingPathComponent("rpc.cert").path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: cert,
                                                   privateKeyFile: tempDir.appendingPathComponent("rpc.key").path,
                                                   hosts: SelfSignedCertificate.loopbackHosts)
        let client = ControlClient(address: PoolNet.HostPort(host: "127.0.0.1", port: 1), certificateFile: cert,
                                   timeout: .seconds(2))
        await assertControlError(.controlUnavailable, messageContains: "cannot connect to 127.0.0.1:1") {
            _ = try await client.version()
        }
    }
}

/// Fails unless `body` throws a `ControlError` with `code` whose message contains `messageContains` (and not
/// `messageLacks`).
func assertControlError(_ code: ErrorCode, messageContains: String, messageLacks: String? = nil,
                        _ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async {
    do {
        try await body()
        XCTFail("expected ControlError \(code)", file: file, line: line)
    } catch let error as ControlError {
        XCTAssertEqual(error.code, code, error.message, file: file, line: line)
        XCTAssertTrue(error.message.contains(messageContains), "\(error.message) lacks \"\(messageContains)\"",
                      file: file, line: line)
        if let messageLacks { XCTAssertFalse(error.message.contains(messageLacks), error.message, file: file, line: line) }
    } catch {
        XCTFail("expected ControlError \(code), got \(error)", file: file, line: line)
    }
}
