import Foundation
import PoolKernel
import PoolTestKit
@testable import StorageMySQL
import SQLStorageBase
import XCTest

/// The test MariaDB (from scripts/services/mariadb.sh) and throwaway databases on it.
enum MySQLTestSupport {
    /// The configuration of the test server's database, or skip/fail per `TestEnvironment.require`.
    static func configuration(file: StaticString = #filePath, line: UInt = #line) throws
        -> MySQLStoragePlugin.Configuration
    {
        let dsn = try TestEnvironment.require("POOL_MYSQL_DSN", file: file, line: line)
        return try MySQLStoragePlugin.Configuration(dsn: dsn)
    }

    /// Runs statements on the server outside any test database.
    static func admin(_ configuration: MySQLStoragePlugin.Configuration, _ statements: [String]) async throws {
        let connection = MySQLConnection(configuration: configuration, label: "test.admin")
        try await connection.perform { connection in
            for statement in statements { try connection.simple(statement) }
        }
        await connection.shutdown()
    }

    /// Runs one query on the server and returns its rows.
    static func adminQuery(_ configuration: MySQLStoragePlugin.Configuration, _ sql: String) async throws -> [[SQLValue]] {
        let connection = MySQLConnection(configuration: configuration, label: "test.admin")
        let rows = try await connection.perform { try $0.query(sql, []) }
        await connection.shutdown()
        return rows
    }

    /// Creates an empty database with a unique name and returns the configuration pointing at it.
    static func makeDatabase(_ base: MySQLStoragePlugin.Configuration, poolSize: Int = 4) async throws
        -> MySQLStoragePlugin.Configuration
    {
        let name = "pt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await admin(base, ["CREATE DATABASE `\(name)` CHARACTER SET utf8mb4"])
        var configuration = base
        configuration.database = name
        configuration.poolSize = poolSize
        return configuration
    }

    static func dropDatabase(_ base: MySQLStoragePlugin.Configuration, _ name: String) async {
        try? await admin(base, ["DROP DATABASE IF EXISTS `\(name)`"])
    }
}
