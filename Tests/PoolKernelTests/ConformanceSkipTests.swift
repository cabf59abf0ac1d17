import PoolKernel
import PoolTestKit
import XCTest

/// A check that skips inside a conformance run (a fixture the backend lacks) fails with CI=true, and otherwise
/// turns the whole run into a skip naming the check: never a silent pass. Each test runs one suite (storage,
/// wallet, node) on the in-memory backend with a fixture missing; the failures the suite records land on this
/// test (the one running), which captures them instead of failing.
final class ConformanceSkipTests: XCTestCase {
    private let capture = FailureCapture()

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        if !capture.take(description) {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    /// Runs `run` with `failSkips` on (as under CI=true) and off, and checks both outcomes.
    private func assertSkipNeverPasses(_ check: String, suite: String, run: (Bool) async throws -> Void,
                                       file: StaticString = #filePath, line: UInt = #line) async {
        let underCI = await capture.failures { try await run(true) }
        XCTAssertTrue(underCI.failures.contains { $0.contains("CI=true and \(suite) conformance check \(check) skipped") },
                      "under CI=true the skip of \(check) must fail; recorded: \(underCI.failures)", file: file, line: line)
        XCTAssertNil(underCI.thrown, "under CI=true the run fails, it does not skip", file: file, line: line)

        let local = await capture.failures { try await run(false) }
        XCTAssertFalse(local.failures.contains { $0.contains("skipped") }, "\(local.failures)", file: file, line: line)
        guard let skip = local.thrown as? XCTSkip else {
            return XCTFail("without CI the run must end in a skip, got \(String(describing: local.thrown))",
                           file: file, line: line)
        }
        XCTAssertTrue((skip.message ?? "").contains(check), "the skip names the skipped check: \(skip)", file: file, line: line)
    }

    func testWalletConformance_skippedCheckFailsUnderCI() async {
        let suite = WalletWithoutKeys(name: "wallet-without-keys", testClosure: { _ in })
        await assertSkipNeverPasses("createMultisigIsDeterministic", suite: "wallet") {
            try await suite.runWalletConformance(failSkips: $0)
        }
    }

    func testNodeConformance_skippedCheckFailsUnderCI() async {
        let suite = NodeThatCannotMine(name: "node-that-cannot-mine", testClosure: { _ in })
        await assertSkipNeverPasses("subscribeDeliversTheNextBlock", suite: "node") {
            try await suite.runNodeConformance(failSkips: $0)
        }
    }

    func testStorageConformance_skippedCheckFailsUnderCI() async {
        await assertSkipNeverPasses("userRoundTripsEveryField", suite: "storage") { failSkips in
            try await StorageForTheProbeOnly(name: "storage-probe-only", testClosure: { _ in }).runStorageConformance(failSkips: failSkips)
        }
    }
}

/// No `pubKeyAddresses` override: `createMultisigIsDeterministic` skips for want of keys.
private final class WalletWithoutKeys: WalletBackendConformanceTests {
    override func makeWallet() async throws -> (any WalletBackend)? { InMemoryWallet() }
}

/// No `produceBlock` override: `subscribeDeliversTheNextBlock` skips.
private final class NodeThatCannotMine: NodeBackendConformanceTests {
    override func makeNode() async throws -> (any NodeBackend)? { InMemoryNode() }
}

/// A backend for the runner's probe only: every check then finds none and skips.
private final class StorageForTheProbeOnly: StorageConformanceTests {
    private let made = LockedValue(0)
    override func makeBackend() async throws -> (any StorageBackend)? {
        made.withLock { count in count += 1; return count } == 1 ? InMemoryStorage() : nil
    }
}
