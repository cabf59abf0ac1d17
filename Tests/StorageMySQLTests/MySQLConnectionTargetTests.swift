import Foundation
import PoolKernel
import PoolTestKit
import SQLStorageBase
@testable import StorageMySQL
import XCTest

/// `dbhost` means TCP, also for `localhost` (the client library would otherwise take it as its default Unix socket
/// and ignore `dbport`); a socket is used only when `dbsocket` asks for it.
final class MySQLConnectionTargetTests: XCTestCase {
    /// How the server sees this connection: `127.0.0.1:<port>` over TCP, `localhost` over a Unix socket.
    private func peerHost(_ configuration: MySQLStoragePlugin.Configuration) async throws -> String {
        let rows = try await MySQLTestSupport.adminQuery(
            configuration, "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")
        switch rows.first?.first {
        case .text(let host)?: return host
        case .blob(let bytes)?: return String(decoding: bytes, as: UTF8.self)
        default: return "\(rows)"
        }
    }

    func testDbhostLocalhostUsesTCPAtDbport() async throws {
        var configuration = try MySQLTestSupport.configuration()
        configuration.host = "localhost"
        let host = try await peerHost(configuration)
        XCTAssertTrue(host.hasPrefix("127.0.0.1:"), "dbhost=localhost must connect over TCP to dbport, not a socket: \(host)")
    }

    func testDbsocketConnectsThroughTheSocket() async throws {
        let socket = try TestEnvironment.require("POOL_MYSQL_SOCKET")
        var configuration = try MySQLTestSupport.configuration()
        configuration.host = "db.invalid"  // ignored with a socket
        configuration.port = 1
        configuration.socket = socket
        let host = try await peerHost(configuration)
        XCTAssertEqual(host, "localhost", "dbsocket must connect through the Unix socket")
        XCTAssertEqual(configuration.endpoint, "unix:\(socket)")
    }

    func testUnreachableTCPErrorNamesHostAndPort() async throws {
        var configuration = try MySQLTestSupport.configuration()
        configuration.host = "localhost"
        configuration.port = 1
        configuration.connectTimeoutSeconds = 2
        do {
            _ = try await peerHost(configuration)
            XCTFail("port 1 should refuse")
        } catch let error as StorageError {
            XCTAssertTrue(error.message.contains("cannot connect to MySQL at localhost:1"), error.message)
            XCTAssertFalse(error.message.contains("socket"), "a TCP failure, not a socket one: \(error.message)")
        }
    }
}
