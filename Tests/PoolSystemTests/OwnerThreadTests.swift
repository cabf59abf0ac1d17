import Foundation
import Glibc
import PoolKernel
import PoolSystem
import XCTest

/// `OwnerThread`: the one thread that owns a C handle. Jobs run in order, one at a time, on that thread (never on
/// the caller's); results and errors reach the awaiting task whether it polled or suspended; a stopped thread
/// refuses new work with the caller's error instead of hanging.
final class OwnerThreadTests: XCTestCase {
    private struct Refused: Error {}
    private struct Failed: Error, Equatable { let n: Int }

    func testJobsRunInOrderOneAtATimeOnTheOwnerThread() async throws {
        let owner = OwnerThread(name: "test-order")
        defer { owner.stop() }
        let log = LockedValue<[Int]>([])
        let running = LockedValue(0)
        let overlapped = LockedValue(false)
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                // Each task submits its job before the next task starts, so the order of submission is n.
                owner.submit {
                    let now = running.withLock { value -> Int in
                        value += 1
                        return value
                    }
                    if now > 1 { overlapped.withLock { $0 = true } }
                    XCTAssertTrue(owner.isCurrent)
                    log.withLock { $0.append(n) }
                    running.withLock { $0 -= 1 }
                }
                group.addTask { _ = try? await owner.run(orThrow: Refused()) { owner.isCurrent } }
            }
        }
        let sawOwner = try await owner.run(orThrow: Refused()) { owner.isCurrent }
        XCTAssertTrue(sawOwner, "work runs on the owner thread")
        XCTAssertFalse(owner.isCurrent, "the test's own thread is not the owner")
        XCTAssertEqual(log.value, Array(0..<200))
        XCTAssertFalse(overlapped.value, "two jobs ran at the same time")
    }

    func testShortAndLongJobsDeliverResultsAndErrors() async throws {
        let owner = OwnerThread(name: "test-results", spinLimit: .microseconds(50))
        defer { owner.stop() }
        // Short jobs (the caller polls) and jobs far longer than the spin limit (the caller suspends).
        for n in 0..<500 {
            let value = try await owner.run(orThrow: Refused()) { n * 2 }
            XCTAssertEqual(value, n * 2)
        }
        for n in 0..<5 {
            let value = try await owner.run(orThrow: Refused()) { () -> Int in
                usleep(3_000)
                return n + 1
            }
            XCTAssertEqual(value, n + 1)
        }
        do {
            _ = try await owner.run(orThrow: Refused()) { () -> Int in throw Failed(n: 7) }
            XCTFail("the job's error must reach the caller")
        } catch let error as Failed {
            XCTAssertEqual(error, Failed(n: 7))
        }
        do {
            _ = try await owner.run(orThrow: Refused()) { () -> Int in
                usleep(2_000)
                throw Failed(n: 8)
            }
            XCTFail("the job's error must reach a suspended caller")
        } catch let error as Failed {
            XCTAssertEqual(error, Failed(n: 8))
        }
    }

    func testShortJobsArePolledForAgainAfterALongOne() async throws {
        // A long job makes the next caller suspend; once jobs are short again callers must go back to polling for
        // their results. (Timing the wake-up of a suspended caller as part of the job once kept every later caller
        // suspended: a slow mode that fed itself.)
        let owner = OwnerThread(name: "test-fastpath", spinLimit: .microseconds(50))
        defer { owner.stop() }
        for round in 0..<3 {
            _ = try await owner.run(orThrow: Refused()) { () -> Int in
                usleep(5_000)
                return round
            }
            let before = owner.handOffCounts
            for n in 0..<200 { _ = try await owner.run(orThrow: Refused()) { n } }
            let after = owner.handOffCounts
            XCTAssertEqual(after.polled + after.suspended - before.polled - before.suspended, 200)
            XCTAssertGreaterThanOrEqual(after.polled - before.polled, 50,
                                        "round \(round): short jobs after a long one were not polled for")
        }
    }

    func testManyConcurrentCallersEachGetTheirOwnResult() async throws {
        let owner = OwnerThread(name: "test-callers")
        defer { owner.stop() }
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<16 {
                group.addTask {
                    var sum = 0
                    for n in 0..<200 { sum += try await owner.run(orThrow: Refused()) { caller * 1_000 + n } }
                    return sum
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        let expected = (0..<16).map { caller in (0..<200).reduce(0) { $0 + caller * 1_000 + $1 } }
        XCTAssertEqual(sums.sorted(), expected.sorted())
    }

    func testStopFinishesQueuedWorkThenRefusesNewWork() async throws {
        let owner = OwnerThread(name: "test-stop")
        let finished = LockedValue(0)
        for _ in 0..<10 { owner.submit { usleep(500); finished.withLock { $0 += 1 } } }
        await owner.stop { finished.withLock { $0 += 100 } }
        XCTAssertEqual(finished.value, 110, "queued jobs and the final job ran before the thread exited")
        // The thread exits once its queue is empty; new work is refused with the caller's error, never lost silently.
        let deadline = Date().addingTimeInterval(5)
        while owner.submit({}) && Date() < deadline { usleep(1_000) }
        XCTAssertFalse(owner.submit {}, "a stopped owner still accepted work after 5 s")
        do {
            _ = try await owner.run(orThrow: Refused()) { 1 }
            XCTFail("a stopped owner must refuse work")
        } catch is Refused {}
        owner.stop()  // idempotent
    }

    func testPickPrefersAnIdleOwnerAndRotatesWhenAllAreBusy() async throws {
        let owners = (0..<3).map { OwnerThread(name: "test-pick\($0)") }
        defer { owners.forEach { $0.stop() } }
        XCTAssertTrue(OwnerThread.pick(owners, owner: { $0 }, rotation: 7) === owners[0], "first idle one")
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        owners[0].submit {
            started.signal()
            release.wait()
        }
        started.wait()
        XCTAssertFalse(owners[0].isIdle)
        XCTAssertTrue(OwnerThread.pick(owners, owner: { $0 }, rotation: 7) === owners[1])
        owners[1].submit {
            started.signal()
            release.wait()
        }
        owners[2].submit {
            started.signal()
            release.wait()
        }
        started.wait()
        started.wait()
        XCTAssertTrue(OwnerThread.pick(owners, owner: { $0 }, rotation: 7) === owners[1], "7 % 3 when all busy")
        for _ in 0..<3 { release.signal() }
        for owner in owners { _ = try await owner.run(orThrow: Refused()) { 0 } }
        XCTAssertTrue(owners.allSatisfy(\.isIdle))
    }
}
