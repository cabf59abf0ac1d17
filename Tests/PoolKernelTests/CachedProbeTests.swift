import Foundation
import XCTest
@testable import PoolKernel

/// `CachedProbe`: a caller arriving while the very first check still runs gets a real answer, not a made-up
/// failure (the web app's first `/health` after start said `down` 503 under load).
final class CachedProbeTests: XCTestCase {
    /// Opened once; every waiter (before or after) continues.
    private final class Gate: Sendable {
        private let state = LockedValue<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        func wait() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state -> Bool in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }
        func open() {
            for waiter in state.withLock({ state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }) { waiter.resume() }
        }
    }

    func testCachedProbe_callerDuringTheFirstCheckGetsARealAnswer() async throws {
        let gate = Gate()
        let calls = LockedValue(0)
        let probe = CachedProbe(maxAge: 60, timeout: .seconds(30)) {
            calls.withLock { $0 += 1 }
            await gate.wait()
        }
        let first = Task { await probe.result() }
        for _ in 0..<500 where calls.value == 0 { try await Task.sleep(for: .milliseconds(2)) }
        XCTAssertEqual(calls.value, 1, "the first check is running")
        let second = Task { await probe.result() }
        for _ in 0..<500 where calls.value < 2 { try await Task.sleep(for: .milliseconds(2)) }
        gate.open()
        let (a, b) = (await first.value, await second.value)
        XCTAssertTrue(a.ok, a.detail)
        XCTAssertTrue(b.ok, "not a failure because the first check had not finished: \(b.detail)")

        // Fresh now: answered from the cache without another check.
        let cached = await probe.result()
        XCTAssertTrue(cached.ok)
        XCTAssertEqual(calls.value, 2)
    }
}
