import Foundation
import Glibc
import PoolKernel
import PoolSystem
import XCTest

/// `SignalRouter`: a signal sent to the process reaches the routed handler (through Dispatch, not a raw handler).
final class SignalRouterTests: XCTestCase {
    func testSignalRouter_SIGTERMShutsDownGroupInReverseOrder() async throws {
        final class Idle: EngineService {
            let name: String
            init(_ name: String) { self.name = name }
            func run() async throws { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) } }
        }
        let group = ServiceGroup(services: [Idle("storage"), Idle("outbox"), Idle("web")], logger: .disabled)
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
}
