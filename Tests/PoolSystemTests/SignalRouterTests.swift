import Foundation
import Glibc
import PoolKernel
import PoolSystem
import XCTest

/// `SignalRouter`: a signal sent to the process reaches the routed handler (through its pipe and routing thread).
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
            let running: LockedValue<Int>
            init(_ name: String, _ running: LockedValue<Int>) { self.name = name; self.running = running }
            func run() async throws {
                running.withLock { $0 += 1 }
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            }
        }
        let running = LockedValue(0)
        let group = ServiceGroup(services: [Idle("storage", running), Idle("outbox", running), Idle("web", running)],
                                 logger: .disabled)
        expectDispositionRestored(of: SIGTERM)
        let router = SignalRouter()
        defer { router.cancelAll() }
        router.on(SIGTERM) { group.shutdown() }
        let runner = Task { try await group.run() }
        // Signal only once all three run: a SIGTERM during start-up rightly stops only what had started.
        while running.value < 3 { try await Task.sleep(for: .milliseconds(5)) }
        let deadline = Date().addingTimeInterval(30)  // a lost signal is resent; the deadline only ends a broken run
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
        let deadline = Date().addingTimeInterval(30)  // a lost signal is resent; the deadline only ends a broken run
        while hits.value == 0 && Date() < deadline {
            kill(getpid(), SIGUSR1)
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertGreaterThanOrEqual(hits.value, 1)
    }
}
