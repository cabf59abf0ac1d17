import PoolKernel
import PoolTestKit
import XCTest

// A check that skips inside a conformance run (a fixture the backend lacks) fails with CI=true, and otherwise
// turns the whole run into a skip naming the check: never a silent pass. One class per suite, each running its
// suite on the in-memory backend with the fixture missing and capturing the failures it records.

/// The run's outcome with `failSkips` on (as under CI=true) and off.
private func assertSkipNeverPasses(_ check: String, suite: String, capture: FailureCapture,
                                   run: (Bool) async throws -> Void, file: StaticString = #filePath,
                                   line: UInt = #line) async {
    let underCI = await capture.failures { try await run(true) }
    XCTAssertTrue(underCI.failures.contains { $0.contains("CI=true and \(suite) conformance check \(check) skipped") },
                  "under CI=true the skip of \(check) must fail; recorded: \(underCI.failures)", file: file, line: line)
    XCTAssertNil(underCI.thrown, "under CI=true the run fails, it does not skip", file: file, line: line)

    let local = await capture.failures { try await run(false) }
    XCTAssertFalse(local.failures.contains { $0.contains("skipped") }, "\(local.failures)", file: file, line: line)
    guard let skip = local.thrown as? XCTSkip else {
        return XCTFail("without CI the run must end in a skip, got \(String(describing: local.thrown))", file: file, line: line)
    }
    XCTAssertTrue((skip.message ?? "").contains(check), "the skip names the skipped check: \(skip)", file: file, line: line)
}

final class WalletConformanceSkipTests: WalletBackendConformanceTests {
    private let capture = FailureCapture()
    /// No `pubKeyAddresses` override: `createMultisigIsDeterministic` skips for want of keys.
    override func makeWallet() async throws -> (any WalletBackend)? { InMemoryWallet() }
    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        if !capture.take(description) {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    func testWalletConformance_skippedCheckFailsUnderCI() async {
        await assertSkipNeverPasses("createMultisigIsDeterministic", suite: "wallet", capture: capture) {
            try await self.runWalletConformance(failSkips: $0)
        }
    }
}

final class NodeConformanceSkipTests: NodeBackendConformanceTests {
    private let capture = FailureCapture()
    /// No `produceBlock` override: `subscribeDeliversTheNextBlock` skips.
    override func makeNode() async throws -> (any NodeBackend)? { InMemoryNode() }
    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        if !capture.take(description) {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    func testNodeConformance_skippedCheckFailsUnderCI() async {
        await assertSkipNeverPasses("subscribeDeliversTheNextBlock", suite: "node", capture: capture) {
            try await self.runNodeConformance(failSkips: $0)
        }
    }
}

final class StorageConformanceSkipTests: StorageConformanceTests {
    private let capture = FailureCapture()
    private let made = LockedValue(0)
    /// A backend for the runner's probe only: every check then finds none and skips.
    override func makeBackend() async throws -> (any StorageBackend)? {
        made.withLock { count in count += 1; return count } == 1 ? InMemoryStorage() : nil
    }
    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        if !capture.take(description) {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    func testStorageConformance_skippedCheckFailsUnderCI() async {
        await assertSkipNeverPasses("userRoundTripsEveryField", suite: "storage", capture: capture) { failSkips in
            self.made.withLock { $0 = 0 }
            try await self.runStorageConformance(failSkips: failSkips)
        }
    }
}
