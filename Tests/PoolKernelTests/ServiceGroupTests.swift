import XCTest
import Synchronization
@testable import PoolKernel

final class ServiceGroupTests: XCTestCase {
    private struct RecordingService: EngineService {
        let name: String
        let started: LockedValue<[String]>
        func run() async throws {
            started.withLock { $0.append(name) }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    func testServiceGroup_stopsInReverseOrder() async throws {
        let started = LockedValue<[String]>([])
        let group = ServiceGroup(services: ["a", "b", "c"].map { RecordingService(name: $0, started: started) },
                                 logger: .disabled, gracePeriod: .seconds(2))
        let runner = Task { try await group.run() }
        while started.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        group.shutdown()
        try await runner.value
        XCTAssertEqual(started.withLock { $0 }, ["a", "b", "c"])
        XCTAssertEqual(group.stoppedInOrder, ["c", "b", "a"])
    }
}
