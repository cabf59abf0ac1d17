import Foundation
import XCTest

/// Runs an executable (poolctl by default) to completion in `directory` with `HOME` set, capturing its output.
package struct ExecutableRunner: Sendable {
    package let directory: String
    package var home: String?
    package var binary: String?

    package init(directory: String, home: String? = nil, binary: String? = nil) {
        self.directory = directory
        self.home = home
        self.binary = binary
    }

    package struct Result: Sendable {
        package var status: Int32
        package var out: String
        package var err: String
        package var all: String { "exit \(status)\nstdout: \(out)\nstderr: \(err)" }
    }

    package func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary ?? BuiltExecutable.path("poolctl"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home ?? directory
        process.environment = environment
        let out = outputFile("out"), err = outputFile("err")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, out: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      err: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    private func outputFile(_ name: String) -> URL {
        let url = URL(fileURLWithPath: directory).appendingPathComponent("runner-\(name)-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }
}
