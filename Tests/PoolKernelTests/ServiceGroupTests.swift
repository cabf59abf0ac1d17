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
}

final class SignalRouterTests: XCTestCase {
    /// `SignalRouter.on` sets the signal's disposition to SIG_IGN for the whole test process; `cancelAll()` must
    /// put back what it was. Checked when the test ends (after the router's `cancelAll`), then restored anyway so
    /// no later test (or the runner) inherits an ignored SIGTERM/SIGUSR1 even when the check fails.
    private func expectDispositionRestored(of signalNumber: Int32) {
        var previous = sigaction()
        sigaction(signalNumber, nil, &previous)
        addTeardownBlock {
            var now = sigaction()
            sigaction(signalNumber, nil, &now)
            XCTAssertEqual(unsafeBitCast(now.__sigaction_handler.sa_handler, to: Int.self),
                           unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self),
                           "cancelAll() restores signal \(signalNumber)'s disposition")
            var restore = previous
            sigaction(signalNumber, &restore, nil)
        }
    }

    func testSignalRouter_SIGTERMShutsDownGroupInReverseOrder() async throws {
        final class Idle: EngineService {
            let name: String
            init(_ name: String) { self.name = name }
            func run() async throws { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) } }
        }
        let group = ServiceGroup(services: [Idle("storage"), Idle("outbox"), Idle("web")], logger: .disabled)
        expectDispositionRestored(of: SIGTERM)
        let router = SignalRouter()
        defer { router.cancelAll() }
        router.on(SIGTERM) { group.shutdown() }
        let runner = Task { try await group.run() }
        let deadline = Date().addingTimeInterval(30)  // generous: Dispatch arms a signal source asynchronously, slowly under load
        while group.stoppedInOrder.isEmpty && Date() < deadline {
            kill(getpid(), SIGTERM)
            try await Task.sleep(for: .milliseconds(50))
        }
        try await runner.value
        XCTAssertEqual(group.stoppedInOrder, ["web", "outbox", "storage"])
    }

    func testSignalRouter_SIGUSR1ReachesHandler() async throws {
        expectDispositionRestored(of: SIGUSR1)
        let router = SignalRouter()
        defer { router.cancelAll() }
        let hits = LockedValue(0)
        router.on(SIGUSR1) { hits.withLock { $0 += 1 } }
        // Dispatch arms the source asynchronously; until then the signal is ignored, so resend until seen.
        let deadline = Date().addingTimeInterval(30)  // generous: Dispatch arms a signal source asynchronously, slowly under load
        while hits.value == 0 && Date() < deadline {
            kill(getpid(), SIGUSR1)
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertGreaterThanOrEqual(hits.value, 1)
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
