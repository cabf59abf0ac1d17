import Dispatch
import PoolKernel
import XCTest

extension XCTestCase {
    /// Runs async work (storage, the web app) from a synchronous browser test and waits for it: the DevTools calls
    /// block, so browser tests stay off the cooperative threads the page handlers run on.
    func blocking<T: Sendable>(timeout: Int = 10, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = LockedValue<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        guard done.wait(timeout: .now() + .seconds(timeout)) == .success, let outcome = result.value else {
            throw HeadlessChromium.LaunchError("async call timed out")
        }
        return try outcome.get()
    }
}
