import Foundation
import PoolKernel
import WalletDcrwallet

/// A `simwallet` child process (one wallet, no block timer, free ports, its own cert directory) with a
/// connected dcrwallet RPC client, for benchmarks that must cross a process boundary like production does.
struct SimwalletProcess {
    let process: Process
    let directory: URL
    let wallet: DcrwalletBackend

    /// Starts `simwallet` from the directory of the running executable; nil when it is not there
    /// (`make bench` builds it next to `poolbench`).
    static func start() async throws -> SimwalletProcess? {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binary = URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent("simwallet").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simwallet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let password = "bench-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--appdata", directory.path, "--wallets", "1", "--walletports", "0", "--nodeport", "0",
                             "--blockms", "0", "--seed", "7", "--rpcuser", "bench", "--rpcpass", password]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let walletAddress = try readWalletAddress(output.fileHandleForReading, process: process)
            let wallet = try DcrwalletBackend(
                configuration: RPCEndpointConfiguration(host: walletAddress, defaultPort: 0, user: "bench", password: password,
                                                        certificatePath: directory.appendingPathComponent("rpc.cert").path,
                                                        name: "simwallet"),
                logger: .disabled)
            try await wallet.connect()
            // Keep draining the log so the child never blocks on a full pipe.
            output.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
            return SimwalletProcess(process: process, directory: directory, wallet: wallet)
        } catch {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Reads simwallet's log until it says where its wallet listens (`… wallets on 127.0.0.1:port`), 15 s at most.
    private static func readWalletAddress(_ handle: FileHandle, process: Process) throws -> String {
        let deadline = Date().addingTimeInterval(15)
        var text = ""
        while Date() < deadline, process.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { continue }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("wallets on ") }),
               let range = line.range(of: "wallets on ") {
                let address = line[range.upperBound...].split(separator: ",").first.map(String.init) ?? ""
                return address.trimmingCharacters(in: .whitespaces)
            }
        }
        throw HTTPBenchmarks.BenchError(description: "simwallet did not report its wallet address: \(text.suffix(300))")
    }

    func stop() {
        Task { await wallet.close() }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
