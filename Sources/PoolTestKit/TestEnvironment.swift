import Foundation
import XCTest

/// Where tests find the services `scripts/with-test-services.sh` starts (MariaDB, SMTP sink, …).
///
/// The rule: a test that needs a service calls `TestEnvironment.require("POOL_MYSQL_DSN")`. When the variable is
/// missing, the test is skipped on a developer machine, but fails when `CI=true` (a missing service in CI is a
/// broken pipeline, never a silent skip).
public enum TestEnvironment {
    /// Thrown after the CI failure has been recorded, to stop the test.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a test throws when something it needs (a service, a tool, a built executable, a machine capability)
    /// is missing: `XCTSkip` on a developer machine; with `CI=true` the failure is recorded first and an
    /// `Unavailable` error is returned instead (never a skip).
    public static func unavailable(_ message: String, file: StaticString = #filePath, line: UInt = #line) -> any Error {
        guard isCI else { return XCTSkip(message) }
        XCTFail("CI=true and \(message)", file: file, line: line)
        return Unavailable(description: message)
    }

    /// The value of the environment variable `name`, or (when it is missing or empty) the error of `unavailable`.
    public static func require(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment[name], !value.isEmpty { return value }
        throw unavailable("\(name) is not set: run the tests through scripts/with-test-services.sh (make test)",
                          file: file, line: line)
    }

    /// The value of `name` if set and non-empty.
    public static func optional(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Whether the tests run in CI (`CI=true`).
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true" }

    /// A fresh temporary directory; remove it in `tearDown`.
    public static func makeTemporaryDirectory(prefix: String = "pooltest") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
