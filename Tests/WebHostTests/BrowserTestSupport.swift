import Dispatch
import Foundation
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

extension BrowserPage {
    /// Saves a PNG of the viewport as `<directory>/<name>.png` (replacing an older one) and checks it is not empty.
    func saveScreenshot(_ name: String, in directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = "\(directory)/\(name).png"
        try? FileManager.default.removeItem(atPath: path)
        try screenshot(to: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 1000, "screenshot \(name)", file: file, line: line)
    }
}
