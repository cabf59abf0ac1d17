import Foundation

/// What an idle pool costs: `simwallet` (3 wallets, a block every 10 s), the web app (SQLite, log mail, the
/// dcrwallet RPC plugin against simwallet) and `stakepoold` run as real child processes — the `make run` stack —
/// and, with no requests, each one's CPU time (user + system, from `/proc/<pid>/stat`) is sampled over a window:
/// `idle_cpu_percent_<process>`, in percent of one core (goal < 0.1).
///
/// The executables must sit next to `poolbench` (`make bench` builds them); the window is
/// `POOLBENCH_IDLE_SECONDS` (default 30) after the daemons report ready and settle for 5 s.
public enum IdleBenchmarks {
    static let processes = ["simwallet", "webapp", "stakepoold"]

    public static func runAll(print emit: (String) -> Void) async {
        let seconds = ProcessInfo.processInfo.environment["POOLBENCH_IDLE_SECONDS"].flatMap { Double($0) }.map { max(5, $0) } ?? 30
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idlebench-\(UUID().uuidString)")
        var stack: [Process] = []
        defer {
            for process in stack where process.isRunning { process.terminate() }
            for process in stack { process.waitUntilExit() }
            try? FileManager.default.removeItem(at: directory)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            stack = try startStack(in: directory)
            try await Task.sleep(for: .seconds(5))
            let before = try stack.map(cpuTicks)
            let start = DispatchTime.now().uptimeNanoseconds
            try await Task.sleep(for: .seconds(seconds))
            let after = try stack.map(cpuTicks)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard stack.allSatisfy(\.isRunning) else { throw HTTPBenchmarks.BenchError(description: "a process exited while idle") }
            let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
            for (index, name) in processes.enumerated() {
                let percent = Double(after[index] - before[index]) / ticksPerSecond / elapsed * 100
                emit("{\"bench\":\"idle_cpu_percent_\(name)\",\"value\":\((percent * 1000).rounded() / 1000),"
                     + "\"unit\":\"%\",\"goal\":\"<0.1\",\"window_s\":\(Int(elapsed.rounded()))}")
            }
        } catch {
            let text = "\(error)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            emit("{\"bench\":\"idle_cpu_percent\",\"error\":\"\(text)\"}")
        }
    }

    /// Starts simwallet, then stakepoold and the web app against it (in `processes` order); returns once the web app
    /// listens and stakepoold has subscribed to the node's notifications.
    private static func startStack(in directory: URL) throws -> [Process] {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binaries = URL(fileURLWithPath: running).deletingLastPathComponent()
        func binary(_ name: String) throws -> URL {
            let url = binaries.appendingPathComponent(name)
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw HTTPBenchmarks.BenchError(description: "\(name) is not built next to poolbench")
            }
            return url
        }
        let simwallet = try binary("simwallet"), webApp = try binary("hxstakepool"), stakepoold = try binary("stakepoold")
        let keys = try output(of: simwallet, ["--printkeys"])
        func key(_ name: String) -> String {
            keys.split(separator: "\n").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
        }
        let password = "idle-\(UUID().uuidString)"
        let certificate = directory.appendingPathComponent("simwallet/rpc.cert").path
        var processes: [Process] = []
        let wallet = try launch(simwallet, ["--appdata", directory.appendingPathComponent("simwallet").path,
                                            "--blockms", "10000", "--nodeport", "0", "--walletports", "0,0,0",
                                            "--rpcuser", "simnet", "--rpcpass", password],
                                log: directory.appendingPathComponent("simwallet.log"))
        processes.append(wallet)
        do {
            let ready = try waitForLine(containing: "wallets on ", in: directory.appendingPathComponent("simwallet.log"), of: wallet)
            let node = try field(after: "node on ", in: ready)
            let wallets = try field(after: "wallets on ", in: ready).split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let three = { (value: String) in [value, value, value].joined(separator: ",") }
            let data = directory.appendingPathComponent("data").path
            let daemon = try launch(stakepoold, [
                "--simnet", "--appdata", directory.appendingPathComponent("stakepoold").path, "--logdir", data,
                "--datadir", data, "--coldwalletextpub=\(key("coldwalletextpub"))", "--storage=sqlite",
                "--sqlitepath=\(data)/stakepoold.sqlite", "--dcrdhost=\(node)", "--dcrduser=simnet",
                "--dcrdpassword=\(password)", "--dcrdcert=\(certificate)", "--wallethost=\(wallets[0])",
                "--walletuser=simnet", "--walletpassword=\(password)", "--walletcert=\(certificate)", "--norpclisten",
            ], log: directory.appendingPathComponent("stakepoold.log"))
            processes.append(daemon)
            let web = try launch(webApp, [
                "--simnet", "--listen=127.0.0.1:0", "--datadir=\(data)", "--logdir=\(data)",
                "--apisecret=\(UUID().uuidString)\(UUID().uuidString)", "--adminips=127.0.0.1",
                "--cookiesecret=\(UUID().uuidString)\(UUID().uuidString)", "--storage=sqlite",
                "--mail=log", "--poolfees=7.5", "--votingwalletextpub=\(key("votingwalletextpub"))",
                "--coldwalletextpub=\(key("coldwalletextpub"))", "--wallet=dcrwallet",
                "--wallethosts=\(wallets.joined(separator: ","))", "--walletusers=\(three("simnet"))",
                "--walletpasswords=\(three(password))", "--walletcerts=\(three(certificate))",
            ], log: directory.appendingPathComponent("web.log"))
            processes.insert(web, at: 1)
            _ = try waitForLine(containing: "web: listening on", in: directory.appendingPathComponent("web.log"), of: web)
            _ = try waitForLine(containing: "subscribed to notifications", in: directory.appendingPathComponent("stakepoold.log"),
                                of: daemon)
            return processes
        } catch {
            for process in processes { process.terminate(); process.waitUntilExit() }
            throw error
        }
    }

    private static func launch(_ binary: URL, _ arguments: [String], log: URL) throws -> Process {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    private static func output(of binary: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The first line of `log` containing `text`, waiting up to 60 s (stakepoold derives 10,000 addresses first).
    private static func waitForLine(containing text: String, in log: URL, of process: Process) throws -> String {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            let contents = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = contents.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(400)
        throw HTTPBenchmarks.BenchError(description: "\(log.lastPathComponent) never said \"\(text)\": \(tail)")
    }

    /// The text after `label` up to the next ", " that starts another label (or the line's end).
    private static func field(after label: String, in line: String) throws -> String {
        guard let range = line.range(of: label) else {
            throw HTTPBenchmarks.BenchError(description: "no \"\(label)\" in \"\(line)\"")
        }
        let rest = line[range.upperBound...]
        return String(rest.components(separatedBy: ", wallets on ").first ?? String(rest))
    }

    /// User + system CPU time of `process` in clock ticks (fields 14 and 15 of `/proc/<pid>/stat`).
    static func cpuTicks(_ process: Process) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        guard let close = text.lastIndex(of: ")") else { throw HTTPBenchmarks.BenchError(description: "odd /proc stat") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw HTTPBenchmarks.BenchError(description: "odd /proc stat: \(text.prefix(120))")
        }
        return user + system
    }
}
