import XCTest

/// One named check of a port's contract.
public typealias ConformanceCheck = (name: String, run: () async throws -> Void)

/// Runs the checks of one conformance suite (storage, wallet, node, vote policy) by name.
///
/// A check that throws fails with its name and the others still run. A check that skips (a fixture the
/// backend lacks, a service that is missing) is never swallowed: with `CI=true` it is a failure naming the
/// check; on a developer machine the whole run ends in a skip listing the skipped checks, so a partial run is
/// never reported as a pass.
public enum ConformanceRunner {
    public static func run(_ suite: String, _ checks: [ConformanceCheck], failSkips: Bool = TestEnvironment.isCI,
                           file: StaticString = #filePath, line: UInt = #line) async throws {
        var skipped: [String] = []
        for check in checks {
            do {
                try await check.run()
            } catch let skip as XCTSkip {
                if failSkips {
                    XCTFail("CI=true and \(suite) conformance check \(check.name) skipped: "
                                + (skip.message ?? "no reason given"), file: file, line: line)
                } else {
                    skipped.append(check.name)
                }
            } catch {
                XCTFail("\(suite) conformance check \(check.name) threw \(error)", file: file, line: line)
            }
        }
        if !skipped.isEmpty {
            throw XCTSkip("\(suite) conformance: \(skipped.count) check(s) skipped: \(skipped.joined(separator: ", "))")
        }
    }
}
