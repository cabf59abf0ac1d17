import Foundation
import PoolKernel
import PoolTestKit
import Synchronization
import XCTest

/// bcrypt's bounded queue, the dummy verification and the password policy.
final class PasswordHasherTests: XCTestCase {
    /// Jobs that record how many of them run at the same moment: never more than the width.
    func testBoundedWorkQueue_neverRunsMoreThanItsWidth() async throws {
        let queue = BoundedWorkQueue(width: 2, label: "test.bounded")
        let gauge = ConcurrencyGauge()
        let results = await withTaskGroup(of: Int.self) { group in
            for n in 0..<24 {
                group.addTask {
                    await queue.run { () -> Int in
                        gauge.enter()
                        usleep(2_000) // hold the slot so that other jobs would overlap if they could
                        gauge.leave()
                        return n
                    }
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(results.sorted(), Array(0..<24), "every job ran once")
        XCTAssertLessThanOrEqual(gauge.peak, 2)
        XCTAssertGreaterThanOrEqual(gauge.peak, 1)
    }

    func testBoundedWorkQueue_rethrowsTheJobsError() async {
        struct Boom: Error {}
        let queue = BoundedWorkQueue(width: 1, label: "test.throws")
        do {
            _ = try await queue.run { () throws -> Int in throw Boom() }
            XCTFail("expected the job's error")
        } catch {
            XCTAssertTrue(error is Boom)
        }
    }

    /// Real bcrypt hashes through the hasher at width 1: at most one at a time, counted by an outside observer
    /// (verifications are serialized, so the counter advances one by one).
    func testPasswordHasher_hashesOnItsOwnBoundedQueue() async throws {
        let hasher = PasswordHasher(cost: 4, width: 1)
        XCTAssertEqual(hasher.width, 1)
        let hash = try await hasher.hash("hasher-Pass-001")
        XCTAssertTrue(BCrypt.verify(password: "hasher-Pass-001", hash: hash))
        XCTAssertEqual(BCrypt.cost(of: hash), 4)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<8 {
                group.addTask { await hasher.verifyOrDummy(n == 0 ? "hasher-Pass-001" : "wrong", hash: hash) }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 }.count, 1)
        XCTAssertEqual(hasher.verifications, 8)
    }

    /// Issue 17 item 8: bcrypt never occupies Swift's cooperative pool (which serves every request). Far more
    /// verifications are started than the pool has threads; a task started once the first is running still runs
    /// while they are being worked off one at a time. Hashing inline on the pool would run it only after nearly
    /// all of them (the pool runs its jobs in order, each to its end).
    func testPasswordHasher_aStormOfVerificationsLeavesTheCooperativePoolFree() async throws {
        let jobs = 16
        let hasher = PasswordHasher(cost: 6, width: 1)
        let hash = try BCrypt.hash(password: "storm-Pass-0001", cost: 6)
        let finished = LockedValue(0)
        let storm = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<jobs {
                    group.addTask {
                        _ = await hasher.verifyOrDummy("wrong", hash: hash)
                        finished.withLock { $0 += 1 }
                    }
                }
            }
        }
        while hasher.verifications == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let finishedWhenTheProbeRan = await Task { finished.value }.value
        await storm.value
        XCTAssertEqual(finished.value, jobs)
        XCTAssertLessThan(finishedWhenTheProbeRan, jobs / 2,
                          "a task started during the storm waited for the verifications: bcrypt ran on the cooperative pool")
    }

    func testPasswordHasher_missingOrMalformedHashVerifiesAgainstTheDummy() async {
        let hasher = PasswordHasher(cost: 4, width: 1)
        let missing = await hasher.verifyOrDummy("anything", hash: nil)
        let malformed = await hasher.verifyOrDummy("anything", hash: "not a bcrypt hash")
        XCTAssertFalse(missing)
        XCTAssertFalse(malformed)
        XCTAssertEqual(hasher.verifications, 2, "the same bcrypt work as for a real account")
    }

    func testPasswordPolicy_lengthAndTheShippedCommonList() throws {
        let policy = PasswordPolicy()
        XCTAssertEqual(policy.minimumLength, 12)
        XCTAssertEqual(policy.problem(with: ""), "Password cannot be empty")
        XCTAssertEqual(policy.problem(with: "elevenchars"), "Password must be at least 12 characters long")
        XCTAssertNil(policy.problem(with: "twelve chars"))
        XCTAssertEqual(policy.problem(with: String(repeating: "x", count: 1025)), "Password is too long")
        // Entries of zxcvbn's list (see Resources/passwords/README.md), compared in lower case.
        for common in ["123456", "password", "qwerty123456", "Q1W2E3R4T5Y6"] {
            XCTAssertTrue(PasswordPolicy.isCommon(common), common)
        }
        XCTAssertNotNil(PasswordPolicy(minimumLength: 6).problem(with: "dragon"))
        XCTAssertNil(PasswordPolicy(minimumLength: 6).problem(with: "zq-harbor-71"))
        let url = try XCTUnwrap(Self.resourceFile)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 10_000)
        XCTAssertEqual(Set(lines).count, 10_000)
        XCTAssertTrue(lines.allSatisfy { PasswordPolicy.isCommon(String($0)) }, "every shipped entry is refused")
    }

    /// The file in the source tree (the test reads it directly, not through the code under test).
    static var resourceFile: URL? {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PoolKernel/Resources/passwords/common-passwords.txt")
    }
}

/// Counts jobs inside a section at once and the most seen.
private final class ConcurrencyGauge: Sendable {
    private let active = Atomic<Int>(0)
    private let highest = Atomic<Int>(0)
    func enter() {
        let now = active.add(1, ordering: .sequentiallyConsistent).newValue
        highest.max(now, ordering: .sequentiallyConsistent)
    }
    func leave() { active.subtract(1, ordering: .sequentiallyConsistent) }
    var peak: Int { highest.load(ordering: .sequentiallyConsistent) }
}
