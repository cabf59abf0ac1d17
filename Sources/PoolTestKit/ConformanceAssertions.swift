import Dispatch
import PoolKernel
import XCTest

/// Checks every wallet/node conformance suite makes the same way, whatever the port.
public enum ConformanceAssertions {
    /// 32 concurrent `call`s all complete and agree with one made before them.
    public static func concurrentCallsAgree<T: Equatable & Sendable>(_ call: @escaping @Sendable () async throws -> T,
                                                                      file: StaticString = #filePath, line: UInt = #line) async throws {
        let expected = try await call()
        let results = try await withThrowingTaskGroup(of: T.self) { group in
            for _ in 0..<32 { group.addTask { try await call() } }
            return try await group.reduce(into: [T]()) { $0.append($1) }
        }
        XCTAssertEqual(results.count, 32, file: file, line: line)
        XCTAssertTrue(results.allSatisfy { $0 == expected }, "every concurrent call sees the same answer", file: file, line: line)
    }

    /// After `close` (run twice: it must be idempotent) `call` fails with `walletShutdown`.
    public static func failsAfterClose<T>(_ what: String, close: () async -> Void, _ call: () async throws -> T,
                                          file: StaticString = #filePath, line: UInt = #line) async throws {
        await close()
        await close()
        do {
            _ = try await call()
            XCTFail("a closed \(what) client must not answer", file: file, line: line)
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletShutdown, "\(error)", file: file, line: line)
            XCTAssertTrue(error.isUnavailable, file: file, line: line)
        }
    }

    /// Waits until `condition` holds, looking every 10 ms for at most 5 s (a notification crossing threads).
    public static func eventually(_ condition: () -> Bool) async throws {
        let deadline = DispatchTime.now().uptimeNanoseconds + 5_000_000_000
        while !condition(), DispatchTime.now().uptimeNanoseconds < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
