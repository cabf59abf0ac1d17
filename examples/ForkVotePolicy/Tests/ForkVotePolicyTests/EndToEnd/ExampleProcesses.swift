import Foundation
import XCTest

/// The real programs of the end-to-end test as child processes: `simwallet`, `hxstakepool` and `poolctl` from the
/// root package's build, `fork-stakepoold` from this package's. Each runs with its output in a log file and `HOME`
/// in the test's temporary directory (nothing is written to the user's home); `stop()` kills what still runs.
final class ExampleProcesses: @unchecked Sendable {
    // @unchecked: used from one test method at a time.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The hxstakepool repository (this file is examples/ForkVotePolicy/Tests/ForkVotePolicyTests/EndToEnd/…).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let exampleRoot = repoRoot + "/examples/ForkVotePolicy"

    let directory: URL
    private var children: [Process] = []

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fork-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// An executable of the root package (`HXSTAKEPOOL_BIN_DIR`, else `<repo>/.build/debug`). Missing is an error
    /// that says how to build it, never a skip: `make test` builds the root package before this one.
    static func rootExecutable(_ name: String) throws -> String {
        var directories = [repoRoot + "/.build/debug"]
        if let custom = ProcessInfo.processInfo.environment["HXSTAKEPOOL_BIN_DIR"], !custom.isEmpty { directories.insert(custom, at: 0) }
        return try find(name, in: directories, build: "run `swift build` in \(repoRoot) first (`make test` does)")
    }

    /// An executable of this package, built next to the test bundle by `swift build --build-tests`.
    static func ownExecutable(_ name: String) throws -> String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        return try find(name, in: [bundleDirectory, exampleRoot + "/.build/debug"],
                        build: "run `swift build --build-tests` in \(exampleRoot) (`make example-test` does)")
    }

    private static func find(_ name: String, in directories: [String], build: String) throws -> String {
        let candidates = directories.map { $0 + "/" + name }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw Missing(description: "the \(name) executable is not built (looked for \(candidates.joined(separator: ", "))); \(build)")
    }

    /// Starts `binary` with stdout and stderr in `log`.
    func launch(_ binary: String, _ arguments: [String], log: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        children.append(process)
        return process
    }

    /// Runs `binary` to its end (bounded): its exit status and output.
    func run(_ binary: String, _ arguments: [String], seconds: TimeInterval = 60) async throws -> (status: Int32, output: String) {
        let log = path("run-\(UUID().uuidString).out")
        let process = try launch(binary, arguments, log: log)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            guard Date() < deadline else { throw Missing(description: "\(binary) \(arguments) did not finish within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.waitUntilExit()
        return (process.terminationStatus, Self.contents(log))
    }

    static func contents(_ log: String) -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Waits (bounded) for a line of `log` containing `text`; a process that exits first is a failure with the log's tail.
    @discardableResult
    func waitForLine(_ process: Process, _ log: String, containing text: String, seconds: TimeInterval = 60) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let contents = Self.contents(log)
            if let found = contents.split(separator: "\n").first(where: { $0.contains(text) }) { return String(found) }
            if !process.isRunning {
                throw Missing(description: "\(log): exited with \(process.terminationStatus) before “\(text)”: \(contents.suffix(2_000))")
            }
            if Date() > deadline { throw Missing(description: "\(log): no “\(text)” within \(seconds) s: \(contents.suffix(2_000))") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// SIGTERM to `process`, then waits (bounded) for it to stop; false when it still runs.
    func terminate(_ process: Process, seconds: TimeInterval = 15) async -> Bool {
        process.terminate()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(25)) }
        return !process.isRunning
    }

    /// Kills every child still running and removes the directory.
    func stop() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        children = []
        try? FileManager.default.removeItem(at: directory)
    }
}
