import Foundation
import PoolKernel
import PoolTestKit
import StorageMySQL
import XCTest

final class MySQLStorageConformanceTests: StorageConformanceTests {
    private let databases = LockedValue<[String]>([])
    private var base: MySQLStoragePlugin.Configuration?

    override func tearDown() async throws {
        try await super.tearDown()
        if let base {
            for name in databases.withLock({ names in defer { names = [] }; return names }) {
                await MySQLTestSupport.dropDatabase(base, name)
            }
        }
    }

    override func makeBackend() async throws -> (any StorageBackend)? {
        let base = try MySQLTestSupport.configuration()
        self.base = base
        let configuration = try await MySQLTestSupport.makeDatabase(base)
        databases.withLock { $0.append(configuration.database) }
        let storage = MySQLStorage(configuration: configuration, logger: .disabled)
        try await storage.migrate()
        return storage
    }

    func testMySQLStorage_conformance() async throws { try await runStorageConformance() }
}
