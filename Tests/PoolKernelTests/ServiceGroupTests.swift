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
        // Each service runs in its own task, so the order they begin running is the scheduler's; stopping is ordered.
        XCTAssertEqual(Set(started.withLock { $0 }), ["a", "b", "c"])
        XCTAssertEqual(group.stoppedInOrder, ["c", "b", "a"])
    }

    func testServiceGroup_shutdownBeforeStartStartsNothing() async throws {
        let started = LockedValue<[String]>([])
        let group = ServiceGroup(services: ["a", "b"].map { RecordingService(name: $0, started: started) },
                                 logger: .disabled, gracePeriod: .seconds(2))
        group.shutdown()  // a signal that arrives before the host reached run()
        try await group.run()
        try await Task.sleep(for: .milliseconds(50))  // a service task started by mistake would have run by now
        XCTAssertEqual(started.withLock { $0 }, [], "no service starts once shutdown was requested")
        XCTAssertEqual(group.stoppedInOrder, [])
    }

    func testServiceGroup_failingServiceStopsTheOthers() async {
        struct Failing: EngineService {
            let name = "broken"
            struct Boom: Error {}
            func run() async throws { throw Boom() }
        }
        final class Idle: EngineService {
            let name = "idle"
            func run() async throws { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) } }
        }
        let group = ServiceGroup(services: [Idle(), Failing()], logger: .disabled)
        do {
            try await group.run()
            XCTFail("expected the failure to propagate")
        } catch {
            XCTAssertTrue(error is Failing.Boom)
        }
        XCTAssertEqual(group.stoppedInOrder, ["broken", "idle"])
    }
}
