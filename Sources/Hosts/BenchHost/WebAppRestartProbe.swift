import Foundation
import StorageMySQL

/// The web app's own memory over a restart's start-up sync: a real `hxstakepool` child started on the bench's
/// database and simwallet wallets, its `/proc/<pid>/status` sampled until it listens (the sync is done by then).
///
/// The in-process figure of `poolbench scale` also counts what only the bench holds (its set-up, its own SQLite
/// connections' mapped pages from inserting the users); this one is the web app alone, from its first byte: the
/// child's VmHWM is its peak since it started.
struct WebAppRestartProbe {
    struct Result {
        /// From launch until "listening on" (process start, storage, wallet connections and the start-up sync).
        var seconds: Double
        /// VmHWM when it listens: the most it was resident at once.
        var peakMB: Double
        /// Of the largest sample: anonymous memory (heap) and file pages (the mapped SQLite database, the binary).
        var anonAtPeakMB: Double
        var fileAtPeakMB: Double
        /// VmRSS once listening (after the web app's `malloc_trim`).
        var listeningMB: Double
    }

    /// `storage`: the web app's storage options (`--storage=…` and its plugin's). The binary is `hxstakepool` next to
    /// `poolbench`, or `POOLBENCH_WEBAPP_BIN` (a before/after comparison of the web app with one bench).
    static func measure(storage: [String], simwallet: SimwalletProcess, directory: URL) throws -> Result {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binary = ProcessInfo.processInfo.environment["POOLBENCH_WEBAPP_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent("hxstakepool").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HTTPBenchmarks.BenchError(description: "\(binary) is not built")
        }
        let keys = try simwallet.keys()
        let data = directory.appendingPathComponent("webapp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let log = data.appendingPathComponent("web.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let count = simwallet.walletAddresses.count
        let each = { (value: String) in Array(repeating: value, count: count).joined(separator: ",") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--simnet", "--listen=127.0.0.1:0", "--datadir=\(data.path)", "--logdir=\(data.path)",
            "--apisecret=\(UUID().uuidString)\(UUID().uuidString)", "--adminips=127.0.0.1",
            "--cookiesecret=\(UUID().uuidString)\(UUID().uuidString)", "--mail=log", "--poolfees=7.5",
            "--votingwalletextpub=\(keys.voting)", "--coldwalletextpub=\(keys.cold)", "--wallet=dcrwallet",
            "--wallethosts=\(simwallet.walletAddresses.joined(separator: ","))", "--walletusers=\(each("bench"))",
            "--walletpasswords=\(each(simwallet.password))", "--walletcerts=\(each(simwallet.certificate))",
        ] + storage
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        let started = DispatchTime.now()
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            try? handle.close()
            try? FileManager.default.removeItem(at: data)
        }
        var largest: ProcessMemory?
        while true {
            guard process.isRunning else {
                let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(500)
                throw HTTPBenchmarks.BenchError(description: "hxstakepool exited during its start: \(tail)")
            }
            if let sample = ProcessMemory(pid: process.processIdentifier), sample.residentKB > (largest?.residentKB ?? -1) {
                largest = sample
            }
            if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("listening on") { break }
            guard ScaleBenchmarks.seconds(since: started) < 900 else {
                throw HTTPBenchmarks.BenchError(description: "hxstakepool did not listen within 900 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let seconds = ScaleBenchmarks.seconds(since: started)
        guard let listening = ProcessMemory(pid: process.processIdentifier), let largest else {
            throw HTTPBenchmarks.BenchError(description: "hxstakepool's /proc status was not readable")
        }
        return Result(seconds: seconds, peakMB: Double(listening.peakKB) / 1024, anonAtPeakMB: Double(largest.anonKB) / 1024,
                      fileAtPeakMB: Double(largest.fileKB) / 1024, listeningMB: Double(listening.residentKB) / 1024)
    }

    /// The web app's options for a MySQL DSN (`POOL_MYSQL_DSN`).
    static func mysqlOptions(_ configuration: MySQLStoragePlugin.Configuration) -> [String] {
        ["--storage=mysql", "--dbhost=\(configuration.host)", "--dbport=\(configuration.port)", "--dbuser=\(configuration.user)",
         "--dbpassword=\(configuration.password)", "--dbname=\(configuration.database)"]
    }
}

/// One reading of a process's `/proc/<pid>/status` (kB).
struct ProcessMemory {
    var residentKB = 0, peakKB = 0, anonKB = 0, fileKB = 0

    init?(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let value = Int(fields[1]) else { continue }
            switch fields[0] {
            case "VmRSS:": residentKB = value
            case "VmHWM:": peakKB = value
            case "RssAnon:": anonKB = value
            case "RssFile:": fileKB = value
            default: break
            }
        }
    }
}
