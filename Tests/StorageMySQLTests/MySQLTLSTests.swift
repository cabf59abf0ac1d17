import Foundation
import PoolKernel
import PoolTestKit
import SQLStorageBase
@testable import StorageMySQL
import XCTest

/// `dbtls` against the test MariaDB, which scripts/services/mariadb.sh gives a certificate signed by a throwaway
/// test CA (POOL_MYSQL_TLS_CA) that no system store trusts, valid for 127.0.0.1 only.
final class MySQLTLSTests: XCTestCase {
    private func tlsConfiguration(caFile: String?, skipVerify: Bool = false, host: String? = nil) throws
        -> MySQLStoragePlugin.Configuration
    {
        var configuration = try MySQLTestSupport.configuration()
        configuration.tls = true
        configuration.tlsCAFile = caFile
        configuration.tlsSkipVerify = skipVerify
        if let host { configuration.host = host }
        return configuration
    }

    /// The TLS version of the session the connection opened ("" when unencrypted).
    private func sessionTLSVersion(_ configuration: MySQLStoragePlugin.Configuration) async throws -> String {
        let rows = try await MySQLTestSupport.adminQuery(configuration, "SHOW SESSION STATUS LIKE 'Ssl_version'")
        guard let row = rows.first, row.count == 2, case .text(let version) = row[1] else { return "" }
        return version
    }

    private func assertRefused(_ configuration: MySQLStoragePlugin.Configuration, file: StaticString = #filePath,
                               line: UInt = #line) async -> StorageError? {
        do {
            let version = try await sessionTLSVersion(configuration)
            XCTFail("connected (TLS \(version)) although the certificate does not verify", file: file, line: line)
            return nil
        } catch let error as StorageError {
            XCTAssertEqual(error.code, .unavailable, error.message, file: file, line: line)
            XCTAssertFalse(error.message.contains(configuration.password), file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testMySQLTLS_rightCAConnectsEncrypted() async throws {
        let ca = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        let version = try await sessionTLSVersion(try tlsConfiguration(caFile: ca))
        XCTAssertTrue(version.hasPrefix("TLSv1"), "session TLS version \"\(version)\"")
    }

    /// The server's certificate is signed by a CA outside the system store: without `dbtlsca` the connection is
    /// refused (dcrstakepool-era behaviour was to encrypt without checking who answered).
    func testMySQLTLS_withoutCAUntrustedCertificateIsRefusedNamingTheOptions() async throws {
        _ = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        let error = await assertRefused(try tlsConfiguration(caFile: nil))
        let message = error?.message ?? ""
        XCTAssertTrue(message.contains("dbtlsca"), message)
        XCTAssertTrue(message.contains("dbtlsskipverify"), message)
        XCTAssertTrue(message.contains("system's trusted CAs"), message)
    }

    func testMySQLTLS_wrongCAIsRefused() async throws {
        _ = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        // The SMTP sink's self-signed certificate is a CA too, but not the one that signed the server's.
        let other = try TestEnvironment.require("POOL_SMTP_CA_FILE")
        let error = await assertRefused(try tlsConfiguration(caFile: other))
        XCTAssertTrue(error?.message.contains(other) ?? false, error?.message ?? "")
    }

    /// The right CA but a host name the certificate does not carry (127.0.0.2 reaches the same server).
    func testMySQLTLS_hostNameNotInCertificateIsRefused() async throws {
        let ca = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        let wrongHost = try TestEnvironment.require("POOL_MYSQL_TLS_WRONG_HOST")
        let error = await assertRefused(try tlsConfiguration(caFile: ca, host: wrongHost))
        XCTAssertTrue(error?.message.contains("name \(wrongHost)") ?? false, error?.message ?? "")
        // The same address is a working server: only the name check refused it.
        let version = try await sessionTLSVersion(try tlsConfiguration(caFile: nil, skipVerify: true, host: wrongHost))
        XCTAssertTrue(version.hasPrefix("TLSv1"), version)
    }

    func testMySQLTLS_skipVerifyConnectsEncryptedWithoutCA() async throws {
        _ = try TestEnvironment.require("POOL_MYSQL_TLS_CA")
        let version = try await sessionTLSVersion(try tlsConfiguration(caFile: nil, skipVerify: true))
        XCTAssertTrue(version.hasPrefix("TLSv1"), "session TLS version \"\(version)\"")
    }

    func testMySQLTLS_dsnCarriesTheTLSOptions() throws {
        let parsed = try MySQLStoragePlugin.Configuration(
            dsn: "mysql://u:p@db.example:3306/pool?tls=true&tlsca=/etc/ca.pem&tlsskipverify=false")
        XCTAssertTrue(parsed.tls)
        XCTAssertEqual(parsed.tlsCAFile, "/etc/ca.pem")
        XCTAssertFalse(parsed.tlsSkipVerify)
        let skipping = try MySQLStoragePlugin.Configuration(dsn: "mysql://u:p@db.example/pool?tls=1&tlsskipverify=1")
        XCTAssertTrue(skipping.tlsSkipVerify)
        XCTAssertTrue(skipping.description.contains("tlsskipverify=true"))
    }
}
