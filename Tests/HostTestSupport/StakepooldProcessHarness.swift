import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// Child processes (`simwallet`, `stakepoold`) for process-level tests: started with their output in a log
/// file, waited for by log line or exit, killed by `stop()`.
package final class StakepooldProcessHarness: @unchecked Sendable {
    // @unchecked: used from one test method at a time.
    package static let rpcUser = "harness-user"
    package static let rpcPassword = "harness-pass"

    package let directory: URL
    private let processes: ChildProcessHarness
    private var clients: [JSONRPCClient] = []

    package init(prefix: String) throws {
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: prefix)
        processes = ChildProcessHarness(directory: directory)
    }

    package func stop() {
        processes.stopAll()
        for client in clients { client.close() }
        clients = []
        try? FileManager.default.removeItem(at: directory)
    }

    package func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts `binary` with stdout and stderr appended to `log`.
    package func launch(_ binary: String, _ arguments: [String], log: String) throws -> Process {
        try processes.launch(binary, arguments, log: URL(fileURLWithPath: log))
    }

    package func contents(_ log: String) -> String { ChildProcessHarness.contents(URL(fileURLWithPath: log)) }

    /// Waits (bounded) for a line of `log` containing `text`; fails with the log's tail if the process exits.
    @discardableResult
    package func waitForLine(_ process: Process, _ log: String, containing text: String, seconds: TimeInterval = 40,
                     file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        try await processes.waitForLine(process, URL(fileURLWithPath: log), containing: text, seconds: seconds,
                                        file: file, line: line)
    }

    /// Waits (bounded) for the process to exit; false when it is still running.
    package func waitForExit(_ process: Process, seconds: TimeInterval) async -> Bool {
        await ChildProcessHarness.waitForExit(process, seconds: seconds)
    }

    /// simwallet with one node and `wallets` wallets on free ports; returns the node and wallet addresses.
    package func startSimwallet(wallets: Int, seed: Int = 5, extraArguments: [String] = []) async throws
        -> (node: String, wallets: [String], certificate: String)
    {
        let binary = try BuiltExecutable.path("simwallet")
        let appData = path("simwallet")
        let log = path("simwallet.log")
        let process = try launch(binary, [
            "--appdata", appData, "--wallets", "\(wallets)", "--nodeport", "0",
            "--walletports", Array(repeating: "0", count: wallets).joined(separator: ","),
            "--blockms", "0", "--seed", "\(seed)", "--rpcuser", Self.rpcUser, "--rpcpass", Self.rpcPassword,
        ] + extraArguments, log: log)
        let line = try await waitForLine(process, log, containing: "wallets on ", seconds: 30)
        guard let node = line.range(of: "node on "), let list = line.range(of: ", wallets on ") else {
            XCTFail("unexpected simwallet line: \(line)")
            throw CancellationError()
        }
        let addresses = line[list.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return (String(line[node.upperBound..<list.lowerBound]), addresses, appData + "/rpc.cert")
    }

    package func connect(_ address: String, certificate: String, name: String) async throws -> JSONRPCClient {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: try PoolNet.HostPort(parsing: address), tls: TLSClientConfiguration(trust: .certificateFile(certificate)),
            user: Self.rpcUser, password: Self.rpcPassword, name: name), logger: .disabled)
        clients.append(client)
        try await client.connect()
        return client
    }
}
