import Foundation
import PoolKernel
import XCTest

extension XCTestCase {
    /// Runs async work (storage reads, child processes) from a synchronous browser test and waits for it, at most
    /// `seconds`. The browser tests are synchronous because the DevTools calls block.
    func blocking<T: Sendable>(seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = LockedValue<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success, let outcome = result.value else {
            throw HeadlessChromium.LaunchError("async work did not finish within \(seconds) s")
        }
        return try outcome.get()
    }
}
