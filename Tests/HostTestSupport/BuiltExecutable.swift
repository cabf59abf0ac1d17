import Foundation
import PoolTestKit
import XCTest

/// Locates the package's executables for tests that run them as child processes.
package enum BuiltExecutable {
    /// The executable `name` built next to the test bundle (`swift build --build-tests` builds every product).
    /// Missing: `XCTSkip` on a developer machine; with `CI=true` an `XCTFail` and a thrown error (never a skip).
    package static func path(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path]
        if let url = Bundle.main.executableURL { candidates.append(url.deletingLastPathComponent().appendingPathComponent(name).path) }
        candidates.append(SimnetRPCPool.repoRoot + "/.build/debug/" + name)
        if let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return path }
        throw TestEnvironment.unavailable(
            "the \(name) executable is not built (looked in \(candidates.joined(separator: ", "))); run swift build --build-tests",
            file: file, line: line)
    }
}
