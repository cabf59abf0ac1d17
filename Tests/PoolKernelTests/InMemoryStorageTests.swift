import PoolKernel
import PoolTestKit
import XCTest

final class InMemoryStorageTests: StorageConformanceTests {
    override func makeBackend() async throws -> (any StorageBackend)? { InMemoryStorage() }

    func testInMemoryStorage_conformance() async throws { try await runStorageConformance() }

    func testInMemoryStorage_unmigratedStoreRefusesCalls() async throws {
        let store = InMemoryStorage(migrated: false)
        await assertStorageError(.schemaMissing) { try await store.read { try $0.userCount() } }
        try await store.migrate()
        let value13 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value13, 0)
    }

    func testInMemoryStorage_newerSchemaIsRefused() async throws {
        let store = InMemoryStorage()
        store.setSchemaVersionForTesting(InMemoryStorage.schemaVersion + 1)
        await assertStorageError(.schemaTooNew) { try await store.migrate() }
        await assertStorageError(.schemaTooNew) { try await store.read { try $0.userCount() } }
    }

    func testInMemoryStorage_injectedFailures() async throws {
        let store = InMemoryStorage()
        store.failNext(1, with: StorageError(.unavailable, "down"))
        await assertStorageError(.unavailable) { try await store.insertUser(Self.sampleUser(1)) }
        _ = try await store.insertUser(Self.sampleUser(1))
        let value28 = try await store.read { try $0.userCount() }
        XCTAssertEqual(value28, 1)
    }
}

extension InMemoryStorageTests {
    func testInMemoryStorage_8x1000Registrations() async throws {
        try await runRegistrationLoad(InMemoryStorage())
    }
}
