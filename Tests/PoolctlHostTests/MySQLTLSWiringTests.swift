import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import PoolctlHost
import XCTest

/// `dbtls`, `dbtlsca` and `dbtlsskipverify` from a real config file through the built-in MySQL plugin
/// (`poolctl db status`), against the test MariaDB whose certificate a throwaway test CA signed.
final class MySQLTLSWiringTests: XCTestCase {
    private var directory: URL?

    override func tearDown() async throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func dbStatus(_ tlsLines: String) async throws -> (code: Int32, out: String, err: String) {
        let host = try TestEnvironment.require("POOL_MYSQL_HOST")
        let port = try TestEnvironment.require("POOL_MYSQL_PORT")
        let user = try TestEnvironment.require("POOL_MYSQL_USER")
        let password = try TestEnvironment.require("POOL_MYSQL_PASSWORD")
        let database = try TestEnvironment.require("POOL_MYSQL_DATABASE")
        let directory = try self.directory ?? TestEnvironment.makeTemporaryDirectory(prefix: "mysql-tls")
        self.directory = directory
        let path = try WebAppTestConfig.write(into: directory.path, fileName: "dcrstakepool-\(UUID().uuidString).conf",
                                              serving: false, extra: """
        storage=mysql
        dbhost=\(host)
        dbport=\(port)
        dbuser=\(user)
        dbpassword=\(password)
        dbname=\(database)
        dbtls=true
        \(tlsLines)
        """)
        let out = LockedValue(""), err = LockedValue("")
        let output = HostOutput(out: { text in out.withLock { $0 += text + "\n" } },
                                err: { text in err.withLock { $0 += text + "\n" } })
        let code = await PoolctlMain.run(arguments: ["-C", path, "db", "status"], output: output, home: directory.path)
        return (code, out.value, err.value)
    }

    func testPoolctl_dbtlsWithoutCARefusesTheUntrustedServer() async throws {
        let refused = try await dbStatus("")
        XCTAssertEqual(refused.code, ExitCode.database, refused.out)
        XCTAssertTrue(refused.err.contains("dbtlsca"), refused.err)
        XCTAssertTrue(refused.err.contains("dbtlsskipverify"), refused.err)
        XCTAssertFalse(refused.err.contains(try TestEnvironment.require("POOL_MYSQL_PASSWORD")), refused.err)
    }

    func testPoolctl_dbtlscaOrSkipVerifyConnects() async throws {
        let ca = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        let verified = try await dbStatus("dbtlsca=\(ca)")
        XCTAssertEqual(verified.code, ExitCode.ok, verified.err)
        let skipped = try await dbStatus("dbtlsskipverify=true")
        XCTAssertEqual(skipped.code, ExitCode.ok, skipped.err)
    }
}
