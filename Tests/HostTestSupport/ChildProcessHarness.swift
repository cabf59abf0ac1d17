import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PoolKernel
import PoolNet
import StakepooldControl
import XCTest

/// Child processes for tests that run the real executables (`simwallet`, `stakepoold`): each started with its
/// output in a log file, waited for by log lines (bounded), and killed by `stopAll()` (call it in tearDown).
package final class ChildProcessHarness: @unchecked Sendable {
    package let directory: URL
    private(set) var children: [Process] = []

    package init(directory: URL) { self.directory = directory }

    /// Starts `binary` with its output appended to `log`.
    package func launch(_ binary: String, _ arguments: [String], log: URL) throws -> Process {
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        try output.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        children.append(process)
        return process
    }

    /// SIGKILLs every child still running and waits for it.
    package func stopAll() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        children = []
    }

    /// Waits (bounded) for `process` to exit; false when it is still running.
    package static func waitForExit(_ process: Process, seconds: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(25)) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }

    package static func contents(_ log: URL) -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits (bounded) for a line of `log` containing `text`; fails with the log's tail if the process exits.
    package func waitForLine(_ process: Process, _ log: URL, containing text: String, seconds: TimeInterval,
                     file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let contents = Self.contents(log)
            if let found = contents.split(separator: "\n").first(where: { $0.contains(text) }) { return String(found) }
            if !process.isRunning {
                XCTFail("\(log.lastPathComponent): exited with \(process.terminationStatus) before “\(text)”: \(contents.suffix(2_000))",
                        file: file, line: line)
                throw CancellationError()
            }
            if Date() > deadline {
                XCTFail("\(log.lastPathComponent): no “\(text)” within \(seconds) s: \(contents.suffix(2_000))", file: file, line: line)
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The `host:port` after `marker` in a log line (`… listening on 127.0.0.1:40123`).
    package static func address(after marker: String, in line: String) throws -> PoolNet.HostPort {
        guard let range = line.range(of: marker) else {
            XCTFail("no “\(marker)” in \(line)")
            throw CancellationError()
        }
        let text = line[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
        return try PoolNet.HostPort(parsing: text)
    }

    /// "A host where nothing listens": a loopback port bound (port 0, read back) but not listening, so connecting
    /// is refused. The caller holds it for the test's duration (`close()` it at the end); it is never released for
    /// another to reuse while the test still names it.
    package static func refusingPort() throws -> TCPListener {
        try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0), listening: false)
    }

    /// `simwallet: node on A, wallets on B, C` → (A, [B, C]).
    package static func simwalletAddresses(_ line: String) throws -> (node: String, wallets: [String]) {
        guard let node = line.range(of: "node on "), let wallets = line.range(of: ", wallets on "),
              node.upperBound <= wallets.lowerBound else {
            XCTFail("unexpected simwallet line: \(line)")
            throw CancellationError()
        }
        let addresses = line[wallets.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return (String(line[node.upperBound..<wallets.lowerBound]), addresses)
    }

    /// One request to a stakepoold control API over TLS (pinned `certificate`), without a token unless given:
    /// (HTTP status, body).
    package static func controlRequest(_ address: PoolNet.HostPort, certificate: String, method: String = "GET", path: String,
                               token: String? = nil) async throws -> (Int, String) {
        let context = try TLSContext(client: TLSClientConfiguration(trust: .certificateFile(certificate)))
        let connection = try await NetConnection.connect(to: address, timeout: .seconds(5))
        defer { connection.close() }
        let request = ControlWire.request(method: method, path: path, host: "localhost", token: token, json: nil)
        let message = try await connection.perform { connection -> ControlMessage? in
            try connection.startTLS(context, serverName: "localhost", timeout: .seconds(5))
            try connection.write(request, timeout: .seconds(5))
            var buffer: [UInt8] = []
            while true {
                let chunk = try connection.read(maxLength: 4096, timeout: .seconds(5))
                if chunk.isEmpty { return try ControlWire.parse(buffer) }
                buffer += chunk
                if let parsed = try ControlWire.parse(buffer) { return parsed }
            }
        }
        let parsed = try XCTUnwrap(message, "a whole response")
        return (parsed.statusCode ?? 0, String(decoding: parsed.body, as: UTF8.self))
    }

    /// A plain HTTP GET: (status, body).
    package static func get(_ port: Int, _ path: String) async throws -> (Int, String) {
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)"))
        let (body, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    /// The check of `component` in a `/health` JSON body.
    package static func healthCheck(_ body: String, _ component: String, instancePrefix: String = "") throws -> [String: Any]? {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], body)
        return (object["checks"] as? [[String: Any]])?.first {
            $0["component"] as? String == component && (($0["instance"] as? String) ?? "").hasPrefix(instancePrefix)
        }
    }

    package static func healthStatus(_ body: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["status"] as? String
    }
}
