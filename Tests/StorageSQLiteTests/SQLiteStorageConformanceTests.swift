import Foundation
import PoolKernel
import PoolTestKit
import StorageSQLite
import XCTest

final class SQLiteStorageConformanceTests: StorageConformanceTests {
    private var directory: URL?

    override func setUp() async throws {
        try await super.setUp()
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "sqlite-conformance")
    }

    override func tearDown() async throws {
        try await super.tearDown()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    override func makeBackend() async throws -> (any StorageBackend)? {
        guard let directory else { return nil }
        let path = directory.appendingPathComponent("pool-\(UUID().uuidString).sqlite").path
        let storage = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        try await storage.migrate()
        return storage
    }

    func testSQLiteStorage_conformance() async throws { try await runStorageConformance() }
}
