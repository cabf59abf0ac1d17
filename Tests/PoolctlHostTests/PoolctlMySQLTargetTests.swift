import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import PoolctlHost
import XCTest

/// Issue 18's MySQL breakages through poolctl's real entry point and the built-in MySQL plugin, against the test
/// MariaDB: `dbhost=localhost` (the default) is TCP to `dbport`, not the client library's default Unix socket;
/// `dbsocket` is the socket; `poolctl db migrate|status` need only the database options — a file with nothing
/// else, naming stakepoold hosts whose certificates do not exist, is enough.
final class PoolctlMySQLTargetTests: XCTestCase {
    private var directory: URL?

    override func tearDown() async throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs `poolctl -C <file> db <command>` on a config of the database options `target` plus credentials.
    private func db(_ command: String, _ target: String) async throws -> (code: Int32, out: String, err: String) {
        let directory = try self.directory ?? TestEnvironment.makeTemporaryDirectory(prefix: "poolctl-mysql-target")
        self.directory = directory
        let path = directory.appendingPathComponent("dcrstakepool-\(UUID().uuidString).conf").path
        try """
        storage=mysql
        \(target)
        dbuser=\(try TestEnvironment.require("POOL_MYSQL_USER"))
        dbpassword=\(try TestEnvironment.require("POOL_MYSQL_PASSWORD"))
        dbname=\(try TestEnvironment.require("POOL_MYSQL_DATABASE"))
        enablestakepoold=1
        stakepooldhosts=127.0.0.1:1,127.0.0.2:1
        stakepooldcerts=/tmp/absent-\(UUID().uuidString).cert,/tmp/absent-\(UUID().uuidString).cert
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let out = LockedValue(""), err = LockedValue("")
        let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } },
                                err: { text in err.withLock { $0 += text + "\n" } })
        let code = await PoolctlMain.run(arguments: ["-C", path, "db", command], output: output, home: directory.path)
        return (code, out.value, err.value)
    }

    func testPoolctlDB_onMariaDB_dbhostLocalhostIsTCP_dbsocketIsTheSocket_noStakepooldCertsNeeded() async throws {
        let port = try TestEnvironment.require("POOL_MYSQL_PORT")
        // The private test server listens on its own port and socket; the library's default socket is not it.
        let tcp = "dbhost=localhost\ndbport=\(port)"
        let migrated = try await db("migrate", tcp)
        XCTAssertEqual(migrated.code, ExitCode.ok, migrated.err)
        let status = try await db("status", tcp)
        XCTAssertEqual(status.code, ExitCode.ok, status.err)
        XCTAssertFalse(status.err.contains("stakepoold"), "the stakepoold options are not the database's: \(status.err)")

        let socket = try await db("status", "dbsocket=\(try TestEnvironment.require("POOL_MYSQL_SOCKET"))")
        XCTAssertEqual(socket.code, ExitCode.ok, socket.err)

        // Nothing listens at localhost:<refusing port>: the error names that address, and it was TCP.
        let refusing = try ChildProcessHarness.refusingPort()
        defer { refusing.close() }
        let refused = try await db("status", "dbhost=localhost\ndbport=\(refusing.localAddress.port)")
        XCTAssertEqual(refused.code, ExitCode.database, refused.out)
        XCTAssertTrue(refused.err.contains("localhost:\(refusing.localAddress.port)"), refused.err)
        XCTAssertFalse(refused.err.lowercased().contains("socket"), "a TCP failure, not a socket one: \(refused.err)")
    }
}
