import Foundation
import PoolKernel
import WalletDcrwallet

/// A `simwallet` child process (one wallet, no block timer, free ports, its own cert directory) with a
/// connected dcrwallet RPC client, for benchmarks that must cross a process boundary like production does.
struct SimwalletProcess {
    let process: Process
    let directory: URL
    /// The first wallet's client.
    let wallet: DcrwalletBackend
    /// Every wallet's and the node's `host:port`, the RPC password and the certificate (several wallets).
    let walletAddresses: [String]
    let nodeAddress: String
    let password: String
    var certificate: String { directory.appendingPathComponent("rpc.cert").path }
    /// The simulated chain's seed (its keys and addresses follow from it).
    static let seed = 7

    /// Starts `simwallet` from the directory of the running executable; nil when it is not there
    /// (`make bench` builds it next to `poolbench`).
    static func start(wallets: Int = 1) async throws -> SimwalletProcess? {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binary = URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent("simwallet").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simwallet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let password = "bench-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--appdata", directory.path, "--wallets", String(wallets),
                             "--walletports", Array(repeating: "0", count: wallets).joined(separator: ","), "--nodeport", "0",
                             "--blockms", "0", "--seed", String(seed), "--rpcuser", "bench", "--rpcpass", password]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let (nodeAddress, walletAddresses) = try readAddresses(output.fileHandleForReading, process: process)
            let wallet = try DcrwalletBackend(
                configuration: RPCEndpointConfiguration(host: walletAddresses[0], defaultPort: 0, user: "bench", password: password,
                                                        certificatePath: directory.appendingPathComponent("rpc.cert").path,
                                                        name: "simwallet"),
                logger: .disabled)
            try await wallet.connect()
            // Keep draining the log so the child never blocks on a full pipe.
            output.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
            return SimwalletProcess(process: process, directory: directory, wallet: wallet, walletAddresses: walletAddresses,
                                    nodeAddress: nodeAddress, password: password)
        } catch {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Reads simwallet's log until it says where it listens (`… node on host:port, wallets on a, b`), 15 s at most.
    private static func readAddresses(_ handle: FileHandle, process: Process) throws -> (node: String, wallets: [String]) {
        let deadline = Date().addingTimeInterval(15)
        var text = ""
        while Date() < deadline, process.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { continue }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("wallets on ") }),
               let walletsRange = line.range(of: "wallets on "), let nodeRange = line.range(of: "node on ") {
                let wallets = line[walletsRange.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let node = line[nodeRange.upperBound...].split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
                return (node ?? "", wallets)
            }
        }
        throw HTTPBenchmarks.BenchError(description: "simwallet did not report its addresses: \(text.suffix(300))")
    }

    /// The voting and cold wallets' extended public keys of this simwallet's seed (`--printkeys`), for a web app child.
    func keys() throws -> (voting: String, cold: String) {
        let printer = Process()
        let pipe = Pipe()
        printer.executableURL = process.executableURL
        printer.arguments = ["--seed", String(Self.seed), "--printkeys"]
        printer.standardOutput = pipe
        try printer.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        printer.waitUntilExit()
        func key(_ name: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
        }
        return (key("votingwalletextpub"), key("coldwalletextpub"))
    }

    func stop() {
        Task { await wallet.close() }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
