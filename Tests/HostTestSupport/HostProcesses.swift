import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// The real executables as an operator runs them, for tests of the production wiring (issue 20): `hxstakepool`
/// started from a config file, its port read back from its own "listening on" line, and `poolctl` commands run
/// to completion. Every process started here is killed by `stopAll()` (call it in tearDown).
package final class HostProcesses: @unchecked Sendable {
    // @unchecked: used from one test method at a time.
    package let directory: URL
    private var children: [Process] = []

    package init(prefix: String) throws {
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: prefix)
    }

    package func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Kills every child still running and removes the directory.
    package func stopAll() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        children = []
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `name` (a built executable) with stdout in `output` and stderr in `errors` (else in `output` too);
    /// `environment` adds variables.
    package func launch(_ name: String, _ arguments: [String], output: String, errors: String? = nil,
                environment: [String: String] = [:]) throws -> Process {
        let binary = try BuiltExecutable.path(name)
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? handle.close() }
        var errorHandle = handle
        if let errors {
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        }
        defer { if errors != nil { try? errorHandle.close() } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = errorHandle
        try process.run()
        children.append(process)
        return process
    }

    /// A running `hxstakepool -C config`: the process, its HTTP port and the file its output goes to.
    package struct WebApp {
        package let process: Process
        package let port: Int
        package let output: String
    }

    /// Starts the web app from `config` and waits (bounded) until it serves; fails with its output when it exits.
    package func startWebApp(config: String, environment: [String: String] = [:], name: String = "hxstakepool") async throws -> WebApp {
        let output = path("\(name)-\(children.count).out")
        let process = try launch("hxstakepool", ["-C", config], output: output, environment: environment)
        let line = try await waitForLine(process, output, containing: "DCRS: listening on ")
        let port = try ChildProcessHarness.address(after: "DCRS: listening on ", in: line).port
        return WebApp(process: process, port: Int(port), output: output)
    }

    /// Waits (a generous bound, for a loaded machine) for a line of `file` containing `text`.
    @discardableResult
    package func waitForLine(_ process: Process, _ file: String, containing text: String, seconds: TimeInterval = 90,
                     file source: StaticString = #filePath, line: UInt = #line) async throws -> String {
        try await ChildProcessHarness(directory: directory).waitForLine(process, URL(fileURLWithPath: file), containing: text,
                                                                        seconds: seconds, file: source, line: line)
    }

    /// Waits (bounded) until `condition` holds; fails naming `what` otherwise.
    package static func waitFor(_ what: String, seconds: TimeInterval = 60, file: StaticString = #filePath, line: UInt = #line,
                        _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("timed out waiting for \(what)", file: file, line: line)
        throw CancellationError()
    }

    /// Runs `poolctl arguments` to the end (bounded): (exit status, stdout, stderr).
    package func poolctl(_ arguments: [String], seconds: TimeInterval = 120) async throws -> (status: Int32, out: String, err: String) {
        let out = path("poolctl-\(children.count).out"), err = path("poolctl-\(children.count).err")
        let process = try launch("poolctl", arguments, output: out, errors: err)
        let exited = await ChildProcessHarness.waitForExit(process, seconds: seconds)
        XCTAssertTrue(exited, "poolctl \(arguments.joined(separator: " ")) did not finish")
        return (process.terminationStatus, ChildProcessHarness.contents(URL(fileURLWithPath: out)),
                ChildProcessHarness.contents(URL(fileURLWithPath: err)))
    }

    /// One HTTP request to 127.0.0.1:`port`: (status, body). `form` is sent url-encoded.
    package static func request(_ port: Int, _ path: String, method: String = "GET", form: [(String, String)]? = nil,
                        headers: [String: String] = [:], session: URLSession = .shared) async throws -> (Int, String) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let form { setForm(form, on: &request) }
        let (body, response) = try await session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    /// Makes `form` the request's url-encoded body.
    package static func setForm(_ form: [(String, String)], on request: inout URLRequest) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
            .joined(separator: "&").utf8)
    }

    /// A JSON object body.
    package static func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }
}
